package io.connectx.it;

import static io.connectx.it.SampleRuns.freePorts;
import static io.connectx.it.SampleRuns.mbean;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.sys.TcpExtCounters;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An application written to Netty's own epoll API ({@code NettyEpollClientApp}: {@code EpollEventLoopGroup},
 * {@code Bootstrap}, its request written in {@code channelActive}), run on Netty 4.2 (the samples' own) and on
 * Netty 4.1 (4.1.137's jars in place of 4.2's), in child JVMs with the real agent jar, each behaviour
 * compared with the same run without the agent. The client holds a cookie for nginx's address (fetched by
 * curl); the JVM's first connection to a destination is never deferred.
 */
@ExtendWith(FastOpenSysctl.class)
class NettyEpollClientIT {
    static final int COUNT = 6;
    static final int CONNECT_TIMEOUT_MILLIS = 2000;
    static NginxServer nginx;

    @BeforeAll
    static void startNginxAndFetchItsCookie() throws Exception {
        String host = FastOpenSysctl.freshHost();
        int[] ports = freePorts(host, 2);
        nginx = NginxServer.start(host, ports[0], ports[1]);
        LocalServer.run(List.of("curl", "-sS", "--max-time", "5", "--tcp-fastopen", "http://" + host + ":" + nginx.httpPort + "/cookie"));
        String metrics = LocalServer.run(List.of("ip", "tcp_metrics", "show", host));
        assertTrue(metrics.contains("fo_cookie"), "no cookie cached for " + host + ": " + metrics);
    }

    @AfterAll
    static void stopNginx() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
    }

    @ParameterizedTest(name = "Netty {0}")
    @ValueSource(strings = {"4.2", "4.1"})
    void freshGetsCarryTheirRequestInTheSyn(String netty) throws Exception {
        List<String> expected = replies(i -> "response " + i + " status=200 body=nginx /" + i);
        ChildJvm.Result plain = client(netty, null, "get", nginx.httpPort, COUNT);
        assertEquals(expected, replies(plain), "without the agent: " + plain);

        TcpExtCounters before = TcpExtCounters.read();
        ChildJvm.Result agent = client(netty, dest(nginx.httpPort), "get", nginx.httpPort, COUNT);
        TcpExtCounters after = TcpExtCounters.read();
        assertEquals(expected, replies(agent), "with the agent: " + agent);
        Map<String, Long> mbean = mbean(agent);
        assertEquals(COUNT, mbean.get("Connects"), mbean.toString());
        assertEquals(COUNT - 1, mbean.get("Deferred"), "every connection after the first deferred: " + mbean);
        assertEquals(COUNT - 1, mbean.get("SynDataAcked"), "TCP_INFO: every deferred GET acked in the SYN: " + mbean);
        assertEquals(0, mbean.get("Errors"), mbean.toString());
        long active = after.since(before, TcpExtCounters.ACTIVE);
        assertTrue(active >= COUNT - 1, "TcpExt TCPFastOpenActive +" + active);
        System.out.println("NettyEpollClientIT " + agent.lines("netty ").get(0) + ": " + mbean.get("SynDataAcked") + "/"
                + COUNT + " GETs in the SYN by TCP_INFO; TcpExt TCPFastOpenActive +" + active);
    }

    @ParameterizedTest(name = "Netty {0}")
    @ValueSource(strings = {"4.2", "4.1"})
    void postIsHeldOutOfTheSyn(String netty) throws Exception {
        List<String> expected = replies(i -> "response " + i + " status=200 body=nginx /" + i);
        assertEquals(expected, replies(client(netty, null, "post", nginx.httpPort, COUNT)), "without the agent");
        ChildJvm.Result agent = client(netty, dest(nginx.httpPort), "post", nginx.httpPort, COUNT);
        assertEquals(expected, replies(agent), "with the agent: " + agent);
        Map<String, Long> mbean = mbean(agent);
        assertEquals(COUNT - 1, mbean.get("ReplayUnsafeHeld"), "every deferred POST held: " + mbean);
        assertEquals(0, mbean.get("SynDataAcked"), "no POST in a SYN: " + mbean);
    }

    /**
     * A destination that stopped answering after this JVM connected to it (the cookie makes the kernel defer the
     * connect; every SYN is dropped in a namespace the test made): the channel's CONNECT_TIMEOUT_MILLIS ends
     * the attempt, with the agent as without it, not the kernel's SYN retries (some 127 s).
     */
    @ParameterizedTest(name = "Netty {0}")
    @ValueSource(strings = {"4.2", "4.1"})
    void connectTimeoutBoundsADeferredHandshakeToADestinationGoneDark(String netty) throws Exception {
        String plain = darkRun(netty, null);
        String agent = darkRun(netty, "dest=127.0.0.0/8:" + LossyPathIT.PORT);
        for (String line : List.of(plain, agent)) {
            long elapsed = Long.parseLong(line.substring(line.lastIndexOf("elapsed-ms=") + 11));
            assertTrue(elapsed >= CONNECT_TIMEOUT_MILLIS - 100 && elapsed < CONNECT_TIMEOUT_MILLIS + 3000,
                    "ended by the " + CONNECT_TIMEOUT_MILLIS + " ms connect timeout: " + line);
        }
        // Netty's ConnectTimeoutException is a ConnectException; the agent raises that superclass, in Netty's words.
        assertEquals(withoutElapsed(plain).replace("io.netty.channel.ConnectTimeoutException", "java.net.ConnectException"),
                withoutElapsed(agent));
        System.out.println("NettyEpollClientIT dark destination, Netty " + netty + ": plain [" + plain + "]; agent [" + agent + "]");
    }

    @Test
    void shutdownOutputBeforeTheFirstWriteWaitsForTheHandshake() throws Exception {
        try (HalfCloseServer server = new HalfCloseServer(nginx.host)) {
            List<String> expected = replies(i -> "response " + i + " status=none body=bye");
            ChildJvm.Result plain = client("4.2", null, "shutdown", server.port(), COUNT);
            assertEquals(expected, replies(plain), "without the agent: " + plain);
            ChildJvm.Result agent = client("4.2", dest(server.port()), "shutdown", server.port(), COUNT);
            assertEquals(expected, replies(agent), "with the agent: " + agent);
            assertEquals(COUNT - 1, mbean(agent).get("Deferred"), "the cookie deferred every connect after the first: " + agent);
        }
    }

    @Test
    void sendFileIsHeldOutOfTheSynNotCountedAsAReadFirstTrigger() throws Exception {
        List<String> expected = replies(i -> "response " + i + " status=200 body=nginx /" + i);
        assertEquals(expected, replies(client("4.2", null, "sendfile", nginx.httpPort, COUNT)), "without the agent");
        ChildJvm.Result agent = client("4.2", dest(nginx.httpPort), "sendfile", nginx.httpPort, COUNT);
        assertEquals(expected, replies(agent), "with the agent: " + agent);
        Map<String, Long> mbean = mbean(agent);
        assertEquals(COUNT - 1, mbean.get("Deferred"), mbean.toString());
        assertEquals(COUNT - 1, mbean.get("ReplayUnsafeHeld"), "each deferred sendfile held: " + mbean);
        assertEquals(0, mbean.get("ReadFirstTriggers"), mbean.toString());
        assertEquals(0, mbean.get("SynDataAcked"), mbean.toString());
    }

    @Test
    void udpConnectsAreNeitherCountedNorTouched() throws Exception {
        try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getByName(nginx.host))) {
            receiver.setSoTimeout(2000);
            String port = String.valueOf(receiver.getLocalPort());
            List<String> expected = replies(i -> "response " + i + " udp sent");
            ChildJvm.Result plain = client("4.2", null, "udp", receiver.getLocalPort(), COUNT);
            assertEquals(expected, replies(plain), "without the agent: " + plain);
            assertEquals(COUNT, received(receiver), "datagrams without the agent");
            ChildJvm.Result agent = client("4.2", "dest=" + nginx.host + ":" + port, "udp", receiver.getLocalPort(), COUNT);
            assertEquals(expected, replies(agent), "with the agent: " + agent);
            assertEquals(COUNT, received(receiver), "datagrams with the agent");
            Map<String, Long> mbean = mbean(agent);
            assertEquals(0, mbean.get("Connects"), "UDP connects are not TCP connects: " + mbean);
            assertEquals(0, mbean.get("Admitted"), mbean.toString());
        }
    }

    /**
     * In a namespace of its own: a Fast Open server (the agent's listen), a cookie fetched by curl, then the
     * client's first request; then every SYN to the server is dropped, and its second request starts. Returns
     * the line of that second request.
     */
    private static String darkRun(String netty, String agentArgs) throws Exception {
        Assumptions.assumeTrue(hasTool("nft"), "skipped: no nft on PATH for the namespace's drop rule");
        int port = LossyPathIT.PORT;
        String url = "http://" + LossyPathIT.HOST + ":" + port + "/cookie";
        Path gate = Files.createTempFile("netty-dark", ".gate");
        Files.delete(gate);
        try (NetworkLab lab = NetworkLab.create();
                ChildJvm.Running server = lab.jvm().agent("listen=" + port).args("-cp", SampleApps.classPath(),
                        "io.connectx.samples.JdkHttpServerApp", LossyPathIT.HOST, String.valueOf(port)).start("listening")) {
            lab.run("curl", "-sS", "--max-time", "5", "--tcp-fastopen", url);
            ChildJvm jvm = lab.jvm();
            if (agentArgs != null) {
                jvm.agent(agentArgs);
            }
            try (ChildJvm.Running client = jvm.args("-cp", classPath(netty) + File.pathSeparator + ChildJvm.TEST_CLASSES,
                    MeasuredMain.class.getName(), "io.connectx.samples.NettyEpollClientApp", "get", LossyPathIT.HOST,
                    String.valueOf(port), "2", String.valueOf(CONNECT_TIMEOUT_MILLIS), gate.toString()).start("gate")) {
                lab.dropSyns(port);
                Files.createFile(gate);
                assertEquals(0, client.awaitExit(), client.toString());
                assertEquals(List.of("transport epoll=true"), client.lines("transport "), client.toString());
                assertTrue(client.lines("response 1 status=200 body=hello 1").size() == 1, client.toString());
                List<String> second = client.lines("error 2 ");
                assertEquals(1, second.size(), "the second request fails: " + client);
                if (agentArgs != null) {
                    assertTrue(client.lines("mbean Deferred=1").size() == 1, "its connect was deferred: " + client);
                }
                return second.get(0);
            }
        } finally {
            Files.deleteIfExists(gate);
        }
    }

    private static String withoutElapsed(String line) {
        return line.replaceAll(" elapsed-ms=\\d+", "");
    }

    private static boolean hasTool(String name) {
        return Stream.of(System.getenv("PATH").split(File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, name)));
    }

    private static String dest(int port) {
        return "dest=" + nginx.host + ":" + port + ";first=auto";
    }

    /** The samples' class path (Netty 4.2), or the samples jar with Netty 4.1's jars in place of 4.2's. */
    private static String classPath(String netty) throws IOException {
        if (netty.equals("4.2")) {
            return SampleApps.classPath();
        }
        List<String> entries = new ArrayList<>(List.of(SampleApps.DIR.resolve("connectx-samples.jar").toString()));
        try (Stream<Path> jars = Files.list(SampleApps.DIR.resolve("netty-4.1"))) {
            jars.filter(j -> j.toString().endsWith(".jar")).map(Path::toString).sorted().forEach(entries::add);
        }
        assertEquals(8, entries.size(), "the samples build copies Netty 4.1's seven jars: " + entries);
        return String.join(File.pathSeparator, entries);
    }

    private static ChildJvm.Result client(String netty, String agentArgs, String mode, int port, int count)
            throws IOException, InterruptedException {
        ChildJvm jvm = new ChildJvm();
        if (agentArgs != null) {
            jvm.agent(agentArgs);
        }
        ChildJvm.Result result = jvm.args("-cp", classPath(netty) + File.pathSeparator + ChildJvm.TEST_CLASSES,
                MeasuredMain.class.getName(), "io.connectx.samples.NettyEpollClientApp", mode, nginx.host,
                String.valueOf(port), String.valueOf(count)).run();
        assertEquals(0, result.exitCode(), result.toString());
        assertEquals(List.of("transport epoll=true"), result.lines("transport "), "Netty's epoll transport: " + result);
        assertEquals(1, result.lines("netty " + netty + ".").size(), "Netty " + netty + ": " + result);
        assertEquals(List.of(), result.stderr().lines().filter(l -> l.startsWith("connectx:")).toList(),
                "the agent complained: " + result);
        return result;
    }

    private static List<String> replies(java.util.function.IntFunction<String> reply) {
        return IntStream.rangeClosed(1, COUNT).mapToObj(reply).toList();
    }

    private static List<String> replies(ChildJvm.Result result) {
        return result.stdout().lines().filter(l -> l.startsWith("response ") || l.startsWith("error "))
                .map(l -> l.replaceAll(" elapsed-ms=\\d+", "")).toList();
    }

    private static int received(DatagramSocket receiver) throws IOException {
        int n = 0;
        byte[] buf = new byte[64];
        for (int i = 0; i < COUNT + 1; i++) {
            try {
                receiver.receive(new DatagramPacket(buf, buf.length));
                n++;
            } catch (SocketTimeoutException e) {
                break;
            }
        }
        return n;
    }

    /** Reads each connection to its end (the client's shutdownOutput), answers {@code bye}, closes. Bounded: 64 accepts. */
    private static final class HalfCloseServer implements AutoCloseable {
        private final ServerSocket listener;

        HalfCloseServer(String host) throws IOException {
            listener = new ServerSocket(0, 50, InetAddress.getByName(host));
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 64 && !listener.isClosed(); i++) {
                    try (Socket s = listener.accept()) {
                        s.setSoTimeout(5000);
                        InputStream in = s.getInputStream();
                        while (in.read() >= 0) {
                            // until the client's FIN
                        }
                        s.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        // closed, or the client went away
                    }
                }
            }, "half-close-server");
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
