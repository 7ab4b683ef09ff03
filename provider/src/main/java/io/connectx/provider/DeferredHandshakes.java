package io.connectx.provider;

import io.connectx.sys.FileDescriptors;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Sockets whose SYN the kernel deferred to their first write, from connect until their handshake is
 * known to have completed. Deferring changes what an application could observe; this class puts it back:
 * <ul>
 * <li>A read before any write would wait forever, since no SYN was sent (server-speaks-first
 * protocols). Any read, {@code available()} or {@code shutdownOutput()} before the first write starts
 * the handshake at once with a zero-length send. OP_READ interest starts it at once for a destination
 * known to speak first, and otherwise after a grace in which a write may still claim the SYN.</li>
 * <li>The first write travels in the SYN, which a server may receive twice (RFC 7413 section 6). Only
 * writes the {@link FirstWritePolicy} admits do, and the claim on the SYN is one decision per socket: a
 * write that rides holds it until its bytes are in the kernel, so no concurrent write, trigger or timer
 * can reorder bytes or put others in the SYN. For any other write the handshake starts first and the
 * write follows it, whole and in order.</li>
 * <li>A handshake that fails surfaces at the first I/O. It is reported as connect would have reported it
 * only when the kernel shows the handshake never completed; a failure after it passes through as the
 * JDK raised it.</li>
 * <li>A timed connect's timeout bounds the handshake from when it starts: a timer fails the socket at the
 * deadline (a shutdown, which wakes every thread blocked on it), and the I/O that wakes throws
 * {@code SocketTimeoutException: Connect timed out}. No hook ever waits in a native call: the
 * application's own blocking I/O waits, parked as the JDK parks it (on a virtual thread, without
 * holding its carrier).</li>
 * </ul>
 * Keyed by the JDK's FileDescriptor object (identity), so a closed and reused fd number never matches.
 */
public final class DeferredHandshakes {
    /** A bound on the sockets tracked at once; beyond it new connects are simply not deferred. */
    static final int MAX_TRACKED = 1 << 16;
    /**
     * How long an OP_READ interest waits for a write before it starts the handshake, unless the destination
     * is known to speak first. The JDK's HttpClient registers read interest just before it writes its
     * request, and Netty on its channelActive: a cold client was seen to write 39 ms later (a 5 ms grace
     * cost the first connection its SYN data). A server that speaks first costs its first NIO connection
     * per JVM this long once; later ones start at once.
     */
    static final long INTEREST_GRACE_MILLIS = 100;
    /** A wait for establishment parks in slices, so that a close from another thread ends it soon. */
    private static final long PARK_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * For a write with no JDK socket to park on (Netty's, which exist only on Linux, where writes wait in the
     * kernel), or before the agent gave its park: on a platform that needs the wait
     * ({@link FastOpen#writesFailUntilEstablished}) it fails loudly.
     */
    private static final ParkUntilWritable NO_PARK = (socket, fd, nanos) -> {
        throw new IllegalStateException("a write on this platform must be given the JDK's park");
    };

    /**
     * How a Netty event loop waits for a handshake it must see done (a shutdownOutput before the first write):
     * it has no JDK socket to park through, so it sleeps in slices, each bounded by the deadline.
     */
    private static final long SLEEP_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final ParkUntilWritable SLEEP_IN_SLICES =
            (socket, fd, nanos) -> LockSupport.parkNanos(Math.min(nanos, SLEEP_SLICE_NANOS));

    private final ConcurrentHashMap<FileDescriptor, DeferredSocket> pending = new ConcurrentHashMap<>();
    /** Sockets whose first write is on its way into the SYN, holding the claim until it returns. */
    private final ConcurrentHashMap<FileDescriptor, DeferredSocket> riding = new ConcurrentHashMap<>();
    private final FastOpen platform;
    private volatile FirstWritePolicy firstWrite;
    private final FastOpenStats stats;
    private volatile ScheduledExecutorService timer;
    private final ServerFirstDestinations serverFirst = new ServerFirstDestinations();
    private final ConnectedDestinations connected = new ConnectedDestinations();
    private volatile ParkUntilWritable parker = NO_PARK;

    DeferredHandshakes(FastOpen platform, FirstWritePolicy firstWrite, FastOpenStats stats) {
        this.platform = platform;
        this.firstWrite = firstWrite;
        this.stats = stats;
    }

    void firstWrite(FirstWritePolicy policy) {
        firstWrite = policy;
    }

    void parkWith(ParkUntilWritable jdkPark) {
        parker = jdkPark;
    }

    /**
     * Room for one more socket. At the bound, entries of sockets closed without passing through the hooked
     * close (an unreachable socket closed by the JDK's Cleaner) are dropped first.
     */
    boolean hasRoom() {
        if (pending.size() < MAX_TRACKED) {
            return true;
        }
        pending.keySet().removeIf(fd -> !fd.valid());
        return pending.size() < MAX_TRACKED;
    }

    boolean isTracked(FileDescriptor fd) {
        return lookup(fd) != null;
    }

    /** Whether this JVM has seen a handshake to {@code destination} complete. */
    boolean hasConnected(InetSocketAddress destination) {
        return connected.contains(destination);
    }

    void connected(InetSocketAddress destination) {
        connected.add(destination);
    }

    /** A deferred socket: guarded from now until its handshake completes. */
    void track(FileDescriptor fd, InetSocketAddress destination) {
        track(fd, destination, ConnectionOutcome.UNOBSERVED);
    }

    void track(FileDescriptor fd, InetSocketAddress destination, ConnectionOutcome outcome) {
        DeferredSocket s = new DeferredSocket(fd, destination, false);
        s.outcome = outcome;
        pending.put(fd, s);
    }

    /** A socket whose handshake the kernel runs now: its first I/O shows that its destination connects. */
    void trackUntilUsed(FileDescriptor fd, InetSocketAddress destination) {
        if (hasRoom()) {
            pending.put(fd, new DeferredSocket(fd, destination, true));
        }
    }

    /** {@code Socket.connect(addr, timeout)} and the socket adaptor's timed connect: the handshake must finish in time. */
    void afterTimedConnect(FileDescriptor fd, long timeoutNanos) {
        DeferredSocket s = lookup(fd);
        if (s != null && !s.learnOnly && timeoutNanos > 0) {
            s.timeoutNanos = timeoutNanos;
        }
    }

    /** {@code socket}: the JDK's socket object that reads (see {@link FastOpen#startHandshake(int, Object)}), or null. */
    void beforeRead(Object socket, FileDescriptor fd) throws IOException {
        DeferredSocket s = guarded(lookup(fd));
        if (s != null) {
            s.usedBy(socket);
            trigger(s, true);
        }
    }

    /**
     * After a read: data proves the handshake done. A failure is mapped to what connect would have
     * thrown when the handshake never completed, and the end of stream of a handshake the timer ended is
     * its timeout. Returns what the read should throw, or null.
     */
    Throwable afterRead(FileDescriptor fd, long n, Throwable thrown) {
        DeferredSocket s = lookup(fd);
        if (s == null) {
            return thrown;
        }
        if (thrown != null) {
            return mapFailure(s, thrown);
        }
        if (n == -1 && s.timedOut) {
            // xnu: the timer's disconnectx closes the handshake without an error (tcp_close sets no so_error),
            // so a read blocked on it wakes to end of stream. Linux's shutdown wakes it with ECONNRESET.
            return ConnectFailures.connectTimedOut();
        }
        if (n > 0) {
            if (!s.wrote) {
                serverFirst.spokeFirst(s.destination);
            }
            completed(s);
        }
        return null;
    }

    /**
     * An OP_READ interest before any write would never fire. Unless a write claims the SYN within
     * {@link #INTEREST_GRACE_MILLIS}, start the handshake. {@code socket}: the channel whose interest this is,
     * for the trigger's send; or null.
     */
    void beforeInterest(Object socket, FileDescriptor fd, int ops) {
        if ((ops & SelectionKey.OP_READ) == 0) {
            return;
        }
        DeferredSocket s = lookup(fd);
        if (s == null || s.learnOnly || s.claimed) {
            return;
        }
        s.usedBy(socket);
        if (serverFirst.speaksFirst(s.destination)) {
            trigger(s, false);
        } else {
            timer().schedule(() -> trigger(s, false), INTEREST_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * {@code socket}: the JDK object whose own park a write waits on, where the kernel fails writes until the
     * handshake is done; null for none. The common write, on no tracked socket, allocates nothing.
     */
    void beforeWrite(Object socket, FileDescriptor fd, ByteBuffer data) throws IOException {
        DeferredSocket s = lookup(fd);
        if (s != null && data.hasRemaining()) {
            beforeWrite(socket, s, data, null, 0, 0);
        }
    }

    void beforeWrite(Object socket, FileDescriptor fd, byte[] data, int offset, int length) throws IOException {
        DeferredSocket s = lookup(fd);
        if (s != null && length > 0) {
            beforeWrite(socket, s, ByteBuffer.wrap(data, offset, length), null, 0, 0);
        }
    }

    /** A gathering write is judged as the one sequence of bytes it sends. */
    void beforeWrite(Object socket, FileDescriptor fd, ByteBuffer[] data, int offset, int length) throws IOException {
        DeferredSocket s = lookup(fd);
        if (s != null && hasRemaining(data, offset, length)) {
            beforeWrite(socket, s, null, data, offset, length);
        }
    }

    /**
     * The write rides in the SYN, or is held while the SYN goes out alone, or follows a SYN already out.
     * Where the kernel fails writes between the start of a handshake and its end (xnu's sosendcheck answers
     * ENOTCONN; {@link FastOpen#writesFailUntilEstablished}), every write but the one riding in the SYN then
     * parks until the handshake is done. Linux waits in the write itself, so there it goes on at once.
     */
    private void beforeWrite(Object socket, DeferredSocket tracked, ByteBuffer one, ByteBuffer[] many, int offset,
            int length) throws IOException {
        DeferredSocket s = guarded(tracked);
        if (s == null) {
            return;
        }
        s.usedBy(socket);
        DeferredSocket claimed = claimableByWrite(s);
        boolean rides = claimed != null && decideFirstWrite(s.fd, claimed, one, many, offset, length);
        if (!rides && platform.writesFailUntilEstablished()) {
            awaitEstablished(s, socket);
        }
    }

    /**
     * A first write whose bytes the engine cannot see (Netty's sendfile and splice): never in the SYN, so it
     * is held as a write not known to be replay-safe is, the SYN going out alone first.
     */
    void beforeOpaqueWrite(FileDescriptor fd) throws IOException {
        DeferredSocket s = guarded(lookup(fd));
        if (s == null) {
            return;
        }
        DeferredSocket claimed = claimableByWrite(s);
        if (claimed != null) {
            decideFirstWrite(fd, claimed, null, null, 0, 0);
        }
    }

    /** After a write: releases the SYN claim of a write that rode in it, and maps a failure. */
    Throwable afterWrite(FileDescriptor fd, Throwable thrown) {
        DeferredSocket rider = riding.isEmpty() ? null : riding.get(fd);
        if (rider != null && rider.claim.isHeldByCurrentThread()) {
            riding.remove(fd, rider);
            rider.synSent = true;
            rider.claim.unlock();
        }
        if (thrown == null) {
            return null;
        }
        DeferredSocket s = lookup(fd);
        return s == null ? thrown : mapFailure(s, thrown);
    }

    /**
     * Closing the write side in SYN_SENT would abort the connection (inet_shutdown disconnects a socket in
     * SYN_SENT): start the handshake and park, as the JDK parks, until it is done, failed or timed out. A
     * socket with no JDK object (Netty's, on its event loop) sleeps in short slices instead.
     */
    void beforeShutdownOutput(Object socket, FileDescriptor fd) throws IOException {
        DeferredSocket s = guarded(lookup(fd));
        if (s == null) {
            return;
        }
        s.usedBy(socket);
        trigger(s, true);
        awaitEstablished(s, socket, socket == null ? SLEEP_IN_SLICES : parker);
    }

    /**
     * Parks, as the JDK parks (never in a native call of ours), until the handshake is done or failed,
     * bounded by the connect's timeout (whose timer fails the socket), or else by the kernel's own limit on
     * a plain handshake ({@link FastOpen#plainHandshakeNanos}). A handshake still pending at that bound
     * times out here, as the plain connect would have, whether or not the platform can abort it (where it
     * cannot, the timer could not either). Throws as connect would have thrown for a handshake that failed
     * or timed out.
     */
    private void awaitEstablished(DeferredSocket s, Object socket) throws IOException {
        awaitEstablished(s, socket, socket == null ? NO_PARK : parker);
    }

    private void awaitEstablished(DeferredSocket s, Object socket, ParkUntilWritable park) throws IOException {
        long deadline = System.nanoTime() + (s.timeoutNanos > 0 ? s.timeoutNanos : platform.plainHandshakeNanos());
        while (s.onFd(platform::handshakePending) && !s.timedOut) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                timedOutWaiting(s);
                break;
            }
            park.park(socket, s.fd, Math.min(remaining, PARK_SLICE_NANOS));
        }
        failFast(s);
    }

    private void timedOutWaiting(DeferredSocket s) {
        s.onFd(fd -> {
            if (platform.handshakePending(fd) && !s.timedOut) {
                s.timedOut = true;
                platform.abortHandshake(fd);
                s.outcome.failed();
            }
            return true;
        });
    }

    void closed(FileDescriptor fd) {
        if (pending.isEmpty()) {
            return;
        }
        DeferredSocket s = pending.remove(fd);
        if (s != null) {
            s.onFd(fdVal -> {
                s.outcome.closed(platform, fdVal);
                return true;
            });
            s.markClosed();
            s.cancelDeadline();
        }
    }

    /** The tracked socket {@code s} if it still needs its guards at a read, write or shutdown; null for none. */
    private DeferredSocket guarded(DeferredSocket s) throws IOException {
        if (s == null) {
            return null;
        }
        if (s.learnOnly) {
            used(s);
            return null;
        }
        failFast(s);
        return s;
    }

    /**
     * The socket whose SYN this write may still claim, with its claim lock held; null when the SYN is out
     * already (the write follows the handshake as usual) or the socket is not tracked.
     */
    private DeferredSocket claimableByWrite(DeferredSocket s) {
        if (!s.wrote) {
            s.wrote = true;
            serverFirst.waitedForTheClient(s.destination);
        }
        if (s.synSent) {
            return null;
        }
        // Waits while another write decides or rides, so that its bytes reach the kernel first.
        s.claim.lock();
        if (s.claimed) {
            s.claim.unlock();
            return null;
        }
        return s;
    }

    /**
     * With the claim held: the write rides in the SYN (keeping the claim until it returns; true), or is held
     * while the SYN goes out alone (false).
     */
    private boolean decideFirstWrite(FileDescriptor fd, DeferredSocket s, ByteBuffer one, ByteBuffer[] many, int offset,
            int length) {
        boolean rides = false;
        try {
            FirstWritePolicy policy = firstWrite;
            // No bytes at all (an opaque write): never in the SYN.
            rides = one != null ? policy.allowsInSyn(one) : many != null && policy.allowsInSyn(many, offset, length);
            s.inSyn = rides; // before claimed: a reader that sees the claim knows whether it is a rider's
            s.claimed = true;
            if (rides) {
                s.outcome.firstWriteInSyn();
                riding.put(fd, s);
            } else {
                stats.replayUnsafeHeld.increment();
                s.outcome.heldReplayUnsafe();
                if (ConnectxLog.isEnabled(ConnectxLog.Level.DEBUG)) {
                    ConnectxLog.debug("held a first write that is not known to be replay-safe out of the SYN of fd "
                            + FileDescriptors.fdVal(fd));
                }
                sendSyn(s);
            }
            startDeadline(s);
        } finally {
            if (!rides) {
                s.claim.unlock();
            }
        }
        return rides;
    }

    /**
     * Sends the SYN without data, unless a write or another trigger claimed it. {@code wait} (a read or a
     * shutdown): wait for a write that is deciding, or for a SYN being sent alone, so that no I/O of the
     * application enters the JDK while a zero-byte send may be changing the socket's blocking mode (the JDK's
     * read would then change it too, under the lock the send holds); only a write riding in the SYN is not
     * waited for. Otherwise (the timer) leave the SYN to whoever claimed it.
     */
    private void trigger(DeferredSocket s, boolean wait) {
        if (wait ? s.synSent || s.inSyn : s.claimed) {
            return;
        }
        if (wait) {
            s.claim.lock();
        } else if (!s.claim.tryLock()) {
            return;
        }
        try {
            if (s.claimed || pending.get(s.fd) != s) {
                return;
            }
            s.claimed = true;
            stats.readFirstTriggers.increment();
            s.outcome.readFirst();
            if (ConnectxLog.isEnabled(ConnectxLog.Level.DEBUG)) {
                ConnectxLog.debug("read before write: started the handshake of fd " + FileDescriptors.fdVal(s.fd));
            }
            sendSyn(s);
            startDeadline(s);
        } finally {
            s.claim.unlock();
        }
    }

    private void sendSyn(DeferredSocket s) {
        Object jdkSocket = s.jdkSocket;
        s.onFd(fd -> {
            platform.startHandshake(fd, jdkSocket);
            return true;
        });
        s.synSent = true;
    }

    /** A timed connect's deadline, from the start of the handshake; a timer fails the socket when it passes. */
    private void startDeadline(DeferredSocket s) {
        long timeout = s.timeoutNanos;
        if (timeout > 0) {
            s.deadline = timer().schedule(() -> expire(s), timeout, TimeUnit.NANOSECONDS);
        }
    }

    private void expire(DeferredSocket s) {
        if (pending.get(s.fd) != s) {
            return;
        }
        s.onFd(fd -> {
            if (!platform.handshakePending(fd)) {
                return false; // established, or failed: the I/O reports that
            }
            s.timedOut = true;
            if (platform.abortHandshake(fd)) {
                s.outcome.failed();
            } else {
                s.timedOut = false;
            }
            return true;
        });
    }

    /** The I/O of a socket whose handshake failed or timed out fails again, as the plain connect did once. */
    private static void failFast(DeferredSocket s) throws IOException {
        if (s.timedOut) {
            throw ConnectFailures.connectTimedOut();
        }
        IOException first = s.failure;
        if (first != null) {
            throw ConnectFailures.again(first);
        }
    }

    /** A socket tracked only to learn its destination was used: its handshake completed. */
    private void used(DeferredSocket s) {
        if (pending.remove(s.fd, s)) {
            connected.add(s.destination);
        }
    }

    /**
     * The handshake is done: stop tracking, and prove the SYN data (TCP_INFO) when someone wants the proof
     * or observes this connection's outcome.
     */
    private void completed(DeferredSocket s) {
        if (!pending.remove(s.fd, s)) {
            return;
        }
        s.cancelDeadline();
        connected.add(s.destination);
        boolean acked = false;
        if (s.inSyn && (stats.proofWanted() || s.outcome.isObserved())) {
            acked = s.onFd(platform::synData);
            if (stats.proofWanted()) {
                if (acked) {
                    stats.synDataAcked.increment();
                } else {
                    stats.fallbacks.increment();
                }
            }
        }
        s.outcome.handshakeCompleted(acked);
    }

    /**
     * The destination and connect timeout of a tracked socket whose handshake timed out; null otherwise. For a
     * caller that words the timeout as its own library does (Netty).
     */
    TimedOut timedOut(FileDescriptor fd) {
        DeferredSocket s = lookup(fd);
        return s != null && s.timedOut && s.timeoutNanos > 0 ? new TimedOut(s.destination, s.timeoutNanos) : null;
    }

    /** A handshake ended by its connect timeout. */
    public record TimedOut(InetSocketAddress destination, long timeoutNanos) {
    }

    private DeferredSocket lookup(FileDescriptor fd) {
        // The common case, no socket waiting for its handshake, costs one read of the map's size.
        return pending.isEmpty() ? null : pending.get(fd);
    }

    /**
     * What a failed read or write should throw. A failure becomes what connect would have thrown only when
     * the kernel shows that the handshake never completed (the SYN was never acknowledged); once it did,
     * the JDK's own exception stands, so a {@code ConnectException} always means "never sent".
     */
    private Throwable mapFailure(DeferredSocket s, Throwable thrown) {
        if (!(thrown instanceof IOException io)) {
            return thrown;
        }
        if (s.timedOut) {
            return ConnectFailures.connectTimedOut();
        }
        IOException first = s.failure;
        if (first != null) {
            // The kernel reports the refusal once; later calls see "Broken pipe" or the end of the stream.
            return ConnectFailures.again(first);
        }
        if (thrown instanceof ConnectException || thrown instanceof SocketTimeoutException) {
            return thrown;
        }
        IOException mapped = ConnectFailures.of(io);
        if (mapped == null || !s.onFd(platform::neverConnected)) {
            return thrown;
        }
        s.failure = mapped;
        stats.errors.increment();
        s.outcome.failed();
        return mapped;
    }

    private static boolean hasRemaining(ByteBuffer[] data, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (data[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    private ScheduledExecutorService timer() {
        ScheduledExecutorService t = timer;
        if (t == null) {
            synchronized (this) {
                t = timer;
                if (t == null) {
                    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                        Thread thread = new Thread(r, "connectx-handshake-timer");
                        thread.setDaemon(true);
                        return thread;
                    });
                    executor.setRemoveOnCancelPolicy(true);
                    timer = t = executor;
                }
            }
        }
        return t;
    }
}
