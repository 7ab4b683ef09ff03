package io.connectx;

import io.connectx.sys.Errno;
import java.io.IOException;
import java.net.SocketException;
import java.util.Optional;

/**
 * The errors of the connectx(2) man page (plus ENOTCONN of disconnectx(2)), with their numbers on Linux
 * and Darwin (from {@link Errno}, the one errno table), and the exception each one is raised as. Where the
 * JDK has a closer class it is used (what a JDK connect or bind throws for the same errno,
 * {@link Errno#jdkException}); every other errno is a {@link ConnectxException}. Every message starts with the
 * errno's name followed by a colon.
 */
public enum ConnectxErrno {
    EADDRINUSE(Errno.EADDRINUSE),
    EADDRNOTAVAIL(Errno.EADDRNOTAVAIL),
    EAFNOSUPPORT(Errno.EAFNOSUPPORT),
    EALREADY(Errno.EALREADY),
    EBADF(Errno.EBADF),
    ECONNREFUSED(Errno.ECONNREFUSED),
    EFAULT(Errno.EFAULT),
    EHOSTUNREACH(Errno.EHOSTUNREACH),
    EINPROGRESS(Errno.EINPROGRESS),
    EINTR(Errno.EINTR),
    EMSGSIZE(Errno.EMSGSIZE),
    EINVAL(Errno.EINVAL),
    EISCONN(Errno.EISCONN),
    ENETDOWN(Errno.ENETDOWN),
    ENETUNREACH(Errno.ENETUNREACH),
    ENOBUFS(Errno.ENOBUFS),
    ENOTCONN(Errno.ENOTCONN),
    EOPNOTSUPP(Errno.EOPNOTSUPP),
    ETIMEDOUT(Errno.ETIMEDOUT);

    private final Errno errno;

    ConnectxErrno(Errno errno) {
        this.errno = errno;
    }

    public int linux() {
        return errno.linux();
    }

    public int darwin() {
        return errno.darwin();
    }

    /** The exception this errno is raised as, with {@code detail} after the errno's name. */
    public IOException exception(String detail) {
        IOException jdk = errno.jdkException(name() + ": " + detail);
        return jdk.getClass() == SocketException.class ? new ConnectxException(this, detail) : jdk;
    }

    IOException exception(String detail, Throwable cause) {
        IOException e = exception(detail);
        e.initCause(cause);
        return e;
    }

    /** The errno named at the start of an exception {@link Connectx} threw, if any. */
    public static Optional<ConnectxErrno> of(Throwable thrown) {
        if (thrown instanceof ConnectxException c) {
            return Optional.of(c.errno());
        }
        String message = thrown == null ? null : thrown.getMessage();
        if (message == null) {
            return Optional.empty();
        }
        int colon = message.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(message.substring(0, colon)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The errno with this Darwin number, if it is one of the table's. */
    public static Optional<ConnectxErrno> ofDarwin(int number) {
        return Optional.ofNullable(of(Errno.ofDarwin(number)));
    }

    /** This table's errno for one of native's, or null when connectx(2) has no such error. */
    static ConnectxErrno of(Errno errno) {
        for (ConnectxErrno e : values()) {
            if (e.errno == errno) {
                return e;
            }
        }
        return null;
    }
}
