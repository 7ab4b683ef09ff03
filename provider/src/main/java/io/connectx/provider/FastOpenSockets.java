package io.connectx.provider;

import io.connectx.sys.FileDescriptors;
import java.io.FileDescriptor;
import java.net.InetAddress;

/**
 * The decisions taken at the JDK's connect and listen points: whether this socket gets Fast Open, and
 * asking the kernel for it. Never throws: any fault is counted, logged once, and the socket proceeds
 * exactly as it would without connectx.
 */
public final class FastOpenSockets {
    private final FastOpen platform;
    private final DestinationPolicy destinations;
    private final ListenPolicy listeners;
    private final int queueLength;
    private final FastOpenStats stats = new FastOpenStats();
    private volatile boolean clientEnabled;
    private volatile boolean serverEnabled;

    /**
     * @param destinations where clients may use Fast Open, or null for nowhere
     * @param listeners which listening ports accept it
     */
    public FastOpenSockets(FastOpen platform, DestinationPolicy destinations, ListenPolicy listeners, int queueLength) {
        this.platform = platform;
        this.destinations = destinations;
        this.listeners = listeners;
        this.queueLength = queueLength;
        this.clientEnabled = destinations != null;
        this.serverEnabled = !listeners.isEmpty();
    }

    public FastOpenStats stats() {
        return stats;
    }

    public boolean isActive() {
        return clientEnabled || serverEnabled;
    }

    /** Called with the arguments of the JDK's connect, before the connect(2) system call. */
    public void beforeConnect(FileDescriptor fd, InetAddress address, int port) {
        stats.connects.increment();
        if (!clientEnabled || address == null || !destinations.admits(address, port)) {
            return;
        }
        try {
            int fdVal = FileDescriptors.fdVal(fd);
            // The JDK connects datagram channels through the same method; UDP is never touched.
            if (!platform.isStream(fdVal)) {
                return;
            }
            stats.admitted.increment();
            switch (platform.enableClient(fdVal)) {
                case ENABLED -> stats.deferred.increment();
                case UNSUPPORTED -> {
                    clientEnabled = false;
                    stats.fallbacks.increment();
                    ConnectxLog.warnOnce("client-unsupported", "the kernel refused TCP_FASTOPEN_CONNECT (kernel older than 4.11,"
                            + " or net.ipv4.tcp_fastopen lacks the client bit 1); new connections use plain connects");
                }
                case SKIPPED -> { }
            }
        } catch (Throwable t) {
            stats.errors.increment();
            ConnectxLog.warnOnce("connect-error", "internal error at connect, the connection proceeds without Fast Open: " + t);
        }
    }

    /**
     * Called once a JDK socket listens. Linux takes TCP_FASTOPEN in the LISTEN state as well as before
     * (net/ipv4/tcp.c accepts TCPF_CLOSE | TCPF_LISTEN), and only now is the bound port known.
     */
    public void afterListen(FileDescriptor fd) {
        if (!serverEnabled) {
            return;
        }
        try {
            int fdVal = FileDescriptors.fdVal(fd);
            if (!listeners.admits(platform.localInetPort(fdVal))) {
                return;
            }
            switch (platform.enableServer(fdVal, queueLength)) {
                case ENABLED -> stats.listenersEnabled.increment();
                case UNSUPPORTED -> {
                    serverEnabled = false;
                    stats.fallbacks.increment();
                    ConnectxLog.warnOnce("server-unsupported", "the kernel refused TCP_FASTOPEN on a listener;"
                            + " set sysctl -w net.ipv4.tcp_fastopen=3 to accept Fast Open");
                }
                case SKIPPED -> { }
            }
        } catch (Throwable t) {
            stats.errors.increment();
            ConnectxLog.warnOnce("listen-error", "internal error at listen, the listener proceeds without Fast Open: " + t);
        }
    }
}
