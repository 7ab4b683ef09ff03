package io.connectx.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The one boundary to libc's socket calls on Linux. Direct mapping ({@link Native#register}) because it
 * is about ten times cheaper per call than interface mapping, and these calls sit on the connect path.
 * Loading is attempted once; {@link #unavailabilityCause()} says why it failed.
 */
public final class LinuxSockets {
    private static final Throwable INIT_ERROR = register();

    private LinuxSockets() {
    }

    private static Throwable register() {
        if (!Platform.isLinux()) {
            return new UnsupportedOperationException("not Linux: " + System.getProperty("os.name"));
        }
        try {
            Native.register(LinuxSockets.class, Platform.C_LIBRARY_NAME);
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    public static boolean isAvailable() {
        return INIT_ERROR == null;
    }

    /** Why the bindings could not be loaded, or null when they were. */
    public static Throwable unavailabilityCause() {
        return INIT_ERROR;
    }

    // The system calls themselves, package-private: everything outside this package goes through the typed
    // operations below, which know each call's buffers, flags and expected errors (TcpInfo, here, reads one).
    static native int setsockopt(int fd, int level, int name, int[] value, int len) throws LastErrorException;

    static native int getsockopt(int fd, int level, int name, byte[] value, int[] len) throws LastErrorException;

    /** For options whose value is a byte string, such as SO_BINDTODEVICE's interface name. */
    static native int setsockopt(int fd, int level, int name, byte[] value, int len) throws LastErrorException;

    static native int getsockname(int fd, byte[] addr, int[] len) throws LastErrorException;

    static native long send(int fd, byte[] buf, long len, int flags) throws LastErrorException;

    static native int shutdown(int fd, int how) throws LastErrorException;

    /**
     * Starts the handshake of a socket whose SYN was deferred (TCP_FASTOPEN_CONNECT): a zero-length send
     * sends the SYN without data. Never blocks. On a socket past its handshake it does nothing.
     */
    public static void startHandshake(int fd) {
        try {
            send(fd, null, 0, LinuxSocketOptions.MSG_DONTWAIT | LinuxSocketOptions.MSG_NOSIGNAL);
        } catch (LastErrorException e) {
            // EINPROGRESS is the expected answer; a failed handshake is reported by the next I/O.
        }
    }

    /**
     * Gives up a handshake in SYN_SENT: shutdown(2) there disconnects the socket (net/ipv4/af_inet.c,
     * inet_shutdown: TCP_SYN_SENT calls tcp_disconnect, which sets sk_err and wakes every waiter), so a
     * read, write or poll blocked on it returns at once with an error. Never blocks.
     */
    public static void abortHandshake(int fd) {
        try {
            shutdown(fd, LinuxSocketOptions.SHUT_RDWR);
        } catch (LastErrorException e) {
            // ENOTCONN: the socket ended already; its own error stands.
        }
    }

    /** Sets an int-valued option. */
    public static void setIntOption(int fd, int level, int name, int value) {
        setsockopt(fd, level, name, new int[] {value}, Integer.BYTES);
    }

    /**
     * SO_BINDTODEVICE (socket(7)): only packets of this interface are received, and outgoing packets leave
     * by it. Unprivileged since Linux 5.7 for a socket not yet bound to a device.
     */
    public static void bindToDevice(int fd, String interfaceName) {
        byte[] name = (interfaceName + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        setsockopt(fd, LinuxSocketOptions.SOL_SOCKET, LinuxSocketOptions.SO_BINDTODEVICE, name, name.length);
    }

    /**
     * Gives a socket its own Fast Open key ({@code TCP_FASTOPEN_KEY}): 16 bytes, or 32 for a primary and a
     * backup. The kernel (tcp_fastopen_reset_cipher) copies the bytes; the caller may clear its array after.
     * A failure's {@link LastErrorException} carries the errno and its text, never the key.
     */
    public static void setFastOpenKey(int fd, byte[] key) {
        setsockopt(fd, LinuxSocketOptions.IPPROTO_TCP, LinuxSocketOptions.TCP_FASTOPEN_KEY, key, key.length);
    }

    /** Reads an int-valued option. */
    public static int intOption(int fd, int level, int name) {
        byte[] value = new byte[Integer.BYTES];
        getsockopt(fd, level, name, value, new int[] {Integer.BYTES});
        // x86-64 and aarch64 Linux are little-endian.
        return (value[0] & 0xff) | (value[1] & 0xff) << 8 | (value[2] & 0xff) << 16 | (value[3] & 0xff) << 24;
    }

    /** True for a TCP (SOCK_STREAM) socket; false for UDP and anything else. */
    public static boolean isStream(int fd) {
        return intOption(fd, LinuxSocketOptions.SOL_SOCKET, LinuxSocketOptions.SO_TYPE) == LinuxSocketOptions.SOCK_STREAM;
    }

    /**
     * The local port of an inet socket, or -1 for any other family (Unix-domain sockets).
     * Reads {@code struct sockaddr_in}/{@code sockaddr_in6}: family at 0 (host order), port at 2 (network order).
     */
    public static int localInetPort(int fd) {
        byte[] addr = new byte[128];
        int[] len = {addr.length};
        getsockname(fd, addr, len);
        int family = (addr[0] & 0xff) | (addr[1] & 0xff) << 8;
        if (family != LinuxSocketOptions.AF_INET && family != LinuxSocketOptions.AF_INET6) {
            return -1;
        }
        return (addr[2] & 0xff) << 8 | (addr[3] & 0xff);
    }
}
