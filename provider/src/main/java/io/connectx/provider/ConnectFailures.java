package io.connectx.provider;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * The exceptions {@code connect} would have thrown, for a handshake that failed after being deferred to
 * the first I/O. The classes follow the JDK's own mapping (Net.c, handleSocketError): ECONNREFUSED and
 * ETIMEDOUT are {@link ConnectException}, EHOSTUNREACH is {@link NoRouteToHostException}; the messages are
 * the C library's, as the JDK's are. A timed connect that ran out of time is the JDK's
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
        String message = String.valueOf(failure.getMessage());
        IOException mapped = null;
        if (message.contains("Connection refused")) {
            mapped = new ConnectException("Connection refused");
        } else if (message.contains("Connection timed out")) {
            mapped = new ConnectException("Connection timed out");
        } else if (message.contains("Operation timed out")) {
            // ETIMEDOUT as macOS's C library words it (Linux: "Connection timed out"); the JDK's connect there
            // throws ConnectException with that text.
            mapped = new ConnectException("Operation timed out");
        } else if (message.contains("No route to host")) {
            mapped = new NoRouteToHostException("No route to host");
        }
        return mapped;
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
