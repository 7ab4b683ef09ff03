package io.connectx.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * What an application observed in one conformance cell, in order: the steps it entered and what it saw on
 * the way. Written by the cell's threads, read by the runner.
 */
final class ConformanceTrace {
    /** Enough for one connection's story; a cell of many iterations shows its first ones and a count. */
    private static final int MAX_EVENTS = 12;
    private final List<String> events = new ArrayList<>();
    private int dropped;
    private String step = "start";

    /** Enters {@code name}: the step an exception is charged to. */
    synchronized void step(String name) {
        step = name;
        saw(name);
    }

    synchronized void saw(String event) {
        if (events.size() < MAX_EVENTS) {
            events.add(event);
        } else {
            dropped++;
        }
    }

    synchronized String step() {
        return step;
    }

    synchronized String events() {
        return String.join(",", events) + (dropped > 0 ? ",...(" + dropped + " more)" : "");
    }

    /**
     * An exception as the application sees it: each class and message down the cause chain (an
     * ExecutionException's own message only repeats its cause), with port numbers replaced by the names
     * of the ports, since the plain and the agent runs use different ones.
     */
    static String describe(Throwable e, Map<String, Integer> ports) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null && text.length() < 600; t = t.getCause()) {
            if (t != e) {
                text.append(" <- ");
            }
            text.append(t.getClass().getName());
            if (!(t instanceof ExecutionException) && t.getMessage() != null) {
                text.append(": ").append(t.getMessage());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return normalize(text.toString(), ports);
    }

    static String normalize(String text, Map<String, Integer> ports) {
        String out = text;
        for (Map.Entry<String, Integer> port : ports.entrySet()) {
            out = out.replaceAll("(?<![0-9])" + port.getValue() + "(?![0-9])", "<" + port.getKey() + ">");
        }
        return out.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
    }
}
