package io.connectx.provider;

import io.connectx.sys.Errno;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * The exceptions {@code connect} would have thrown, for a handshake that failed after being deferred to
 * the first I/O: ECONNREFUSED, ETIMEDOUT and EHOSTUNREACH, recognised and raised as {@link Errno} says (the
 * JDK's own classes, with the C library's messages). A timed connect that ran out of time is the JDK's
 * {@code SocketTimeoutException: Connect timed out} (NioSocketImpl.timedFinishConnect). None has a cause,
 * as the JDK's own have none: an application must not see the read or write failure underneath.
 */
final class ConnectFailures {
    private ConnectFailures() {
    }

    /**
     * From the exception a read or write threw, knowing only its message; null when the message is not a
     * connect failure (then the original exception stands). Callers check first that the handshake never
     * completed: the same messages after it mean something else.
     */
    static IOException of(IOException failure) {
        Errno errno = Errno.inMessage(failure.getMessage());
        if (errno != Errno.ECONNREFUSED && errno != Errno.ETIMEDOUT && errno != Errno.EHOSTUNREACH) {
            return null;
        }
        // ETIMEDOUT keeps its C library's words: Linux "Connection timed out", macOS "Operation timed out",
        // as the JDK's connect there throws it.
        return errno.jdkException(errno.textIn(failure.getMessage()));
    }

    static SocketTimeoutException connectTimedOut() {
        return new SocketTimeoutException("Connect timed out");
    }

    /** A copy of an earlier mapped failure, so each throw has its own stack trace. */
    static IOException again(IOException first) {
        return first instanceof NoRouteToHostException ? new NoRouteToHostException(first.getMessage())
                : first instanceof ConnectException ? new ConnectException(first.getMessage())
                : new SocketException(first.getMessage());
    }
}
