package io.connectx.jmh.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Times fresh connections to {@link LabServer} in the RTT lab and appends one CSV row per connection
 * ({@code rtt_ms,mode,measure,sample,micros}). The JVM is started as the user would: plain, or with
 * {@code -javaagent:connectx-agent.jar=dest=...}; the mode only labels the rows, except {@code cold}, which
 * flushes the kernel's TCP metrics (and with them the Fast Open cookie) before every connection.
 *
 * <p>Measures, each a fresh connection:
 * <ul>
 *   <li>{@code socket-ttfb}: {@link Socket}, connect, a 100-byte GET, until the first response byte (of 1 KB);</li>
 *   <li>{@code httpclient-ttfb}: {@link HttpClient} GET of 1 KB, until the response head arrived;</li>
 *   <li>{@code http-get-10k}: {@link HttpClient} GET of a 10 KB body, until the whole body arrived;</li>
 *   <li>{@code connect} (plain mode only): a bare connect, one round trip. It checks the delayer: the lab
 *       fails when its median is more than 10% off the target RTT.</li>
 * </ul>
 * Usage: {@code TtfbClient HOST PORT RTT_MS MODE SAMPLES WARMUP CSV}.
 */
public final class TtfbClient {
    static final int REQUEST_BYTES = 100;
    static final int RESPONSE_BODY = 1024;
    static final int FULL_GET_BODY = 10 * 1024;
    private static final int TIMEOUT_MILLIS = 10_000;
    static final double RTT_TOLERANCE = 0.10;

    private final InetSocketAddress server;
    private final boolean cold;
    private final HttpClient http;

    private TtfbClient(InetSocketAddress server, boolean cold) {
        this.server = server;
        this.cold = cold;
        // HTTP/1.1 with the server's Connection: close: every request opens a fresh connection.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(TIMEOUT_MILLIS)).build();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("usage: TtfbClient HOST PORT RTT_MS MODE SAMPLES WARMUP CSV");
            System.exit(2);
        }
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int rtt = Integer.parseInt(args[2]);
        String mode = args[3];
        int samples = Integer.parseInt(args[4]);
        int warmup = Integer.parseInt(args[5]);
        Path csv = Path.of(args[6]);
        TtfbClient client = new TtfbClient(server, mode.equals("cold"));

        List<String> rows = new ArrayList<>();
        if (mode.equals("plain")) {
            long[] connects = client.run(rows, rtt, mode, "connect", warmup, samples, client::bareConnect);
            if (rtt > 0 && !client.checkRtt(rtt, connects)) {
                write(csv, rows);
                System.exit(1);
            }
        }
        client.run(rows, rtt, mode, "socket-ttfb", warmup, samples, client::socketTtfb);
        client.run(rows, rtt, mode, "httpclient-ttfb", warmup, samples, () -> client.httpTtfb(RESPONSE_BODY));
        client.run(rows, rtt, mode, "http-get-10k", warmup, samples, () -> client.httpFullGet(FULL_GET_BODY));
        write(csv, rows);
    }

    private interface Timed {
        long nanos() throws Exception;
    }

    private long[] run(List<String> rows, int rtt, String mode, String measure, int warmup, int samples, Timed timed)
            throws Exception {
        long[] micros = new long[samples];
        for (int i = 0; i < warmup + samples; i++) {
            if (cold) {
                flushTcpMetrics();
            }
            long nanos = timed.nanos();
            if (i >= warmup) {
                micros[i - warmup] = TimeUnit.NANOSECONDS.toMicros(nanos);
                rows.add(rtt + "," + mode + "," + measure + "," + (i - warmup) + "," + micros[i - warmup]);
            }
        }
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        System.out.printf("rtt %3d ms  %-5s  %-16s median %9.3f ms  (min %.3f, max %.3f, n=%d)%n", rtt, mode, measure,
            sorted[samples / 2] / 1000.0, sorted[0] / 1000.0, sorted[samples - 1] / 1000.0, samples);
        return micros;
    }

    /** The delayer's accuracy test: a plain connect takes one round trip. */
    private boolean checkRtt(int rtt, long[] connectMicros) {
        long[] sorted = connectMicros.clone();
        Arrays.sort(sorted);
        double measured = sorted[sorted.length / 2] / 1000.0;
        double error = (measured - rtt) / rtt;
        boolean ok = Math.abs(error) <= RTT_TOLERANCE;
        System.out.printf("delayer accuracy: target RTT %d ms, measured %.3f ms (%+.1f%%): %s%n", rtt, measured,
            error * 100, ok ? "within 10%" : "FAILED, more than 10% off");
        return ok;
    }

    private long bareConnect() throws IOException {
        try (Socket socket = new Socket()) {
            long start = System.nanoTime();
            socket.connect(server, TIMEOUT_MILLIS);
            return System.nanoTime() - start;
        }
    }

    private long socketTtfb() throws IOException {
        byte[] request = request(server, RESPONSE_BODY);
        try (Socket socket = new Socket()) {
            long start = System.nanoTime();
            socket.connect(server, TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            int first = in.read();
            long ttfb = System.nanoTime() - start;
            byte[] rest = in.readAllBytes();
            String response = (char) first + new String(rest, StandardCharsets.US_ASCII);
            int bodyStart = response.indexOf("\r\n\r\n") + 4;
            if (!response.startsWith("HTTP/1.1 200 ") || bodyStart < 4 || response.length() - bodyStart != RESPONSE_BODY) {
                throw new IOException("unexpected response: " + response.substring(0, Math.min(80, response.length())));
            }
            return ttfb;
        }
    }

    private long httpTtfb(int size) throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<InputStream> response = http.send(get(size), HttpResponse.BodyHandlers.ofInputStream());
        long ttfb = System.nanoTime() - start;
        try (InputStream body = response.body()) {
            int length = body.readAllBytes().length;
            if (response.statusCode() != 200 || length != size) {
                throw new IOException("unexpected response: status " + response.statusCode() + ", " + length + " bytes");
            }
        }
        return ttfb;
    }

    private long httpFullGet(int size) throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<byte[]> response = http.send(get(size), HttpResponse.BodyHandlers.ofByteArray());
        long total = System.nanoTime() - start;
        if (response.statusCode() != 200 || response.body().length != size) {
            throw new IOException("unexpected response: status " + response.statusCode() + ", " + response.body().length + " bytes");
        }
        return total;
    }

    private HttpRequest get(int size) {
        return HttpRequest.newBuilder(URI.create("http://" + server.getHostString() + ":" + server.getPort() + "/" + size))
            .timeout(Duration.ofMillis(TIMEOUT_MILLIS)).GET().build();
    }

    /** A GET of exactly {@link #REQUEST_BYTES} bytes: a replay-safe first write, so it may ride in the SYN. */
    static byte[] request(InetSocketAddress server, int size) {
        String head = "GET /" + size + " HTTP/1.1\r\nHost: " + server.getHostString() + "\r\nX-Pad: ";
        String tail = "\r\n\r\n";
        byte[] request = (head + "x".repeat(REQUEST_BYTES - head.length() - tail.length()) + tail)
            .getBytes(StandardCharsets.US_ASCII);
        if (request.length != REQUEST_BYTES) {
            throw new IllegalStateException("request is " + request.length + " bytes");
        }
        return request;
    }

    /** Forgets every cached Fast Open cookie of this namespace ({@code ip tcp_metrics flush}). */
    private static void flushTcpMetrics() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "tcp_metrics", "flush").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new UncheckedIOException(new IOException("ip tcp_metrics flush failed: " + out));
        }
    }

    private static void write(Path csv, List<String> rows) throws IOException {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(csv, StandardOpenOption.CREATE, StandardOpenOption.APPEND))) {
            rows.forEach(out::println);
        }
    }
}
