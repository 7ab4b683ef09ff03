package io.connectx.sys;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The JDK's own socket natives in {@code sun.nio.ch}, for the Linux connect path: JNI functions the JDK has
 * loaded already, so using them extracts no library and raises no restricted-method warning (JDK 24+, JEP 472),
 * and each costs a JNI call instead of JNA's marshalling. Resolved together the first time this class is used,
 * each by its exact name and type (with the read and write locks of the JDK's two socket classes, which a
 * zero-byte send holds: {@link JdkSocketLocks}), checked on OpenJDK 17.0.21 and Temurin 25.0.3; when any one is missing or has
 * another shape (another JDK), none is used: {@link #isAvailable()} is false, {@link #unavailabilityCause()}
 * says why, and the caller uses JNA instead. Needs {@code sun.nio.ch} open to this module (the agent opens it;
 * tests pass {@code --add-opens}). {@code -Dconnectx.test.natives=jna} refuses them, to test the JNA path.
 */
public final class JdkSocketNatives {
    /** The test setting that makes every caller take the JNA path. */
    public static final String FORCE_PROPERTY = "connectx.test.natives";
    private static final int O_NONBLOCK = 04000; // include/uapi/asm-generic/fcntl.h
    /** The longest a zero-byte send waits for each of the JDK socket's locks (see {@link #sendNothing(int, Object)}). */
    static final long LOCK_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final Object[] HANDLES = resolve();
    /** {@code static native int Net.getIntOption0(FileDescriptor, boolean mayNeedConversion, int level, int opt)}. */
    private static final MethodHandle GET_INT_OPTION = handle(0);
    /** {@code static native void Net.setIntOption0(FileDescriptor, boolean mayNeedConversion, int level, int opt, int arg, boolean isIPv6)}. */
    private static final MethodHandle SET_INT_OPTION = handle(1);
    /** {@code static native void Net.shutdown(FileDescriptor, int how)}. */
    private static final MethodHandle SHUTDOWN = handle(2);
    /** {@code static native int DatagramDispatcher.write0(FileDescriptor, long address, int len)}: send(2) with flags 0. */
    private static final MethodHandle SEND = handle(3);
    /** {@code static native void IOUtil.configureBlocking(FileDescriptor, boolean blocking)}: fcntl O_NONBLOCK. */
    private static final MethodHandle CONFIGURE_BLOCKING = handle(4);
    private static final Throwable INIT_ERROR = HANDLES[HANDLES.length - 1] instanceof Throwable t ? t : null;

    private JdkSocketNatives() {
    }

    private static Object[] resolve() {
        Object[] handles = new Object[6];
        try {
            if ("jna".equals(System.getProperty(FORCE_PROPERTY))) {
                throw new IllegalStateException("refused by -D" + FORCE_PROPERTY + "=jna");
            }
            MethodHandles.Lookup net = lookupIn("sun.nio.ch.Net");
            handles[0] = net.findStatic(net.lookupClass(), "getIntOption0",
                    MethodType.methodType(int.class, FileDescriptor.class, boolean.class, int.class, int.class));
            handles[1] = net.findStatic(net.lookupClass(), "setIntOption0", MethodType.methodType(void.class,
                    FileDescriptor.class, boolean.class, int.class, int.class, int.class, boolean.class));
            handles[2] = net.findStatic(net.lookupClass(), "shutdown",
                    MethodType.methodType(void.class, FileDescriptor.class, int.class));
            MethodHandles.Lookup datagram = lookupIn("sun.nio.ch.DatagramDispatcher");
            handles[3] = datagram.findStatic(datagram.lookupClass(), "write0",
                    MethodType.methodType(int.class, FileDescriptor.class, long.class, int.class));
            MethodHandles.Lookup ioUtil = lookupIn("sun.nio.ch.IOUtil");
            handles[4] = ioUtil.findStatic(ioUtil.lookupClass(), "configureBlocking",
                    MethodType.methodType(void.class, FileDescriptor.class, boolean.class));
            JdkSocketLocks.resolve();
            if (!FileDescriptors.isAccessible()) {
                throw new IllegalStateException("java.io is not open to " + JdkSocketNatives.class.getModule());
            }
        } catch (Throwable t) {
            handles = new Object[6];
            handles[5] = t;
        }
        return handles;
    }

    private static MethodHandles.Lookup lookupIn(String className) throws ReflectiveOperationException {
        return MethodHandles.privateLookupIn(Class.forName(className, true, null), MethodHandles.lookup());
    }

    private static MethodHandle handle(int index) {
        return (MethodHandle) HANDLES[index];
    }

    /** True when every JDK native this class uses was found with the expected type. */
    public static boolean isAvailable() {
        return INIT_ERROR == null;
    }

    /** Why they are not used, or null when they are. */
    public static Throwable unavailabilityCause() {
        return INIT_ERROR;
    }

    /** What the JDK natives are resolved from: the one list {@code doctor} and the docs name. */
    public static List<String> names() {
        List<String> names = new ArrayList<>(List.of("sun.nio.ch.Net.getIntOption0", "sun.nio.ch.Net.setIntOption0",
                "sun.nio.ch.Net.shutdown", "sun.nio.ch.DatagramDispatcher.write0", "sun.nio.ch.IOUtil.configureBlocking"));
        names.addAll(List.of(JdkSocketLocks.NAMES));
        return List.copyOf(names);
    }

    /**
     * getsockopt(2) of an int-sized option; reads the first 4 bytes of a longer one (the kernel copies
     * min(len, size), net/ipv4/tcp.c do_tcp_getsockopt), which is how TCP_INFO's first byte, tcpi_state, is read.
     * Throws the JDK's SocketException, whose message is the C library's text for the errno.
     */
    public static int intOption(int fd, int level, int name) throws IOException {
        return intOption(FileDescriptors.wrap(fd), level, name);
    }

    /**
     * As {@link #intOption(int, int, int)}, on the JDK's own FileDescriptor of the socket: the connect path
     * passes it through, so a call allocates nothing. The native reads its number once and keeps nothing.
     */
    public static int intOption(FileDescriptor fd, int level, int name) throws IOException {
        try {
            return (int) GET_INT_OPTION.invokeExact(fd, false, level, name);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** setsockopt(2) of an int option. Throws the JDK's SocketException with the C library's text for the errno. */
    public static void setIntOption(int fd, int level, int name, int value) throws IOException {
        setIntOption(FileDescriptors.wrap(fd), level, name, value);
    }

    /** As {@link #setIntOption(int, int, int, int)}, on the JDK's own FileDescriptor (no allocation). */
    public static void setIntOption(FileDescriptor fd, int level, int name, int value) throws IOException {
        try {
            SET_INT_OPTION.invokeExact(fd, false, level, name, value, false);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** shutdown(2), both directions; ENOTCONN is ignored by the JDK (Net.c). */
    public static void shutdownBoth(int fd) throws IOException {
        try {
            SHUTDOWN.invokeExact(FileDescriptors.wrap(fd), 2); // sun.nio.ch.Net.SHUT_RDWR
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * send(2) of zero bytes, never blocking, for a caller that holds the JDK socket's locks (its connect) or
     * whose socket has none (Netty's, always non-blocking; one the Connectx API just connected): see
     * {@link #sendNothing(int, Object)}.
     */
    public static void sendNothing(int fd) throws IOException {
        sendNothing(fd, null);
    }

    /**
     * send(2) of zero bytes, never blocking: what starts the handshake of a socket whose SYN was deferred
     * (write(2) of zero bytes returns before tcp_sendmsg). The JDK's send passes flags 0, and on a blocking
     * socket tcp_sendmsg_fastopen then waits in __inet_stream_connect for the handshake and, when it fails,
     * takes the socket's error (sock_error) from the connect or read that must report it. So a blocking socket
     * is made non-blocking for this call; its mode is read from /proc/self/fdinfo, as there is no JDK native
     * for fcntl(F_GETFL). A thread reading or writing it meanwhile gets EAGAIN, which every JDK socket
     * (NioSocketImpl, SocketChannelImpl) answers by parking and retrying. On a deferred socket the answer is
     * EINPROGRESS, which the JDK throws as an IOException ("Operation now in progress").
     * <p>
     * {@code jdkSocket}, the JDK's NioSocketImpl or SocketChannelImpl of {@code fd}, is held still meanwhile:
     * the JDK changes a socket's mode itself, under its readLock or writeLock ({@link JdkSocketLocks}), and a
     * change of its landing between our read of the mode and our restore would leave the descriptor blocking
     * while the JDK believes it non-blocking (a virtual thread then pins its carrier in read(2), a timed read
     * ignores its timeout). With both locks held the mode is put back exactly. With readLock alone (writeLock
     * busy past {@link #LOCK_WAIT_NANOS}: a transferTo or an urgent byte, whose own send starts the
     * handshake) the socket is left non-blocking: only writes of virtual threads change the mode under
     * writeLock alone, and only to non-blocking, so it ends as either the JDK believes or non-blocking under a
     * JDK that believes it blocking, the state JDK 21+ itself puts a channel in for virtual threads
     * (forcedNonBlocking), in which every JDK read and write parks on EAGAIN. Null, or an object of neither
     * class: the caller answers for the locks.
     */
    public static void sendNothing(int fd, Object jdkSocket) throws IOException {
        ReentrantLock read = JdkSocketLocks.readLock(jdkSocket);
        ReentrantLock write = JdkSocketLocks.writeLock(jdkSocket);
        boolean readHeld = read == null || acquire(read);
        try {
            boolean writeHeld = write == null || (readHeld && acquire(write));
            try {
                sendNothingHolding(fd, readHeld && writeHeld);
            } finally {
                if (writeHeld && write != null) {
                    write.unlock();
                }
            }
        } finally {
            if (readHeld && read != null) {
                read.unlock();
            }
        }
    }

    /**
     * Holds {@code lock}, waiting at most {@link #LOCK_WAIT_NANOS}. Its holders at a trigger are short (a
     * configureBlocking, a finishConnect, a close) or start the handshake themselves; see the callers.
     */
    private static boolean acquire(ReentrantLock lock) {
        if (lock.tryLock()) {
            return true;
        }
        try {
            return lock.tryLock(LOCK_WAIT_NANOS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the JDK's own I/O that follows answers it
            return false;
        }
    }

    /** {@code restore}: put a blocking socket back to blocking after the send (else leave it non-blocking). */
    private static void sendNothingHolding(int fd, boolean restore) throws IOException {
        FileDescriptor descriptor = FileDescriptors.wrap(fd);
        int flags;
        try {
            flags = FileStatusFlags.of(fd);
        } catch (IOException e) {
            sendNothingWithoutFlags(fd, descriptor);
            return;
        }
        boolean blocking = (flags & O_NONBLOCK) == 0;
        try {
            if (blocking) {
                CONFIGURE_BLOCKING.invokeExact(descriptor, false);
            }
            try {
                send(descriptor);
            } finally {
                if (blocking && restore) {
                    CONFIGURE_BLOCKING.invokeExact(descriptor, true);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * No /proc to read the mode from (a sandbox without procfs): JNA's send with MSG_DONTWAIT when JNA binds;
     * otherwise the JDK's send as it is, which on a blocking socket waits for the handshake but starts it, so
     * that a read-first protocol never hangs.
     */
    private static void sendNothingWithoutFlags(int fd, FileDescriptor descriptor) throws IOException {
        if (LinuxSockets.isAvailable()) {
            LinuxSockets.startHandshake(fd);
            return;
        }
        send(descriptor);
    }

    /** send(2) with no bytes and no flags, through DatagramDispatcher.write0. */
    private static void send(FileDescriptor descriptor) throws IOException {
        try {
            int ignored = (int) SEND.invokeExact(descriptor, 0L, 0);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
