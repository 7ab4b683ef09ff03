package io.connectx.agent;

import io.connectx.bootstrap.SocketHooks;
import io.connectx.provider.DeferredHandshakes;
import io.connectx.provider.FastOpenSockets;
import io.connectx.sys.FileDescriptors;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;

/**
 * The agent's side of the bridge: forwards each hook to the engine ({@link FastOpenSockets}). Faults go
 * through to the bridge, which counts and logs them and lets the I/O proceed as without connectx. The hooks
 * that make native calls on a socket the agent does not track yet (connect, listen, accept) first wait for
 * {@link LibcBinding}; the others act only on sockets that connect set up, after the binding.
 */
final class EngineHooks implements SocketHooks {
    private final FastOpenSockets sockets;
    private final LibcBinding libc;
    private final NettyDescriptors netty = new NettyDescriptors();

    EngineHooks(FastOpenSockets sockets, LibcBinding libc) {
        this.sockets = sockets;
        this.libc = libc;
        sockets.parkWith(JdkPark::park);
    }

    @Override
    public void tcpConnect() {
        sockets.countTcpConnect();
    }

    @Override
    public Object beforeConnect(FileDescriptor fd, InetAddress remote, int port) throws IOException {
        return libc.await() ? sockets.beforeConnect(fd, remote, port) : Boolean.FALSE;
    }

    @Override
    public int afterConnect(FileDescriptor fd, InetAddress remote, int port, int result) {
        return sockets.afterConnect(fd, remote, port, result);
    }

    @Override
    public void afterTimedConnect(FileDescriptor fd, long timeoutNanos) {
        sockets.afterTimedConnect(fd, timeoutNanos);
    }

    @Override
    public void beforeRead(Object socket, FileDescriptor fd) throws IOException {
        try {
            sockets.beforeRead(socket, fd);
        } catch (SocketTimeoutException e) {
            throw asNettyWouldSay(fd, e);
        }
    }

    @Override
    public Throwable afterRead(FileDescriptor fd, long n, Throwable thrown) {
        return asNettyWouldSay(fd, thrown, sockets.afterRead(fd, n, thrown));
    }

    /**
     * A deferred handshake that Netty's CONNECT_TIMEOUT_MILLIS ended fails as Netty's own connect timeout
     * does: a ConnectException (the superclass of Netty's ConnectTimeoutException) with Netty's words,
     * where the JDK path has the JDK's SocketTimeoutException.
     */
    private Throwable asNettyWouldSay(FileDescriptor fd, Throwable thrown, Throwable mapped) {
        if (mapped == null || mapped == thrown || !netty.owns(fd)) {
            return mapped;
        }
        DeferredHandshakes.TimedOut timedOut = sockets.timedOut(fd);
        return timedOut == null ? mapped : NettyDescriptors.connectTimedOut(timedOut);
    }

    /** The same for a guard that throws before the I/O: the JDK path's timeout, or Netty's words for it. */
    private IOException asNettyWouldSay(FileDescriptor fd, SocketTimeoutException timedOut) {
        return (IOException) asNettyWouldSay(fd, null, timedOut);
    }

    @Override
    public void beforeWrite(Object socket, FileDescriptor fd, ByteBuffer data) throws IOException {
        try {
            sockets.beforeWrite(socket, fd, data);
        } catch (SocketTimeoutException e) {
            throw asNettyWouldSay(fd, e);
        }
    }

    @Override
    public void beforeWrite(Object socket, FileDescriptor fd, ByteBuffer[] data, int offset, int length)
            throws IOException {
        try {
            sockets.beforeWrite(socket, fd, data, offset, length);
        } catch (SocketTimeoutException e) {
            throw asNettyWouldSay(fd, e);
        }
    }

    @Override
    public void beforeWrite(Object socket, FileDescriptor fd, byte[] data, int offset, int length) throws IOException {
        sockets.beforeWrite(socket, fd, data, offset, length);
    }

    @Override
    public Throwable afterWrite(FileDescriptor fd, Throwable thrown) {
        return asNettyWouldSay(fd, thrown, sockets.afterWrite(fd, thrown));
    }

    @Override
    public void beforeShutdownOutput(Object socket, FileDescriptor fd) throws IOException {
        try {
            sockets.beforeShutdownOutput(socket, fd);
        } catch (SocketTimeoutException e) {
            throw asNettyWouldSay(fd, e);
        }
    }

    @Override
    public void beforeOpaqueWrite(FileDescriptor fd) throws IOException {
        try {
            sockets.beforeOpaqueWrite(fd);
        } catch (SocketTimeoutException e) {
            throw asNettyWouldSay(fd, e);
        }
    }

    @Override
    public void beforeInterest(Object socket, FileDescriptor fd, int ops) {
        sockets.beforeInterest(socket, fd, ops);
    }

    @Override
    public void closed(FileDescriptor fd) {
        sockets.closed(fd);
    }

    @Override
    public void afterListen(FileDescriptor fd) {
        if (libc.await()) {
            sockets.afterListen(fd);
        }
    }

    @Override
    public void afterAccept(Object accepted) {
        if (!sockets.checksAccepted() || !libc.await()) {
            return;
        }
        if (accepted instanceof Integer nettyFd) {
            sockets.afterAccept(nettyFd); // a Netty socket's descriptor: no JDK object to record an event for
            return;
        }
        sockets.afterAccept(accepted instanceof Channel channel ? FileDescriptors.of(channel)
                : FileDescriptors.ofSocketImpl(accepted), accepted);
    }

    @Override
    public FileDescriptor nettyDescriptor(int fdVal, boolean connecting) {
        if (connecting && !(libc.await() && sockets.isStream(fdVal))) {
            return null; // a Netty datagram socket connects through the same Socket.connect: UDP is never touched
        }
        return netty.descriptor(fdVal, connecting);
    }

    @Override
    public void nettyForget(int fdVal) {
        netty.forget(fdVal);
    }

    @Override
    public ByteBuffer nativeBytes(long address, int length) {
        return libc.await() ? NettyDescriptors.bytes(address, length) : null;
    }

    @Override
    public ByteBuffer[] nativeIovecs(long address, int count) {
        return libc.await() ? NettyDescriptors.iovecs(address, count) : null;
    }

    @Override
    public void fault(String hook, Throwable fault) {
        sockets.hookFault(hook, fault);
    }
}
