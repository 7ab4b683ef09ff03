package io.connectx.provider;

import java.util.BitSet;

/** Which listening ports accept TCP Fast Open: a comma-separated list of ports, or {@code *}. */
public final class ListenPolicy {
    public static final int DEFAULT_QUEUE_LENGTH = 256;
    private static final ListenPolicy NONE = new ListenPolicy(new BitSet(), false, "");

    private final BitSet ports;
    private final boolean allPorts;
    private final String spec;

    private ListenPolicy(BitSet ports, boolean allPorts, String spec) {
        this.ports = ports;
        this.allPorts = allPorts;
        this.spec = spec;
    }

    public static ListenPolicy none() {
        return NONE;
    }

    public static ListenPolicy parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty listen list: expected * or PORT[,PORT...]");
        }
        if (spec.trim().equals("*")) {
            return new ListenPolicy(new BitSet(), true, spec);
        }
        BitSet ports = new BitSet(65536);
        for (String token : spec.split(",", -1)) {
            ports.set(parsePort(token.trim()));
        }
        return new ListenPolicy(ports, false, spec);
    }

    /** Parses {@code listen.qlen}: the kernel's queue of pending Fast Open requests. */
    public static int parseQueueLength(String text) {
        try {
            int qlen = Integer.parseInt(text.trim());
            if (qlen >= 1 && qlen <= 65535) {
                return qlen;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("bad listen.qlen '" + text + "': expected a number from 1 to 65535");
    }

    private static int parsePort(String token) {
        try {
            int port = Integer.parseInt(token);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("bad listen port '" + token + "': expected * or a number from 1 to 65535");
    }

    public boolean isEmpty() {
        return !allPorts && ports.isEmpty();
    }

    public boolean admits(int localPort) {
        return localPort > 0 && (allPorts || ports.get(localPort));
    }

    @Override
    public String toString() {
        return spec;
    }
}
