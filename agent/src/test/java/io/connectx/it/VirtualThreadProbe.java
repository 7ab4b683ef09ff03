package io.connectx.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs in a child JVM on JDK 21+: N virtual threads at once, each a fresh timed connection. Usage:
 * {@code VirtualThreadProbe MODE HOST PORT N TIMEOUT_MS}. Prints one {@code vt ...} line with the outcomes
 * and the slowest connection's time.
 * <ul>
 * <li>{@code blackhole}: a listener of this JVM's whose accept queue is full drops every SYN (see
 * {@link SafetyProbe#fullListener}); each thread connects, writes a GET and reads, and must time out.</li>
 * <li>{@code get}: each thread connects, writes a GET and reads the reply (after one connection that
 * teaches the agent the destination). TIMEOUT_MS 0: an untimed connect.</li>
 * <li>{@code greet}: the server speaks first; each thread reads its greeting, writes a line, reads the reply.</li>
 * <li>{@code shutdown}: each thread shuts its output down before any write, then reads the server's lines.</li>
 * </ul>
 */
public final class VirtualThreadProbe {
    private VirtualThreadProbe() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        InetSocketAddress server = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        int n = Integer.parseInt(args[3]);
        int timeout = Integer.parseInt(args[4]);
        ServerSocket full = mode.equals("blackhole") ? SafetyProbe.fullListener(server) : null;
        if (!mode.equals("blackhole")) {
            exchange(mode, server, timeout, 0);
        }
        List<Future<String>> outcomes = new ArrayList<>();
        long start = System.nanoTime();
        ExecutorService threads = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        try {
            for (int i = 1; i <= n; i++) {
                int id = i;
                outcomes.add(threads.submit(() -> exchange(mode, server, timeout, id)));
            }
            int ok = 0;
            int timeouts = 0;
            long slowest = 0;
            List<Long> elapsed = new ArrayList<>();
            List<String> other = new ArrayList<>();
            for (Future<String> f : outcomes) {
                String[] outcome = f.get(60, TimeUnit.SECONDS).split(" ", 2);
                slowest = Math.max(slowest, Long.parseLong(outcome[0]));
                elapsed.add(Long.parseLong(outcome[0]));
                if (outcome[1].equals("ok")) {
                    ok++;
                } else if (outcome[1].equals("java.net.SocketTimeoutException: Connect timed out")) {
                    timeouts++;
                } else if (other.size() < 3) {
                    other.add(outcome[1]);
                }
            }
            java.util.Collections.sort(elapsed);
            System.out.println("vt ok=" + ok + " connect-timeouts=" + timeouts + " slowest-ms=" + slowest
                    + " median-ms=" + elapsed.get(elapsed.size() / 2)
                    + " total-ms=" + (System.nanoTime() - start) / 1_000_000 + " other=" + other);
        } finally {
            threads.shutdownNow();
        }
        if (full != null) {
            full.close();
        }
    }

    /** "ELAPSED_MS ok", or "ELAPSED_MS" and what was thrown. */
    private static String exchange(String mode, InetSocketAddress server, int timeout, int i) {
        long start = System.nanoTime();
        String outcome;
        try (Socket s = new Socket()) {
            s.connect(server, timeout);
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            switch (mode) {
                case "greet" -> {
                    readLine(in);
                    s.getOutputStream().write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
                }
                case "shutdown" -> s.shutdownOutput();
                default -> s.getOutputStream().write(SafetyProbe.get(i).getBytes(StandardCharsets.UTF_8));
            }
            outcome = in.read() >= 0 ? "ok" : "end of stream";
            while (in.read() >= 0) {
                // the rest of the reply, until the server closes
            }
        } catch (IOException e) {
            outcome = e.getClass().getName() + ": " + e.getMessage();
        }
        return (System.nanoTime() - start) / 1_000_000 + " " + outcome;
    }

    private static void readLine(InputStream in) throws IOException {
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            // the greeting
        }
    }
}
