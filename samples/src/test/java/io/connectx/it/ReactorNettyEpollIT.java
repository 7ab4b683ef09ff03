package io.connectx.it;

import static io.connectx.it.SampleRuns.freePorts;
import static io.connectx.it.SampleRuns.mbean;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.sys.TcpExtCounters;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Netty's native epoll transport, through an unmodified Reactor Netty application (ReactorNettyClientApp), in
 * a child JVM with the real agent jar, each behaviour compared with the same run without the agent. The
 * client holds a cookie for nginx's address (fetched by curl), so the kernel defers every connect the agent
 * asks it to; the JVM's first connection to a destination is never deferred (the agent has not yet seen it
 * connect).
 */
@ExtendWith(FastOpenSysctl.class)
class ReactorNettyEpollIT {
    static final int COUNT = 10;
    static NginxServer nginx;

    @BeforeAll
    static void startNginxAndFetchItsCookie() throws Exception {
        String host = FastOpenSysctl.freshHost();
        int[] ports = freePorts(host, 2);
        nginx = NginxServer.start(host, ports[0], ports[1]);
        curl("http://" + host + ":" + nginx.httpPort + "/cookie");
        String metrics = LocalServer.run(List.of("ip", "tcp_metrics", "show", host));
        assertTrue(metrics.contains("fo_cookie"), "no cookie cached for " + host + ": " + metrics);
    }

    @AfterAll
    static void stopNginx() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void freshGetsOverEpollCarryTheirRequestInTheSyn() throws Exception {
        List<String> expected = IntStream.rangeClosed(1, COUNT).mapToObj(i -> "response " + i + " status=200 body=nginx /" + i)
                .toList();
        ChildJvm.Result plain = client(null, "get", nginx.httpPort);
        assertEquals(expected, replies(plain), "without the agent: " + plain);

        TcpExtCounters before = TcpExtCounters.read();
        ChildJvm.Result agent = client(dest(nginx.httpPort), "get", nginx.httpPort);
        TcpExtCounters after = TcpExtCounters.read();
        assertEquals(expected, replies(agent), "with the agent: " + agent);
        Map<String, Long> mbean = mbean(agent);
        assertEquals(COUNT, mbean.get("Admitted"), "every connection admitted: " + mbean);
        assertEquals(COUNT - 1, mbean.get("Deferred"), "every connection after the first deferred: " + mbean);
        assertEquals(COUNT - 1, mbean.get("SynDataAcked"), "TCP_INFO: every deferred GET acked in the SYN: " + mbean);
        assertEquals(0, mbean.get("Errors"), mbean.toString());
        long active = after.since(before, TcpExtCounters.ACTIVE);
        long passive = after.since(before, TcpExtCounters.PASSIVE);
        assertTrue(active >= COUNT - 1 && passive >= COUNT - 1, "TcpExt TCPFastOpenActive +" + active + ", Passive +" + passive);
        System.out.println("ReactorNettyEpollIT GET: " + mbean.get("SynDataAcked") + "/" + COUNT
                + " connections carried their GET in the SYN; TcpExt TCPFastOpenActive +" + active + ", TCPFastOpenPassive +" + passive);
    }

    @Test
    void postOverEpollIsHeldOutOfTheSyn() throws Exception {
        List<String> expected = IntStream.rangeClosed(1, COUNT).mapToObj(i -> "response " + i + " status=200 body=nginx /" + i)
                .toList();
        ChildJvm.Result plain = client(null, "post", nginx.httpPort);
        assertEquals(expected, replies(plain), "without the agent: " + plain);
        ChildJvm.Result agent = client(dest(nginx.httpPort), "post", nginx.httpPort);
        assertEquals(expected, replies(agent), "with the agent: " + agent);
        Map<String, Long> mbean = mbean(agent);
        assertEquals(COUNT - 1, mbean.get("Deferred"), mbean.toString());
        assertEquals(COUNT - 1, mbean.get("ReplayUnsafeHeld"), "every deferred POST held: " + mbean);
        assertEquals(0, mbean.get("SynDataAcked"), "no POST in a SYN: " + mbean);
        assertEquals(0, mbean.get("Errors"), mbean.toString());
    }

    @Test
    void serverFirstOverEpollDoesNotHang() throws Exception {
        try (BannerServer banner = new BannerServer(nginx.host)) {
            List<String> expected = IntStream.rangeClosed(1, COUNT).mapToObj(i -> "banner " + i + " 220 connectx ready")
                    .toList();
            ChildJvm.Result plain = client(null, "banner", banner.port());
            assertEquals(expected, replies(plain), "without the agent: " + plain);
            ChildJvm.Result agent = client(dest(banner.port()), "banner", banner.port());
            assertEquals(expected, replies(agent), "with the agent: " + agent);
            Map<String, Long> mbean = mbean(agent);
            assertEquals(COUNT - 1, mbean.get("Deferred"), mbean.toString());
            assertEquals(COUNT - 1, mbean.get("ReadFirstTriggers"), "EPOLLIN before any write started each handshake: " + mbean);
            assertEquals(0, mbean.get("SynDataAcked"), mbean.toString());
        }
    }

    @Test
    void refusedPortFailsAsNettysPlainConnect() throws Exception {
        int closed = freePorts(nginx.host, 1)[0];
        ChildJvm.Result plain = client(null, "get", closed, 2);
        ChildJvm.Result agent = client(dest(closed), "get", closed, 2);
        List<String> plainErrors = plain.lines("error ");
        assertEquals(2, plainErrors.size(), plain.toString());
        assertTrue(plainErrors.get(0).startsWith("error 1 connect=true "), plain.toString());
        assertEquals(plainErrors, agent.lines("error "), "the same errors with the agent: " + agent);
        assertEquals(0, mbean(agent).get("Deferred"), "a destination never seen to connect is never deferred");
    }

    @Test
    void portClosedAfterUseFailsAsAConnectErrorThoughDeferred() throws Exception {
        ChildJvm.Result plain;
        try (OneShotHttpServer server = new OneShotHttpServer(nginx.host)) {
            plain = client(null, "get", server.port(), 2);
        }
        ChildJvm.Result agent;
        try (OneShotHttpServer server = new OneShotHttpServer(nginx.host)) {
            agent = client(dest(server.port()), "get", server.port(), 2);
        }
        for (ChildJvm.Result run : List.of(plain, agent)) {
            assertEquals(List.of("response 1 status=200 body=once"), replies(run), run.toString());
            List<String> errors = run.lines("error ");
            assertEquals(1, errors.size(), run.toString());
            assertTrue(errors.get(0).startsWith("error 2 connect=true "), "a ConnectException, as Netty's own: " + run);
        }
        Map<String, Long> mbean = mbean(agent);
        assertEquals(1, mbean.get("Deferred"), "the second connect was deferred: " + mbean);
        System.out.println("ReactorNettyEpollIT closed port: plain " + plain.lines("error ") + "; agent " + agent.lines("error "));
    }

    private static String dest(int port) {
        return "dest=" + nginx.host + ":" + port + ";first=auto";
    }

    private static ChildJvm.Result client(String agentArgs, String mode, int port) throws IOException, InterruptedException {
        return client(agentArgs, mode, port, COUNT);
    }

    private static ChildJvm.Result client(String agentArgs, String mode, int port, int count)
            throws IOException, InterruptedException {
        ChildJvm jvm = new ChildJvm();
        if (agentArgs != null) {
            jvm.agent(agentArgs);
        }
        ChildJvm.Result result = jvm.args("-cp", SampleApps.classPath() + File.pathSeparator + ChildJvm.TEST_CLASSES,
                MeasuredMain.class.getName(), "io.connectx.samples.ReactorNettyClientApp", mode, nginx.host,
                String.valueOf(port), String.valueOf(count)).run();
        assertEquals(0, result.exitCode(), result.toString());
        assertEquals(List.of("transport epoll=true"), result.lines("transport "), "Netty's epoll transport: " + result);
        assertEquals(List.of(), result.stderr().lines().filter(l -> l.startsWith("connectx:")).toList(),
                "the agent complained: " + result);
        return result;
    }

    private static List<String> replies(ChildJvm.Result result) {
        return result.stdout().lines().filter(l -> l.startsWith("response ") || l.startsWith("banner ")).toList();
    }

    private static void curl(String url) throws IOException, InterruptedException {
        Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "5", "--tcp-fastopen", url)
                .redirectErrorStream(true).start();
        curl.getInputStream().readAllBytes();
        if (!curl.waitFor(10, TimeUnit.SECONDS)) {
            curl.destroyForcibly();
        }
    }

    /** A server that speaks first: each connection gets one line, then is closed. Bounded: at most 64 accepts. */
    private static final class BannerServer implements AutoCloseable {
        private final ServerSocket listener;
        private final Thread thread;

        BannerServer(String host) throws IOException {
            listener = new ServerSocket(0, 50, InetAddress.getByName(host));
            thread = new Thread(() -> {
                for (int i = 0; i < 64 && !listener.isClosed(); i++) {
                    try (Socket s = listener.accept()) {
                        s.getOutputStream().write("220 connectx ready\r\n".getBytes(StandardCharsets.US_ASCII));
                        s.shutdownOutput();
                        s.setSoTimeout(2000);
                        s.getInputStream().read(); // until the client closes
                    } catch (IOException e) {
                        // closed, or the client went away
                    }
                }
            }, "banner-server");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    /** Answers one HTTP request with {@code once}, then stops listening: the next connect meets a closed port. */
    private static final class OneShotHttpServer implements AutoCloseable {
        private final ServerSocket listener;

        OneShotHttpServer(String host) throws IOException {
            listener = new ServerSocket(0, 50, InetAddress.getByName(host));
            Thread thread = new Thread(() -> {
                try (Socket s = listener.accept()) {
                    listener.close();
                    s.setSoTimeout(5000);
                    InputStream in = s.getInputStream();
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n") && head.length() < 8192) {
                        int b = in.read();
                        if (b < 0) {
                            break;
                        }
                        head.append((char) b);
                    }
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nonce")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    // the client went away
                }
            }, "one-shot-http");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
