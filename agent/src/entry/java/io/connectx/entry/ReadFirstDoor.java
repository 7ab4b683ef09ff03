package io.connectx.entry;

import java.nio.channels.SocketChannel;

/**
 * The one door from the application's side to the agent: {@code io.connectx.Connectx} (the application's
 * own copy, in the application's class loader) hands a resumable socket whose SYN it deferred to the
 * agent's read-first guard, which lives in the agent's own loader and starts the handshake at the first
 * read. It takes a channel, never a file descriptor: the agent reads the descriptor from a JDK channel
 * itself, so code can only hand over channels it already holds.
 */
public final class ReadFirstDoor {
    private static volatile Guard guard;

    private ReadFirstDoor() {
    }

    /** The agent's side of the door. */
    public interface Guard {
        /** True when the agent took the channel over; false leaves the handshake to the caller. */
        boolean adopt(SocketChannel channel);
    }

    /** Called once by the agent when its hooks are active; later calls change nothing. */
    public static synchronized void open(Guard value) {
        if (guard == null) {
            guard = value;
        }
    }

    /** False when no agent runs in this JVM, or it did not take the channel. */
    public static boolean adopt(SocketChannel channel) {
        Guard g = guard;
        return g != null && channel != null && g.adopt(channel);
    }
}
