package io.connectx.provider;

import io.connectx.sys.FileDescriptors;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The engine as the agent's hooks see it: one call per hook point. The decisions at the JDK's connect and
 * listen points (whether this socket gets Fast Open, and asking the kernel for it) are taken here; the
 * guards of a socket between a deferred connect and its handshake are {@link DeferredHandshakes}'. Faults go
 * through to the caller: the bootstrap bridge counts and logs them ({@link #hookFault}), and the socket
 * proceeds exactly as it would without connectx.
 */
public final class FastOpenSockets {
    /** IOStatus.UNAVAILABLE: what the JDK's Net.connect returns for a connect in progress (EINPROGRESS). */
    static final int IN_PROGRESS = -2;
    private final FastOpen platform;
    private volatile DestinationPolicy destinations;
    private volatile ListenPolicy listeners;
    private volatile int queueLength;
    private final FastOpenStats stats = new FastOpenStats();
    private final DeferredHandshakes handshakes;
    private final ListenerKeys listenerKeys;
    private volatile boolean clientEnabled;
    private volatile boolean serverEnabled;
    private static volatile FastOpenSockets active;

    /**
     * @param destinations where clients may use Fast Open, or null for nowhere
     * @param listeners which listening ports accept it
     */
    public FastOpenSockets(FastOpen platform, DestinationPolicy destinations, FirstWritePolicy firstWrite,
            ListenPolicy listeners, int queueLength) {
        this.platform = platform;
        this.handshakes = new DeferredHandshakes(platform, firstWrite, stats);
        this.listenerKeys = new ListenerKeys(platform, stats);
        this.destinations = destinations;
        this.listeners = listeners;
        this.queueLength = queueLength;
        this.clientEnabled = destinations != null;
        this.serverEnabled = !listeners.isEmpty();
    }

    public FastOpenStats stats() {
        return stats;
    }

    /**
     * New settings for a running agent (a second attach). Sockets already deferred keep their guards.
     * {@code destinations} null, or {@code listeners} empty, switch that side off.
     */
    public void reconfigure(DestinationPolicy destinations, FirstWritePolicy firstWrite, ListenPolicy listeners,
            int queueLength) {
        this.destinations = destinations;
        this.listeners = listeners;
        this.queueLength = queueLength;
        handshakes.firstWrite(firstWrite);
        this.clientEnabled = destinations != null;
        this.serverEnabled = !listeners.isEmpty();
    }

    /** No new connect or listener gets Fast Open; sockets already deferred keep their guards. */
    public void disable() {
        clientEnabled = false;
        serverEnabled = false;
    }

    /** The listeners this instance enabled, and the key they share ({@code listen.keyfile}). */
    public ListenerKeys listenerKeys() {
        return listenerKeys;
    }

    /** The sockets between a deferred connect and their handshake. */
    DeferredHandshakes handshakes() {
        return handshakes;
    }

    /** How a write or shutdown waits for a handshake where the kernel fails writes until it is done (xnu). */
    public void parkWith(ParkUntilWritable jdkPark) {
        handshakes.parkWith(jdkPark);
    }

    /** Whether {@code fd} is between a deferred connect and its handshake. */
    public boolean isTracked(FileDescriptor fd) {
        return handshakes.isTracked(fd);
    }

    /** {@code Socket.connect(addr, timeout)} and the socket adaptor's timed connect: the handshake must finish in time. */
    public void afterTimedConnect(FileDescriptor fd, long timeoutNanos) {
        handshakes.afterTimedConnect(fd, timeoutNanos);
    }

    /**
     * A read, {@code available()} or a wait for input: before any write it starts the handshake. {@code socket}:
     * the JDK object that reads, whose locks the handshake's zero-byte send holds; null for a socket that has none.
     */
    public void beforeRead(Object socket, FileDescriptor fd) throws IOException {
        handshakes.beforeRead(socket, fd);
    }

    /** Returns what the read should throw: {@code thrown}, what connect would have thrown, or null. */
    public Throwable afterRead(FileDescriptor fd, long n, Throwable thrown) {
        return handshakes.afterRead(fd, n, thrown);
    }

    /**
     * The first write of a deferred socket rides in the SYN or follows it. {@code socket}: the JDK object
     * whose park a wait for the handshake uses ({@link #parkWith}); null for a socket that has none.
     */
    public void beforeWrite(Object socket, FileDescriptor fd, ByteBuffer data) throws IOException {
        handshakes.beforeWrite(socket, fd, data);
    }

    public void beforeWrite(Object socket, FileDescriptor fd, ByteBuffer[] data, int offset, int length)
            throws IOException {
        handshakes.beforeWrite(socket, fd, data, offset, length);
    }

    public void beforeWrite(Object socket, FileDescriptor fd, byte[] data, int offset, int length) throws IOException {
        handshakes.beforeWrite(socket, fd, data, offset, length);
    }

    /** A first write whose bytes cannot be judged (Netty's sendfile, splice): held out of the SYN. */
    public void beforeOpaqueWrite(FileDescriptor fd) throws IOException {
        handshakes.beforeOpaqueWrite(fd);
    }

    /** Returns what the write should throw: {@code thrown}, what connect would have thrown, or null. */
    public Throwable afterWrite(FileDescriptor fd, Throwable thrown) {
        return handshakes.afterWrite(fd, thrown);
    }

    /** Closing the write side before the handshake: starts it and waits, on {@code socket}'s park, until it is done. */
    public void beforeShutdownOutput(Object socket, FileDescriptor fd) throws IOException {
        handshakes.beforeShutdownOutput(socket, fd);
    }

    /** OP_READ (or EPOLLIN) interest before any write would never fire: it starts the handshake. */
    public void beforeInterest(Object socket, FileDescriptor fd, int ops) {
        handshakes.beforeInterest(socket, fd, ops);
    }

    /** The destination and timeout of a handshake its connect timeout ended, else null: for Netty's own words. */
    public DeferredHandshakes.TimedOut timedOut(FileDescriptor fd) {
        return handshakes.timedOut(fd);
    }

    public void closed(FileDescriptor fd) {
        handshakes.closed(fd);
    }

    public boolean isActive() {
        return clientEnabled || serverEnabled;
    }

    /** True for a TCP socket: Netty's connect hook is shared by its TCP and UDP sockets. */
    public boolean isStream(int fdVal) {
        return platform.isStream(fdVal);
    }

    /** Counted where Socket and SocketChannel connect, which datagram connects never pass: no system call needed. */
    public void countTcpConnect() {
        stats.connects.increment();
    }

    /**
     * Called with the arguments of the JDK's connect, before the connect(2) system call. Returns
     * {@link Boolean#TRUE} when the socket was set up for Fast Open, which {@link #afterConnect} then needs
     * to know; {@link Boolean#FALSE} to leave the connect untouched; or, where the platform's Fast Open
     * replaces connect(2) itself (Darwin's connectx), the {@link Integer} the JDK's connect must return
     * without running (1 connected, -2 in progress). Throws only what connect would have thrown.
     */
    public Object beforeConnect(FileDescriptor fd, InetAddress address, int port) throws IOException {
        DestinationPolicy admitted = destinations;
        if (!clientEnabled || address == null || admitted == null || !admitted.admits(address, port) || !handshakes.hasRoom()) {
            return Boolean.FALSE;
        }
        // The JDK connects datagram channels through the same method; UDP is never touched. The JDK's own
        // descriptor goes to the platform as it is, so that its natives allocate nothing per connect.
        if (!platform.isStream(fd)) {
            return Boolean.FALSE;
        }
        stats.admitted.increment();
        switch (platform.enableClient(fd)) {
            case ENABLED -> {
                stats.outcomes().connecting(address, port);
                // An IOException here is the connect itself failing (connectx): what the JDK's connect throws.
                Integer replaced = platform.connectInPlace(FileDescriptors.fdVal(fd), address, port);
                if (replaced == null) {
                    return Boolean.TRUE;
                }
                return answerInPlace(fd, address, port, replaced);
            }
            case UNSUPPORTED -> {
                clientEnabled = false;
                stats.fallbacks.increment();
                ConnectxLog.warnOnce("client-unsupported", "the kernel refused TCP_FASTOPEN_CONNECT (kernel older than 4.11,"
                        + " or net.ipv4.tcp_fastopen lacks the client bit 1); new connections use plain connects");
            }
            case SKIPPED -> { }
        }
        return Boolean.FALSE;
    }

    /**
     * The socket is connected already, by the platform's own call (Darwin's connectx, which defers every
     * admitted connect): from here it is answered exactly as a Linux connect is ({@link #afterConnect}). A
     * fault now must not let the JDK's connect run as well (it would fail with EISCONN), so the platform's
     * own answer stands.
     */
    private Object answerInPlace(FileDescriptor fd, InetAddress address, int port, int replaced) {
        try {
            return afterConnect(fd, address, port, replaced);
        } catch (Throwable t) {
            hookFault("afterConnect", t);
            return replaced;
        }
    }

    /**
     * A socket whose SYN was deferred outside the hooked connect (by {@code io.connectx.Connectx}): from now
     * on its first read starts the handshake. Returns false when there is no room or it is tracked already.
     */
    public boolean adoptDeferred(FileDescriptor fd) {
        if (handshakes.isTracked(fd) || !handshakes.hasRoom()) {
            return handshakes.isTracked(fd);
        }
        stats.deferred.increment();
        handshakes.track(fd, null);
        return true;
    }

    /** The instance whose hooks run in this JVM (the agent's), or null. */
    public static FastOpenSockets active() {
        return active;
    }

    /** Called by the agent once its hooks are installed. */
    public void activate() {
        active = this;
    }

    /** No instance's hooks run any more (tests; the agent never uninstalls its hooks). */
    public static void deactivate() {
        active = null;
    }

    /**
     * Called when the JDK's connect returned {@code result} (1 connected, -2 in progress) on a socket set up
     * for Fast Open; returns what the JDK's connect returns instead. Connected at once while still in
     * SYN_SENT means the kernel had a cookie and deferred the SYN. Such a socket is reported as in progress,
     * as a plain connect is until its handshake: a non-blocking connect returns false and OP_CONNECT fires
     * (tcp_poll reports a deferred socket writable, with SO_ERROR 0), and a blocking one finishes in the JDK's
     * own wait at once. A destination this JVM has not seen complete a handshake gets its SYN now, and the
     * JDK waits for the real handshake, so that a connect to a closed port fails at connect as without
     * connectx. Faults reach the bridge, which keeps {@code result}.
     */
    public int afterConnect(FileDescriptor fd, InetAddress address, int port, int result) {
        int fdVal = FileDescriptors.fdVal(fd);
        InetSocketAddress destination = new InetSocketAddress(address, port);
        ConnectionOutcome outcome = stats.outcomes().connected(address, port);
        if (result != 1 || !platform.handshakePending(fd)) {
            outcome.notDeferred();
            // No cookie: the kernel's own handshake, done (1) or under way (-2).
            if (result == 1) {
                handshakes.connected(destination);
            } else {
                handshakes.trackUntilUsed(fd, destination);
            }
            return result;
        }
        if (!handshakes.hasConnected(destination)) {
            outcome.notDeferred();
            platform.startHandshake(fdVal); // inside the JDK's connect, which holds the socket's locks
            handshakes.trackUntilUsed(fd, destination);
            return IN_PROGRESS;
        }
        stats.deferred.increment();
        handshakes.track(fd, destination, outcome);
        if (ConnectxLog.isEnabled(ConnectxLog.Level.DEBUG)) {
            ConnectxLog.debug("deferred the SYN of fd " + fdVal + " to its first write");
        }
        return IN_PROGRESS;
    }

    /** A hook failed inside the agent: counted, and logged once per hook; the JDK's operation proceeds unchanged. */
    public void hookFault(String hook, Throwable fault) {
        stats.errors.increment();
        ConnectxLog.warnOnce("fault-" + hook, "internal error in the " + hook + " hook; the socket operation proceeds"
                + " as without connectx: " + fault);
    }

    /**
     * Whether accepted connections are being checked for SYN data: listeners enabled, and proof wanted or
     * a recording enabling {@code io.connectx.FastOpenAccept}.
     */
    public boolean checksAccepted() {
        return serverEnabled && (stats.proofWanted() || stats.outcomes().acceptEventsEnabled());
    }

    /** Called with each accepted connection's fd; counts SYN data once proof is wanted. */
    public void afterAccept(int fdVal) {
        afterAccept(fdVal, null);
    }

    /**
     * Called with each accepted connection's fd and what accept filled in or returned (a SocketImpl or a
     * SocketChannel): counts SYN data once proof is wanted, and records the accept event while a recording wants it.
     */
    public void afterAccept(int fdVal, Object accepted) {
        boolean proof = stats.proofWanted();
        boolean event = accepted != null && stats.outcomes().acceptEventsEnabled();
        if (!serverEnabled || !(proof || event) || fdVal < 0) {
            return;
        }
        boolean synData;
        try {
            synData = platform.synData(fdVal);
        } catch (Throwable t) {
            return; // Not a TCP socket (a Unix-domain server): nothing to count.
        }
        if (proof && synData) {
            stats.synDataAccepted.increment();
        }
        if (event) {
            stats.outcomes().accepted(accepted, synData, listeners);
        }
    }

    /**
     * Called once a JDK socket listens. Linux takes TCP_FASTOPEN in the LISTEN state as well as before
     * (net/ipv4/tcp.c accepts TCPF_CLOSE | TCPF_LISTEN), and only now is the bound port known.
     */
    public void afterListen(FileDescriptor fd) {
        if (!serverEnabled) {
            return;
        }
        int fdVal = FileDescriptors.fdVal(fd);
        if (!listeners.admits(platform.localInetPort(fdVal))) {
            return;
        }
        switch (platform.enableServer(fdVal, queueLength)) {
            case ENABLED -> {
                stats.listenersEnabled.increment();
                listenerKeys.enabled(fd, fdVal);
            }
            case UNSUPPORTED -> {
                serverEnabled = false;
                stats.fallbacks.increment();
                ConnectxLog.warnOnce("server-unsupported", "the kernel refused TCP_FASTOPEN on a listener;"
                        + " set sysctl -w net.ipv4.tcp_fastopen=3 to accept Fast Open");
            }
            case SKIPPED -> { }
        }
    }
}
