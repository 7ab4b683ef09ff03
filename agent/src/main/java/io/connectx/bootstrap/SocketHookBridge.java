package io.connectx.bootstrap;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Lives in the bootstrap loader, the only one advice inlined into {@code java.base} can see. It holds
 * one slot that the agent fills; with the slot empty every call is a no-op.
 */
public final class SocketHookBridge {
    private static volatile SocketHooks hooks;

    private SocketHookBridge() {
    }

    public static void install(SocketHooks value) {
        hooks = value;
    }

    public static void tcpConnect() {
        SocketHooks h = hooks;
        if (h != null) {
            h.tcpConnect();
        }
    }

    /** See {@link SocketHooks#beforeConnect}: Integer (skip the connect, return it), TRUE (call afterConnect), or FALSE/null. */
    public static Object beforeConnect(FileDescriptor fd, InetAddress remote, int port) throws IOException {
        SocketHooks h = hooks;
        return h == null ? null : h.beforeConnect(fd, remote, port);
    }

    public static void afterConnect(FileDescriptor fd, int result) {
        SocketHooks h = hooks;
        if (h != null) {
            h.afterConnect(fd, result);
        }
    }

    public static void afterTimedConnect(FileDescriptor fd, long timeoutNanos) {
        SocketHooks h = hooks;
        if (h != null) {
            h.afterTimedConnect(fd, timeoutNanos);
        }
    }

    public static void beforeRead(FileDescriptor fd) throws IOException {
        SocketHooks h = hooks;
        if (h != null) {
            h.beforeRead(fd);
        }
    }

    public static Throwable afterRead(FileDescriptor fd, long n, Throwable thrown) {
        SocketHooks h = hooks;
        return h == null ? thrown : h.afterRead(fd, n, thrown);
    }

    public static void beforeWrite(FileDescriptor fd, ByteBuffer data) throws IOException {
        SocketHooks h = hooks;
        if (h != null) {
            h.beforeWrite(fd, data);
        }
    }

    public static void beforeWrite(FileDescriptor fd, ByteBuffer[] data, int offset, int length) throws IOException {
        SocketHooks h = hooks;
        if (h != null) {
            h.beforeWrite(fd, data, offset, length);
        }
    }

    public static void beforeWrite(FileDescriptor fd, byte[] data, int offset, int length) throws IOException {
        SocketHooks h = hooks;
        if (h != null) {
            h.beforeWrite(fd, data, offset, length);
        }
    }

    public static Throwable afterWrite(FileDescriptor fd, Throwable thrown) {
        SocketHooks h = hooks;
        return h == null ? thrown : h.afterWrite(fd, thrown);
    }

    public static void beforeShutdownOutput(FileDescriptor fd) throws IOException {
        SocketHooks h = hooks;
        if (h != null) {
            h.beforeShutdownOutput(fd);
        }
    }

    public static void beforeInterest(FileDescriptor fd, int ops) {
        SocketHooks h = hooks;
        if (h != null) {
            h.beforeInterest(fd, ops);
        }
    }

    public static void closed(FileDescriptor fd) {
        SocketHooks h = hooks;
        if (h != null) {
            h.closed(fd);
        }
    }

    public static void afterAccept(Object accepted) {
        SocketHooks h = hooks;
        if (h != null && accepted != null) {
            h.afterAccept(accepted);
        }
    }

    public static void afterListen(FileDescriptor fd) {
        SocketHooks h = hooks;
        if (h != null) {
            h.afterListen(fd);
        }
    }
}
