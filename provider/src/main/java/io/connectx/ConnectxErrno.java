package io.connectx;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.util.Optional;

/**
 * The errors of the connectx(2) man page (plus ENOTCONN of disconnectx(2)), with their numbers on Linux
 * (include/uapi/asm-generic/errno-base.h, errno.h) and Darwin (xnu bsd/sys/errno.h), and the exception
 * each one is raised as. Where the JDK has a closer class it is used (what a JDK connect or bind throws
 * for the same errno); every other errno is a {@link ConnectxException}. Every message starts with the
 * errno's name followed by a colon.
 */
public enum ConnectxErrno {
    EADDRINUSE(98, 48),
    EADDRNOTAVAIL(99, 49),
    EAFNOSUPPORT(97, 47),
    EALREADY(114, 37),
    EBADF(9, 9),
    ECONNREFUSED(111, 61),
    EFAULT(14, 14),
    EHOSTUNREACH(113, 65),
    EINPROGRESS(115, 36),
    EINTR(4, 4),
    EMSGSIZE(90, 40),
    EINVAL(22, 22),
    EISCONN(106, 56),
    ENETDOWN(100, 50),
    ENETUNREACH(101, 51),
    ENOBUFS(105, 55),
    ENOTCONN(107, 57),
    EOPNOTSUPP(95, 102),
    ETIMEDOUT(110, 60);

    private final int linux;
    private final int darwin;

    ConnectxErrno(int linux, int darwin) {
        this.linux = linux;
        this.darwin = darwin;
    }

    public int linux() {
        return linux;
    }

    public int darwin() {
        return darwin;
    }

    /** The exception this errno is raised as, with {@code detail} after the errno's name. */
    public IOException exception(String detail) {
        String message = name() + ": " + detail;
        return switch (this) {
            case EADDRINUSE, EADDRNOTAVAIL -> new BindException(message);
            case ECONNREFUSED, ETIMEDOUT -> new ConnectException(message);
            case EHOSTUNREACH -> new NoRouteToHostException(message);
            default -> new ConnectxException(this, detail);
        };
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
        for (ConnectxErrno e : values()) {
            if (e.darwin == number) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
