package io.connectx.samples;

import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The RTT lab's Reactor Netty row (lab.sh --netty): times fresh connections of an ordinary Reactor Netty
 * {@code HttpClient} (Spring WebFlux's WebClient underneath) on Netty's native epoll transport, to the lab's
 * server, and appends one CSV row per connection ({@code rtt_ms,mode,measure,sample,micros}, measure
 * {@code reactor-netty-ttfb}): a GET of 1 KB on a new connection, from the request's start until the
 * response head arrived, as the lab's {@code httpclient-ttfb} measures the JDK's HttpClient. The body is read
 * and checked after the clock stops. The mode only labels the rows: the lab starts the JVM plain or with the
 * agent. It exits 1 when Netty's epoll transport is not in use, since the row would then measure NIO.
 * Usage: {@code ReactorNettyTtfbClient HOST PORT RTT_MS MODE SAMPLES WARMUP CSV}.
 */
public final class ReactorNettyTtfbClient {
    static final String MEASURE = "reactor-netty-ttfb";
    private static final int BODY = 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ReactorNettyTtfbClient() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 7) {
            System.err.println("usage: ReactorNettyTtfbClient HOST PORT RTT_MS MODE SAMPLES WARMUP CSV");
            System.exit(2);
        }
        if (!Epoll.isAvailable()) {
            System.err.println("ReactorNettyTtfbClient: Netty's epoll transport is not available: " + Epoll.unavailabilityCause());
            System.exit(1);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int rtt = Integer.parseInt(args[2]);
        String mode = args[3];
        int samples = Integer.parseInt(args[4]);
        int warmup = Integer.parseInt(args[5]);
        ConnectionProvider fresh = ConnectionProvider.newConnection();
        HttpClient http = HttpClient.create(fresh).host(host).port(port).disableRetry(true);
        long[] micros = new long[samples];
        List<String> rows = new ArrayList<>();
        try {
            for (int i = 0; i < warmup + samples; i++) {
                long nanos = ttfb(http);
                if (i >= warmup) {
                    micros[i - warmup] = TimeUnit.NANOSECONDS.toMicros(nanos);
                    rows.add(rtt + "," + mode + "," + MEASURE + "," + (i - warmup) + "," + micros[i - warmup]);
                }
            }
        } finally {
            fresh.disposeLater().block(TIMEOUT);
        }
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[6]), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND))) {
            rows.forEach(out::println);
        }
        Arrays.sort(micros);
        System.out.printf("rtt %3d ms  %-5s  %-18s median %9.3f ms  (min %.3f, max %.3f, n=%d, epoll)%n", rtt, mode, MEASURE,
                micros[samples / 2] / 1000.0, micros[0] / 1000.0, micros[samples - 1] / 1000.0, samples);
    }

    /** One GET on a new connection: nanoseconds until the response head; the body is checked afterwards. */
    private static long ttfb(HttpClient http) throws IOException {
        long start = System.nanoTime();
        long[] head = new long[1];
        int[] status = new int[1];
        byte[] body = http.get().uri("/" + BODY)
                .responseSingle((response, content) -> {
                    head[0] = System.nanoTime();
                    status[0] = response.status().code();
                    return content.asByteArray().defaultIfEmpty(new byte[0]);
                })
                .block(TIMEOUT);
        if (status[0] != 200 || body == null || body.length != BODY) {
            throw new IOException("unexpected response: status " + status[0] + ", " + (body == null ? 0 : body.length) + " bytes");
        }
        return head[0] - start;
    }
}
