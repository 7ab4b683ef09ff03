package io.connectx.provider;

import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Destinations (address and port) this JVM has seen complete a handshake. A connect to any other is not
 * deferred: a cookie is cached per address, not per port, so a deferred connect to a port nobody listens
 * on would return at once, and a connect-then-close probe would report a closed port open. Bounded as
 * {@link ServerFirstDestinations} is: past the bound the memory starts over, which costs each destination
 * one connection without Fast Open, never a wrong answer.
 */
final class ConnectedDestinations {
    static final int MAX_REMEMBERED = 4096;

    private final ConcurrentHashMap<InetSocketAddress, Boolean> connected = new ConcurrentHashMap<>();

    boolean contains(InetSocketAddress destination) {
        return destination != null && connected.containsKey(destination);
    }

    void add(InetSocketAddress destination) {
        if (destination == null || connected.containsKey(destination)) {
            return;
        }
        if (connected.size() >= MAX_REMEMBERED) {
            connected.clear();
        }
        connected.put(destination, Boolean.TRUE);
    }
}
