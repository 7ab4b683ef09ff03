package io.connectx;

import io.connectx.provider.DarwinFastOpen;
import io.connectx.provider.FastOpen;
import io.connectx.provider.FastOpenPlatforms;
import io.connectx.provider.FastOpenSockets;
import io.connectx.sys.FileDescriptors;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Collections;

/**
 * Darwin's connectx(2) and disconnectx(2) (man page 2015) for the JDK's {@link SocketChannel} and
 * {@link DatagramChannel}, blocking or not. The channel stays the JDK's own and ends in the state the JDK
 * would have left it in after {@code bind}, {@code connect} and {@code write}: that is what those calls
 * do here, with the platform's Fast Open switched on around them.
 *
 * <h2>Semantics</h2>
 * <ul>
 * <li>{@code src} is bound as bind(2) would. {@code srcif} (an interface index, 0 for none) forces the
 * interface (Linux SO_BINDTODEVICE, Darwin IP_BOUND_IF); with both, the address must be assigned to that
 * interface, or the call fails with EADDRNOTAVAIL before anything changes.</li>
 * <li>Data in {@code iov} is written once connected, in one gathering write, and the return value is the
 * number of its bytes enqueued. With {@link #CONNECT_DATA_IDEMPOTENT} on a stream socket it rides in the
 * SYN (TCP Fast Open, when the kernel holds a cookie for the destination; otherwise the handshake fetches
 * one and the data follows it). On Linux this is TCP_FASTOPEN_CONNECT set before the JDK's connect and the
 * data written through the channel: the kernel's documented equivalent of sendmsg(MSG_FASTOPEN), and the
 * only way the JDK's channel learns it is connected.</li>
 * <li>{@link #CONNECT_RESUME_ON_READ_WRITE} without data returns at once, the channel connected and
 * writable; the handshake starts at the first write (with its data in the SYN when the kernel has a cookie)
 * or the first read. The first read can only be caught where connectx's agent hooks the JDK's reads: in a JVM
 * without the agent, Linux would never send the SYN of a read-first socket, so the handshake is started at
 * once instead (a SYN without data). Writes after the first wait (or, non-blocking, write nothing) until the
 * handshake succeeds; its failure is reported by the next read or write, and by SO_ERROR. The flag is
 * ignored when data is given.</li>
 * <li>{@link #CONNECT_DATA_AUTHENTICATED} is accepted; Linux has no client-side equivalent, so it changes
 * nothing there.</li>
 * <li>Datagram sockets: connectx sets the association, {@link #disconnectx} dissolves it, and a later
 * connectx may associate with another peer. Data larger than one datagram can carry (65,507 bytes over
 * IPv4, 65,527 over IPv6) is EMSGSIZE, and the socket is left unchanged.</li>
 * <li>A stream socket that is connected is EISCONN, one whose non-blocking connect is pending is EALREADY,
 * a listening socket ({@link ServerSocketChannel}) is EOPNOTSUPP.</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * Each errno of the man page is one documented exception whose message starts with the errno's name and a
 * colon ({@link ConnectxErrno#of(Throwable)} reads it back):
 * <table>
 * <caption>errno to exception</caption>
 * <tr><th>errno</th><th>exception</th><th>raised when</th></tr>
 * <tr><td>EADDRINUSE</td><td>{@link java.net.BindException}</td><td>{@code src} is in use</td></tr>
 * <tr><td>EADDRNOTAVAIL</td><td>{@link java.net.BindException}</td><td>{@code src} is not local, or not on interface {@code srcif}</td></tr>
 * <tr><td>EAFNOSUPPORT</td><td>{@link ConnectxException}</td><td>{@code dst} not of the channel's family; {@code src} and {@code dst} of different families</td></tr>
 * <tr><td>EALREADY</td><td>{@link ConnectxException}</td><td>a non-blocking connect is still pending</td></tr>
 * <tr><td>EBADF</td><td>{@link ConnectxException}</td><td>the channel is closed (or null)</td></tr>
 * <tr><td>ECONNREFUSED</td><td>{@link java.net.ConnectException}</td><td>the peer refused</td></tr>
 * <tr><td>EFAULT</td><td>{@link ConnectxException}</td><td>an element of {@code iov} is null</td></tr>
 * <tr><td>EHOSTUNREACH</td><td>{@link java.net.NoRouteToHostException}</td><td>no route to the host</td></tr>
 * <tr><td>EINPROGRESS</td><td>{@link ConnectxException}</td><td>a non-blocking channel's connect cannot complete at once: finish it with {@link SocketChannel#finishConnect()}; no data was enqueued</td></tr>
 * <tr><td>EINTR</td><td>{@link ConnectxException}</td><td>the thread was interrupted (the JDK closes the channel then)</td></tr>
 * <tr><td>EMSGSIZE</td><td>{@link ConnectxException}</td><td>datagram data larger than one datagram</td></tr>
 * <tr><td>EINVAL</td><td>{@link ConnectxException}</td><td>no or unresolved {@code dst}, unresolved {@code src}, negative or unknown {@code srcif}, unknown flags, {@code src} on a bound channel</td></tr>
 * <tr><td>EISCONN</td><td>{@link ConnectxException}</td><td>the channel is connected (a datagram channel: associated)</td></tr>
 * <tr><td>ENETDOWN</td><td>{@link ConnectxException}</td><td>the interface is down</td></tr>
 * <tr><td>ENETUNREACH</td><td>{@link ConnectxException}</td><td>no route to the network</td></tr>
 * <tr><td>ENOBUFS</td><td>{@link ConnectxException}</td><td>the kernel is out of buffers</td></tr>
 * <tr><td>ENOTCONN</td><td>{@link ConnectxException}</td><td>disconnectx on a datagram channel without an association</td></tr>
 * <tr><td>EOPNOTSUPP</td><td>{@link ConnectxException}</td><td>a listening channel, a channel that is neither SocketChannel nor DatagramChannel, disconnectx on a stream channel</td></tr>
 * <tr><td>ETIMEDOUT</td><td>{@link java.net.ConnectException}</td><td>the handshake timed out</td></tr>
 * </table>
 * Fast Open and {@code srcif} read the channel's file descriptor, which needs {@code java.io} and
 * {@code sun.nio.ch} open to this module (the agent opens them; otherwise {@code --add-opens}).
 */
public final class Connectx {
    public static final int CONNECT_RESUME_ON_READ_WRITE = 0x1;
    public static final int CONNECT_DATA_IDEMPOTENT = 0x2;
    public static final int CONNECT_DATA_AUTHENTICATED = 0x4;
    private static final int ALL_FLAGS = CONNECT_RESUME_ON_READ_WRITE | CONNECT_DATA_IDEMPOTENT | CONNECT_DATA_AUTHENTICATED;
    /** 65535 less the IPv4 (20) and UDP (8) headers. */
    static final int MAX_DATAGRAM_V4 = 65_507;
    /** 65535 less the UDP header: the IPv6 payload length excludes the IPv6 header (no jumbograms). */
    static final int MAX_DATAGRAM_V6 = 65_527;

    private Connectx() {
    }

    /** Returns the number of bytes of iov enqueued for transmission (the man page's len). */
    public static long connectx(NetworkChannel socket, Endpoints endpoints, int flags, ByteBuffer... iov) throws IOException {
        if (socket == null) {
            throw ConnectxErrno.EBADF.exception("no socket");
        }
        if (socket instanceof ServerSocketChannel) {
            throw ConnectxErrno.EOPNOTSUPP.exception("the socket is listening, no connection is allowed");
        }
        if (!socket.isOpen()) {
            throw ConnectxErrno.EBADF.exception("the channel is closed");
        }
        if (!(socket instanceof SocketChannel) && !(socket instanceof DatagramChannel)) {
            throw ConnectxErrno.EOPNOTSUPP.exception("connectx supports SocketChannel and DatagramChannel, not "
                    + socket.getClass().getName());
        }
        if ((flags & ~ALL_FLAGS) != 0) {
            throw ConnectxErrno.EINVAL.exception("unknown flags 0x" + Integer.toHexString(flags & ~ALL_FLAGS));
        }
        long total = checkIov(iov);
        InetSocketAddress dst = checkEndpoints(endpoints);
        NetworkInterface nif = checkInterface(endpoints);
        if (socket instanceof SocketChannel stream) {
            if (stream.isConnected()) {
                throw ConnectxErrno.EISCONN.exception("the socket is already connected to " + stream.getRemoteAddress());
            }
            if (stream.isConnectionPending()) {
                throw ConnectxErrno.EALREADY.exception("a previous connection attempt has not yet been completed");
            }
        }
        DatagramChannel datagram = socket instanceof DatagramChannel d ? d : null;
        if (datagram != null) {
            if (datagram.isConnected()) {
                throw ConnectxErrno.EISCONN.exception("the socket is already associated with " + datagram.getRemoteAddress()
                        + "; disconnectx first");
            }
            int max = dst.getAddress() instanceof Inet4Address ? MAX_DATAGRAM_V4 : MAX_DATAGRAM_V6;
            if (total > max) {
                throw ConnectxErrno.EMSGSIZE.exception(total + " bytes do not fit one datagram (at most " + max + ")");
            }
        }
        bindSource(socket, endpoints, nif);
        if (datagram != null) {
            return associate(datagram, dst, total, iov);
        }
        return connectStream((SocketChannel) socket, dst, flags, total, iov);
    }

    /** Dissolves a datagram channel's association, as disconnectx(2). */
    public static void disconnectx(NetworkChannel socket) throws IOException {
        if (socket == null || !socket.isOpen()) {
            throw ConnectxErrno.EBADF.exception(socket == null ? "no socket" : "the channel is closed");
        }
        if (!(socket instanceof DatagramChannel datagram)) {
            throw ConnectxErrno.EOPNOTSUPP.exception("disconnectx dissolves datagram associations; close a stream channel instead");
        }
        if (!datagram.isConnected()) {
            throw ConnectxErrno.ENOTCONN.exception("the socket has no association");
        }
        try {
            datagram.disconnect();
        } catch (IOException | RuntimeException e) {
            throw JdkFailures.translate("disconnect", e);
        }
    }

    private static long checkIov(ByteBuffer[] iov) throws IOException {
        long total = 0;
        if (iov == null) {
            return 0;
        }
        for (int i = 0; i < iov.length; i++) {
            if (iov[i] == null) {
                throw ConnectxErrno.EFAULT.exception("iov[" + i + "] is null");
            }
            total += iov[i].remaining();
        }
        return total;
    }

    private static InetSocketAddress checkEndpoints(Endpoints endpoints) throws IOException {
        if (endpoints == null || endpoints.dst() == null) {
            throw ConnectxErrno.EINVAL.exception("a destination address must be specified");
        }
        InetSocketAddress dst = endpoints.dst();
        if (dst.isUnresolved()) {
            throw ConnectxErrno.EINVAL.exception("unresolved destination " + dst);
        }
        InetSocketAddress src = endpoints.src();
        if (src != null) {
            if (src.isUnresolved()) {
                throw ConnectxErrno.EINVAL.exception("unresolved source " + src);
            }
            if (!src.getAddress().isAnyLocalAddress()
                    && (src.getAddress() instanceof Inet4Address) != (dst.getAddress() instanceof Inet4Address)) {
                throw ConnectxErrno.EAFNOSUPPORT.exception("source " + src.getAddress().getHostAddress()
                        + " and destination " + dst.getAddress().getHostAddress() + " are of different address families");
            }
        }
        if (endpoints.srcif() < 0) {
            throw ConnectxErrno.EINVAL.exception("negative interface index " + endpoints.srcif());
        }
        return dst;
    }

    /** The interface {@code srcif} names, after checking that {@code src} (if any) is assigned to it. */
    private static NetworkInterface checkInterface(Endpoints endpoints) throws IOException {
        if (endpoints.srcif() == 0) {
            return null;
        }
        NetworkInterface nif = NetworkInterface.getByIndex(endpoints.srcif());
        if (nif == null) {
            throw ConnectxErrno.EINVAL.exception("no interface with index " + endpoints.srcif());
        }
        InetSocketAddress src = endpoints.src();
        if (src != null && !src.getAddress().isAnyLocalAddress()) {
            InetAddress wanted = src.getAddress();
            boolean assigned = Collections.list(nif.getInetAddresses()).stream()
                    .anyMatch(a -> a.equals(wanted) || java.util.Arrays.equals(a.getAddress(), wanted.getAddress()));
            if (!assigned) {
                throw ConnectxErrno.EADDRNOTAVAIL.exception(wanted.getHostAddress() + " is not assigned to interface "
                        + nif.getName() + " (index " + nif.getIndex() + ")");
            }
        }
        return nif;
    }

    private static void bindSource(NetworkChannel socket, Endpoints endpoints, NetworkInterface nif) throws IOException {
        if (nif != null) {
            FastOpen platform = Platform.require("srcif");
            boolean ipv6 = !(endpoints.dst().getAddress() instanceof Inet4Address);
            try {
                platform.bindToInterface(FileDescriptors.of(socket), nif.getIndex(), nif.getName(), ipv6);
            } catch (com.sun.jna.LastErrorException e) {
                throw ConnectxErrno.EINVAL.exception("cannot force interface " + nif.getName() + ": errno " + e.getErrorCode(), e);
            }
        }
        InetSocketAddress src = endpoints.src();
        if (src == null) {
            return;
        }
        if (socket.getLocalAddress() != null) {
            throw ConnectxErrno.EINVAL.exception("the socket is already bound to " + socket.getLocalAddress());
        }
        try {
            socket.bind(src);
        } catch (IOException | RuntimeException e) {
            throw JdkFailures.translate("bind " + src, e);
        }
    }

    private static long associate(DatagramChannel channel, InetSocketAddress dst, long total, ByteBuffer[] iov) throws IOException {
        try {
            channel.connect(dst);
        } catch (IOException | RuntimeException e) {
            throw JdkFailures.translate("connect " + dst, e);
        }
        if (total == 0) {
            return 0;
        }
        try {
            return channel.write(iov);
        } catch (IOException | RuntimeException e) {
            IOException failure = JdkFailures.translate("send", e);
            if (ConnectxErrno.of(failure).orElse(null) == ConnectxErrno.EMSGSIZE) {
                channel.disconnect(); // "the state of the socket is left unchanged as if connectx was not called"
            }
            throw failure;
        }
    }

    private static long connectStream(SocketChannel channel, InetSocketAddress dst, int flags, long total, ByteBuffer[] iov)
            throws IOException {
        boolean data = total > 0;
        if (Platform.get() instanceof DarwinFastOpen darwin) {
            return connectxItself(channel, darwin, dst, flags, data ? nonEmpty(iov) : new ByteBuffer[0]);
        }
        boolean resume = !data && (flags & CONNECT_RESUME_ON_READ_WRITE) != 0;
        boolean dataInSyn = data && (flags & CONNECT_DATA_IDEMPOTENT) != 0;
        FastOpen platform = null;
        int fd = -1;
        if (resume || dataInSyn) {
            platform = Platform.get();
            if (platform != null) {
                fd = FileDescriptors.of(channel);
                if (platform.enableClient(fd) != FastOpen.Outcome.ENABLED) {
                    platform = null; // Fast Open off in the kernel: a plain connect, data after the handshake
                }
            }
        }
        boolean connected;
        try {
            connected = channel.connect(dst);
            if (!connected && platform != null) {
                // Under the agent a deferred connect answers "in progress", as a plain one does until its
                // handshake; a deferred socket is writable at once (tcp_poll), so this finishes it now.
                connected = channel.finishConnect();
            }
        } catch (IOException | RuntimeException e) {
            throw JdkFailures.translate("connect " + dst, e);
        }
        if (!connected) {
            throw ConnectxErrno.EINPROGRESS.exception("the connection to " + dst
                    + " cannot be completed immediately; finish it with finishConnect(), no data was enqueued");
        }
        if (data) {
            try {
                return channel.write(iov);
            } catch (IOException | RuntimeException e) {
                throw JdkFailures.translate("write", e);
            }
        }
        if (resume && platform != null && platform.handshakePending(fd)) {
            guardReadFirst(channel, platform, fd);
        }
        return 0;
    }

    /**
     * Darwin: the man page's call is the call made, with {@code flags} and {@code iov} as given, whether or not
     * the agent runs; the JDK's channel is then told what it did ({@link JdkChannelState}). EINPROGRESS with
     * bytes enqueued (xnu's answer for a non-blocking socket once the data went out, connectitx) leaves the
     * channel connected, as Linux's deferred connect does, and returns them; EINPROGRESS without leaves the
     * connect pending for {@link SocketChannel#finishConnect()}. A socket left connecting (a resumable
     * connect, or data in the SYN) is handed to the agent's guards when the agent runs; without it, xnu
     * itself starts the handshake at the first read (soreceive calls pru_preconnect).
     */
    private static long connectxItself(SocketChannel channel, DarwinFastOpen darwin, InetSocketAddress dst, int flags,
            ByteBuffer[] iov) throws IOException {
        int fd = FileDescriptors.of(channel);
        int family = io.connectx.sys.darwin.DarwinSockets.family(fd);
        if (family != io.connectx.sys.darwin.DarwinConstants.AF_INET && family != io.connectx.sys.darwin.DarwinConstants.AF_INET6) {
            throw ConnectxErrno.EAFNOSUPPORT.exception("the socket (family " + family + ") cannot reach " + dst);
        }
        if (Thread.currentThread().isInterrupted()) {
            channel.close(); // as the JDK's interruptible connect does (ClosedByInterruptException)
            throw ConnectxErrno.EINTR.exception("the thread was interrupted; the channel is closed");
        }
        long[] len = {0};
        boolean inProgress = false;
        try {
            darwin.connectx(fd, dst, flags, iov, len);
        } catch (com.sun.jna.LastErrorException e) {
            ConnectxErrno errno = ConnectxErrno.ofDarwin(e.getErrorCode()).orElse(null);
            if (errno == null) {
                throw ConnectxErrno.EINVAL.exception("connectx to " + dst + " failed with Darwin errno " + e.getErrorCode(), e);
            }
            if (errno != ConnectxErrno.EINPROGRESS) {
                throw errno.exception("connectx to " + dst, e);
            }
            if (len[0] == 0) {
                JdkChannelState.connectedBy(channel, dst, true);
                throw ConnectxErrno.EINPROGRESS.exception("the connection to " + dst
                        + " cannot be completed immediately; finish it with finishConnect(), no data was enqueued", e);
            }
            inProgress = true;
        }
        JdkChannelState.connectedBy(channel, dst, false);
        long left = len[0];
        for (ByteBuffer b : iov) {
            int n = (int) Math.min(left, b.remaining());
            b.position(b.position() + n); // as the channel's own write would have left them
            left -= n;
        }
        FastOpenSockets agent = FastOpenSockets.active();
        if (agent != null && (inProgress || darwin.handshakePending(fd))) {
            agent.adoptDeferred(FileDescriptors.descriptorOf(channel));
        }
        return len[0];
    }

    private static ByteBuffer[] nonEmpty(ByteBuffer[] iov) {
        return java.util.Arrays.stream(iov).filter(ByteBuffer::hasRemaining).toArray(ByteBuffer[]::new);
    }

    /**
     * A deferred socket whose first operation is a read never sends its SYN on Linux. The agent's hooks
     * start the handshake at that read; without them it is started now. The agent runs in this class
     * loader (tests, the agent's own copy) or, isolated in a loader of its own, behind
     * {@code io.connectx.entry.ReadFirstDoor} on the system class path.
     */
    private static void guardReadFirst(SocketChannel channel, FastOpen platform, int fd) {
        FastOpenSockets agent = FastOpenSockets.active();
        boolean adopted = agent != null ? agent.adoptDeferred(FileDescriptors.descriptorOf(channel))
                : AgentDoor.adopt(channel);
        if (!adopted) {
            platform.startHandshake(fd);
        }
    }

    /** {@code io.connectx.entry.ReadFirstDoor.adopt}, looked up once; absent without the agent. */
    static final class AgentDoor {
        private static final java.lang.reflect.Method ADOPT = find();

        private AgentDoor() {
        }

        private static java.lang.reflect.Method find() {
            try {
                return Class.forName("io.connectx.entry.ReadFirstDoor", true, ClassLoader.getSystemClassLoader())
                        .getMethod("adopt", SocketChannel.class);
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                return null;
            }
        }

        static boolean adopt(SocketChannel channel) {
            if (ADOPT == null) {
                return false;
            }
            try {
                return (Boolean) ADOPT.invoke(null, channel);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return false;
            }
        }
    }

    /** This OS's Fast Open, once. */
    static final class Platform {
        private static final FastOpen FAST_OPEN;
        private static final Throwable CAUSE;

        static {
            FastOpen platform = null;
            Throwable cause = null;
            try {
                platform = FastOpenPlatforms.of(FastOpenPlatforms.current());
            } catch (Throwable t) {
                cause = t;
            }
            FAST_OPEN = platform;
            CAUSE = cause;
        }

        private Platform() {
        }

        static FastOpen get() {
            return FAST_OPEN;
        }

        static FastOpen require(String what) throws IOException {
            if (FAST_OPEN == null) {
                throw ConnectxErrno.EOPNOTSUPP.exception(what + " needs the native bindings: " + CAUSE);
            }
            return FAST_OPEN;
        }
    }
}
