package io.connectx.provider;

import static io.connectx.sys.darwin.DarwinConstants.CONNECT_DATA_IDEMPOTENT;
import static io.connectx.sys.darwin.DarwinConstants.CONNECT_RESUME_ON_READ_WRITE;

import com.sun.jna.LastErrorException;
import io.connectx.sys.Errno;
import io.connectx.sys.darwin.DarwinConstants;
import io.connectx.sys.darwin.DarwinSockaddr;
import io.connectx.sys.darwin.DarwinSockets;
import io.connectx.sys.darwin.TcpConnectionInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.Set;

/**
 * macOS: the connect itself is replaced by {@code connectx(CONNECT_RESUME_ON_READ_WRITE |
 * CONNECT_DATA_IDEMPOTENT)} without data (the project card's call, as curl and unbound make it), so the
 * first write carries its data in the SYN. Calling the JDK's connect(2) as well would fail with EISCONN,
 * which is why this platform answers {@link #connectInPlace}. xnu defers every such connect, cookie or not
 * (tcp_connect_complete); the engine then answers as on Linux ({@link FastOpenSockets#afterConnect}): in
 * progress, and a destination this JVM has not seen connect gets its SYN at once. Server side: TCP_FASTOPEN
 * on the listener after listen(2). Per-connection proof, and whether a handshake ever completed, from
 * TCP_CONNECTION_INFO; a handshake past its connect timeout is ended by disconnectx(2).
 *
 * <p>Not run on macOS by this project (no macOS machine was available). It runs on Linux against the
 * xnu-model library (native/src/xnu-model), which gives it Darwin's ABI and xnu's connectx rules.
 */
public final class DarwinFastOpen implements FastOpen {
    /** What connectx reports that connect would have reported as well; any other errno falls back to the JDK's connect. */
    private static final Set<Errno> CONNECT_FAILURES = EnumSet.of(Errno.ECONNREFUSED, Errno.ETIMEDOUT, Errno.EHOSTUNREACH,
            Errno.ENETUNREACH, Errno.ENETDOWN, Errno.EADDRINUSE, Errno.EADDRNOTAVAIL, Errno.EISCONN, Errno.EALREADY, Errno.EINTR);
    private static final int IOSTATUS_UNAVAILABLE = -2;

    @Override
    public boolean isStream(int fd) {
        return DarwinSockets.isStream(fd);
    }

    /** Nothing to set beforehand on Darwin: {@link #connectInPlace} asks for Fast Open in the connect itself. */
    @Override
    public Outcome enableClient(int fd) {
        return Outcome.ENABLED;
    }

    /**
     * 1 once connectx returned 0: with CONNECT_RESUME_ON_READ_WRITE, connectitx returns while
     * SOF1_PRECONNECT_DATA is set, the socket in SYN_SENT with no SYN sent (the engine decides what the JDK
     * is told); -2 for EINPROGRESS.
     */
    @Override
    public Integer connectInPlace(int fd, InetAddress address, int port) throws IOException {
        byte[] dst = DarwinSockaddr.encodeFor(DarwinSockets.family(fd), new InetSocketAddress(address, port));
        try {
            DarwinSockets.connectx(fd, 0, null, dst, CONNECT_RESUME_ON_READ_WRITE | CONNECT_DATA_IDEMPOTENT);
            return 1;
        } catch (LastErrorException e) {
            Errno errno = Errno.ofDarwin(e.getErrorCode());
            if (errno == Errno.EINPROGRESS) {
                return IOSTATUS_UNAVAILABLE;
            }
            if (errno == null || !CONNECT_FAILURES.contains(errno)) {
                return null; // macOS older than 10.11, or a socket connectx refuses: the JDK's connect reports it
            }
            // What the JDK's connect raises for it, the message led by the errno's name as Connectx's are.
            IOException failure = errno.jdkException(errno.name() + ": connectx to " + address.getHostAddress() + ":" + port);
            failure.initCause(e);
            throw failure;
        }
    }

    /**
     * connectx(2) itself, as the man page gives it: {@code SAE_ASSOCID_ANY}, no connid, {@code flags} and
     * {@code iov} as given (the source and interface are bound beforehand, as bind(2) and IP_BOUND_IF would).
     * Returns the bytes of {@code iov} enqueued; failures arrive as {@link LastErrorException} with Darwin's
     * errno, {@code len} copied out first (the bytes enqueued even then, as connectx_nocancel does).
     */
    public long connectx(int fd, InetSocketAddress destination, int flags, java.nio.ByteBuffer[] iov, long[] len) {
        byte[] dst = DarwinSockaddr.encodeFor(DarwinSockets.family(fd), destination);
        return DarwinSockets.connectx(fd, 0, null, dst, flags, len, iov);
    }

    @Override
    public int localInetPort(int fd) {
        return DarwinSockets.localInetPort(fd);
    }

    @Override
    public boolean handshakePending(int fd) {
        return TcpConnectionInfo.of(fd).handshakePending();
    }

    /** A read starts a resumable connect on Darwin: a non-blocking peek ({@link DarwinSockets#startHandshake}). */
    @Override
    public void startHandshake(int fd) {
        DarwinSockets.startHandshake(fd);
    }

    /**
     * bsd/kern/uipc_socket.c sosendcheck: ENOTCONN for a stream socket not yet connected unless
     * SOF1_PRECONNECT_DATA is set; soclearfastopen clears it at the first write (end of sosend) or read
     * (tcp_usr_preconnect, bsd/netinet/tcp_usrreq.c).
     */
    @Override
    public boolean writesFailUntilEstablished() {
        return true;
    }

    /** bsd/netinet/tcp_timer.h TCPTV_KEEP_INIT: xnu drops a connection not established within 75 s. */
    @Override
    public long plainHandshakeNanos() {
        return java.util.concurrent.TimeUnit.SECONDS.toNanos(75);
    }

    @Override
    public boolean synData(int fd) {
        return TcpConnectionInfo.of(fd).synDataAcked();
    }

    /**
     * From TCP_CONNECTION_INFO: no RTT sample and neither timestamps nor window scaling from the peer's SYN
     * ({@link TcpConnectionInfo#handshakeNeverCompleted}, which cites xnu). A socket whose protocol state is
     * gone (tcp_ctloutput: ECONNRESET without a tcpcb) does not tell: true, as the interface asks.
     */
    @Override
    public boolean neverConnected(int fd) {
        try {
            return TcpConnectionInfo.of(fd).handshakeNeverCompleted();
        } catch (LastErrorException e) {
            return true;
        }
    }

    /**
     * disconnectx(2) ({@link DarwinSockets#abortHandshake}): closes the handshake at once and wakes every thread
     * blocked on the socket, without an so_error; the engine reports it as the timeout it enforced.
     */
    @Override
    public boolean abortHandshake(int fd) {
        DarwinSockets.abortHandshake(fd);
        return true;
    }

    /** Darwin takes TCP_FASTOPEN on a socket that already listens (Linux wants it before; both work after listen there). */
    @Override
    public Outcome enableServer(int fd, int queueLength) {
        try {
            DarwinSockets.setIntOption(fd, DarwinConstants.IPPROTO_TCP, DarwinConstants.TCP_FASTOPEN, 1);
            return Outcome.ENABLED;
        } catch (LastErrorException e) {
            Errno errno = Errno.ofDarwin(e.getErrorCode());
            return errno == Errno.ENOPROTOOPT || errno == Errno.EOPNOTSUPP ? Outcome.UNSUPPORTED : Outcome.SKIPPED;
        }
    }

    @Override
    public void bindToInterface(int fd, int index, String name, boolean ipv6) {
        DarwinSockets.setIntOption(fd, ipv6 ? DarwinConstants.IPPROTO_IPV6 : DarwinConstants.IPPROTO_IP,
                ipv6 ? DarwinConstants.IPV6_BOUND_IF : DarwinConstants.IP_BOUND_IF, index);
    }
}
