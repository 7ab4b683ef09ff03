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
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sockets whose SYN the kernel deferred to their first write, from connect until their handshake is
 * known to have completed. Deferring changes three things that this class puts back:
 * <ul>
 * <li>A read before any write would wait forever, since no SYN was sent (server-speaks-first
 * protocols). Any read, {@code available()} or {@code shutdownOutput()} before the first write starts
 * the handshake at once with a zero-length send. OP_READ interest starts it at once for a destination
 * known to speak first, and otherwise after a grace in which a write may still claim the SYN.</li>
 * <li>The first write travels in the SYN, which a server may receive twice (RFC 7413 section 6). Only
 * writes the {@link FirstWritePolicy} admits do; for any other the handshake is started first and the
 * write follows it, whole and in order.</li>
 * <li>A failed handshake surfaces at the first I/O. It is reported as connect would have reported it,
 * and a timed connect's timeout bounds the handshake, counted from when the handshake starts.</li>
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
    private static final long POLL_SLICE_MILLIS = 100;

    private static final class Pending {
        /** Where the socket connects; null when not known. */
        final InetSocketAddress destination;
        /** The application wrote before any data arrived. */
        volatile boolean wrote;
        /** Set by whoever sends the SYN first: a write (with its data) or a trigger (without). */
        final AtomicBoolean started = new AtomicBoolean();
        /** From a timed connect; 0 for none. */
        volatile long timeoutNanos;
        /** When the handshake must be done: set as it starts, from {@link #timeoutNanos}. */
        volatile long deadlineNanos;
        volatile boolean sendTimeoutSet;
        /** The first write went out with the SYN. */
        volatile boolean inSyn;
        volatile IOException failure;

        Pending(InetSocketAddress destination) {
            this.destination = destination;
        }

        /** Claims the SYN; true for the one caller that gets it. */
        boolean claim() {
            if (!started.compareAndSet(false, true)) {
                return false;
            }
            long timeout = timeoutNanos;
            if (timeout > 0) {
                deadlineNanos = System.nanoTime() + timeout;
            }
            return true;
        }
    }

    private final ConcurrentHashMap<FileDescriptor, Pending> pending = new ConcurrentHashMap<>();
    private final FastOpen platform;
    private volatile FirstWritePolicy firstWrite;
    private final FastOpenStats stats;
    private volatile ScheduledExecutorService timer;
    private final ServerFirstDestinations serverFirst = new ServerFirstDestinations();

    DeferredHandshakes(FastOpen platform, FirstWritePolicy firstWrite, FastOpenStats stats) {
        this.platform = platform;
        this.firstWrite = firstWrite;
        this.stats = stats;
    }

    void firstWrite(FirstWritePolicy policy) {
        firstWrite = policy;
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

    void track(FileDescriptor fd, InetSocketAddress destination) {
        pending.put(fd, new Pending(destination));
    }

    /** {@code Socket.connect(addr, timeout)} and the socket adaptor's timed connect: the handshake must finish in time. */
    public void afterTimedConnect(FileDescriptor fd, long timeoutNanos) {
        Pending p = lookup(fd);
        if (p != null && timeoutNanos > 0) {
            p.timeoutNanos = timeoutNanos;
        }
    }

    public void beforeRead(FileDescriptor fd) throws IOException {
        Pending p = lookup(fd);
        if (p == null) {
            return;
        }
        trigger(fd, p);
        if (p.deadlineNanos != 0) {
            awaitHandshake(fd, p, p.deadlineNanos);
        }
    }

    /**
     * An OP_READ interest before any write would never fire. Unless a write claims the SYN within
     * {@link #INTEREST_GRACE_MILLIS}, start the handshake.
     */
    public void beforeInterest(FileDescriptor fd, int ops) {
        if ((ops & SelectionKey.OP_READ) == 0) {
            return;
        }
        Pending p = lookup(fd);
        if (p == null || p.started.get()) {
            return;
        }
        if (serverFirst.speaksFirst(p.destination)) {
            trigger(fd, p);
        } else {
            timer().schedule(() -> trigger(fd, p), INTEREST_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    public void beforeWrite(FileDescriptor fd, ByteBuffer data) throws IOException {
        Pending p = lookup(fd);
        if (p == null || !data.hasRemaining()) {
            return;
        }
        if (!p.wrote) {
            p.wrote = true;
            serverFirst.waitedForTheClient(p.destination);
        }
        if (p.started.get()) {
            awaitIfWritesFail(fd, p);
            return;
        }
        boolean inSyn = firstWrite.allowsInSyn(data);
        if (!p.claim()) {
            awaitIfWritesFail(fd, p);
            return; // a trigger sent the SYN already; this write follows the handshake as usual
        }
        int fdVal = FileDescriptors.fdVal(fd);
        if (inSyn) {
            if (p.deadlineNanos != 0) {
                // A blocking first write waits in the kernel for its handshake, with no limit of its own.
                platform.sendTimeout(fdVal, Math.max(1, TimeUnit.NANOSECONDS.toMillis(p.deadlineNanos - System.nanoTime())));
                p.sendTimeoutSet = true;
            }
            p.inSyn = true;
            return; // this write sends the SYN, with its data in it
        }
        stats.replayUnsafeHeld.increment();
        if (ConnectxLog.isEnabled(ConnectxLog.Level.DEBUG)) {
            ConnectxLog.debug("held a first write that is not known to be replay-safe out of the SYN of fd " + fdVal);
        }
        platform.startHandshake(fdVal);
        if (p.deadlineNanos != 0) {
            awaitHandshake(fd, p, p.deadlineNanos);
        } else {
            awaitIfWritesFail(fd, p);
        }
    }

    /**
     * Where the kernel fails writes between the start of a handshake and its end (xnu: ENOTCONN from
     * sosendcheck; {@link FastOpen#writesFailUntilEstablished}), a write after the SYN waits for
     * establishment, bounded by the connect's timeout or else by the kernel's own limit on a plain handshake.
     * Linux waits in the write itself, so there this does nothing.
     */
    private void awaitIfWritesFail(FileDescriptor fd, Pending p) throws IOException {
        if (platform.writesFailUntilEstablished()) {
            awaitHandshake(fd, p, p.deadlineNanos != 0 ? p.deadlineNanos : System.nanoTime() + platform.plainHandshakeNanos());
        }
    }

    public void beforeWrite(FileDescriptor fd, byte[] data, int offset, int length) throws IOException {
        if (lookup(fd) != null) {
            beforeWrite(fd, ByteBuffer.wrap(data, offset, length));
        }
    }

    /** A gathering write is judged by its first non-empty buffer, where a request line or record header starts. */
    public void beforeWrite(FileDescriptor fd, ByteBuffer[] data, int offset, int length) throws IOException {
        if (lookup(fd) == null) {
            return;
        }
        for (int i = offset; i < offset + length; i++) {
            if (data[i].hasRemaining()) {
                beforeWrite(fd, data[i]);
                return;
            }
        }
    }

    /** Closing the write side in SYN_SENT would abort the connection (tcp_close_state): finish the handshake first. */
    public void beforeShutdownOutput(FileDescriptor fd) throws IOException {
        Pending p = lookup(fd);
        if (p == null) {
            return;
        }
        trigger(fd, p);
        awaitHandshake(fd, p, p.deadlineNanos != 0 ? p.deadlineNanos : System.nanoTime() + platform.plainHandshakeNanos());
    }

    /**
     * After a read: data proves the handshake done. A failure is mapped to what connect would have
     * thrown. Returns what the read should throw, or null.
     */
    public Throwable afterRead(FileDescriptor fd, long n, Throwable thrown) {
        Pending p = lookup(fd);
        if (p == null) {
            return thrown;
        }
        if (thrown != null) {
            return mapFailure(p, thrown);
        }
        if (n > 0) {
            if (!p.wrote) {
                serverFirst.spokeFirst(p.destination);
            }
            completed(fd, p);
        }
        return null;
    }

    /** After a write: a timed connect's deadline bounds the handshake the write started. */
    public Throwable afterWrite(FileDescriptor fd, Throwable thrown) {
        Pending p = lookup(fd);
        if (p == null) {
            return thrown;
        }
        if (p.sendTimeoutSet) {
            p.sendTimeoutSet = false;
            platform.sendTimeout(FileDescriptors.fdVal(fd), 0);
        }
        if (thrown != null) {
            return mapFailure(p, thrown);
        }
        if (p.deadlineNanos != 0) {
            try {
                awaitHandshake(fd, p, p.deadlineNanos);
            } catch (IOException e) {
                return e;
            }
        }
        return null;
    }

    public void closed(FileDescriptor fd) {
        if (!pending.isEmpty()) {
            pending.remove(fd);
        }
    }

    /** The handshake is done: stop tracking, and prove the SYN data when someone wants the proof. */
    private void completed(FileDescriptor fd, Pending p) {
        if (pending.remove(fd) != null && p.inSyn && stats.proofWanted()) {
            if (platform.synData(FileDescriptors.fdVal(fd))) {
                stats.synDataAcked.increment();
            } else {
                stats.fallbacks.increment();
            }
        }
    }

    private Pending lookup(FileDescriptor fd) {
        // The common case, no socket waiting for its handshake, costs one read of the map's size.
        return pending.isEmpty() ? null : pending.get(fd);
    }

    /** Sends the SYN without data, unless a write or another trigger sent it already. */
    private void trigger(FileDescriptor fd, Pending p) {
        if (p.claim() && pending.get(fd) == p) {
            stats.readFirstTriggers.increment();
            if (ConnectxLog.isEnabled(ConnectxLog.Level.DEBUG)) {
                ConnectxLog.debug("read before write: started the handshake of fd " + FileDescriptors.fdVal(fd));
            }
            platform.startHandshake(FileDescriptors.fdVal(fd));
        }
    }

    /** Waits for the handshake until {@code deadlineNanos}; throws what connect would have thrown. */
    private void awaitHandshake(FileDescriptor fd, Pending p, long deadlineNanos) throws IOException {
        int fdVal = FileDescriptors.fdVal(fd);
        while (true) {
            int error = platform.socketError(fdVal);
            if (error != 0) {
                IOException failure = ConnectFailures.of(error);
                p.failure = failure;
                throw failure;
            }
            if (!platform.handshakePending(fdVal)) {
                completed(fd, p);
                return;
            }
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                pending.remove(fd);
                throw new SocketTimeoutException("Connect timed out");
            }
            platform.awaitWritable(fdVal, (int) Math.min(TimeUnit.NANOSECONDS.toMillis(remaining) + 1, POLL_SLICE_MILLIS));
        }
    }

    private Throwable mapFailure(Pending p, Throwable thrown) {
        if (!(thrown instanceof IOException io) || thrown instanceof ConnectException
                || thrown instanceof SocketTimeoutException) {
            return thrown;
        }
        if (p.failure != null) {
            // The kernel reports the refusal once (SO_ERROR); later calls see "Broken pipe".
            return ConnectFailures.again(p.failure, io);
        }
        IOException mapped = ConnectFailures.of(io);
        if (mapped == null) {
            return thrown;
        }
        p.failure = mapped;
        stats.errors.increment();
        return mapped;
    }

    private ScheduledExecutorService timer() {
        ScheduledExecutorService t = timer;
        if (t == null) {
            synchronized (this) {
                t = timer;
                if (t == null) {
                    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                        Thread thread = new Thread(r, "connectx-handshake-trigger");
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
