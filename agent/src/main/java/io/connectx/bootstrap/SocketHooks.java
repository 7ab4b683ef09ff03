package io.connectx.bootstrap;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * What the code woven into the JDK's socket classes calls; implemented in the agent's own loader.
 * Implementations let their faults through: {@link SocketHookBridge} catches every one, reports it to
 * {@link #fault}, and lets only the IOExceptions of the methods declared to throw them reach the JDK.
 */
public interface SocketHooks {

    /** A TCP connect by {@code Socket} or {@code SocketChannel} begins, whatever its destination. */
    void tcpConnect();

    /**
     * Before the JDK's connect(2): an {@link Integer} skips the JDK's connect and is returned in its place
     * (1 connected, -2 in progress); {@link Boolean#TRUE} asks for {@link #afterConnect}; anything else
     * leaves the connect untouched. May throw what the connect would have thrown.
     */
    Object beforeConnect(FileDescriptor fd, InetAddress remote, int port) throws IOException;

    /**
     * After the JDK's connect returned {@code result}, on a socket {@link #beforeConnect} set up: returns
     * what the JDK's connect returns instead (1 connected, -2 in progress).
     */
    int afterConnect(FileDescriptor fd, InetAddress remote, int port, int result);

    void afterTimedConnect(FileDescriptor fd, long timeoutNanos);

    /** {@code socket}: the JDK object that reads, or null (a Netty socket). */
    void beforeRead(Object socket, FileDescriptor fd) throws IOException;

    /** Returns what the read should throw: {@code thrown}, a replacement, or null. */
    Throwable afterRead(FileDescriptor fd, long n, Throwable thrown);

    void beforeWrite(Object socket, FileDescriptor fd, ByteBuffer data) throws IOException;

    void beforeWrite(Object socket, FileDescriptor fd, ByteBuffer[] data, int offset, int length) throws IOException;

    void beforeWrite(Object socket, FileDescriptor fd, byte[] data, int offset, int length) throws IOException;

    /** Returns what the write should throw: {@code thrown}, a replacement, or null. */
    Throwable afterWrite(FileDescriptor fd, Throwable thrown);

    /** {@code socket} is the JDK object whose shutdownOutput runs, whose own park a wait may use. */
    void beforeShutdownOutput(Object socket, FileDescriptor fd) throws IOException;

    /** A first write whose bytes cannot be judged (Netty's sendfile, splice): held out of the SYN. */
    void beforeOpaqueWrite(FileDescriptor fd) throws IOException;

    /** {@code socket}: the JDK channel whose interest this is, or null (a Netty socket). */
    void beforeInterest(Object socket, FileDescriptor fd, int ops);

    void closed(FileDescriptor fd);

    void afterListen(FileDescriptor fd);

    /** A connection accepted: the SocketImpl filled in, the SocketChannel returned, or a Netty socket's Integer descriptor. */
    void afterAccept(Object accepted);

    /**
     * The JDK descriptor standing for a Netty socket's int descriptor while the engine may know it: made anew
     * when {@code connecting} (an admitted connect or a listen), otherwise the one made then, or null.
     */
    FileDescriptor nettyDescriptor(int fdVal, boolean connecting);

    /** The Netty socket is closing or was not admitted: its descriptor is forgotten (and marked invalid). */
    void nettyForget(int fdVal);

    /** A view of {@code length} bytes of native memory at {@code address} (a Netty write's data). */
    ByteBuffer nativeBytes(long address, int length);

    /** Views of the buffers an array of {@code count} struct iovec at {@code address} points to. */
    ByteBuffer[] nativeIovecs(long address, int count);

    /** A hook threw {@code fault}; the socket operation proceeds as without the agent. Counts and logs it. */
    void fault(String hook, Throwable fault);
}
