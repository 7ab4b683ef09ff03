package io.connectx.provider;

import java.io.FileDescriptor;
import java.io.IOException;

/**
 * Parks the calling thread until a socket is writable, as the JDK's own socket code parks: the agent gives
 * the JDK's park ({@link FastOpenSockets#parkWith}), so that a wait for a handshake never sits in a native
 * call of ours and a virtual thread releases its carrier.
 */
@FunctionalInterface
public interface ParkUntilWritable {
    /** {@code socket}: the JDK object (a SocketImpl or a SocketChannel) whose I/O on {@code fd} waits. */
    void park(Object socket, FileDescriptor fd, long nanos) throws IOException;
}
