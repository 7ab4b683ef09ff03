package io.connectx.provider;

import io.connectx.sys.FileDescriptors;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;

/**
 * One socket tracked by {@link DeferredHandshakes}: what its SYN carries, who claimed it, and the only way
 * to touch its file descriptor from a hook. A hook runs outside the JDK's I/O bracket, so another thread may
 * close the socket meanwhile and the number be reused by an unrelated socket. The close hook runs before
 * the JDK closes the descriptor and marks this closed under the same monitor that every system call of
 * ours holds, so none of them ever reaches a reused number.
 */
final class DeferredSocket {
    final FileDescriptor fd;
    /** Where it connects; null when not known (adopted from the Connectx API). */
    final InetSocketAddress destination;
    /**
     * Its handshake is the kernel's ordinary one, not deferred: it is tracked only until its first I/O, which
     * the JDK allows only once connected, to learn that its destination completes handshakes.
     */
    final boolean learnOnly;
    /**
     * Serialises the claim on the SYN. A first write that rides in the SYN holds it until that write has
     * returned, so no other write can reach the kernel first and ride in its place.
     */
    final ReentrantLock claim = new ReentrantLock();
    /** Someone owns the SYN: a write that rides in it, or a trigger (a zero-length send). */
    volatile boolean claimed;
    /** The SYN has been sent: writes may follow it without waiting for the claim. */
    volatile boolean synSent;
    /** The application wrote before any data arrived. */
    volatile boolean wrote;
    /** The first write went out in the SYN. */
    volatile boolean inSyn;
    /** From a timed connect; 0 for none. */
    volatile long timeoutNanos;
    /** The connect timeout expired with the handshake unfinished, and the socket was failed. */
    volatile boolean timedOut;
    /** What the first failure of a handshake that never completed was reported as. */
    volatile IOException failure;
    volatile Future<?> deadline;
    /** What became of the connection, for the Flight Recorder event and the per-destination counts. */
    volatile ConnectionOutcome outcome = ConnectionOutcome.UNOBSERVED;
    /**
     * The JDK's socket object (NioSocketImpl or SocketChannelImpl) that a hook saw doing I/O on this socket,
     * whose locks the zero-byte send holds ({@link FastOpen#startHandshake(int, Object)}); null until then.
     */
    volatile Object jdkSocket;
    private boolean closed;

    DeferredSocket(FileDescriptor fd, InetSocketAddress destination, boolean learnOnly) {
        this.fd = fd;
        this.destination = destination;
        this.learnOnly = learnOnly;
    }

    /**
     * Runs {@code call} on the descriptor's number unless the socket was closed; false if it was. Only for
     * short calls that never block (TCP_INFO, a zero-length send, shutdown).
     */
    synchronized boolean onFd(IntPredicate call) {
        return !closed && call.test(FileDescriptors.fdVal(fd));
    }

    /** Remembers the JDK socket object of this socket, once known (the same one for its whole life). */
    void usedBy(Object socket) {
        if (socket != null && jdkSocket == null) {
            jdkSocket = socket;
        }
    }

    synchronized void markClosed() {
        closed = true;
    }

    void cancelDeadline() {
        Future<?> d = deadline;
        if (d != null) {
            d.cancel(false);
        }
    }
}
