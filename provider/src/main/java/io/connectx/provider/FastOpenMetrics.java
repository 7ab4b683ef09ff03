package io.connectx.provider;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;

/** {@link FastOpenStats} as the platform MXBean {@value FastOpenMXBean#OBJECT_NAME}. */
public final class FastOpenMetrics implements FastOpenMXBean {
    private final FastOpenStats stats;

    public FastOpenMetrics(FastOpenStats stats) {
        this.stats = stats;
    }

    /** Registers with the platform MBean server; a second agent start replaces the first's bean. */
    public void register() throws JMException {
        var server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName(OBJECT_NAME);
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
        server.registerMBean(this, name);
    }

    /**
     * The exit summary: {@code connectx: version 0.1.0, 120 connects, 118 admitted, 117 carried SYN data (saved ~117 round
     * trips), 0 errors}, and for a JVM with Fast Open listeners {@code ; 2 listeners accepted SYN data on 40 connections},
     * and with a key file {@code ; 3 key loads, 0 failed}.
     */
    public static String summary(FastOpenStats stats) {
        long carried = stats.synDataAcked();
        String line = "connectx: version " + ConnectxVersion.current() + ", " + stats.connects() + " connects, " + stats.admitted() + " admitted, " + carried
                + " carried SYN data (saved ~" + carried + " round trips), " + stats.errors() + " errors";
        if (stats.listenersEnabled() > 0) {
            line += "; " + stats.listenersEnabled() + " listeners accepted SYN data on " + stats.synDataAccepted() + " connections";
        }
        if (stats.keyLoads() + stats.keyLoadFailures() > 0) {
            line += "; " + stats.keyLoads() + " key loads, " + stats.keyLoadFailures() + " failed";
        }
        return line;
    }

    @Override
    public long getConnects() {
        return stats.connects();
    }

    @Override
    public long getAdmitted() {
        return stats.admitted();
    }

    @Override
    public long getDeferred() {
        return stats.deferred();
    }

    @Override
    public long getSynDataAcked() {
        stats.wantProof();
        return stats.synDataAcked();
    }

    @Override
    public long getReadFirstTriggers() {
        return stats.readFirstTriggers();
    }

    @Override
    public long getReplayUnsafeHeld() {
        return stats.replayUnsafeHeld();
    }

    @Override
    public long getFallbacks() {
        return stats.fallbacks();
    }

    @Override
    public long getErrors() {
        return stats.errors();
    }

    @Override
    public long getListenersEnabled() {
        return stats.listenersEnabled();
    }

    @Override
    public long getKeyLoads() {
        return stats.keyLoads();
    }

    @Override
    public long getKeyLoadFailures() {
        return stats.keyLoadFailures();
    }

    @Override
    public long getListenersKeyed() {
        return stats.listenersKeyed();
    }

    @Override
    public DestinationCounts[] getDestinations() {
        return stats.outcomes().destinations();
    }

    @Override
    public long getSynDataAccepted() {
        stats.wantProof();
        return stats.synDataAccepted();
    }

    @Override
    public String getVersion() {
        return ConnectxVersion.current();
    }
}
