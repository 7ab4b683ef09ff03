package io.connectx.provider;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;

/**
 * Per-destination counts of outcomes, for the {@code Destinations} attribute: the most recently used
 * {@value #MAX_DESTINATIONS} destinations ({@code address:port}); the least recently used is dropped to
 * make room. Only fed once somebody read the attribute.
 */
final class DestinationCounters {
    static final int MAX_DESTINATIONS = 256;
    static final String[] ITEMS = {"destination", "connects", "synDataAcked", "cookieRequests", "synDataNotAcked",
        "heldFirstWrites", "readFirstTriggers", "errors", "closedBeforeHandshake"};
    static final CompositeType TYPE = compositeType();

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
    CompositeData[] snapshot() {
        List<Map.Entry<String, long[]>> entries;
        synchronized (counts) {
            entries = new ArrayList<>(counts.size());
            for (Map.Entry<String, long[]> e : counts.entrySet()) {
                entries.add(Map.entry(e.getKey(), e.getValue().clone()));
            }
        }
        CompositeData[] out = new CompositeData[entries.size()];
        for (int i = 0; i < out.length; i++) {
            Map.Entry<String, long[]> e = entries.get(entries.size() - 1 - i);
            Object[] values = new Object[ITEMS.length];
            values[0] = e.getKey();
            for (int j = 1; j < ITEMS.length; j++) {
                values[j] = e.getValue()[j - 1];
            }
            try {
                out[i] = new CompositeDataSupport(TYPE, ITEMS, values);
            } catch (OpenDataException impossible) {
                throw new IllegalStateException(impossible);
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

    private static CompositeType compositeType() {
        OpenType<?>[] types = new OpenType<?>[ITEMS.length];
        types[0] = SimpleType.STRING;
        for (int i = 1; i < types.length; i++) {
            types[i] = SimpleType.LONG;
        }
        String[] descriptions = {"address:port", "connections set up for Fast Open",
            "SYN data acknowledged by the server (TCP_INFO)", "connects without a cookie, which asked for one",
            "SYN data sent, not acknowledged", "first writes held out of the SYN (not known replay-safe)",
            "handshakes started by a read before any write", "failed deferred handshakes",
            "closed before any SYN was sent"};
        try {
            return new CompositeType("io.connectx.FastOpenDestination", "Fast Open outcomes for one destination",
                    ITEMS, descriptions, types);
        } catch (OpenDataException e) {
            throw new IllegalStateException(e);
        }
    }
}
