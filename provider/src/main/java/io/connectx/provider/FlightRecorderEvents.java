package io.connectx.provider;

import java.net.InetAddress;
import jdk.jfr.FlightRecorder;

/**
 * The one class besides the events that links against {@code jdk.jfr}. {@link ConnectionOutcomes} calls
 * it only once a recorder runs, so a JVM without a recording never loads a {@code jdk.jfr} class.
 * Signatures use no {@code jdk.jfr} type, so that the callers' verification loads none either.
 */
final class FlightRecorderEvents {
    private static final FastOpenEvent CONNECT_SETTINGS = new FastOpenEvent();
    private static final FastOpenAcceptEvent ACCEPT_SETTINGS = new FastOpenAcceptEvent();

    private FlightRecorderEvents() {
    }

    /**
     * Registers both events with the running recorder, which then applies the settings of the recordings
     * under way, and of later ones, to them.
     */
    static void register() {
        FlightRecorder.register(FastOpenEvent.class);
        FlightRecorder.register(FastOpenAcceptEvent.class);
    }

    /** Whether a running recording enables {@code io.connectx.FastOpen}; allocates nothing. */
    static boolean connectEnabled() {
        return CONNECT_SETTINGS.isEnabled();
    }

    static boolean acceptEnabled() {
        return ACCEPT_SETTINGS.isEnabled();
    }

    /** An event begun now, at admission; committed by {@link #commit}. */
    static Object begin(InetAddress address, int port) {
        FastOpenEvent event = new FastOpenEvent();
        event.begin();
        event.address = address.getHostAddress();
        event.port = port;
        return event;
    }

    static void commit(Object begun, FastOpenOutcome outcome, ConnectionOutcome.FirstWrite firstWrite) {
        FastOpenEvent event = (FastOpenEvent) begun;
        event.end();
        if (event.shouldCommit()) {
            event.outcome = outcome.name();
            event.firstWrite = firstWrite.name();
            event.commit();
        }
    }

    static void accepted(int localPort, InetAddress peer, int peerPort, boolean synData) {
        FastOpenAcceptEvent event = new FastOpenAcceptEvent();
        if (event.shouldCommit()) {
            event.localPort = localPort;
            event.peerAddress = peer == null ? null : peer.getHostAddress();
            event.peerPort = peerPort;
            event.synData = synData;
            event.commit();
        }
    }
}
