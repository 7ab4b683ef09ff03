package io.connectx.provider;

import static io.connectx.sys.LinuxSocketOptions.IPPROTO_TCP;
import static io.connectx.sys.LinuxSocketOptions.TCP_FASTOPEN;
import static io.connectx.sys.LinuxSocketOptions.TCP_FASTOPEN_CONNECT;

import com.sun.jna.LastErrorException;
import io.connectx.sys.Errno;
import io.connectx.sys.FileDescriptors;
import io.connectx.sys.JdkSocketNatives;
import io.connectx.sys.LinuxSocketOptions;
import io.connectx.sys.LinuxSockets;
import io.connectx.sys.TcpInfo;
import java.io.FileDescriptor;
import java.io.IOException;

/**
 * Linux: {@code TCP_FASTOPEN_CONNECT} (4.11+) on the client, the kernel's own equivalent of Darwin's
 * CONNECT_RESUME_ON_READ_WRITE: connect returns at once when a cookie is cached and every write path of
 * the JDK (TLS, gathering writes, transferTo) then carries its first bytes in the SYN.
 * {@code TCP_FASTOPEN} with a queue length on the listener, set before listen(2), and {@code TCP_FASTOPEN_KEY}
 * when the listener has a key of its own.
 *
 * <p>The connect path (is it TCP, enable, the deferred check, starting and aborting a handshake) goes through
 * the JDK's own natives ({@link JdkSocketNatives}) when all of them resolved, and through JNA otherwise. What
 * needs more than they reach stays on JNA, bound the first time it is needed: TCP_INFO past its first four
 * bytes (the SYN-data proof, tcpi_bytes_acked), getsockname, listeners and their keys, SO_BINDTODEVICE.
 */
public final class LinuxFastOpen implements FastOpen {

    @Override
    public boolean isStream(int fd) {
        return Natives.JDK ? isStream(FileDescriptors.wrap(fd)) : LinuxSockets.isStream(fd);
    }

    /** On the JDK's natives, the JDK's own descriptor goes through as it is: nothing allocated per connect. */
    @Override
    public boolean isStream(FileDescriptor fd) {
        if (Natives.JDK) {
            try {
                return JdkSocketNatives.intOption(fd, LinuxSocketOptions.SOL_SOCKET, LinuxSocketOptions.SO_TYPE)
                        == LinuxSocketOptions.SOCK_STREAM;
            } catch (IOException e) {
                throw new IllegalStateException("getsockopt(SO_TYPE): " + e.getMessage(), e);
            }
        }
        return LinuxSockets.isStream(FileDescriptors.fdVal(fd));
    }

    @Override
    public Outcome enableClient(int fd) {
        return Natives.JDK ? enableClient(FileDescriptors.wrap(fd)) : Jna.setTcpOption(fd, TCP_FASTOPEN_CONNECT, 1);
    }

    @Override
    public Outcome enableClient(FileDescriptor fd) {
        if (Natives.JDK) {
            try {
                JdkSocketNatives.setIntOption(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 1);
                return Outcome.ENABLED;
            } catch (IOException e) {
                return unsupportedByText(e) ? Outcome.UNSUPPORTED : Outcome.SKIPPED;
            }
        }
        return Jna.setTcpOption(FileDescriptors.fdVal(fd), TCP_FASTOPEN_CONNECT, 1);
    }

    @Override
    public boolean handshakePending(int fd) {
        return Natives.JDK ? handshakePending(FileDescriptors.wrap(fd)) : TcpInfo.of(fd).handshakePending();
    }

    @Override
    public boolean handshakePending(FileDescriptor fd) {
        if (Natives.JDK) {
            try {
                // tcpi_state is TCP_INFO's first byte; little-endian on x86-64 and aarch64 Linux.
                return (JdkSocketNatives.intOption(fd, IPPROTO_TCP, LinuxSocketOptions.TCP_INFO) & 0xff)
                        == LinuxSocketOptions.TCP_SYN_SENT;
            } catch (IOException e) {
                throw new IllegalStateException("getsockopt(TCP_INFO): " + e.getMessage(), e);
            }
        }
        return TcpInfo.of(FileDescriptors.fdVal(fd)).handshakePending();
    }

    @Override
    public boolean synData(int fd) {
        return TcpInfo.of(jna(fd)).synData();
    }

    @Override
    public void startHandshake(int fd) {
        startHandshake(fd, null);
    }

    /** The JDK's send holds {@code jdkSocket}'s locks while it makes a blocking socket non-blocking for a moment. */
    @Override
    public void startHandshake(int fd, Object jdkSocket) {
        if (Natives.JDK) {
            try {
                JdkSocketNatives.sendNothing(fd, jdkSocket);
            } catch (IOException e) {
                // EINPROGRESS is the expected answer; a failed handshake is reported by the next I/O.
            }
            return;
        }
        LinuxSockets.startHandshake(fd); // MSG_DONTWAIT: the socket's mode is never touched
    }

    @Override
    public boolean neverConnected(int fd) {
        // Without JNA, true: the failure is judged by its message alone, as the interface allows.
        return !LinuxSockets.isAvailable() || TcpInfo.synNeverAcked(fd);
    }

    @Override
    public boolean abortHandshake(int fd) {
        if (Natives.JDK) {
            try {
                JdkSocketNatives.shutdownBoth(fd); // see LinuxSockets.abortHandshake for why this wakes every waiter
            } catch (IOException e) {
                // the socket ended already; its own error stands
            }
            return true;
        }
        LinuxSockets.abortHandshake(fd);
        return true;
    }

    @Override
    public int localInetPort(int fd) {
        return LinuxSockets.localInetPort(jna(fd));
    }

    /**
     * A listener the application gave a Fast Open queue of its own (Netty's {@code EpollChannelOption.TCP_FASTOPEN},
     * set before listen) keeps it: skipped.
     */
    @Override
    public Outcome enableServer(int fd, int queueLength) {
        int jnaFd = jna(fd);
        return Jna.hasOwnFastOpenQueue(jnaFd) ? Outcome.SKIPPED : Jna.setTcpOption(jnaFd, TCP_FASTOPEN, queueLength);
    }

    @Override
    public Outcome setListenerKey(int fd, byte[] key) {
        return Jna.setListenerKey(jna(fd), key);
    }

    @Override
    public void bindToInterface(int fd, int index, String name, boolean ipv6) {
        LinuxSockets.bindToDevice(jna(fd), name);
    }

    /**
     * The kernel's refusal of a Fast Open option, from the JDK's message (Net.c handleSocketError keeps only the
     * C library's text): ENOPROTOOPT, EOPNOTSUPP or EPIPE, as in {@link Jna#setTcpOption}.
     */
    static boolean unsupportedByText(IOException e) {
        return refusesFastOpen(Errno.inMessage(e.getMessage()));
    }

    /** Kernel older than the option, Fast Open off in the sysctl, or the option unknown (the fallbacks tfo-go and Netty meet). */
    private static boolean refusesFastOpen(Errno errno) {
        return errno == Errno.ENOPROTOOPT || errno == Errno.EOPNOTSUPP || errno == Errno.EPIPE;
    }

    /**
     * Resolved at the first call that needs a native, not when this class is loaded: the agent creates its
     * LinuxFastOpen in premain, before it has opened {@code sun.nio.ch} to itself.
     */
    private static final class Natives {
        static final boolean JDK = JdkSocketNatives.isAvailable();
    }

    /** Passes {@code fd} through once JNA is bound; throws why it could not be, for a call that needs it. */
    private static int jna(int fd) {
        if (!LinuxSockets.isAvailable()) {
            throw new IllegalStateException("JNA could not bind libc: " + LinuxSockets.unavailabilityCause());
        }
        return fd;
    }

    /**
     * The calls that catch JNA's LastErrorException, in a class of their own: the verifier loads the classes
     * of a method's exception handlers with its class, and LinuxFastOpen must load no JNA class on the JDK path.
     */
    private static final class Jna {
        static Outcome setTcpOption(int fd, int option, int value) {
            try {
                LinuxSockets.setIntOption(fd, IPPROTO_TCP, option, value);
                return Outcome.ENABLED;
            } catch (LastErrorException e) {
                // Otherwise the socket is not in a state that takes the option (already connected, say).
                return refusesFastOpen(Errno.ofLinux(e.getErrorCode())) ? Outcome.UNSUPPORTED : Outcome.SKIPPED;
            }
        }

        /** Whether the listener already has a Fast Open queue; false when that cannot be read. */
        static boolean hasOwnFastOpenQueue(int fd) {
            try {
                return LinuxSockets.intOption(fd, IPPROTO_TCP, TCP_FASTOPEN) > 0;
            } catch (LastErrorException e) {
                return false; // not readable: setting it says what the kernel thinks
            }
        }

        static Outcome setListenerKey(int fd, byte[] key) {
            try {
                LinuxSockets.setFastOpenKey(fd, key);
                return Outcome.ENABLED;
            } catch (LastErrorException e) {
                // ENOPROTOOPT: older than Linux 4.20. EINVAL: the only length check in do_tcp_setsockopt, so a
                // kernel that predates backup keys refusing 32 bytes.
                Errno errno = Errno.ofLinux(e.getErrorCode());
                return errno == Errno.ENOPROTOOPT || errno == Errno.EINVAL ? Outcome.UNSUPPORTED : Outcome.SKIPPED;
            }
        }
    }
}
