package io.connectx.provider;

import static io.connectx.sys.LinuxSocketOptions.IPPROTO_TCP;
import static io.connectx.sys.LinuxSocketOptions.TCP_FASTOPEN;
import static io.connectx.sys.LinuxSocketOptions.TCP_FASTOPEN_CONNECT;

import com.sun.jna.LastErrorException;
import io.connectx.sys.Errno;
import io.connectx.sys.LinuxSockets;
import io.connectx.sys.TcpInfo;

/**
 * Linux: {@code TCP_FASTOPEN_CONNECT} (4.11+) on the client, the kernel's own equivalent of Darwin's
 * CONNECT_RESUME_ON_READ_WRITE: connect returns at once when a cookie is cached and every write path of
 * the JDK (TLS, gathering writes, transferTo) then carries its first bytes in the SYN.
 * {@code TCP_FASTOPEN} with a queue length on the listener, set before listen(2), and {@code TCP_FASTOPEN_KEY}
 * when the listener has a key of its own.
 */
public final class LinuxFastOpen implements FastOpen {

    @Override
    public boolean isStream(int fd) {
        return LinuxSockets.isStream(fd);
    }

    @Override
    public Outcome enableClient(int fd) {
        return setTcpOption(fd, TCP_FASTOPEN_CONNECT, 1);
    }

    @Override
    public boolean handshakePending(int fd) {
        return TcpInfo.of(fd).handshakePending();
    }

    @Override
    public boolean synData(int fd) {
        return TcpInfo.of(fd).synData();
    }

    @Override
    public void startHandshake(int fd) {
        LinuxSockets.startHandshake(fd);
    }

    @Override
    public boolean neverConnected(int fd) {
        return TcpInfo.synNeverAcked(fd);
    }

    @Override
    public boolean abortHandshake(int fd) {
        LinuxSockets.abortHandshake(fd);
        return true;
    }

    @Override
    public int localInetPort(int fd) {
        return LinuxSockets.localInetPort(fd);
    }

    /**
     * A listener the application gave a Fast Open queue of its own (Netty's {@code EpollChannelOption.TCP_FASTOPEN},
     * set before listen) keeps it: skipped.
     */
    @Override
    public Outcome enableServer(int fd, int queueLength) {
        try {
            if (LinuxSockets.intOption(fd, IPPROTO_TCP, TCP_FASTOPEN) > 0) {
                return Outcome.SKIPPED;
            }
        } catch (LastErrorException e) {
            // not readable: setting it says what the kernel thinks
        }
        return setTcpOption(fd, TCP_FASTOPEN, queueLength);
    }

    @Override
    public Outcome setListenerKey(int fd, byte[] key) {
        try {
            LinuxSockets.setFastOpenKey(fd, key);
            return Outcome.ENABLED;
        } catch (LastErrorException e) {
            return switch (e.getErrorCode()) {
                // ENOPROTOOPT: older than Linux 4.20. EINVAL: the only length check in do_tcp_setsockopt, so a
                // kernel that predates backup keys refusing 32 bytes.
                case Errno.ENOPROTOOPT, Errno.EINVAL -> Outcome.UNSUPPORTED;
                default -> Outcome.SKIPPED;
            };
        }
    }

    @Override
    public void bindToInterface(int fd, int index, String name, boolean ipv6) {
        LinuxSockets.bindToDevice(fd, name);
    }

    private static Outcome setTcpOption(int fd, int option, int value) {
        try {
            LinuxSockets.setIntOption(fd, IPPROTO_TCP, option, value);
            return Outcome.ENABLED;
        } catch (LastErrorException e) {
            return switch (e.getErrorCode()) {
                // Kernel older than the option, Fast Open off in the sysctl, or the option unknown
                // (the fallbacks tfo-go and Netty meet in the field).
                case Errno.ENOPROTOOPT, Errno.EOPNOTSUPP, Errno.EPIPE -> Outcome.UNSUPPORTED;
                // The socket is not in a state that takes the option (already connected, say).
                default -> Outcome.SKIPPED;
            };
        }
    }
}
