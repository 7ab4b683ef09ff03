package io.connectx.it;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs in a child JVM on JDK 21+ (with {@link ChildJvm#OPENS}): connections to a server that speaks first
 * ({@code HELLO\n}), each read first by two threads at once, a platform thread's untimed read and a virtual
 * thread's read. With the agent the connection is deferred and the first read to arrive starts the handshake
 * with a zero-byte send that makes the socket non-blocking for a moment; the virtual thread's read makes it
 * non-blocking itself (NioSocketImpl.configureNonBlockingIfNeeded) and records that it did. Afterwards the
 * descriptor's O_NONBLOCK (/proc/self/fdinfo) must agree with what the JDK believes (NioSocketImpl.nonBlocking):
 * believed non-blocking but blocking is the race this probes for, after which a timed read never times out.
 * Usage: {@code BlockingModeRaceProbe HOST PORT MAX_ITERATIONS MAX_SECONDS}. Prints one {@code race ...} line:
 * iterations, how many were deferred (SYN_SENT after connect), mismatches, and timed reads that did not time
 * out (checked on every mismatch and every tenth iteration, each bounded by a watchdog that closes the socket).
 */
public final class BlockingModeRaceProbe {
    private static final int O_NONBLOCK = 04000; // include/uapi/asm-generic/fcntl.h
    private static final int TCP_SYN_SENT = 2;

    private BlockingModeRaceProbe() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int maxIterations = Integer.parseInt(args[2]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Integer.parseInt(args[3]));
        ExecutorService virtual = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        ExecutorService platform = Executors.newSingleThreadExecutor();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        int iterations = 0;
        int deferred = 0;
        int mismatches = 0;
        int timedReads = 0;
        int stuckTimedReads = 0;
        String firstMismatch = "";
        try {
            greetOnce(server); // teaches the agent that the destination completes handshakes, and fetches the cookie
            while (iterations < maxIterations && System.nanoTime() < deadline) {
                iterations++;
                try (Socket s = new Socket()) {
                    s.connect(server);
                    if (tcpState(s) == TCP_SYN_SENT) {
                        deferred++;
                    }
                    InputStream in = s.getInputStream();
                    CountDownLatch go = new CountDownLatch(2);
                    Future<Integer> first = platform.submit(() -> readOneAfter(go, in));
                    Future<Integer> second = virtual.submit(() -> readOneAfter(go, in));
                    first.get(10, TimeUnit.SECONDS);
                    second.get(10, TimeUnit.SECONDS);
                    drainLine(in);
                    boolean believed = believedNonBlocking(s);
                    boolean actual = (fileStatusFlags(s) & O_NONBLOCK) != 0;
                    boolean mismatch = believed && !actual;
                    if (mismatch) {
                        mismatches++;
                        if (firstMismatch.isEmpty()) {
                            firstMismatch = "iteration " + iterations + ": believed non-blocking, descriptor blocking";
                        }
                    }
                    if (mismatch || iterations % 10 == 0) {
                        timedReads++;
                        if (!timedReadTimesOut(s, in, watchdog)) {
                            stuckTimedReads++;
                        }
                    }
                }
            }
        } finally {
            virtual.shutdownNow();
            platform.shutdownNow();
            watchdog.shutdownNow();
        }
        System.out.println("race iterations=" + iterations + " deferred=" + deferred + " mismatches=" + mismatches
                + " timed-reads=" + timedReads + " stuck-timed-reads=" + stuckTimedReads + " first=" + firstMismatch);
    }

    private static void greetOnce(InetSocketAddress server) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server);
            s.setSoTimeout(10_000);
            drainLine(s.getInputStream());
        }
    }

    /** Both readers wait for each other, so that they reach the read together. */
    private static int readOneAfter(CountDownLatch go, InputStream in) throws Exception {
        go.countDown();
        if (!go.await(5, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the other reader never started");
        }
        byte[] one = new byte[1];
        return in.read(one, 0, 1);
    }

    private static void drainLine(InputStream in) throws IOException {
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            // the rest of HELLO\n
        }
    }

    /**
     * A 50 ms timed read on the silent server must throw SocketTimeoutException; a watchdog closes the socket
     * after 3 s, so a read that ignores its timeout ends (and counts as stuck).
     */
    private static boolean timedReadTimesOut(Socket s, InputStream in, ScheduledExecutorService watchdog) throws IOException {
        s.setSoTimeout(50);
        ScheduledFuture<?> rescue = watchdog.schedule(() -> {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing is all it can do
            }
        }, 3, TimeUnit.SECONDS);
        try {
            in.read();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            rescue.cancel(false);
        }
    }

    private static Object platformImpl(Socket s) throws ReflectiveOperationException {
        Object impl = field(Socket.class, "impl").get(s);
        for (int depth = 0; depth < 4 && hasField(impl.getClass(), "delegate"); depth++) {
            impl = field(impl.getClass(), "delegate").get(impl);
        }
        return impl;
    }

    private static boolean believedNonBlocking(Socket s) throws ReflectiveOperationException {
        return field(platformImpl(s).getClass(), "nonBlocking").getBoolean(platformImpl(s));
    }

    private static FileDescriptor descriptor(Socket s) throws ReflectiveOperationException {
        return (FileDescriptor) field(java.net.SocketImpl.class, "fd").get(platformImpl(s));
    }

    private static int fdVal(Socket s) throws ReflectiveOperationException {
        return field(FileDescriptor.class, "fd").getInt(descriptor(s));
    }

    /** proc(5): the {@code flags:} line of /proc/self/fdinfo/FD, in octal. */
    private static int fileStatusFlags(Socket s) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fdVal(s)), StandardCharsets.US_ASCII)) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            }
        }
        throw new IllegalStateException("no flags line");
    }

    /** tcpi_state, TCP_INFO's first byte, through the JDK's own getsockopt native. */
    private static int tcpState(Socket s) throws Exception {
        Method get = Class.forName("sun.nio.ch.Net").getDeclaredMethod("getIntOption0", FileDescriptor.class,
                boolean.class, int.class, int.class);
        get.setAccessible(true);
        return (int) get.invoke(null, descriptor(s), false, 6, 11) & 0xff; // IPPROTO_TCP, TCP_INFO
    }

    private static boolean hasField(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getName().equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // the superclass
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }
}
