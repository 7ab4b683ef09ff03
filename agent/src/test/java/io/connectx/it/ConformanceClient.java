package io.connectx.it;

import io.connectx.it.ConformanceScenarios.Cell;
import io.connectx.it.ConformanceScenarios.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs in a child JVM inside the conformance suite's network namespace, once without the agent and once
 * with it: every cell of {@link ConformanceScenarios}, one after the other, each on a thread of its own
 * and bounded by its budget. Prints one tab-separated line per cell:
 * {@code cell SCENARIO API events RESULT bound=held|early|late elapsed-ms=N}, or
 * {@code cell SCENARIO API SKIPPED reason}.
 *
 * <p>Before the cells, the harness (the same in both runs) makes each live port a destination this JVM
 * has completed a handshake with ({@code WARM}), asks for {@code /warm-check~start} (whose SYN carries data
 * under the agent when the cookie is warm, which the server's TCP_INFO shows), and black-holes the HOLE port.
 *
 * <p>Usage: {@code ConformanceClient NAME=PORT...}.
 */
public final class ConformanceClient {
    private static final List<String> LIVE = List.of("GREET", "ANSWER", "RESET", "SILENT", "TWO", "HOLE");

    private ConformanceClient() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String arg : args) {
            String[] kv = arg.split("=");
            ports.put(kv[0], Integer.parseInt(kv[1]));
        }
        for (String live : LIVE) {
            System.out.println("warm " + live + " " + warm(ports, live));
        }
        System.out.println("warm-check start " + get(ports, "warm-check~start"));
        nft("add rule inet lab out tcp dport " + ports.get("HOLE") + " tcp flags & (syn | ack) == syn drop");
        for (Cell cell : ConformanceScenarios.all()) {
            System.out.println(run(cell, ports));
        }
        System.out.println("warm-check end " + get(ports, "warm-check~end"));
        System.out.println("done");
        // Cells that hung may have left threads behind: they must not keep the JVM alive.
        System.exit(0);
    }

    private static String run(Cell cell, Map<String, Integer> ports) throws InterruptedException {
        String prefix = "cell\t" + cell.scenario() + "\t" + cell.api() + "\t";
        if (cell.api().equals("virtual") && Runtime.version().feature() < 21) {
            return prefix + "SKIPPED\tvirtual threads need JDK 21 or later; this is JDK " + Runtime.version().feature();
        }
        ConformanceTrace trace = new ConformanceTrace();
        Context context = new Context(ports, cell, trace);
        String[] result = new String[1];
        long start = System.nanoTime();
        Thread thread = context.thread(() -> {
            String outcome;
            try {
                outcome = "ok " + cell.body().run(context, trace);
            } catch (Throwable e) {
                outcome = "error@" + trace.step() + " " + ConformanceTrace.describe(e, ports);
            }
            synchronized (result) {
                result[0] = outcome;
            }
        });
        context.cellThread = thread;
        thread.start();
        thread.join(cell.budgetMs());
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String outcome;
        synchronized (result) {
            outcome = result[0];
        }
        if (outcome == null) {
            outcome = "HUNG: no outcome within " + cell.budgetMs() + " ms, in step " + trace.step();
            context.closeAll();
            thread.interrupt();
        }
        String bound = elapsedMs < cell.minMs() ? "early" : elapsedMs > cell.maxMs() ? "late" : "held";
        return prefix + trace.events() + "\t" + outcome + "\tbound=" + bound + "\telapsed-ms=" + elapsedMs;
    }

    /** A platform thread, or a virtual one (JDK 21+, through reflection: this compiles for 17). */
    static Thread newThread(Runnable task, boolean virtual) {
        if (!virtual) {
            Thread thread = new Thread(task, "conformance");
            thread.setDaemon(true);
            return thread;
        }
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            return (Thread) Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class)
                    .invoke(builder, task);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("virtual threads unavailable", e);
        }
    }

    /** Harness: one completed exchange with the port, so that this JVM has seen its handshake complete. */
    private static String warm(Map<String, Integer> ports, String name) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports.get(name)), 5000);
            socket.setSoTimeout(5000);
            if (!name.equals("GREET")) {
                socket.getOutputStream().write("WARM\n".getBytes(StandardCharsets.UTF_8));
            }
            return line(socket.getInputStream());
        } catch (IOException e) {
            return "failed " + e;
        }
    }

    private static String get(Map<String, Integer> ports, String path) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports.get("ANSWER")), 5000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(ConformanceScenarios.getBytes(path));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return answer.substring(answer.indexOf("\r\n\r\n") + 4);
        } catch (IOException e) {
            return "failed " + e;
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            out.write(b);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** nft with each word of {@code rule} as its own argument: no shell to mind the parentheses. */
    static List<String> nftCommand(String rule) {
        List<String> command = new java.util.ArrayList<>(List.of("nft"));
        command.addAll(List.of(rule.split(" ")));
        return command;
    }

    private static void nft(String rule) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(nftCommand(rule)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("nft " + rule + " failed: " + out);
        }
    }
}
