package io.connectx;

import java.net.InetSocketAddress;

/**
 * The man page's {@code sa_endpoints_t}: an optional source interface (its index, 0 for none), an
 * optional source address (bound as bind(2) would), and the destination.
 */
public record Endpoints(int srcif, InetSocketAddress src, InetSocketAddress dst) {

    /** Only a destination: the system picks the interface and the source address. */
    public static Endpoints to(InetSocketAddress dst) {
        return new Endpoints(0, null, dst);
    }
}
