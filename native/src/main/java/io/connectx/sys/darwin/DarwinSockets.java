package io.connectx.sys.darwin;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The one boundary to libSystem's socket calls on Darwin, by direct mapping. Registration is attempted on
 * macOS, or anywhere once a test names a library with Darwin's ABI ({@link #useLibrary}, or the system
 * property {@value #LIBRARY_PROPERTY}): the xnu-model library built at
 * {@code native/target/xnu-model/libxnu-model.so}, which runs this path on Linux. Otherwise
 * {@link #unavailabilityCause()} says why, and no native method may be called. The pure parts
 * (structures, sockaddr bytes, constants) work on any OS and are unit-tested on Linux.
 */
public final class DarwinSockets {
    /** The agent's {@code darwin.library} setting as a system property; tests only. */
    public static final String LIBRARY_PROPERTY = "connectx.darwin.library";
    private static volatile String library;
    private static Throwable initError;
    private static boolean attempted;

    private DarwinSockets() {
    }

    /**
     * Binds these calls to {@code path} (a library with Darwin's ABI) instead of libSystem; for tests. Must
     * precede the first {@link #isAvailable}; a later call naming another library fails.
     */
    public static synchronized void useLibrary(String path) {
        if (attempted && !path.equals(library)) {
            throw new IllegalStateException("the Darwin bindings are bound already, to " + describe(library));
        }
        library = path;
    }

    /** The library bound (or to be bound): a path given for tests, or null for libSystem. */
    public static String library() {
        String path = library;
        return path != null ? path : System.getProperty(LIBRARY_PROPERTY);
    }

    private static synchronized Throwable register() {
        if (attempted) {
            return initError;
        }
        attempted = true;
        String path = library();
        library = path;
        if (path == null && !Platform.isMac()) {
            initError = new UnsupportedOperationException("not macOS: " + System.getProperty("os.name"));
            return initError;
        }
        try {
            Native.register(DarwinSockets.class, path != null ? path : Platform.C_LIBRARY_NAME);
        } catch (Throwable t) {
            initError = t;
        }
        return initError;
    }

    private static String describe(String path) {
        return path == null ? "libSystem" : path;
    }

    public static boolean isAvailable() {
        return register() == null;
    }

    public static Throwable unavailabilityCause() {
        return register();
    }

    // The system calls themselves, package-private as on Linux: outside this package only the typed operations
    // below are called (TcpConnectionInfo, here, reads one option).

    /**
     * {@code int connectx(int, const sa_endpoints_t *, sae_associd_t, unsigned int, const struct iovec *,
     * unsigned int, size_t *, sae_connid_t *)} (bsd/sys/socket.h, macOS 10.11+). {@code len} is a
     * one-element array (size_t is 8 bytes under LP64), or null.
     */
    static native int connectx(int fd, SaEndpoints endpoints, int associd, int flags, IoVec iov, int iovcnt,
            long[] len, Pointer connid) throws LastErrorException;

    /** {@code int disconnectx(int, sae_associd_t, sae_connid_t)}. */
    static native int disconnectx(int fd, int associd, int connid) throws LastErrorException;

    static native int setsockopt(int fd, int level, int name, int[] value, int len) throws LastErrorException;

    static native int getsockopt(int fd, int level, int name, byte[] value, int[] len) throws LastErrorException;

    static native int getsockname(int fd, byte[] addr, int[] len) throws LastErrorException;

    static native long send(int fd, byte[] buf, long len, int flags) throws LastErrorException;

    static native long recv(int fd, byte[] buf, long len, int flags) throws LastErrorException;

    /** {@code struct pollfd} is {int fd; short events; short revents}, as on Linux. */
    static native int poll(int[] pollfd, int nfds, int timeoutMillis) throws LastErrorException;

    /**
     * connectx(2) on {@code fd} with {@code SAE_ASSOCID_ANY} and no connid. Returns the bytes of {@code iov}
     * enqueued (the man page's len); 0 when no iov is given. Failures arrive as {@link LastErrorException}
     * carrying Darwin's errno (see {@link DarwinConstants}).
     */
    public static long connectx(int fd, int srcif, InetSocketAddress src, InetSocketAddress dst, int flags, ByteBuffer... iov) {
        return connectx(fd, srcif, src == null ? null : DarwinSockaddr.encode(src), DarwinSockaddr.encode(dst), flags, iov);
    }

    /** As above, with the sockaddrs already encoded (an IPv4 destination of an AF_INET6 socket is v4-mapped). */
    public static long connectx(int fd, int srcif, byte[] src, byte[] dst, int flags, ByteBuffer... iov) {
        return connectx(fd, srcif, src, dst, flags, new long[1], iov);
    }

    /**
     * As above, the bytes enqueued also copied into {@code len[0]}, where they stay when connectx fails as well
     * (connectx_nocancel copies len out before it returns an error).
     */
    public static long connectx(int fd, int srcif, byte[] src, byte[] dst, int flags, long[] len, ByteBuffer... iov) {
        SaEndpoints endpoints = SaEndpoints.of(srcif, src, dst);
        IoVec first = IoVec.of(iov);
        int count = first == null ? 0 : iov.length;
        len[0] = 0;
        connectx(fd, endpoints, DarwinConstants.SAE_ASSOCID_ANY, flags, first, count, count > 0 ? len : null, null);
        return len[0];
    }

    /**
     * Starts a resumable connect (CONNECT_RESUME_ON_READ_WRITE) without data: a read starts it on Darwin
     * (soreceive calls pru_preconnect), and a non-blocking peek neither blocks nor consumes. On a socket past
     * its handshake it does nothing.
     */
    public static void startHandshake(int fd) {
        try {
            recv(fd, new byte[1], 1, DarwinConstants.MSG_PEEK | DarwinConstants.MSG_DONTWAIT);
        } catch (LastErrorException e) {
            // EWOULDBLOCK is the expected answer; a failed handshake is reported by SO_ERROR and the next I/O.
        }
    }

    /**
     * Gives up a handshake not yet established: disconnectx(fd, SAE_ASSOCID_ANY, SAE_CONNID_ANY), the man
     * page's counterpart of connectx. bsd/netinet/tcp_usrreq.c tcp_usr_disconnectx calls tcp_usr_disconnect,
     * whose tcp_disconnect closes such a connection at once (tcp_close, no segment sent), and tcp_close's
     * soisdisconnected wakes every thread blocked on the socket. xnu sets no so_error there: a blocked read
     * wakes to end of stream, a write to EPIPE. Never blocks.
     */
    public static void abortHandshake(int fd) {
        try {
            disconnectx(fd, DarwinConstants.SAE_ASSOCID_ANY, DarwinConstants.SAE_CONNID_ANY);
        } catch (LastErrorException e) {
            // The socket ended already (ENOTCONN, EINVAL without a pcb): its own outcome stands.
        }
    }

    /** True for a TCP (SOCK_STREAM) socket; false for UDP and anything else. */
    public static boolean isStream(int fd) {
        return intOption(fd, DarwinConstants.SOL_SOCKET, DarwinConstants.SO_TYPE) == DarwinConstants.SOCK_STREAM;
    }

    /**
     * The local port of an inet socket, or -1 for any other family. BSD's sockaddr starts with sa_len, then
     * sa_family (one byte each), then the port in network order.
     */
    public static int localInetPort(int fd) {
        byte[] addr = new byte[128];
        getsockname(fd, addr, new int[] {addr.length});
        int family = addr[1] & 0xff;
        if (family != DarwinConstants.AF_INET && family != DarwinConstants.AF_INET6) {
            return -1;
        }
        return (addr[2] & 0xff) << 8 | (addr[3] & 0xff);
    }

    /** The family of the socket's own address (sa_family, the byte after sa_len): AF_INET or AF_INET6. */
    public static int family(int fd) {
        byte[] addr = new byte[128];
        getsockname(fd, addr, new int[] {addr.length});
        return addr[1] & 0xff;
    }

    public static void setIntOption(int fd, int level, int name, int value) {
        setsockopt(fd, level, name, new int[] {value}, Integer.BYTES);
    }

    public static int intOption(int fd, int level, int name) {
        byte[] value = new byte[Integer.BYTES];
        getsockopt(fd, level, name, value, new int[] {Integer.BYTES});
        // x86-64 and arm64 Macs are little-endian.
        return (value[0] & 0xff) | (value[1] & 0xff) << 8 | (value[2] & 0xff) << 16 | (value[3] & 0xff) << 24;
    }
}
