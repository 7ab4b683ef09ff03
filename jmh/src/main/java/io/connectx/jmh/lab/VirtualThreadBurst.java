package io.connectx.jmh.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The lab's virtual-thread burst: N virtual threads at once, each a fresh connection to {@link LabServer}
 * that connects, sends a 100-byte GET and reads the whole 1 KB response, as JDBC drivers,
 * {@code HttpURLConnection} and most clients do from a virtual thread. Each burst is timed from the first
 * thread's start until the last connection is closed. One JVM, started plain or with the agent as the user
 * would, runs a warm-up burst, then one burst with a timed {@code connect(addr, 2000)} and one with an
 * untimed {@code connect(addr)}, and appends a row for each ({@code rtt_ms,mode,connect,round,threads,total_micros,slowest_micros})
 * to the CSV. Fails (exit 1) unless every connection got its whole response.
 *
 * <p>Compiled for JDK 17, like the rest of the lab; virtual threads are reached by reflection. On a JDK
 * without them it prints one line saying so and exits with {@link #NO_VIRTUAL_THREADS}; {@code lab.sh}
 * asks first with {@code --check} (which does only that) and skips the row.
 * Usage: {@code VirtualThreadBurst HOST PORT RTT_MS MODE ROUND THREADS CSV}, or {@code VirtualThreadBurst --check}.
 */
public final class VirtualThreadBurst {
    static final int NO_VIRTUAL_THREADS = 3;
    static final int CONNECT_TIMEOUT_MILLIS = 2000;
    private static final int READ_TIMEOUT_MILLIS = 10_000;
    /** A bound on one burst, far above what 200 connections take at the lab's largest RTT. */
    private static final long BURST_LIMIT_SECONDS = 60;

    private final InetSocketAddress server;
    private final byte[] request;

    private VirtualThreadBurst(InetSocketAddress server) {
        this.server = server;
        this.request = TtfbClient.request(server, TtfbClient.RESPONSE_BODY);
    }

    public static void main(String[] args) throws Exception {
        boolean check = args.length == 1 && args[0].equals("--check");
        if (args.length != 7 && !check) {
            System.err.println("usage: VirtualThreadBurst HOST PORT RTT_MS MODE ROUND THREADS CSV, or VirtualThreadBurst --check");
            System.exit(2);
        }
        int feature = Runtime.version().feature();
        if (feature < 21) {
            System.out.println("== virtual-thread burst skipped: JDK " + feature + " has no virtual threads (JDK 21 or later)");
            System.exit(NO_VIRTUAL_THREADS);
        }
        if (check) {
            return;
        }
        VirtualThreadBurst burst = new VirtualThreadBurst(new InetSocketAddress(args[0], Integer.parseInt(args[1])));
        String rtt = args[2];
        String mode = args[3];
        String round = args[4];
        int threads = Integer.parseInt(args[5]);
        Path csv = Path.of(args[6]);

        // One connection first, which teaches the agent the destination, then a burst that warms the JIT
        // and the JDK's poller up; neither is recorded.
        burst.exchange(CONNECT_TIMEOUT_MILLIS);
        burst.run(threads, CONNECT_TIMEOUT_MILLIS);
        List<String> rows = new ArrayList<>();
        for (int timeout : new int[] {CONNECT_TIMEOUT_MILLIS, 0}) {
            long[] micros = burst.run(threads, timeout);
            String connect = timeout > 0 ? "timed" : "untimed";
            rows.add(String.join(",", rtt, mode, connect, round, String.valueOf(threads), String.valueOf(micros[0]),
                String.valueOf(micros[1])));
            System.out.printf("   %s, round %s, %s connect: %d virtual threads in %.1f ms (slowest connection %.1f ms)%n",
                mode, round, connect, threads, micros[0] / 1000.0, micros[1] / 1000.0);
        }
        Files.write(csv, rows, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** One burst: the total and the slowest connection's time, in µs. Exits the JVM when a connection failed. */
    private long[] run(int threads, int timeout) throws Exception {
        ExecutorService executor = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        List<Future<Long>> connections = new ArrayList<>(threads);
        long start = System.nanoTime();
        try {
            for (int i = 0; i < threads; i++) {
                connections.add(executor.submit(() -> exchange(timeout)));
            }
            long[] each = new long[threads];
            for (int i = 0; i < threads; i++) {
                each[i] = connections.get(i).get(BURST_LIMIT_SECONDS, TimeUnit.SECONDS);
            }
            long total = (System.nanoTime() - start) / 1000;
            return new long[] {total, Arrays.stream(each).max().orElse(0)};
        } catch (ExecutionException e) {
            System.err.println("virtual-thread burst: a connection failed: " + e.getCause());
            System.exit(1);
            throw e;
        } finally {
            executor.shutdownNow();
            executor.awaitTermination(BURST_LIMIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Connect, GET, read until the server closes; the connection's time in µs. */
    private long exchange(int timeout) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            if (timeout > 0) {
                socket.connect(server, timeout);
            } else {
                socket.connect(server);
            }
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.getOutputStream().write(request);
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            int got = in.readNBytes(head, 0, head.length);
            if (got < head.length || !new String(head, StandardCharsets.US_ASCII).equals("HTTP/1.1 200")) {
                throw new IOException("not a 200 response: " + new String(head, 0, got, StandardCharsets.US_ASCII));
            }
            long rest = in.transferTo(OutputStream.nullOutputStream());
            if (rest < TtfbClient.RESPONSE_BODY) {
                throw new IOException("short response: " + rest + " bytes after the status");
            }
        }
        return (System.nanoTime() - start) / 1000;
    }
}
