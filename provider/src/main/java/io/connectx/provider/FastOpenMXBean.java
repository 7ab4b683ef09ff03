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

    /** The version of connectx running in this JVM ({@link ConnectxVersion}). */
    String getVersion();
}
