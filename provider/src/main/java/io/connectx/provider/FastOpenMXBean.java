package io.connectx.provider;

/**
 * The agent's counters as a platform MXBean, {@code io.connectx:type=FastOpen}. Reading
 * {@code SynDataAcked} or {@code SynDataAccepted} turns on the per-connection TCP_INFO check behind them;
 * until then they stay 0 and the connect path makes no extra system call.
 */
public interface FastOpenMXBean {
    String OBJECT_NAME = "io.connectx:type=FastOpen";

    /** Every TCP connect seen, through {@code Socket} or {@code SocketChannel}, admitted or not. */
    long getConnects();

    long getAdmitted();

    long getDeferred();

    long getSynDataAcked();

    long getReadFirstTriggers();

    long getReplayUnsafeHeld();

    long getFallbacks();

    long getErrors();

    long getListenersEnabled();

    long getSynDataAccepted();

    /** Reads of {@code listen.keyfile} that gave a key (at start, and on each attach). */
    long getKeyLoads();

    /** Reads of {@code listen.keyfile} that failed; listeners then use the namespace's key. */
    long getKeyLoadFailures();

    /** Times a listener was given the key file's key: when it listened, and on each re-key. */
    long getListenersKeyed();

    /**
     * Per destination ({@code address:port}), the most recent 256, most recently used first: counts of
     * connects, SYN data acknowledged, cookie requests, SYN data not acknowledged, held first writes,
     * read-first triggers, errors and closes before any SYN. The first read starts the counting; until
     * then it costs the connect path nothing and the array is empty.
     */
    DestinationCounts[] getDestinations();

    /** The version of connectx running in this JVM ({@link ConnectxVersion}). */
    String getVersion();
}
