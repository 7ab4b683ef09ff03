package io.connectx.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Runs in a child JVM: what deferring the SYN could break, one JDK API at a time, with every wait
 * bounded. Prints one line per connection. Usage: {@code SafetyProbe MODE HOST PORT COUNT [ARGS]}.
 * <ul>
 * <li>{@code greet-*}: the server speaks first ({@code HELLO\n}); the client reads before writing.</li>
 * <li>{@code get}, {@code post}, {@code tls}: first writes judged by {@code first=auto}.</li>
 * <li>{@code refused-*}: a closed port on an address with a cookie; prints where and how it failed.</li>
 * <li>{@code load THREADS [virtual]}: THREADS threads, COUNT connections each; prints errors and fds.</li>
 * </ul>
 */
public final class SafetyProbe {
    static final int WAIT_MS = 1000;
    /** The local port of the refused-* modes' socket, for a firewall rule to single it out. */
    static final int REFUSED_LOCAL_PORT = 40001;

    private SafetyProbe() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        InetSocketAddress server = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        int count = Integer.parseInt(args[3]);
        if (mode.equals("load")) {
            load(server, count, Integer.parseInt(args[4]), args.length > 5 && args[5].equals("virtual"));
            return;
        }
        if (args.length > 4 && args[4].equals("learn")) {
            learn(server);
        }
        for (int i = 1; i <= count; i++) {
            long start = System.nanoTime();
            String outcome;
            try {
                outcome = run(mode, server, i);
            } catch (IOException e) {
                outcome = "error=" + e.getClass().getName() + ": " + e.getMessage();
            }
            System.out.println("conn " + i + " " + outcome + " elapsed-ms=" + (System.nanoTime() - start) / 1_000_000);
        }
    }

    private static String run(String mode, InetSocketAddress server, int i) throws Exception {
        return switch (mode) {
            case "greet-stream" -> {
                try (Socket s = new Socket(server.getAddress(), server.getPort())) {
                    yield greetThenEcho(s);
                }
            }
            case "greet-timed" -> {
                try (Socket s = new Socket()) {
                    s.connect(server, WAIT_MS);
                    yield greetThenEcho(s);
                }
            }
            case "greet-adaptor" -> {
                try (SocketChannel ch = SocketChannel.open()) {
                    ch.socket().connect(server, WAIT_MS);
                    yield greetThenEcho(ch.socket());
                }
            }
            case "greet-channel" -> {
                try (SocketChannel ch = SocketChannel.open(server)) {
                    ByteBuffer buf = ByteBuffer.allocate(64);
                    ch.socket().setSoTimeout(WAIT_MS);
                    ch.read(buf); // blocking: must not wait for a SYN nobody sends
                    yield "greeting=" + text(buf).trim();
                }
            }
            case "greet-available" -> {
                try (Socket s = new Socket(server.getAddress(), server.getPort())) {
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
                    while (s.getInputStream().available() == 0 && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                    s.setSoTimeout(WAIT_MS);
                    yield "greeting=" + (s.getInputStream().available() > 0 ? line(s.getInputStream()) : "none");
                }
            }
            case "greet-nonblocking" -> {
                try (SocketChannel ch = SocketChannel.open()) {
                    ch.configureBlocking(false);
                    boolean connected = ch.connect(server);
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
                    while (!connected && System.nanoTime() < deadline) {
                        connected = ch.finishConnect();
                    }
                    ByteBuffer buf = ByteBuffer.allocate(64);
                    while (buf.position() == 0 && System.nanoTime() < deadline) {
                        if (ch.read(buf) == 0) {
                            Thread.sleep(5);
                        }
                    }
                    yield "greeting=" + text(buf).trim();
                }
            }
            case "greet-selector" -> {
                try (Selector selector = Selector.open(); SocketChannel ch = SocketChannel.open()) {
                    ch.configureBlocking(false);
                    boolean connected = ch.connect(server);
                    SelectionKey key = ch.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT);
                    ByteBuffer buf = ByteBuffer.allocate(64);
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
                    while (buf.position() == 0 && System.nanoTime() < deadline) {
                        if (selector.select(WAIT_MS) == 0) {
                            continue;
                        }
                        selector.selectedKeys().clear();
                        if (key.isConnectable() && ch.finishConnect()) {
                            key.interestOps(SelectionKey.OP_READ);
                        } else if (key.isReadable()) {
                            ch.read(buf);
                        }
                    }
                    yield "greeting=" + text(buf).trim();
                }
            }
            case "greet-shutdown" -> {
                try (Socket s = new Socket(server.getAddress(), server.getPort())) {
                    s.shutdownOutput();
                    s.setSoTimeout(WAIT_MS);
                    yield "greeting=" + line(s.getInputStream());
                }
            }
            case "get" -> exchange(server, get(i));
            case "post" -> exchange(server, "POST /" + i + " HTTP/1.1\r\nHost: probe\r\nContent-Length: 11\r\n\r\nhello world");
            case "tls" -> tls(server, i);
            case "refused-write" -> refused(server, false, false);
            case "refused-read" -> refused(server, true, false);
            case "refused-timed" -> refused(server, false, true);
            case "refused-channel" -> {
                String step = "connect";
                try (SocketChannel ch = SocketChannel.open(server)) {
                    step = "write";
                    ch.write(ByteBuffer.wrap(ping()));
                    step = "read";
                    ch.read(ByteBuffer.allocate(16));
                    yield "unexpected-success";
                } catch (IOException e) {
                    yield "step=" + step + " error=" + e.getClass().getName() + ": " + e.getMessage();
                }
            }
            case "probe" -> {
                try (Socket s = new Socket()) {
                    s.connect(server, 2 * WAIT_MS);
                    yield "open";
                }
            }
            case "nonblocking" -> nonBlocking(server, i);
            case "async-greet" -> asyncGreet(server);
            case "async-post" -> asyncExchange(server,
                    "POST /" + i + " HTTP/1.1\r\nHost: probe\r\nContent-Length: 11\r\n\r\nhello world");
            case "pipelined" -> exchange(server, get(i) + "POST /" + i + " HTTP/1.1\r\nHost: probe\r\nContent-Length: 0\r\n\r\n");
            case "silent-after-request" -> silentAfterRequest(server, i);
            case "reuse" -> reuse(server);
            case "blackhole-timed" -> blackholeTimed(server);
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        };
    }

    private static String greetThenEcho(Socket s) throws IOException {
        s.setSoTimeout(WAIT_MS);
        String greeting = line(s.getInputStream());
        s.getOutputStream().write(ping());
        return "greeting=" + greeting + " echo=" + line(s.getInputStream());
    }

    private static String exchange(InetSocketAddress server, String request) throws IOException {
        try (Socket s = new Socket(server.getAddress(), server.getPort())) {
            s.setSoTimeout(WAIT_MS * 5);
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return "body=" + response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    private static String tls(InetSocketAddress server, int i) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new TrustEverything()}, null);
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(server.getAddress(), server.getPort())) {
            s.setSoTimeout(WAIT_MS * 5);
            s.getOutputStream().write(("PING " + i + "\n").getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            return "reply=" + line(s.getInputStream());
        }
    }

    private static String refused(InetSocketAddress server, boolean readFirst, boolean timed) {
        String step = "connect";
        try (Socket s = new Socket()) {
            s.setReuseAddress(true);
            // The wildcard address: the kernel keeps cookies per source and destination address (tcp_metrics),
            // and picks the same source as for an unbound socket.
            s.bind(new InetSocketAddress(REFUSED_LOCAL_PORT));
            if (timed) {
                s.connect(server, WAIT_MS);
            } else {
                s.connect(server);
            }
            s.setSoTimeout(WAIT_MS * 5);
            if (!readFirst) {
                step = "write";
                s.getOutputStream().write(get(0).getBytes(StandardCharsets.UTF_8));
                step = "second-write";
                s.getOutputStream().write(ping());
            }
            step = "read";
            s.getInputStream().read();
            return "unexpected-success";
        } catch (IOException e) {
            return "step=" + step + " error=" + e.getClass().getName() + ": " + e.getMessage();
        }
    }

    /**
     * Listens on the server's address and port itself and connects to it once, with a write, so that this
     * JVM has seen the destination complete a handshake (the agent defers only such destinations). Run with
     * the agent's {@code listen=PORT}, so that the listener accepts Fast Open and the cached cookie stays valid.
     */
    private static void learn(InetSocketAddress server) throws IOException {
        try (java.net.ServerSocket listener = new java.net.ServerSocket()) {
            listener.bind(server);
            try (Socket s = new Socket()) {
                s.connect(server, WAIT_MS);
                s.getOutputStream().write(ping());
                try (Socket accepted = listener.accept()) {
                    accepted.getInputStream().read();
                }
            }
        }
    }

    /**
     * A timed connect ({@link #WAIT_MS}) to a listener whose full accept queue drops every SYN, then a GET and
     * a read (with a read timeout of five times that): where and how it failed. Without the agent the connect
     * times out; with it, the deferred handshake must time out at its first I/O, within the same bound.
     */
    private static String blackholeTimed(InetSocketAddress server) throws IOException {
        try (java.net.ServerSocket full = fullListener(server); Socket s = new Socket()) {
            String step = "connect";
            try {
                s.connect(server, WAIT_MS);
                s.setSoTimeout(WAIT_MS * 5);
                step = "write";
                s.getOutputStream().write(get(0).getBytes(StandardCharsets.UTF_8));
                step = "read";
                s.getInputStream().read();
                return "unexpected-success";
            } catch (IOException e) {
                return "step=" + step + " error=" + e.getClass().getName() + ": " + e.getMessage();
            }
        }
    }

    /** Non-blocking connect, then waits for OP_CONNECT as an application that always does would. */
    private static String nonBlocking(InetSocketAddress server, int i) throws IOException {
        try (Selector selector = Selector.open(); SocketChannel ch = SocketChannel.open()) {
            ch.configureBlocking(false);
            boolean immediate = ch.connect(server);
            SelectionKey key = ch.register(selector, SelectionKey.OP_CONNECT);
            boolean opConnect = selector.select(WAIT_MS) == 1 && key.isConnectable();
            boolean finished = ch.finishConnect();
            key.cancel();
            selector.selectNow();
            ch.configureBlocking(true);
            ch.write(ByteBuffer.wrap(get(i).getBytes(StandardCharsets.UTF_8)));
            ch.socket().setSoTimeout(WAIT_MS * 5);
            String response = new String(ch.socket().getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return "connect=" + immediate + " opconnect=" + opConnect + " finished=" + finished
                    + " body=" + response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    private static String asyncGreet(InetSocketAddress server) {
        try (java.nio.channels.AsynchronousSocketChannel ch = java.nio.channels.AsynchronousSocketChannel.open()) {
            ch.connect(server).get(WAIT_MS, TimeUnit.MILLISECONDS);
            ByteBuffer buf = ByteBuffer.allocate(64);
            ch.read(buf).get(WAIT_MS, TimeUnit.MILLISECONDS);
            return "greeting=" + text(buf).trim();
        } catch (Exception e) {
            return "error=" + e;
        }
    }

    private static String asyncExchange(InetSocketAddress server, String request) {
        try (java.nio.channels.AsynchronousSocketChannel ch = java.nio.channels.AsynchronousSocketChannel.open()) {
            ch.connect(server).get(WAIT_MS, TimeUnit.MILLISECONDS);
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                ch.write(out).get(WAIT_MS, TimeUnit.MILLISECONDS);
            }
            ByteBuffer in = ByteBuffer.allocate(1024);
            while (ch.read(in).get(WAIT_MS * 5, TimeUnit.MILLISECONDS) > 0) {
                // until the server closes
            }
            String response = text(in);
            return "body=" + response.substring(response.indexOf("\r\n\r\n") + 4);
        } catch (Exception e) {
            return "error=" + e;
        }
    }

    /**
     * Connection 1 learns the destination; the others send a GET from local port 40000 + i, which the test
     * silences after the handshake, and wait for keepalive to give up: the request was delivered, so the
     * failure must be the JDK's own, never a ConnectException.
     */
    private static String silentAfterRequest(InetSocketAddress server, int i) throws IOException {
        if (i == 1) {
            return exchange(server, get(i));
        }
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(40000 + i)); // the wildcard address, as for REFUSED_LOCAL_PORT
            s.setKeepAlive(true);
            s.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, 1);
            s.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
            s.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT, 2);
            s.connect(server);
            s.setSoTimeout(WAIT_MS * 20);
            s.getOutputStream().write(get(i).getBytes(StandardCharsets.UTF_8));
            s.getInputStream().read();
            return "unexpected-reply";
        } catch (IOException e) {
            return "error=" + e.getClass().getName() + ": " + e.getMessage();
        }
    }

    /**
     * The server is a listener whose accept queue the probe fills (backlog 1, never accepted): later SYNs to
     * it are dropped. One thread writes to a deferred timed connect and reads; this thread closes that
     * socket and opens another, which takes the lowest free descriptor, to a refused port. Without the
     * agent: the first gets "Socket closed", the second "Connection refused". A wait of the agent's on the
     * closed descriptor's number would read the second socket's error instead.
     */
    private static String reuse(InetSocketAddress server) throws Exception {
        try (java.net.ServerSocket full = fullListener(server)) {
            SocketChannel.open().close(); // the JDK's lazily opened descriptors exist before the one to be reused
            Socket s = new Socket();
            s.connect(server, 5 * WAIT_MS);
            java.util.concurrent.CompletableFuture<String> first = new java.util.concurrent.CompletableFuture<>();
            Thread io = new Thread(() -> {
                try {
                    s.getOutputStream().write(get(1).getBytes(StandardCharsets.UTF_8));
                    s.getInputStream().read();
                    first.complete("unexpected-success");
                } catch (IOException e) {
                    first.complete(e.getClass().getName() + ": " + e.getMessage());
                }
            });
            io.start();
            Thread.sleep(300);
            s.close();
            String second;
            try (SocketChannel other = SocketChannel.open()) {
                other.configureBlocking(false);
                other.connect(new InetSocketAddress(server.getAddress(), 1));
                Thread.sleep(300);
                second = other.finishConnect() ? "connected" : "pending";
            } catch (IOException e) {
                second = e.getClass().getName() + ": " + e.getMessage();
            }
            return "first=" + first.get(10, TimeUnit.SECONDS) + " second=" + second;
        }
    }

    /**
     * A listener on {@code server} (Fast Open from the agent's {@code listen}) with backlog 1 whose accept
     * queue holds two connections it never accepts: Linux then drops every SYN to it (tcp_conn_request,
     * sk_acceptq_is_full), a black hole on loopback. The two also teach this JVM the destination.
     */
    static java.net.ServerSocket fullListener(InetSocketAddress server) throws IOException {
        java.net.ServerSocket listener = new java.net.ServerSocket();
        listener.bind(server, 1);
        for (int i = 0; i < 2; i++) {
            Socket filler = new Socket();
            filler.connect(server, WAIT_MS);
            filler.getOutputStream().write(ping()); // a first write, so a deferred SYN goes out
            FILLERS.add(filler);
        }
        return listener;
    }

    private static final java.util.List<Socket> FILLERS = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** THREADS workers, COUNT GETs each on fresh connections; reports errors and open fds before and after. */
    private static void load(InetSocketAddress server, int count, int threads, boolean virtual) throws Exception {
        ExecutorService pool = virtual
                ? (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null)
                : Executors.newFixedThreadPool(threads);
        // A warm-up round on every thread first, so the JVM's lazily opened descriptors exist before counting
        // (JDK 21+ opens a poller per carrier thread as virtual threads first block on it).
        Future<?>[] warmUp = new Future<?>[threads];
        for (int t = 0; t < threads; t++) {
            warmUp[t] = pool.submit(() -> {
                exchange(server, get(0));
                return exchange(server, get(0));
            });
        }
        for (Future<?> w : warmUp) {
            w.get(60, TimeUnit.SECONDS);
        }
        long fdsBefore = openFds();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        Future<?>[] workers = new Future<?>[threads];
        for (int t = 0; t < threads; t++) {
            int worker = t;
            workers[t] = pool.submit(() -> {
                for (int i = 1; i <= count; i++) {
                    int n = worker * count + i;
                    try {
                        String outcome = exchange(server, get(n));
                        if (outcome.equals("body=pong " + n)) {
                            ok.incrementAndGet();
                        } else {
                            errors.incrementAndGet();
                        }
                    } catch (IOException e) {
                        if (errors.incrementAndGet() < 5) {
                            System.out.println("error " + e);
                        }
                    }
                }
            });
        }
        for (Future<?> w : workers) {
            w.get(300, TimeUnit.SECONDS);
        }
        pool.shutdown();
        System.out.println("load ok=" + ok + " errors=" + errors + " fds-before=" + fdsBefore + " fds-after=" + openFds());
    }

    private static long openFds() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Over 40 bytes, so any SYN that carries it is longer than any SYN without data (see NetworkLab). */
    static String get(int i) {
        return "GET /" + i + " HTTP/1.1\r\nHost: probe\r\nUser-Agent: connectx-safety-probe\r\n\r\n";
    }

    private static byte[] ping() {
        return "PING\n".getBytes(StandardCharsets.UTF_8);
    }

    private static String text(ByteBuffer buf) {
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            out.write(b);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The test server's certificate is generated per run; the probe checks TLS reaches the server, not identity. */
    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
