package io.connectx.provider;

import io.connectx.sys.Errno;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;

/**
 * The exceptions {@code connect} would have thrown, for a handshake that failed after being deferred to
 * the first I/O. The classes follow the JDK's own mapping (Net.c, handleSocketError): ECONNREFUSED and
 * ETIMEDOUT are {@link ConnectException}, EHOSTUNREACH is {@link NoRouteToHostException}, anything else a
 * {@link SocketException}; the messages are the C library's, as the JDK's are.
 */
final class ConnectFailures {
    private ConnectFailures() {
    }

    /** From an errno read with SO_ERROR. */
    static IOException of(int errno) {
        return switch (errno) {
            case Errno.ECONNREFUSED -> new ConnectException("Connection refused");
            case Errno.ETIMEDOUT -> new ConnectException("Connection timed out");
            case Errno.EHOSTUNREACH -> new NoRouteToHostException("No route to host");
            case Errno.ENETUNREACH -> new SocketException("Network is unreachable");
            default -> new SocketException("Connect failed (errno " + errno + ")");
        };
    }

    /**
     * From the exception a read or write threw, knowing only its message; null when the message is not a
     * connect failure (then the original exception stands).
     */
    static IOException of(IOException failure) {
        String message = String.valueOf(failure.getMessage());
        IOException mapped = null;
        if (message.contains("Connection refused")) {
            mapped = new ConnectException("Connection refused");
        } else if (message.contains("Connection timed out")) {
            mapped = new ConnectException("Connection timed out");
        } else if (message.contains("No route to host")) {
            mapped = new NoRouteToHostException("No route to host");
        }
        if (mapped != null) {
            mapped.initCause(failure);
        }
        return mapped;
    }

    /** A copy of an earlier mapped failure, so each throw has its own stack trace. */
    static IOException again(IOException first, IOException now) {
        IOException copy = first instanceof NoRouteToHostException ? new NoRouteToHostException(first.getMessage())
                : first instanceof ConnectException ? new ConnectException(first.getMessage())
                : new SocketException(first.getMessage());
        copy.initCause(now);
        return copy;
    }
}
