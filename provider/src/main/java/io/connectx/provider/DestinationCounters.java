package io.connectx.provider;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-destination counts of outcomes, for the {@code Destinations} attribute: the most recently used
 * {@value #MAX_DESTINATIONS} destinations ({@code address:port}); the least recently used is dropped to
 * make room. Only fed once somebody read the attribute.
 */
final class DestinationCounters {
    static final int MAX_DESTINATIONS = 256;
    /** The items of a {@link DestinationCounts} in its open form; the counts are in this order after the first. */
    static final String[] ITEMS = {"destination", "connects", "synDataAcked", "cookieRequests", "synDataNotAcked",
        "heldFirstWrites", "readFirstTriggers", "errors", "closedBeforeHandshake"};

    /** Index into a destination's counts, per outcome; 0 counts connects. */
    private static final int CONNECTS = 0;

    // Access order: a get or put moves the destination to the most recent end.
    private final Map<String, long[]> counts = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > MAX_DESTINATIONS;
        }
    };

    void connect(InetAddress address, int port) {
        add(key(address, port), CONNECTS);
    }

    void count(InetAddress address, int port, FastOpenOutcome outcome) {
        add(key(address, port), slot(outcome));
    }

    /** Most recently used first. */
    DestinationCounts[] snapshot() {
        DestinationCounts[] out;
        synchronized (counts) {
            out = new DestinationCounts[counts.size()];
            int i = out.length;
            for (Map.Entry<String, long[]> e : counts.entrySet()) {
                out[--i] = new DestinationCounts(e.getKey(), e.getValue().clone());
            }
        }
        return out;
    }

    private void add(String key, int slot) {
        synchronized (counts) {
            counts.computeIfAbsent(key, k -> new long[ITEMS.length - 1])[slot]++;
        }
    }

    private static int slot(FastOpenOutcome outcome) {
        return switch (outcome) {
            case SYN_DATA_ACKED -> 1;
            case COOKIE_REQUESTED -> 2;
            case SYN_DATA_NOT_ACKED -> 3;
            case HELD_REPLAY_UNSAFE -> 4;
            case READ_FIRST -> 5;
            case ERROR -> 6;
            case CLOSED_BEFORE_HANDSHAKE -> 7;
        };
    }

    static String key(InetAddress address, int port) {
        String host = address.getHostAddress();
        return (address instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
    }
}
