package io.connectx.bootstrap;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Lives in the bootstrap loader, the only one code woven into {@code java.base} can see. It holds one
 * slot that the agent fills; with the slot empty every call is a no-op.
 * <p>
 * Sealed: the agent jar relocates this class into {@code java.base} itself (as
 * {@code sun.nio.ch.ConnectxSocketHookBridge}, beside the classes it is woven into), a package java.base
 * exports to the agent's module alone. Application code can neither call it nor reflect on it. Within the
 * agent, the first {@link #install} returns the {@link Seal} that alone can change the slot later.
 * <p>
 * The woven code is a bare call into these methods, so this is the one place that catches the hooks'
 * faults: every Throwable a hook throws is reported to {@link SocketHooks#fault} and swallowed, except the
 * IOExceptions of the hooks declared {@code throws IOException}, which are what the JDK method itself
 * would have thrown.
 */
public final class SocketHookBridge {
    private static volatile SocketHooks hooks;
    private static Seal seal;
    /**
     * The descriptor an AsynchronousSocketChannel is connecting on this thread. Its connect reaches the same
     * {@code Net.connect}, but its reads and writes complete on the group's threads, outside the guards a
     * deferred SYN needs: it is never deferred, so it behaves exactly as without the agent. A stale value
     * only ever matches its own channel, which connects once.
     */
    private static final ThreadLocal<FileDescriptor> ASYNC_CONNECT = new ThreadLocal<>();

    private SocketHookBridge() {
    }

    /** Proof of having filled the slot: what {@link #replace} asks for. */
    public static final class Seal {
        private Seal() {
        }
    }

    /** Fills the empty slot and returns its seal; null, changing nothing, when the slot was sealed before. */
    public static synchronized Seal install(SocketHooks value) {
        if (seal != null) {
            return null;
        }
        hooks = value;
        seal = new Seal();
        return seal;
    }

    /** Replaces the hooks (null empties the slot) for the holder of the seal; refuses anyone else. */
    public static synchronized void replace(Seal proof, SocketHooks value) {
        if (proof == null || proof != seal) {
            throw new SecurityException("the connectx hook slot is sealed");
        }
        hooks = value;
    }

    public static void tcpConnect() {
        SocketHooks h = hooks;
        if (h != null) {
            try {
                h.tcpConnect();
            } catch (Throwable t) {
                fault(h, "tcpConnect", t);
            }
        }
    }

    /** Entry of {@code UnixAsynchronousSocketChannelImpl.implConnect}: its connect is left untouched. */
    public static void asyncConnect(FileDescriptor fd) {
        if (hooks != null) {
            ASYNC_CONNECT.set(fd);
        }
    }

    /**
     * Entry of {@code Net.connect}. An {@link Integer} answers for the JDK: its connect body is skipped and
     * that value returned (1 connected, -2 in progress). {@link Boolean#TRUE}: proceed, and
     * {@link #afterConnect} is called with the result. Anything else: proceed untouched. An IOException is
     * what the connect would have thrown; any other fault counts as "proceed untouched".
     */
    public static Object beforeConnect(FileDescriptor fd, InetAddress remote, int port) throws IOException {
        SocketHooks h = hooks;
        if (h == null || ASYNC_CONNECT.get() == fd) {
            return null;
        }
        try {
            return h.beforeConnect(fd, remote, port);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            fault(h, "beforeConnect", t);
            return null;
        }
    }

    /**
     * The result comes first: the woven exit finds it on the operand stack and pushes the arguments after it.
     * Returns what the JDK's connect returns.
     */
    public static int afterConnect(int result, FileDescriptor fd, InetAddress remote, int port) {
        SocketHooks h = hooks;
        if (h != null) {
            try {
                return h.afterConnect(fd, remote, port, result);
            } catch (Throwable t) {
                fault(h, "afterConnect", t);
            }
        }
        return result;
    }

    public static void afterTimedConnect(FileDescriptor fd, long timeoutNanos) {
        SocketHooks h = hooks;
        if (h != null) {
            try {
                h.afterTimedConnect(fd, timeoutNanos);
            } catch (Throwable t) {
                fault(h, "afterTimedConnect", t);
            }
        }
    }

    /** A read of a socket that has no JDK socket object (Netty's). */
    public static void beforeRead(FileDescriptor fd) throws IOException {
        beforeRead(null, fd);
    }

    public static void beforeRead(Object socket, FileDescriptor fd) throws IOException {
        SocketHooks h = hooks;
        if (h != null) {
            try {
                h.beforeRead(socket, fd);
            } catch (IOException e) {
                throw e;
            } catch (Throwable t) {
                fault(h, "beforeRead", t);
            }
        }
    }

    /**
     * Exit of a read, normal ({@code thrown} null) or not. Throws what the read should throw: the hook's
     * replacement, or {@code thrown} itself; returns when the read should return normally.
     */
    public static void afterRead(FileDescriptor fd, long n, Throwable thrown) {
        Throwable outcome = thrown;
        SocketHooks h = hooks;
        if (h != null) {
            try {
                outcome = h.afterRead(fd, n, thrown);
            } catch (Throwable t) {
                fault(h, "afterRead", t);
            }
        }
        if (outcome != null) {
            SocketHookBridge.<RuntimeException>raise(outcome);
        }
    }

    public static void beforeWrite(Object socket, FileDescriptor fd, ByteBuffer data) throws IOException {
        SocketHooks h = hooks;
        if (h != null) {
            try {
                h.beforeWrite(socket, fd, data);
            } catch (IOException e) {
                throw e;
            } catch (Throwable t) {
                fault(h, "beforeWrite", t);
            }
        }
    }

    public static void beforeWrite(Object socket, FileDescriptor fd, ByteBuffer[] data, int offset, int length) throws IOException {
        SocketHooks h = hooks;
        if (h != null) {
            try {
                h.beforeWrite(socket, fd, data, offset, length);
            } catch (IOException e) {
                throw e;
            } catch (Throwable t) {
                fault(h, "beforeWrite", t);
            }
        }
    }

    public static void beforeWrite(Object socket, FileDescriptor fd, byte[] data, int offset, int length) throws IOException {
        SocketHooks h = hooks;
        if (h != null) {
            try {
                h.beforeWrite(socket, fd, data, offset, length);
            } catch (IOException e) {
                throw e;
            } catch (Throwable t) {
                fault(h, "beforeWrite", t);
            }
        }
    }

    /** Exit of a write, as {@link #afterRead}: throws what the write should throw, if anything. */
    public static void afterWrite(FileDescriptor fd, Throwable thrown) {
        Throwable outcome = thrown;
        SocketHooks h = hooks;
        if (h != null) {
            try {
                outcome = h.afterWrite(fd, thrown);
            } catch (Throwable t) {
                fault(h, "afterWrite", t);
            }
        }
        if (outcome != null) {
            SocketHookBridge.<RuntimeException>raise(outcome);
        }
    }

    public static void beforeShutdownOutput(Object socket, FileDescriptor fd) throws IOException {
        SocketHooks h = hooks;
        if (h != null) {
            try {
                h.beforeShutdownOutput(socket, fd);
            } catch (IOException e) {
                throw e;
            } catch (Throwable t) {
                fault(h, "beforeShutdownOutput", t);
            }
        }
    }

    public static void beforeOpaqueWrite(FileDescriptor fd) throws IOException {
        SocketHooks h = hooks;
        if (h != null) {
            try {
                h.beforeOpaqueWrite(fd);
            } catch (IOException e) {
                throw e;
            } catch (Throwable t) {
                fault(h, "beforeOpaqueWrite", t);
            }
        }
    }

    /** An interest of a socket that has no JDK channel (Netty's). */
    public static void beforeInterest(FileDescriptor fd, int ops) {
        beforeInterest(null, fd, ops);
    }

    public static void beforeInterest(Object socket, FileDescriptor fd, int ops) {
        SocketHooks h = hooks;
        if (h != null) {
            try {
                h.beforeInterest(socket, fd, ops);
            } catch (Throwable t) {
                fault(h, "beforeInterest", t);
            }
        }
    }

    public static void closed(FileDescriptor fd) {
        SocketHooks h = hooks;
        if (h != null) {
            try {
                h.closed(fd);
            } catch (Throwable t) {
                fault(h, "closed", t);
            }
        }
    }

    public static void afterAccept(Object accepted) {
        SocketHooks h = hooks;
        if (h != null && accepted != null) {
            try {
                h.afterAccept(accepted);
            } catch (Throwable t) {
                fault(h, "afterAccept", t);
            }
        }
    }

    public static void afterListen(FileDescriptor fd) {
        SocketHooks h = hooks;
        if (h != null) {
            try {
                h.afterListen(fd);
            } catch (Throwable t) {
                fault(h, "afterListen", t);
            }
        }
    }

    /** See {@link SocketHooks#nettyDescriptor}; null with the slot empty or on a fault. */
    public static FileDescriptor nettyDescriptor(int fdVal, boolean connecting) {
        SocketHooks h = hooks;
        if (h != null) {
            try {
                return h.nettyDescriptor(fdVal, connecting);
            } catch (Throwable t) {
                fault(h, "nettyDescriptor", t);
            }
        }
        return null;
    }

    public static void nettyForget(int fdVal) {
        SocketHooks h = hooks;
        if (h != null) {
            try {
                h.nettyForget(fdVal);
            } catch (Throwable t) {
                fault(h, "nettyForget", t);
            }
        }
    }

    /** Null with the slot empty or on a fault: the write is then not judged, and its SYN goes without data. */
    public static ByteBuffer nativeBytes(long address, int length) {
        SocketHooks h = hooks;
        if (h != null) {
            try {
                return h.nativeBytes(address, length);
            } catch (Throwable t) {
                fault(h, "nativeBytes", t);
            }
        }
        return null;
    }

    public static ByteBuffer[] nativeIovecs(long address, int count) {
        SocketHooks h = hooks;
        if (h != null) {
            try {
                return h.nativeIovecs(address, count);
            } catch (Throwable t) {
                fault(h, "nativeIovecs", t);
            }
        }
        return null;
    }

    private static void fault(SocketHooks h, String hook, Throwable t) {
        try {
            h.fault(hook, t);
        } catch (Throwable ignored) {
            // reporting must not fail the socket operation either
        }
    }

    /** Rethrows a checked or unchecked Throwable unchanged, as the JDK method the woven code sits in would have. */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void raise(Throwable t) throws T {
        throw (T) t;
    }
}
