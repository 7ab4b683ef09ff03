package io.connectx.provider;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One connection set up for Fast Open, from admission until its outcome is known. The engine tells it
 * what it learns (deferred or not, the first write's fate, a failure, the end of the handshake); it
 * completes once, feeding the {@code io.connectx.FastOpen} event and the destination's counters.
 * Connections nobody observes (no recording wants the event, nobody read {@code Destinations}) share
 * {@link #UNOBSERVED}, on which every call returns at once: the connect path allocates nothing for them.
 */
public final class ConnectionOutcome {
    /** The first-write decision, the event's {@code firstWrite} field. */
    public enum FirstWrite {
        /** Not decided yet, or nothing was written before the handshake started. */
        NONE,
        /** The first write rode in the SYN. */
        IN_SYN,
        /** The first write was held out of the SYN: not known safe to replay. */
        HELD,
        /** A read came first and started the handshake; any write follows it. */
        AFTER_HANDSHAKE,
        /** connect made an ordinary handshake (no cookie): no first write was deferred. */
        NOT_DEFERRED
    }

    static final ConnectionOutcome UNOBSERVED = new ConnectionOutcome(null, null, 0, null, false);
    private static final AtomicIntegerFieldUpdater<ConnectionOutcome> DONE =
            AtomicIntegerFieldUpdater.newUpdater(ConnectionOutcome.class, "done");

    private final ConnectionOutcomes owner;
    final InetAddress address;
    final int port;
    /** The recording's event, begun at admission (a {@code FastOpenEvent}); null when no recording wanted it. */
    final Object event;
    /** Counted in {@code Destinations} at admission, so its outcome is counted too. */
    final boolean counted;
    private volatile FirstWrite firstWrite = FirstWrite.NONE;
    private volatile int done;

    ConnectionOutcome(ConnectionOutcomes owner, InetAddress address, int port, Object event, boolean counted) {
        this.owner = owner;
        this.address = address;
        this.port = port;
        this.event = event;
        this.counted = counted;
    }

    /** Somebody wants this connection's outcome: worth a TCP_INFO read when its handshake completes. */
    public boolean isObserved() {
        return owner != null;
    }

    boolean matches(InetAddress address, int port) {
        return this.port == port && this.address.equals(address);
    }

    /** connect returned without deferring the SYN: the kernel had no cookie and asked for one. */
    public void notDeferred() {
        firstWrite = FirstWrite.NOT_DEFERRED;
        complete(FastOpenOutcome.COOKIE_REQUESTED);
    }

    /** The first write claimed the SYN and rides in it; the outcome waits for the handshake. */
    public void firstWriteInSyn() {
        firstWrite = FirstWrite.IN_SYN;
    }

    /** The first write was held out of the SYN; the handshake was started without it. */
    public void heldReplayUnsafe() {
        firstWrite = FirstWrite.HELD;
    }

    /** A read (or OP_READ interest, or shutdownOutput) claimed the SYN first and sent it without data. */
    public void readFirst() {
        firstWrite = FirstWrite.AFTER_HANDSHAKE;
    }

    /** The handshake failed; what the application sees is connect's failure. */
    public void failed() {
        complete(FastOpenOutcome.ERROR);
    }

    /**
     * The handshake completed. {@code synDataAcked} is TCP_INFO's TCPI_OPT_SYN_DATA, read by the caller
     * when the first write rode in the SYN and this connection {@link #isObserved() is observed}.
     */
    public void handshakeCompleted(boolean synDataAcked) {
        complete(decided(synDataAcked));
    }

    /**
     * Closed while still tracked: the handshake's end was never seen (no read after the write, say). A
     * first write in the SYN is judged from TCP_INFO now, while the fd is still open.
     */
    public void closed(FastOpen platform, int fd) {
        if (owner == null || done != 0) {
            return;
        }
        FirstWrite decision = firstWrite;
        if (decision == FirstWrite.NONE) {
            complete(FastOpenOutcome.CLOSED_BEFORE_HANDSHAKE);
            return;
        }
        if (decision == FirstWrite.IN_SYN) {
            try {
                boolean acked = platform.synData(fd);
                if (!acked && platform.handshakePending(fd)) {
                    complete(FastOpenOutcome.CLOSED_BEFORE_HANDSHAKE);
                    return;
                }
                handshakeCompleted(acked);
            } catch (RuntimeException e) {
                complete(FastOpenOutcome.CLOSED_BEFORE_HANDSHAKE); // the fd was gone already
            }
            return;
        }
        handshakeCompleted(false);
    }

    private FastOpenOutcome decided(boolean synDataAcked) {
        return switch (firstWrite) {
            case IN_SYN -> synDataAcked ? FastOpenOutcome.SYN_DATA_ACKED : FastOpenOutcome.SYN_DATA_NOT_ACKED;
            case HELD -> FastOpenOutcome.HELD_REPLAY_UNSAFE;
            case NOT_DEFERRED -> FastOpenOutcome.COOKIE_REQUESTED;
            case AFTER_HANDSHAKE, NONE -> FastOpenOutcome.READ_FIRST;
        };
    }

    private void complete(FastOpenOutcome outcome) {
        if (owner != null && DONE.compareAndSet(this, 0, 1)) {
            owner.completed(this, outcome, firstWrite);
        }
    }
}
