package io.connectx;

import io.connectx.sys.Errno;
import java.io.IOException;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;

/**
 * What the JDK threw for a bind, connect or write, translated to the errno the system call behind it
 * failed with. The JDK keeps only the C library's message (Net.c, handleSocketError), so the errno is
 * recovered from that text ({@link Errno#inMessage}).
 */
final class JdkFailures {
    private JdkFailures() {
    }

    /** The errno behind a JDK socket failure, or null when its message names none of the table's. */
    static ConnectxErrno errnoOf(Throwable thrown) {
        if (thrown instanceof ClosedByInterruptException) {
            return ConnectxErrno.EINTR;
        }
        if (thrown instanceof ClosedChannelException) {
            return ConnectxErrno.EBADF; // also AsynchronousCloseException: closed by another thread
        }
        if (thrown instanceof UnsupportedAddressTypeException) {
            return ConnectxErrno.EAFNOSUPPORT;
        }
        if (thrown instanceof UnresolvedAddressException || thrown instanceof AlreadyBoundException) {
            return ConnectxErrno.EINVAL;
        }
        if (thrown instanceof AlreadyConnectedException) {
            return ConnectxErrno.EISCONN;
        }
        if (thrown instanceof ConnectionPendingException) {
            return ConnectxErrno.EALREADY;
        }
        return ConnectxErrno.of(Errno.inMessage(thrown.getMessage()));
    }

    /**
     * The documented exception for a JDK failure during {@code step} ("bind", "connect", "write"); an
     * IOException whose errno is not recognised is returned unchanged, anything else unchecked is rethrown.
     */
    static IOException translate(String step, Throwable thrown) {
        ConnectxErrno errno = errnoOf(thrown);
        if (errno != null) {
            String why = thrown.getMessage() == null ? thrown.getClass().getSimpleName() : thrown.getMessage();
            return errno.exception(step + ": " + why, thrown);
        }
        if (thrown instanceof IOException io) {
            return io;
        }
        if (thrown instanceof RuntimeException r) {
            throw r;
        }
        throw (Error) thrown;
    }
}
