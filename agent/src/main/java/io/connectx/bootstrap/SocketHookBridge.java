package io.connectx.bootstrap;

import java.io.FileDescriptor;
import java.net.InetAddress;

/**
 * Lives on the bootstrap class path, the only place advice inlined into {@code java.base} can see. It
 * holds one slot that the agent fills; everything else stays in the agent's loader.
 */
public final class SocketHookBridge {
    private static volatile SocketHooks hooks;

    private SocketHookBridge() {
    }

    public static void install(SocketHooks value) {
        hooks = value;
    }

    public static void beforeConnect(FileDescriptor fd, InetAddress remote, int port) {
        SocketHooks h = hooks;
        if (h != null) {
            h.beforeConnect(fd, remote, port);
        }
    }

    public static void afterListen(FileDescriptor fd) {
        SocketHooks h = hooks;
        if (h != null) {
            h.afterListen(fd);
        }
    }
}
