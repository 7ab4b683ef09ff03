package io.connectx.provider;

import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Destinations seen to speak first (SMTP, MySQL/MariaDB, FTP...): a deferred socket to one of them that
 * waits for OP_READ starts its handshake at once instead of after a grace. Learned per JVM from the
 * sockets themselves: data read before the application wrote anything marks the destination; a write
 * before any data was read clears it.
 */
final class ServerFirstDestinations {
    /** Enough for any real set of peers; past it the memory starts over rather than grow without bound. */
    static final int MAX_REMEMBERED = 4096;

    private final ConcurrentHashMap<InetSocketAddress, Boolean> speakFirst = new ConcurrentHashMap<>();

    boolean speaksFirst(InetSocketAddress destination) {
        return destination != null && !speakFirst.isEmpty() && speakFirst.containsKey(destination);
    }

    void spokeFirst(InetSocketAddress destination) {
        if (destination == null) {
            return;
        }
        if (speakFirst.size() >= MAX_REMEMBERED) {
            speakFirst.clear();
        }
        speakFirst.put(destination, Boolean.TRUE);
    }

    void waitedForTheClient(InetSocketAddress destination) {
        if (destination != null && !speakFirst.isEmpty()) {
            speakFirst.remove(destination);
        }
    }
}
