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
import java.util.concurrent.TimeoutException;

/**
 * The lab's virtual-thread burst: N virtual threads at once, each a fresh connection to {@link LabServer},
 * as JDBC drivers, {@code HttpURLConnection} and most clients make them from a virtual thread. Each burst is
 * timed from the first thread's start until the last connection is closed. One JVM, started plain or with
 * the agent as the user would, runs an unrecorded burst of each kind, then a recorded one, and appends a row for each
 * ({@code rtt_ms,mode,connect,round,threads,total_micros,slowest_micros,median_micros}, the last two per
 * connection) to the CSV:
 * <ul>
 * <li>{@code timed}: {@code connect(addr, 2000)}, a 100-byte GET, the whole 1 KB response;</li>
 * <li>{@code untimed}: the same after {@code connect(addr)};</li>
 * <li>{@code shutdown}: {@code connect(addr, 2000)}, {@code shutdownOutput()} before any write, then the
 * server's end of stream (it answers nothing to an empty request). Fast Open has nothing to carry there.</li>
 * </ul>
 * Fails (exit 1) unless every connection ended as expected.
 *
 * <p>Compiled for JDK 17, like the rest of the lab; virtual threads are reached by reflection. On a JDK
 * without them it prints one line saying so and exits with {@link #NO_VIRTUAL_THREADS}; {@code lab.sh}
 * asks first with {@code --check} (which does only that) and skips the row.
 * Usage: {@code VirtualThreadBurst HOST PORT RTT_MS MODE ROUND THREADS CSV}, or {@code VirtualThreadBurst --check}.
 */
public final class VirtualThreadBurst {
    static final int NO_VIRTUAL_THREADS = 3;
    static final int CONNECT_TIMEOUT_MILLIS = 2000;
    static final String TIMED = "timed";
    static final String UNTIMED = "untimed";
    static final String SHUTDOWN = "shutdown";
    static final String[] KINDS = {TIMED, UNTIMED, SHUTDOWN};
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

        // One connection first, which teaches the agent the destination, then one burst of each kind, which
        // loads and links every path the recorded bursts take and starts the JDK's poller; none is recorded.
        burst.exchange(TIMED);
        for (String kind : KINDS) {
            burst.run(threads, kind);
        }
        List<String> rows = new ArrayList<>();
        for (String kind : KINDS) {
            long[] micros = burst.run(threads, kind);
            rows.add(String.join(",", rtt, mode, kind, round, String.valueOf(threads), String.valueOf(micros[0]),
                String.valueOf(micros[1]), String.valueOf(micros[2])));
            System.out.printf("   %s, round %s, %s: %d virtual threads in %.1f ms (one connection: median %.1f ms, slowest %.1f ms)%n",
                mode, round, kind, threads, micros[0] / 1000.0, micros[2] / 1000.0, micros[1] / 1000.0);
        }
        Files.write(csv, rows, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** One burst: the total, the slowest and the median connection's time, in µs. Exits the JVM when a connection failed. */
    private long[] run(int threads, String kind) throws Exception {
        ExecutorService executor = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        List<Future<Long>> connections = new ArrayList<>(threads);
        long start = System.nanoTime();
        try {
            for (int i = 0; i < threads; i++) {
                connections.add(executor.submit(() -> exchange(kind)));
            }
            long[] each = new long[threads];
            long deadline = start + TimeUnit.SECONDS.toNanos(BURST_LIMIT_SECONDS);
            for (int i = 0; i < threads; i++) {
                each[i] = connections.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            long total = (System.nanoTime() - start) / 1000;
            Arrays.sort(each);
            return new long[] {total, each[threads - 1], each[threads / 2]};
        } catch (ExecutionException | TimeoutException e) {
            System.err.println("virtual-thread burst: a connection failed: " + (e.getCause() != null ? e.getCause() : e));
            System.exit(1);
            throw e;
        } finally {
            executor.shutdownNow();
            executor.awaitTermination(BURST_LIMIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** One connection of the given kind, until the server closed it; its time in µs. */
    private long exchange(String kind) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            if (kind.equals(UNTIMED)) {
                socket.connect(server);
            } else {
                socket.connect(server, CONNECT_TIMEOUT_MILLIS);
            }
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            InputStream in = socket.getInputStream();
            if (kind.equals(SHUTDOWN)) {
                socket.shutdownOutput();
                if (in.read() >= 0) {
                    throw new IOException("the server answered an empty request");
                }
            } else {
                socket.getOutputStream().write(request);
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
        }
        return (System.nanoTime() - start) / 1000;
    }
}
