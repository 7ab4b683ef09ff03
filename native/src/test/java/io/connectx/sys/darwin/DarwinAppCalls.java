package io.connectx.sys.darwin;

import com.sun.jna.LastErrorException;

/**
 * The application's own I/O on a Darwin-path socket, for tests in other modules that drive the xnu model as an
 * application would (a write, a blocking read, a wait for writability). The engine itself reaches the system
 * calls only through {@link DarwinSockets}' typed operations; this opens them to tests, and only from the test-jar.
 */
public final class DarwinAppCalls {
    private DarwinAppCalls() {
    }

    public static long send(int fd, byte[] buf, long len, int flags) throws LastErrorException {
        return DarwinSockets.send(fd, buf, len, flags);
    }

    public static long recv(int fd, byte[] buf, long len, int flags) throws LastErrorException {
        return DarwinSockets.recv(fd, buf, len, flags);
    }

    /** {@code struct pollfd} is {int fd; short events; short revents}, as on Linux. */
    public static int poll(int[] pollfd, int nfds, int timeoutMillis) throws LastErrorException {
        return DarwinSockets.poll(pollfd, nfds, timeoutMillis);
    }
}
