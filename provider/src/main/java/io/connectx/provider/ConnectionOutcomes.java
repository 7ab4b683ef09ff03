package io.connectx.provider;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

/**
 * Owns the per-connection outcomes: creates a {@link ConnectionOutcome} at admission when somebody
 * observes (a recording that enables {@code io.connectx.FastOpen}, or a reader of the {@code Destinations}
 * attribute), and turns each completed one into the event and the destination's counts. Also emits
 * {@code io.connectx.FastOpenAccept}.
 *
 * <p>JDK Flight Recorder is never loaded by connectx itself. JFR sets the system property
 * {@value #RECORDER_PROPERTY} when it creates its disk repository, which every recording started by
 * {@code -XX:StartFlightRecording}, {@code jcmd JFR.start} or JMC does (jdk.jfr.internal.Repository,
 * JDK 17 and 25). Until that property appears, a connect costs one property lookup here and no
 * {@code jdk.jfr} class is loaded; once it does, the events are registered with the running recorder.
 */
public final class ConnectionOutcomes {
    static final String RECORDER_PROPERTY = "jdk.jfr.repository";

    /** Made at the first read of {@code Destinations}: the JMX open types stay unloaded until then. */
    private volatile DestinationCounters destinations;
    private final ThreadLocal<ConnectionOutcome> connecting = new ThreadLocal<>();
    private volatile boolean countersWanted;
    private volatile boolean everObserved;
    private volatile boolean eventsRegistered;
    private volatile boolean eventsUnavailable;

    /**
     * A connect was admitted and set up for Fast Open; its connect(2) is about to run on this thread.
     * When somebody observes, the outcome waits for {@link #connected} on the same thread.
     */
    public void connecting(InetAddress address, int port) {
        boolean event = connectEventsEnabled();
        boolean count = countersWanted;
        if (!event && !count) {
            return;
        }
        if (count) {
            destinations.connect(address, port);
        }
        everObserved = true;
        connecting.set(new ConnectionOutcome(this, address, port, event ? FlightRecorderEvents.begin(address, port) : null, count));
    }

    /**
     * The connect to {@code address:port} returned on this thread: its outcome, or {@link ConnectionOutcome#UNOBSERVED}.
     * A record left by a connect that threw (its connect(2) failed before any deferral) does not match and is dropped.
     */
    public ConnectionOutcome connected(InetAddress address, int port) {
        if (!everObserved) {
            return ConnectionOutcome.UNOBSERVED;
        }
        ConnectionOutcome outcome = connecting.get();
        if (outcome == null) {
            return ConnectionOutcome.UNOBSERVED;
        }
        connecting.remove();
        return outcome.matches(address, port) ? outcome : ConnectionOutcome.UNOBSERVED;
    }

    /** Whether accepted connections should be checked for SYN data for the {@code io.connectx.FastOpenAccept} event. */
    public boolean acceptEventsEnabled() {
        return recorderRunning() && FlightRecorderEvents.acceptEnabled();
    }

    /**
     * An accepted connection (a SocketImpl filled in by accept, or a SocketChannel), with TCP_INFO's SYN-data
     * bit. Recorded when its local port is one of {@code listeners}, whose listeners connectx enabled.
     */
    public void accepted(Object accepted, boolean synData, ListenPolicy listeners) {
        if (!recorderRunning()) {
            return;
        }
        int localPort = -1;
        InetAddress peer = null;
        int peerPort = -1;
        try {
            if (accepted instanceof SocketChannel channel) {
                SocketAddress local = channel.getLocalAddress();
                SocketAddress remote = channel.getRemoteAddress();
                if (local instanceof InetSocketAddress l) {
                    localPort = l.getPort();
                }
                if (remote instanceof InetSocketAddress r) {
                    peer = r.getAddress();
                    peerPort = r.getPort();
                }
            } else {
                AcceptedSocketImpl impl = AcceptedSocketImpl.of(accepted);
                localPort = impl.localPort();
                peer = impl.peer();
                peerPort = impl.peerPort();
            }
        } catch (Exception e) {
            return; // closed meanwhile, or java.net not open to us: the listener is unknown
        }
        if (localPort > 0 && listeners.admits(localPort)) {
            FlightRecorderEvents.accepted(localPort, peer, peerPort, synData);
        }
    }

    /**
     * The {@code Destinations} attribute: per destination, most recently used first, at most
     * {@value DestinationCounters#MAX_DESTINATIONS}. The first read starts the counting (and the TCP_INFO
     * read per connection that SYN data acknowledgement needs); until then it costs the connect path nothing.
     */
    public DestinationCounts[] destinations() {
        DestinationCounters counters = destinations;
        if (counters == null) {
            synchronized (this) {
                counters = destinations;
                if (counters == null) {
                    destinations = counters = new DestinationCounters();
                }
            }
        }
        countersWanted = true;
        return counters.snapshot();
    }

    void completed(ConnectionOutcome outcome, FastOpenOutcome result, ConnectionOutcome.FirstWrite firstWrite) {
        if (outcome.counted) {
            destinations.count(outcome.address, outcome.port, result);
        }
        if (outcome.event != null) {
            FlightRecorderEvents.commit(outcome.event, result, firstWrite);
        }
    }

    private boolean connectEventsEnabled() {
        return recorderRunning() && FlightRecorderEvents.connectEnabled();
    }

    private boolean recorderRunning() {
        if (eventsRegistered) {
            return true;
        }
        if (eventsUnavailable || System.getProperty(RECORDER_PROPERTY) == null) {
            return false;
        }
        return registerEvents();
    }

    private synchronized boolean registerEvents() {
        if (!eventsRegistered && !eventsUnavailable) {
            try {
                FlightRecorderEvents.register();
                eventsRegistered = true;
            } catch (Throwable t) {
                // A runtime without the jdk.jfr module, say: the counters still work.
                eventsUnavailable = true;
                ConnectxLog.warnOnce("jfr", "JDK Flight Recorder events unavailable: " + t);
            }
        }
        return eventsRegistered;
    }
}
