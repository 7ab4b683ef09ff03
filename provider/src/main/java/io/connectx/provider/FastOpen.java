package io.connectx.provider;

import io.connectx.sys.FileDescriptors;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;

/** The platform's Fast Open calls, on an int file descriptor. One implementation per kernel. */
public interface FastOpen {

    /** What asking for a deferred, data-in-SYN connect gave. */
    enum Outcome {
        /** The socket will send its first write in the SYN (when a cookie is cached). */
        ENABLED,
        /** The kernel lacks Fast Open or has it switched off: stop asking. */
        UNSUPPORTED,
        /** Not applicable to this socket (for instance already connected); the connect proceeds as usual. */
        SKIPPED
    }

    /** True for a TCP socket. */
    boolean isStream(int fd);

    /**
     * {@link #isStream(int)} on the JDK's own FileDescriptor, as the connect hook has it: a platform whose
     * natives take the descriptor object itself passes it through and allocates nothing.
     */
    default boolean isStream(FileDescriptor fd) {
        return isStream(FileDescriptors.fdVal(fd));
    }

    /** Asks the kernel to defer the handshake of this unconnected TCP socket to its first write. */
    Outcome enableClient(int fd);

    /** {@link #enableClient(int)} on the JDK's own FileDescriptor (see {@link #isStream(FileDescriptor)}). */
    default Outcome enableClient(FileDescriptor fd) {
        return enableClient(FileDescriptors.fdVal(fd));
    }

    /** The local port of a bound inet socket, or -1 when it is not an inet socket. */
    int localInetPort(int fd);

    /** True while the socket is in SYN_SENT: its handshake deferred or under way. */
    boolean handshakePending(int fd);

    /** {@link #handshakePending(int)} on the JDK's own FileDescriptor (see {@link #isStream(FileDescriptor)}). */
    default boolean handshakePending(FileDescriptor fd) {
        return handshakePending(FileDescriptors.fdVal(fd));
    }

    /** Sends the SYN of a deferred socket, without data; never blocks. */
    void startHandshake(int fd);

    /**
     * {@link #startHandshake(int)} from a hook of {@code jdkSocket}, the JDK's socket object (NioSocketImpl or
     * SocketChannelImpl) whose I/O asks for it, or null: where the send must change the socket's blocking mode
     * for a moment, it holds that object's own locks meanwhile, as the JDK does when it changes the mode.
     */
    default void startHandshake(int fd, Object jdkSocket) {
        startHandshake(fd);
    }

    /** Did the SYN of this (connected or accepted) socket carry data that was acknowledged? TCP_INFO. */
    boolean synData(int fd);

    /**
     * True when the socket's handshake never completed (the SYN was never acknowledged), however it ended.
     * Only then may a failure be reported as connect would have reported it. Reads, never clears, socket
     * state. Where the kernel does not tell, true: the failure is judged by its message alone.
     */
    default boolean neverConnected(int fd) {
        return true;
    }

    /**
     * Fails a socket still in its handshake, so that every thread blocked on it wakes with an error; never
     * blocks. Returns false where the platform cannot, and then a connect timeout is not enforced.
     */
    default boolean abortHandshake(int fd) {
        return false;
    }

    /**
     * True where the kernel fails a write on a socket whose handshake has started but not completed, instead
     * of waiting as Linux does: xnu's sosendcheck (bsd/kern/uipc_socket.c) returns ENOTCONN for a stream
     * socket that is not connected once SOF1_PRECONNECT_DATA is cleared, which the first write or read of a
     * resumable connect does. There, every write after the SYN must wait for establishment first.
     */
    default boolean writesFailUntilEstablished() {
        return false;
    }

    /**
     * How long this kernel lets a handshake run before a plain connect fails: what bounds a wait for one that
     * no connect timeout bounds. Linux: tcp_syn_retries=6 retransmissions, 127 s, rounded up.
     */
    default long plainHandshakeNanos() {
        return java.util.concurrent.TimeUnit.SECONDS.toNanos(130);
    }

    /** Lets a socket about to listen accept data in SYNs, with {@code queueLength} pending requests at most. */
    Outcome enableServer(int fd, int queueLength);

    /**
     * Gives a listener its own Fast Open key, in place of the system's: {@code key} is 16 bytes, or 32 for a
     * primary (which makes and checks cookies) and a backup (which only checks them). ENABLED when set;
     * UNSUPPORTED when this kernel takes no such key, or not that length (a backup); SKIPPED when the socket
     * refused it (closed, say). Never echoes the key, in an exception or anywhere else.
     */
    default Outcome setListenerKey(int fd, byte[] key) {
        return Outcome.UNSUPPORTED;
    }

    /**
     * Where Fast Open replaces connect(2) instead of preparing the socket for it (Darwin: connectx(2) with
     * CONNECT_RESUME_ON_READ_WRITE | CONNECT_DATA_IDEMPOTENT), connects here after {@link #enableClient}
     * and returns what the JDK's {@code Net.connect} would have: 1 connected, -2 (IOStatus.UNAVAILABLE) in
     * progress. Throws what connect would have thrown. Null: nothing was done, the JDK's connect runs.
     */
    default Integer connectInPlace(int fd, InetAddress address, int port) throws IOException {
        return null;
    }

    /**
     * Forces the socket's traffic through one interface, before it connects: SO_BINDTODEVICE (by name) on
     * Linux, IP_BOUND_IF / IPV6_BOUND_IF (by index) on Darwin.
     */
    default void bindToInterface(int fd, int index, String name, boolean ipv6) throws IOException {
        throw new UnsupportedOperationException("no interface binding on this platform");
    }
}
