package io.connectx.provider;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FastOpen} kernel that behaves as xnu does at the points the JDK's own calls reach, which the
 * xnu-model library cannot see (the JDK's write(2) and read(2) go straight to Linux there). One socket.
 * <ul>
 * <li>Every admitted connect is deferred, with or without a cookie: connectx with
 * CONNECT_RESUME_ON_READ_WRITE sets SOF1_PRECONNECT_DATA (bsd/kern/uipc_socket.c soconnectxlocked) and
 * tcp_connect_complete (bsd/netinet/tcp_usrreq.c) delays tcp_output to the first write.</li>
 * <li>A read starts the connect: soreceive calls pru_preconnect, tcp_usr_preconnect sends the SYN and
 * soclearfastopen clears the preconnect state ({@link #startHandshake}, which the Darwin path makes with a
 * peek).</li>
 * <li>The first write passes sosendcheck while SOF1_PRECONNECT_DATA is set and sends the SYN with its data;
 * sosend then clears the state (soclearfastopen). Any write from then until establishment fails with
 * ENOTCONN (sosendcheck), which the JDK raises as "Socket is not connected" ({@link #write}).</li>
 * </ul>
 * The peer's SYN-ACK arrives after {@link #synAckAfterWaits} parks until writable ({@link #park}, what the
 * JDK's park is to the engine), or never (-1); {@link #refuse} answers the SYN with a RST instead.
 */
final class XnuKernel implements FastOpen {
    enum State { PRECONNECT, CONNECTING, ESTABLISHED, REFUSED, ABORTED }

    volatile State state;
    /** What went on the wire, in order: "SYN", "SYN+data" or the data of a write after establishment. */
    final List<String> wire = new ArrayList<>();
    volatile int synAckAfterWaits = 1;
    /** Parks so far: the engine's waits for establishment, which must park rather than poll natively. */
    volatile int parks;
    volatile long plainHandshakeNanos = TimeUnit.SECONDS.toNanos(75);
    volatile boolean synDataAcked;

    @Override
    public boolean isStream(int fd) {
        return true;
    }

    @Override
    public Outcome enableClient(int fd) {
        return Outcome.ENABLED;
    }

    /** connectx(CONNECT_RESUME_ON_READ_WRITE | CONNECT_DATA_IDEMPOTENT) returns 0 at once, no SYN sent. */
    @Override
    public Integer connectInPlace(int fd, InetAddress address, int port) {
        state = State.PRECONNECT;
        return 1;
    }

    @Override
    public int localInetPort(int fd) {
        return 443;
    }

    /** TCPS_SYN_SENT from connectx until the SYN-ACK (tcp_connect sets it before any SYN leaves). */
    @Override
    public boolean handshakePending(int fd) {
        return state == State.PRECONNECT || state == State.CONNECTING;
    }

    /** The SYN-ACK never came: refused or aborted in SYN_SENT. */
    @Override
    public boolean neverConnected(int fd) {
        return state != State.ESTABLISHED;
    }

    /** disconnectx in SYN_SENT: tcp_disconnect's tcp_close drops the connection (bsd/netinet/tcp_usrreq.c). */
    @Override
    public synchronized boolean abortHandshake(int fd) {
        if (handshakePending(fd)) {
            state = State.ABORTED;
        }
        return true;
    }

    /** The peer answers the SYN with a RST: so_error ECONNREFUSED, reported by the next write. */
    synchronized void refuse() {
        state = State.REFUSED;
    }

    /** A peek: soreceive's pru_preconnect. */
    @Override
    public synchronized void startHandshake(int fd) {
        if (state == State.PRECONNECT) {
            state = State.CONNECTING;
            wire.add("SYN");
        }
    }

    /** The JDK's write(2) on this socket, as sosend and sosendcheck answer it. */
    synchronized void write(String data) throws IOException {
        switch (state) {
            case PRECONNECT -> {
                state = State.CONNECTING;
                wire.add("SYN+" + data);
                synDataAcked = true;
            }
            case CONNECTING -> throw new SocketException("Socket is not connected"); // ENOTCONN, errno 57
            case ESTABLISHED -> wire.add(data);
            case REFUSED -> throw new SocketException("Connection refused");
            case ABORTED -> throw new SocketException("Socket is not connected");
        }
    }

    /**
     * The JDK's blocking read(2) on this socket, as soreceive answers it: it waits while the handshake runs;
     * a refusal is so_error (ECONNREFUSED); a connection the timer closed in SYN_SENT (tcp_close through
     * disconnectx, which sets no so_error but SS_CANTRCVMORE) is the end of stream, -1. Waits {@code
     * maxMillis} at most, then answers 0 as a read timed out would not: the caller's assertion fails instead.
     */
    long blockingRead(long maxMillis) throws IOException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        while (System.nanoTime() < end) {
            switch (state) {
                case ABORTED -> {
                    return -1;
                }
                case REFUSED -> throw new SocketException("Connection refused");
                case ESTABLISHED -> {
                    return 0;
                }
                default -> {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return 0;
                    }
                }
            }
        }
        return 0;
    }

    byte[] bytes(String data) {
        return data.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public boolean synData(int fd) {
        return synDataAcked;
    }

    /**
     * The JDK's park until writable: waits a little (no spinning), and lets the peer's SYN-ACK in when its
     * time has come.
     */
    void park(long nanos) {
        synchronized (this) {
            parks++;
            if (state == State.CONNECTING && synAckAfterWaits >= 0 && parks >= synAckAfterWaits) {
                state = State.ESTABLISHED;
                return;
            }
        }
        try {
            Thread.sleep(Math.min(Math.max(TimeUnit.NANOSECONDS.toMillis(nanos), 1), 5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Outcome enableServer(int fd, int queueLength) {
        return Outcome.ENABLED;
    }

    @Override
    public boolean writesFailUntilEstablished() {
        return true;
    }

    @Override
    public long plainHandshakeNanos() {
        return plainHandshakeNanos;
    }
}
