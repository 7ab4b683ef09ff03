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

    public long connects() {
        return connects.sum();
    }

    public long admitted() {
        return admitted.sum();
    }

    /** Connects opened with the deferred (Fast Open) handshake. */
    public long deferred() {
        return deferred.sum();
    }

    public long fallbacks() {
        return fallbacks.sum();
    }

    public long errors() {
        return errors.sum();
    }

    public long listenersEnabled() {
        return listenersEnabled.sum();
    }
}
