package io.connectx.bootstrap;

import java.util.function.Consumer;

/**
 * Tells the agent when the platform MBean server comes into being, so its MBean is registered then rather
 * than by creating that server itself (which would initialise java.util.logging from premain).
 */
public final class PlatformServerBridge {
    private static volatile Consumer<Object> listener;

    private PlatformServerBridge() {
    }

    /**
     * Sets the listener once; later calls are ignored. The agent jar relocates this class into
     * {@code java.management} (as {@code sun.management.ConnectxPlatformServerBridge}), a package exported
     * to the agent's module alone, so application code cannot call it.
     */
    public static synchronized void listen(Consumer<Object> value) {
        if (listener == null) {
            listener = value;
        }
    }

    public static void created(Object server) {
        Consumer<Object> l = listener;
        if (l != null && server != null) {
            l.accept(server);
        }
    }
}
