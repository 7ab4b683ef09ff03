package io.connectx.nettybridge;

import io.connectx.bootstrap.SocketHookBridge;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/**
 * What the code woven into Netty's unix {@code Socket}, {@code FileDescriptor} and epoll {@code Native} calls
 * (any copy of Netty, shaded or not, in any class loader). Netty's classes cannot see
 * {@code sun.nio.ch.ConnectxSocketHookBridge}, so this class sits in the bootstrap loader's unnamed module,
 * which every class loader reaches and to which the agent exports {@code sun.nio.ch} alone. It holds no state
 * and no hook slot: it turns Netty's int descriptors and native addresses into what the sealed bridge takes,
 * and every call ends there, in the same engine as the JDK's sockets.
 * <p>
 * A descriptor is known to the engine only from an admitted connect (or a listen) to its close; for every
 * other Netty descriptor each hook costs one map lookup in the agent.
 */
public final class NettySocketBridge {
    /**
     * A Netty socket has no JDK socket to park through. Netty's epoll transport runs only on Linux, where a
     * write during the handshake waits in the kernel (FastOpen.writesFailUntilEstablished is false there).
     */
    private static final Object NO_JDK_SOCKET = null;

    /** EPOLLIN (sys/epoll.h). */
    private static final int EPOLLIN = 0x001;

    private NettySocketBridge() {
    }

    /** Entry of {@code Socket.connect(SocketAddress)}: true when the socket was set up for Fast Open. */
    public static boolean beforeConnect(int fd, SocketAddress remote) throws IOException {
        if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return false; // a Unix-domain or unresolved address: left to Netty
        }
        // Null for a datagram socket (Netty's UDP connects come here too): neither counted nor touched.
        FileDescriptor descriptor = SocketHookBridge.nettyDescriptor(fd, true);
        if (descriptor == null) {
            return false;
        }
        SocketHookBridge.tcpConnect();
        if (!Boolean.TRUE.equals(SocketHookBridge.beforeConnect(descriptor, inet.getAddress(), inet.getPort()))) {
            SocketHookBridge.nettyForget(fd);
            return false;
        }
        return true;
    }

    /** Exit of an admitted connect: what Netty's connect returns (true connected, false in progress). */
    public static boolean afterConnect(boolean connected, int fd, SocketAddress remote) {
        FileDescriptor descriptor = SocketHookBridge.nettyDescriptor(fd, false);
        if (descriptor == null) {
            return connected;
        }
        InetSocketAddress inet = (InetSocketAddress) remote;
        return SocketHookBridge.afterConnect(connected ? 1 : -2, descriptor, inet.getAddress(), inet.getPort()) == 1;
    }

    public static void beforeRead(int fd) throws IOException {
        FileDescriptor descriptor = SocketHookBridge.nettyDescriptor(fd, false);
        if (descriptor != null) {
            SocketHookBridge.beforeRead(descriptor);
        }
    }

    /** Exit of a read that returned {@code n} (-1 at the end of the stream, 0 for EAGAIN). */
    public static void readReturned(long n, int fd) {
        FileDescriptor descriptor = SocketHookBridge.nettyDescriptor(fd, false);
        if (descriptor != null) {
            SocketHookBridge.afterRead(descriptor, n, null);
        }
    }

    /** Exit of a read that threw {@code thrown}: throws it, or what connect would have thrown in its place. */
    public static void readThrew(int fd, Throwable thrown) {
        FileDescriptor descriptor = SocketHookBridge.nettyDescriptor(fd, false);
        if (descriptor != null) {
            SocketHookBridge.afterRead(descriptor, 0, thrown);
        }
        NettySocketBridge.<RuntimeException>raise(thrown);
    }

    /** {@code FileDescriptor.write(ByteBuffer, pos, limit)}: the bytes from pos to limit. */
    public static void beforeWrite(int fd, ByteBuffer data, int position, int limit) throws IOException {
        FileDescriptor descriptor = SocketHookBridge.nettyDescriptor(fd, false);
        if (descriptor != null && limit > position) {
            ByteBuffer view = data.duplicate();
            view.clear();
            view.limit(limit);
            view.position(position);
            SocketHookBridge.beforeWrite(NO_JDK_SOCKET, descriptor, view);
        }
    }

    /** {@code writeAddress(address, pos, limit)}: native memory, seen through a view the agent makes. */
    public static void beforeWriteAddress(int fd, long address, int position, int limit) throws IOException {
        FileDescriptor descriptor = SocketHookBridge.nettyDescriptor(fd, false);
        if (descriptor != null && limit > position) {
            ByteBuffer view = SocketHookBridge.nativeBytes(address + position, limit - position);
            if (view != null) {
                SocketHookBridge.beforeWrite(NO_JDK_SOCKET, descriptor, view);
            } else {
                SocketHookBridge.beforeRead(descriptor); // not judged: never in the SYN
            }
        }
    }

    public static void beforeWritev(int fd, ByteBuffer[] data, int offset, int length) throws IOException {
        FileDescriptor descriptor = SocketHookBridge.nettyDescriptor(fd, false);
        if (descriptor != null) {
            SocketHookBridge.beforeWrite(NO_JDK_SOCKET, descriptor, data, offset, length);
        }
    }

    /** {@code writevAddresses(iov, count)}: an array of struct iovec in native memory. */
    public static void beforeWritevAddresses(int fd, long iov, int count) throws IOException {
        FileDescriptor descriptor = SocketHookBridge.nettyDescriptor(fd, false);
        if (descriptor != null && count > 0) {
            ByteBuffer[] views = SocketHookBridge.nativeIovecs(iov, count);
            if (views != null) {
                SocketHookBridge.beforeWrite(NO_JDK_SOCKET, descriptor, views, 0, views.length);
            } else {
                SocketHookBridge.beforeRead(descriptor); // not judged: never in the SYN
            }
        }
    }

    /** A write the engine cannot judge (sendfile, splice): held, its SYN going out without data first. */
    public static void beforeOpaqueWrite(int fd) throws IOException {
        FileDescriptor descriptor = SocketHookBridge.nettyDescriptor(fd, false);
        if (descriptor != null) {
            SocketHookBridge.beforeOpaqueWrite(descriptor);
        }
    }

    /**
     * Entry of {@code Socket.shutdown(read, write)}. Shutting the write side in SYN_SENT would abort the
     * connection, so before the first write the handshake starts and this waits for it, as on the JDK path.
     */
    public static void beforeShutdown(int fd, boolean write) throws IOException {
        if (!write) {
            return;
        }
        FileDescriptor descriptor = SocketHookBridge.nettyDescriptor(fd, false);
        if (descriptor != null) {
            SocketHookBridge.beforeShutdownOutput(NO_JDK_SOCKET, descriptor);
        }
    }

    /**
     * Exit of the epoll channel's {@code doConnect}: its {@code CONNECT_TIMEOUT_MILLIS} bounds the deferred
     * handshake, as the timeout of the JDK's {@code Socket.connect(addr, timeout)} does. Netty's own timer
     * stops when the connect reports done, which a deferred connect does before its SYN is out.
     */
    public static void connectTimeout(int fd, int millis) {
        if (millis <= 0) {
            return;
        }
        FileDescriptor descriptor = SocketHookBridge.nettyDescriptor(fd, false);
        if (descriptor != null) {
            SocketHookBridge.afterTimedConnect(descriptor, millis * 1_000_000L);
        }
    }

    public static void writeReturned(int fd) {
        FileDescriptor descriptor = SocketHookBridge.nettyDescriptor(fd, false);
        if (descriptor != null) {
            SocketHookBridge.afterWrite(descriptor, null);
        }
    }

    public static void writeThrew(int fd, Throwable thrown) {
        FileDescriptor descriptor = SocketHookBridge.nettyDescriptor(fd, false);
        if (descriptor != null) {
            SocketHookBridge.afterWrite(descriptor, thrown);
        }
        NettySocketBridge.<RuntimeException>raise(thrown);
    }

    /** {@code epollCtlAdd/Mod(epfd, fd, flags)}: EPOLLIN before any write must start the handshake. */
    public static void beforeInterest(int fd, int flags) {
        if ((flags & EPOLLIN) == 0) {
            return;
        }
        FileDescriptor descriptor = SocketHookBridge.nettyDescriptor(fd, false);
        if (descriptor != null) {
            SocketHookBridge.beforeInterest(descriptor, SelectionKey.OP_READ);
        }
    }

    /** Entry of {@code FileDescriptor.close()}, before the descriptor's number can be reused. */
    public static void closed(int fd) {
        FileDescriptor descriptor = SocketHookBridge.nettyDescriptor(fd, false);
        if (descriptor != null) {
            SocketHookBridge.closed(descriptor);
            SocketHookBridge.nettyForget(fd);
        }
    }

    /** Exit of {@code Socket.listen(int)}. */
    public static void afterListen(int fd) {
        FileDescriptor descriptor = SocketHookBridge.nettyDescriptor(fd, true);
        if (descriptor != null) {
            SocketHookBridge.afterListen(descriptor);
        }
    }

    /** Exit of {@code Socket.accept(byte[])}: the accepted descriptor, or -1 when none was waiting. */
    public static void afterAccept(int accepted) {
        if (accepted >= 0) {
            SocketHookBridge.afterAccept(accepted);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void raise(Throwable t) throws T {
        throw (T) t;
    }
}
