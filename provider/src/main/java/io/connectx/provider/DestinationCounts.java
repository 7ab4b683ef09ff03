package io.connectx.provider;

import javax.management.openmbean.CompositeData;

/**
 * One entry of the {@code Destinations} attribute. As an MXBean type it reaches JMX clients as
 * {@link CompositeData} whose items are named after the getters: {@code destination}, {@code connects},
 * {@code synDataAcked}, {@code cookieRequests}, {@code synDataNotAcked}, {@code heldFirstWrites},
 * {@code readFirstTriggers}, {@code errors}, {@code closedBeforeHandshake}.
 */
public final class DestinationCounts {
    private final String destination;
    private final long[] counts;

    DestinationCounts(String destination, long[] counts) {
        this.destination = destination;
        this.counts = counts;
    }

    /** For MXBean proxies: rebuilds an entry from its open form. */
    public static DestinationCounts from(CompositeData data) {
        long[] counts = new long[DestinationCounters.ITEMS.length - 1];
        for (int i = 1; i < DestinationCounters.ITEMS.length; i++) {
            counts[i - 1] = (Long) data.get(DestinationCounters.ITEMS[i]);
        }
        return new DestinationCounts((String) data.get("destination"), counts);
    }

    /** {@code address:port}, an IPv6 address in brackets. */
    public String getDestination() {
        return destination;
    }

    /** Connections set up for Fast Open. */
    public long getConnects() {
        return counts[0];
    }

    /** SYN data the server acknowledged (TCP_INFO). */
    public long getSynDataAcked() {
        return counts[1];
    }

    /** Connects without a cookie, which asked for one. */
    public long getCookieRequests() {
        return counts[2];
    }

    /** SYN data sent and not acknowledged: the kernel resent it. */
    public long getSynDataNotAcked() {
        return counts[3];
    }

    /** First writes held out of the SYN: not known safe to replay. */
    public long getHeldFirstWrites() {
        return counts[4];
    }

    /** Handshakes started by a read before any write. */
    public long getReadFirstTriggers() {
        return counts[5];
    }

    /** Deferred handshakes that failed. */
    public long getErrors() {
        return counts[6];
    }

    /** Closed before any SYN was sent. */
    public long getClosedBeforeHandshake() {
        return counts[7];
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(destination);
        for (int i = 1; i < DestinationCounters.ITEMS.length; i++) {
            out.append(' ').append(DestinationCounters.ITEMS[i]).append('=').append(counts[i - 1]);
        }
        return out.toString();
    }
}
