package io.connectx.sys;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.util.Locale;

/**
 * The errnos connectx meets, in one table: each with its number on Linux (include/uapi/asm-generic/errno-base.h
 * and errno.h) and on Darwin (xnu bsd/sys/errno.h), the C library's text for it where connectx must recognise
 * it in a JDK exception (the JDK keeps only that text: Net.c, handleSocketError), and the exception class the
 * JDK raises for it. Darwin numbers differ from Linux almost everywhere past 34.
 */
public enum Errno {
    EINTR(4, 4, "Interrupted system call"),
    EBADF(9, 9, "Bad file descriptor"),
    EFAULT(14, 14, "Bad address"),
    EINVAL(22, 22, "Invalid argument"),
    EPIPE(32, 32, "Broken pipe"),
    EINPROGRESS(115, 36, "Operation now in progress"),
    EALREADY(114, 37, "Operation already in progress"),
    ENOTSOCK(88, 38),
    EMSGSIZE(90, 40, "Message too long"),
    ENOPROTOOPT(92, 42, "Protocol not available"),
    /** Darwin's socket EOPNOTSUPP is 102; 45 is ENOTSUP, a different errno there. Darwin's text adds "on socket". */
    EOPNOTSUPP(95, 102, "Operation not supported"),
    EAFNOSUPPORT(97, 47, "Address family not supported"),
    EADDRINUSE(98, 48, "Address already in use"),
    /** glibc's text, then Darwin libc's. */
    EADDRNOTAVAIL(99, 49, "Cannot assign requested address", "Can't assign requested address"),
    ENETDOWN(100, 50, "Network is down"),
    ENETUNREACH(101, 51, "Network is unreachable"),
    ENOBUFS(105, 55, "No buffer space available"),
    /** glibc: "Transport endpoint is already connected"; Darwin: "Socket is already connected". */
    EISCONN(106, 56, "is already connected"),
    ENOTCONN(107, 57),
    /** glibc's text, then Darwin libc's. */
    ETIMEDOUT(110, 60, "Connection timed out", "Operation timed out"),
    ECONNREFUSED(111, 61, "Connection refused"),
    EHOSTUNREACH(113, 65, "No route to host");

    private final int linux;
    private final int darwin;
    /** The C library's texts; none for an errno connectx never needs to read back from the JDK. */
    private final String[] texts;

    Errno(int linux, int darwin, String... texts) {
        this.linux = linux;
        this.darwin = darwin;
        this.texts = texts;
    }

    public int linux() {
        return linux;
    }

    public int darwin() {
        return darwin;
    }

    /** The errno with this Linux number, or null when it is none of the table's. */
    public static Errno ofLinux(int number) {
        for (Errno e : values()) {
            if (e.linux == number) {
                return e;
            }
        }
        return null;
    }

    /** The errno with this Darwin number, or null when it is none of the table's. */
    public static Errno ofDarwin(int number) {
        for (Errno e : values()) {
            if (e.darwin == number) {
                return e;
            }
        }
        return null;
    }

    /**
     * The errno behind a JDK socket exception's message (glibc's wording, or Darwin libc's where it differs),
     * or null when the message holds none of the table's texts.
     */
    public static Errno inMessage(String message) {
        if (message == null) {
            return null;
        }
        for (Errno e : values()) {
            if (e.textIn(message) != null) {
                return e;
            }
        }
        return null;
    }

    /** This errno's text as the C library words it, when {@code message} holds it (in any case); else null. */
    public String textIn(String message) {
        String lower = message == null ? "" : message.toLowerCase(Locale.ROOT);
        for (String text : texts) {
            if (lower.contains(text.toLowerCase(Locale.ROOT))) {
                return text;
            }
        }
        return null;
    }

    /**
     * The exception the JDK raises for this errno at a connect or bind (Net.c, handleSocketError): a
     * {@link BindException}, {@link ConnectException} or {@link NoRouteToHostException} for the errnos that
     * have one, otherwise a plain {@link SocketException}; with {@code message} and no cause, as the JDK's.
     * The JDK also raises ENOTCONN as a ConnectException at a connect; connectx meets it only in
     * disconnectx(2), where it stays a SocketException.
     */
    public IOException jdkException(String message) {
        return switch (this) {
            case EADDRINUSE, EADDRNOTAVAIL -> new BindException(message);
            case ECONNREFUSED, ETIMEDOUT -> new ConnectException(message);
            case EHOSTUNREACH -> new NoRouteToHostException(message);
            default -> new SocketException(message);
        };
    }
}
