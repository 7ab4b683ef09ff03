package io.connectx.provider;

import java.util.concurrent.atomic.LongAdder;

/** What the agent did, counted without contention on the connect path. */
public final class FastOpenStats {
    final LongAdder connects = new LongAdder();
    final LongAdder admitted = new LongAdder();
    final LongAdder deferred = new LongAdder();
    final LongAdder fallbacks = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder listenersEnabled = new LongAdder();
    final LongAdder readFirstTriggers = new LongAdder();
    final LongAdder replayUnsafeHeld = new LongAdder();
    final LongAdder synDataAcked = new LongAdder();
    final LongAdder synDataAccepted = new LongAdder();
    final LongAdder keyLoads = new LongAdder();
    final LongAdder keyLoadFailures = new LongAdder();
    final LongAdder listenersKeyed = new LongAdder();
    /**
     * Proof per connection costs a getsockopt(TCP_INFO) when a handshake completes; it is only taken once
     * somebody wants it (a read of the counters, or the exit summary).
     */
    private volatile boolean proofWanted;
    /** Per connection: the Flight Recorder events and the per-destination counts. */
    private final ConnectionOutcomes outcomes = new ConnectionOutcomes();

    public ConnectionOutcomes outcomes() {
        return outcomes;
    }

    /** From now on, completed handshakes and accepted connections are checked for SYN data. */
    public void wantProof() {
        proofWanted = true;
    }

    boolean proofWanted() {
        return proofWanted;
    }

    public long connects() {
        return connects.sum();
    }

    public long admitted() {
        return admitted.sum();
    }

    /** Connects whose SYN the kernel deferred to the first write (a cookie was cached). */
    public long deferred() {
        return deferred.sum();
    }

    /** The kernel refused Fast Open, or a server did not acknowledge SYN data (the kernel then resent it). */
    public long fallbacks() {
        return fallbacks.sum();
    }

    public long errors() {
        return errors.sum();
    }

    /** Handshakes started because the socket was read (or shut down) before its first write. */
    public long readFirstTriggers() {
        return readFirstTriggers.sum();
    }

    /** First writes held out of the SYN because they were not known to be safe to replay. */
    public long replayUnsafeHeld() {
        return replayUnsafeHeld.sum();
    }

    /** Connects whose SYN data the server acknowledged, by TCP_INFO (counted once proof is wanted). */
    public long synDataAcked() {
        return synDataAcked.sum();
    }

    /** Accepted connections whose SYN carried data, by TCP_INFO (counted once proof is wanted). */
    public long synDataAccepted() {
        return synDataAccepted.sum();
    }

    public long listenersEnabled() {
        return listenersEnabled.sum();
    }

    /** Reads of {@code listen.keyfile} that gave a key. */
    public long keyLoads() {
        return keyLoads.sum();
    }

    /** Reads of {@code listen.keyfile} that failed (unreadable, malformed, wrong length). */
    public long keyLoadFailures() {
        return keyLoadFailures.sum();
    }

    /** Times a listener was given the key file's key: at listen, and on each re-key. */
    public long listenersKeyed() {
        return listenersKeyed.sum();
    }
}
