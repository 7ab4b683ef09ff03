package io.connectx.it;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SelectionKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The conformance suite's scenario set, written once against {@link ConformanceConnection} for the socket
 * APIs, and per HTTP client where the scenario applies to one. {@link ConformanceClient} runs every cell
 * (scenario x API) once in a JVM without the agent and once in a JVM with it; {@code ConformanceIT}
 * compares what the application observed.
 *
 * <p>Ports (see {@link ConformanceServer}): GREET speaks first; ANSWER answers one request; RESET resets
 * after the request; SILENT goes silent after it; TWO takes two requests; HOLE answered during warm-up and
 * was then black-holed (a destination known to this JVM that went dark); CLOSED has no listener; BLACK
 * drops every SYN; UNREACH answers SYNs with ICMP host unreachable. CLOSED, BLACK and UNREACH were never
 * connected to by the JVM before its cell.
 */
final class ConformanceScenarios {
    /** The socket APIs, in the order of the matrix; {@code virtual} is {@link java.net.Socket} on a virtual thread. */
    static final List<String> RAW = List.of("socket", "channel", "selector", "async", "virtual");
    static final List<String> HTTP = List.of("httpclient", "urlconnection");
    /** Race scenarios run at least this many iterations. */
    static final int RACE_ITERATIONS = 1000;
    static final int POST_ITERATIONS = 200;
    /** What a loaded two-core machine may add to a time bound the application set. */
    static final int SLACK_MS = 1500;
    static final int READ_MS = 3000;
    static final int CONNECT_TIMEOUT_MS = 1000;
    static final int HANDSHAKE_WAIT_TIMEOUT_MS = 2000;
    static final int DISTURB_AFTER_MS = 300;

    /**
     * Scenarios whose failure point may move from connect to the first I/O under the agent (a destination
     * this JVM knew that went dark): compared on the final outcome, bytes and bound, not on the step.
     */
    /**
     * Scenarios whose every connection sends one write: when its SYN carried data (TCP_INFO), it carried
     * that whole write, so every request the server got from it rode in the SYN.
     */
    static final List<String> SINGLE_WRITE = List.of("pipelined");

    static final List<String> STEP_AGNOSTIC = List.of("timeout-known-dark", "interrupt", "async-close");

    /** One scenario on one API: the application code, the longest it may run, and the time bound it must keep. */
    record Cell(String scenario, String api, int budgetMs, long minMs, long maxMs, Body body) {
        String id() {
            return scenario + "-" + api;
        }
    }

    @FunctionalInterface
    interface Body {
        String run(Context c, ConformanceTrace t) throws Exception;
    }

    /** What a cell's code can reach: the ports, a thread factory of the cell's kind, and its open resources. */
    static final class Context {
        final Map<String, Integer> ports;
        final Cell cell;
        final ConformanceTrace trace;
        final boolean virtual;
        volatile Thread cellThread;
        private final List<Closeable> open = new ArrayList<>();
        private HttpClient httpClient;

        Context(Map<String, Integer> ports, Cell cell, ConformanceTrace trace) {
            this.ports = ports;
            this.cell = cell;
            this.trace = trace;
            this.virtual = cell.api().equals("virtual");
        }

        InetSocketAddress address(String port) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), ports.get(port));
        }

        URI uri(String port, String path) {
            return URI.create("http://127.0.0.1:" + ports.get(port) + path);
        }

        ConformanceConnection open() throws IOException {
            ConformanceConnection connection = ConformanceConnection.open(cell.api(), trace);
            synchronized (open) {
                open.add(connection);
            }
            return connection;
        }

        Thread thread(Runnable task) {
            return ConformanceClient.newThread(task, virtual);
        }

        /** Closes what the cell left open: after a cell that did not finish within its budget. */
        void closeAll() {
            synchronized (open) {
                for (Closeable c : open) {
                    try {
                        c.close();
                    } catch (IOException | RuntimeException ignored) {
                        // the verdict is already taken
                    }
                }
            }
        }

        String normalize(String text) {
            return ConformanceTrace.normalize(text, ports);
        }

        /** One HttpClient per cell, as an application keeps one; connections are not reused (Connection: close). */
        synchronized HttpClient httpClient(int connectTimeout) {
            if (httpClient == null) {
                HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
                if (connectTimeout > 0) {
                    builder.connectTimeout(Duration.ofMillis(connectTimeout));
                }
                httpClient = builder.build();
            }
            return httpClient;
        }
    }

    private ConformanceScenarios() {
    }

    static List<Cell> all() {
        List<Cell> cells = new ArrayList<>();
        for (String api : RAW) {
            cells.add(new Cell("server-first", api, 8000, 0, READ_MS + SLACK_MS, ConformanceScenarios::serverFirst));
        }
        for (String api : RAW) {
            cells.add(new Cell("client-first", api, 8000, 0, READ_MS + SLACK_MS, ConformanceScenarios::clientFirst));
        }
        cells.add(new Cell("client-first", "httpclient", 8000, 0, READ_MS + SLACK_MS, (c, t) -> httpClient(c, t, "ANSWER", false, 0)));
        cells.add(new Cell("client-first", "urlconnection", 8000, 0, READ_MS + SLACK_MS, (c, t) -> urlConnection(c, t, "ANSWER", false, 0)));
        for (String api : RAW) {
            cells.add(new Cell("post", api, 40_000, 0, 40_000, ConformanceScenarios::posts));
        }
        cells.add(new Cell("post", "httpclient", 40_000, 0, 40_000, (c, t) -> repeat(c, POST_ITERATIONS, i -> httpClient(c, t, "ANSWER", true, 0, i))));
        cells.add(new Cell("post", "urlconnection", 40_000, 0, 40_000, (c, t) -> repeat(c, POST_ITERATIONS, i -> urlConnection(c, t, "ANSWER", true, 0, i))));
        for (String api : RAW) {
            cells.add(new Cell("pipelined", api, 8000, 0, READ_MS + SLACK_MS, ConformanceScenarios::pipelined));
        }
        for (String api : RAW) {
            cells.add(new Cell("probe-closed-port", api, 8000, 0, HANDSHAKE_WAIT_TIMEOUT_MS + SLACK_MS, ConformanceScenarios::probeClosedPort));
        }
        failures(cells, "refused", "CLOSED", 0, 0, READ_MS + SLACK_MS);
        failures(cells, "unreachable", "UNREACH", 0, 0, READ_MS + SLACK_MS);
        failures(cells, "connect-timeout", "BLACK", CONNECT_TIMEOUT_MS, CONNECT_TIMEOUT_MS - 100, CONNECT_TIMEOUT_MS + SLACK_MS);
        failures(cells, "timeout-known-dark", "HOLE", CONNECT_TIMEOUT_MS, CONNECT_TIMEOUT_MS - 100, CONNECT_TIMEOUT_MS + SLACK_MS);
        for (String api : RAW) {
            cells.add(new Cell("reset", api, 8000, 0, READ_MS + SLACK_MS, (c, t) -> reset(c, t)));
        }
        cells.add(new Cell("reset", "httpclient", 8000, 0, READ_MS + SLACK_MS, (c, t) -> httpClient(c, t, "RESET", true, 0)));
        cells.add(new Cell("reset", "urlconnection", 8000, 0, READ_MS + SLACK_MS, (c, t) -> urlConnection(c, t, "RESET", true, 0)));
        for (String api : RAW) {
            cells.add(new Cell("keepalive-timeout", api, 15_000, 0, 10_000 + SLACK_MS, ConformanceScenarios::keepAliveTimeout));
        }
        for (String api : List.of("socket", "channel", "async", "virtual")) {
            cells.add(new Cell("reader-writer", api, 60_000, 0, 60_000, ConformanceRaces::readerAndWriter));
        }
        // Not async: a second write while one is pending is WritePendingException by contract, plain or not.
        for (String api : List.of("socket", "channel", "virtual")) {
            cells.add(new Cell("two-writers", api, 60_000, 0, 60_000, ConformanceRaces::twoWriters));
        }
        // Interrupt reaches blocking calls only: not a selector loop, and not an asynchronous channel.
        for (String api : List.of("socket", "channel", "virtual")) {
            cells.add(new Cell("interrupt", api, 8000, 0, HANDSHAKE_WAIT_TIMEOUT_MS + SLACK_MS, (c, t) -> disturbed(c, t, true)));
        }
        for (String api : List.of("socket", "channel", "async", "virtual")) {
            cells.add(new Cell("async-close", api, 8000, 0, HANDSHAKE_WAIT_TIMEOUT_MS + SLACK_MS, (c, t) -> disturbed(c, t, false)));
        }
        cells.add(new Cell("read-interest-timer", "selector", 60_000, 0, 60_000, ConformanceRaces::readInterestThenWrite));
        cells.add(new Cell("awaits-op-connect", "selector", 8000, 0, 2000 + READ_MS + SLACK_MS, ConformanceScenarios::awaitsOpConnect));
        return cells;
    }

    /** Connect, write a GET, read the whole answer: for destinations whose failure is the point. */
    private static void failures(List<Cell> cells, String scenario, String port, int connectTimeout, long min, long max) {
        for (String api : RAW) {
            cells.add(new Cell(scenario, api, 8000, min, max, (c, t) -> {
                ConformanceConnection connection = c.open();
                t.step("connect");
                connection.connect(c.address(port), connectTimeout);
                t.step("write");
                connection.write(getBytes(c.cell.id()));
                t.step("read");
                return "read=" + c.normalize(connection.readAll(READ_MS));
            }));
        }
        cells.add(new Cell(scenario, "httpclient", 8000, min, max, (c, t) -> httpClient(c, t, port, false, connectTimeout)));
        cells.add(new Cell(scenario, "urlconnection", 8000, min, max, (c, t) -> urlConnection(c, t, port, false, connectTimeout)));
    }

    static String get(String path) {
        return "GET /" + path + " HTTP/1.1\r\nHost: conformance\r\nUser-Agent: connectx-conformance\r\n\r\n";
    }

    static byte[] getBytes(String path) {
        return get(path).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] post(String path) {
        return ("POST /" + path + " HTTP/1.1\r\nHost: conformance\r\nContent-Length: 11\r\n\r\nhello world")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String serverFirst(Context c, ConformanceTrace t) throws Exception {
        ConformanceConnection connection = c.open();
        t.step("connect");
        connection.connect(c.address("GREET"), 0);
        t.step("read");
        String greeting = connection.readLine(READ_MS);
        t.step("write");
        connection.write(("PING " + c.cell.id() + "\n").getBytes(StandardCharsets.UTF_8));
        t.step("read");
        return "read=" + greeting + " read=" + connection.readLine(READ_MS);
    }

    private static String clientFirst(Context c, ConformanceTrace t) throws Exception {
        ConformanceConnection connection = c.open();
        t.step("connect");
        connection.connect(c.address("ANSWER"), 0);
        t.step("write");
        connection.write(getBytes(c.cell.id()));
        t.step("read");
        return "read=" + c.normalize(connection.readAll(READ_MS));
    }

    /** POST_ITERATIONS fresh connections, each a POST in one write and its answer. */
    private static String posts(Context c, ConformanceTrace t) throws Exception {
        return repeat(c, POST_ITERATIONS, i -> {
            try (ConformanceConnection connection = c.open()) {
                connection.connect(c.address("ANSWER"), 0);
                connection.write(post(c.cell.id() + "~" + i));
                return body(connection.readAll(READ_MS));
            }
        });
    }

    /** A GET and a POST pipelined in one write: not one replay-safe request, so not for a SYN. */
    private static String pipelined(Context c, ConformanceTrace t) throws Exception {
        ConformanceConnection connection = c.open();
        t.step("connect");
        connection.connect(c.address("TWO"), 0);
        t.step("write");
        byte[] get = getBytes(c.cell.id());
        byte[] post = post(c.cell.id());
        byte[] both = java.util.Arrays.copyOf(get, get.length + post.length);
        System.arraycopy(post, 0, both, get.length, post.length);
        connection.write(both);
        t.step("read");
        return "read=" + connection.readLine(READ_MS);
    }

    private static String probeClosedPort(Context c, ConformanceTrace t) throws Exception {
        ConformanceConnection connection = c.open();
        t.step("connect");
        connection.connect(c.address("CLOSED"), HANDSHAKE_WAIT_TIMEOUT_MS);
        t.step("close");
        connection.close();
        return "connected-and-closed";
    }

    private static String reset(Context c, ConformanceTrace t) throws Exception {
        ConformanceConnection connection = c.open();
        t.step("connect");
        connection.connect(c.address("RESET"), 0);
        t.step("write");
        connection.write(post(c.cell.id()));
        t.step("read");
        return "read=" + c.normalize(connection.readAll(READ_MS));
    }

    /** The request is delivered and acknowledged, then the path goes silent: the keepalive gives up. */
    private static String keepAliveTimeout(Context c, ConformanceTrace t) throws Exception {
        ConformanceConnection connection = c.open();
        connection.keepAlive(1, 1, 1);
        t.step("connect");
        connection.connect(c.address("SILENT"), 0);
        t.step("write");
        connection.write(("PING " + c.cell.id() + "\n").getBytes(StandardCharsets.UTF_8));
        t.step("read");
        return "read=" + connection.readLine(10_000);
    }

    /**
     * A timed connect to a known destination that went dark, then a GET and a read; another thread
     * interrupts this one, or closes the connection, while the handshake is awaited.
     */
    private static String disturbed(Context c, ConformanceTrace t, boolean interrupt) throws Exception {
        ConformanceConnection connection = c.open();
        Thread target = c.cellThread;
        long start = System.nanoTime();
        Thread disturber = c.thread(() -> {
            try {
                Thread.sleep(DISTURB_AFTER_MS);
                if (interrupt) {
                    target.interrupt();
                } else {
                    connection.close();
                }
            } catch (InterruptedException | IOException e) {
                t.saw("disturber failed: " + e);
            }
        });
        disturber.start();
        String outcome;
        try {
            t.step("connect");
            connection.connect(c.address("HOLE"), HANDSHAKE_WAIT_TIMEOUT_MS);
            t.step("write");
            connection.write(getBytes(c.cell.id()));
            t.step("read");
            outcome = "ok read=" + c.normalize(connection.readAll(READ_MS));
        } catch (Exception e) {
            outcome = "error " + ConformanceTrace.describe(e, c.ports);
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // The disturber may not have ended yet when the call gives up, and join throws on the flag it set:
        // clear the flag for the join and put it back, so the outcome reports it whichever ends first.
        boolean interrupted = Thread.interrupted();
        disturber.join(5000);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        // Whether the call gave up when disturbed or ran to its own timeout: the gap (300 ms vs 2000 ms) is
        // wide enough to tell apart on a loaded machine.
        return outcome + " ended=" + (elapsedMs < 1200 ? "when-disturbed" : "at-timeout")
                + " interrupted=" + Thread.currentThread().isInterrupted() + " open=" + connection.isOpen();
    }

    /** A non-blocking connect whose code always waits for OP_CONNECT, whatever connect returned. */
    private static String awaitsOpConnect(Context c, ConformanceTrace t) throws Exception {
        ConformanceConnection.OfSelector connection = (ConformanceConnection.OfSelector) c.open();
        t.step("connect");
        boolean connected = connection.channel().connect(c.address("ANSWER"));
        t.saw("connect-returned=" + connected);
        t.step("await-op-connect");
        if (!connection.await(SelectionKey.OP_CONNECT, 2000)) {
            throw new ConformanceConnection.AppTimeout("no OP_CONNECT within 2000 ms");
        }
        t.step("finish-connect");
        t.saw("finishConnect=" + connection.channel().finishConnect());
        t.step("write");
        connection.write(getBytes(c.cell.id()));
        t.step("read");
        return "read=" + c.normalize(connection.readAll(READ_MS));
    }

    private static String httpClient(Context c, ConformanceTrace t, String port, boolean post, int connectTimeout) throws Exception {
        return httpClient(c, t, port, post, connectTimeout, -1);
    }

    private static String httpClient(Context c, ConformanceTrace t, String port, boolean post, int connectTimeout, int i)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(c.uri(port, "/" + c.cell.id() + (i < 0 ? "" : "~" + i)))
                .timeout(Duration.ofMillis(READ_MS));
        if (post) {
            request.POST(HttpRequest.BodyPublishers.ofString("hello world"));
        }
        t.step("send");
        HttpResponse<String> response = c.httpClient(connectTimeout).send(request.build(), HttpResponse.BodyHandlers.ofString());
        return "status=" + response.statusCode() + " body=" + c.normalize(response.body());
    }

    private static String urlConnection(Context c, ConformanceTrace t, String port, boolean post, int connectTimeout) throws Exception {
        return urlConnection(c, t, port, post, connectTimeout, -1);
    }

    private static String urlConnection(Context c, ConformanceTrace t, String port, boolean post, int connectTimeout, int i)
            throws Exception {
        HttpURLConnection connection = (HttpURLConnection) c.uri(port, "/" + c.cell.id() + (i < 0 ? "" : "~" + i))
                .toURL().openConnection();
        connection.setConnectTimeout(connectTimeout);
        connection.setReadTimeout(READ_MS);
        if (post) {
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            t.step("write");
            try (OutputStream out = connection.getOutputStream()) {
                out.write("hello world".getBytes(StandardCharsets.UTF_8));
            }
        }
        t.step("response");
        int status = connection.getResponseCode();
        try (InputStream in = connection.getInputStream()) {
            return "status=" + status + " body=" + c.normalize(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            connection.disconnect();
        }
    }

    /** The body of an HTTP answer, with the iteration number taken out so that outcomes can be counted. */
    static String body(String response) {
        int start = response.indexOf("\r\n\r\n");
        String text = start < 0 ? "no-http-answer:" + response : response.substring(start + 4);
        return text.replaceAll("~[0-9]+", "~i");
    }

    @FunctionalInterface
    interface Iteration {
        String run(int i) throws Exception;
    }

    /** Runs {@code n} iterations and counts each distinct outcome; iteration numbers are taken out of them. */
    static String repeat(Context c, int n, Iteration iteration) {
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int i = 1; i <= n; i++) {
            String outcome;
            try {
                outcome = iteration.run(i);
            } catch (Exception e) {
                outcome = "error " + ConformanceTrace.describe(e, c.ports);
            }
            outcomes.merge(c.normalize(outcome).replaceAll("~[0-9]+", "~i"), 1, Integer::sum);
        }
        return "iterations=" + n + " outcomes=" + outcomes;
    }
}
