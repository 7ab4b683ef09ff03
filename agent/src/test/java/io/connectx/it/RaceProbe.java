package io.connectx.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Runs in a child JVM: COUNT fresh connections, each raced by two threads, for the server to judge what
 * rode in each SYN. Usage: {@code RaceProbe MODE HOST PORT COUNT}. Every wait is bounded.
 * <ul>
 * <li>{@code reader-writer}: one thread blocks in read() while another writes a POST.</li>
 * <li>{@code two-writers}: one thread writes a GET and another a POST, at once.</li>
 * </ul>
 * Prints {@code race done=N}.
 */
public final class RaceProbe {
    private RaceProbe() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        InetSocketAddress server = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        int count = Integer.parseInt(args[3]);
        int done = 0;
        for (int n = 1; n <= count; n++) {
            int i = n;
            // The POST starts 0 to 20 us after the other thread's read or GET: a sweep across the moment
            // that thread's hook decides, so a window between deciding and sending would be hit.
            long delayNanos = (i % 100) * 200L;
            try (Socket s = new Socket()) {
                s.connect(server, 5000);
                s.setSoTimeout(5000);
                StartLine start = new StartLine();
                Thread other = new Thread(mode.equals("reader-writer") ? () -> {
                    start.arriveAndWait(0);
                    readAll(s);
                } : () -> {
                    start.arriveAndWait(0);
                    write(s, get(i));
                });
                other.start();
                start.arriveAndWait(delayNanos);
                write(s, post(i));
                if (mode.equals("two-writers")) {
                    readAll(s);
                }
                other.join(10_000);
                done++;
            } catch (IOException e) {
                System.out.println("error " + i + " " + e);
            }
        }
        System.out.println("race done=" + done);
    }

    /** Two threads spin until both arrived, then each spins its own delay: a start far tighter than a latch's wake-up. */
    private static final class StartLine {
        private final java.util.concurrent.atomic.AtomicInteger arrived = new java.util.concurrent.atomic.AtomicInteger();

        void arriveAndWait(long delayNanos) {
            arrived.incrementAndGet();
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (arrived.get() < 2 && System.nanoTime() < giveUp) {
                Thread.onSpinWait();
            }
            long until = System.nanoTime() + delayNanos;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }
    }

    private static void readAll(Socket s) {
        try {
            InputStream in = s.getInputStream();
            while (in.read() >= 0) {
                // until the server closes
            }
        } catch (IOException e) {
            // the server answers one request and closes: a reset is expected for the other
        }
    }

    private static void write(Socket s, String request) {
        try {
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // as above
        }
    }

    private static String get(int i) {
        return SafetyProbe.get(i);
    }

    private static String post(int i) {
        return "POST /" + i + " HTTP/1.1\r\nHost: probe\r\nContent-Length: 11\r\n\r\nhello world";
    }
}
