package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.it.FastOpenTestServer.Behaviour;
import io.connectx.sys.TcpExtCounters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Linux suites' claims again, over the Darwin path: child JVMs with the real agent jar and
 * {@code platform=darwin;darwin.library=native/target/xnu-model/libxnu-model.so}, so that every connect goes
 * through DarwinFastOpen's connectx(2), every trigger through its peek, every proof through
 * TCP_CONNECTION_INFO and every listener through Darwin's TCP_FASTOPEN (0x105), all in the xnu model. The
 * JDK's own reads and writes still go to Linux (the unit-level XnuKernel covers xnu's rules for those). SYN
 * data is proven by the kernel's TcpExt counters and the server's TCP_INFO.
 */
@ExtendWith(FastOpenSysctl.class)
class DarwinPathIT {
    static final Path MODEL = Path.of("../native/target/xnu-model/libxnu-model.so").toAbsolutePath().normalize();
    static final String DARWIN = ";platform=darwin;darwin.library=" + MODEL;
    private static final String START_UP = "connectx: test setting platform=darwin: runs the Darwin path (connectx(2)) on Linux,"
            + " bound to " + MODEL;

    @BeforeAll
    static void modelBuilt() {
        assertTrue(Files.isRegularFile(MODEL), MODEL + " is built by mvn package (native/pom.xml)");
    }

    /** The start-up line says which path runs, and it is the agent's only line. */
    private static void assertOnlyTheStartUpLine(String stderr, String context) {
        assertEquals(List.of(START_UP), stderr.lines().filter(l -> l.startsWith("connectx:")).toList(), context);
    }

    /**
     * doctor asks the Darwin path's capability and proves SYN data through TCP_CONNECTION_INFO in the model, on
     * both ends of its loopback probe: it works for the Darwin path, not only Linux's.
     */
    @Test
    void doctorPassesOverTheDarwinPath() throws Exception {
        ChildJvm.Result r = new ChildJvm().args("-Dconnectx.platform=darwin", "-Dconnectx.darwin.library=" + MODEL,
                "-jar", ChildJvm.AGENT_JAR.toString(), "doctor").run();
        assertTrue(r.stdout().contains("PASS  os        the Darwin path (connectx(2)"), r.stdout());
        assertTrue(r.stdout().contains("PASS  jna       JNA ") && r.stdout().contains(" bound " + MODEL), r.stdout());
        assertTrue(r.stdout().lines().anyMatch(l -> l.startsWith("PASS  loopback  ")), r.stdout());
        assertTrue(r.stdout().endsWith("doctor: PASSED\n"), r.stdout() + r.stderr());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"socket", "socket-timeout", "channel-blocking", "channel-selector", "httpclient"})
    void clientApisCarrySynDataAckedAfterTheCookieFetch(String mode) throws Exception {
        boolean http = mode.equals("httpclient");
        ClientFastOpenIT.Run run = ClientFastOpenIT.probe(mode, port -> "dest=127.0.0.0/8:" + port + (http ? "" : ";first=always") + DARWIN,
                true);
        assertEquals(0, run.result().exitCode(), run.toString());
        assertEquals(ClientFastOpenIT.COUNT, run.result().lines("conn ").stream().filter(l -> l.contains("reply=ok")).count(),
                run.toString());
        assertOnlyTheStartUpLine(run.result().stderr(), run.toString());
        List<Boolean> expected = new ArrayList<>(Collections.nCopies(ClientFastOpenIT.COUNT, true));
        expected.set(0, false);
        assertEquals(expected, run.serverSynData(), "server TCP_INFO, per connection\n" + run);
        assertEquals(ClientFastOpenIT.COUNT - 1, run.counter(TcpExtCounters.ACTIVE), "TCPFastOpenActive rise\n" + run);
        assertEquals(List.of("mbean-syn-data-acked " + (ClientFastOpenIT.COUNT - 1)), run.result().lines("mbean-syn-data-acked"),
                "the agent's proof, read from TCP_CONNECTION_INFO through the model\n" + run);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"greet-stream", "greet-channel", "greet-selector", "greet-shutdown"})
    void aServerThatSpeaksFirstIsNeverKeptWaiting(String mode) throws Exception {
        String host = FastOpenSysctl.freshHost();
        try (FastOpenTestServer server = FastOpenTestServer.start(host, Behaviour.GREET)) {
            ChildJvm.Result r = HandshakeSafetyIT.probe(mode, host, server.port(), HandshakeSafetyIT.COUNT,
                    "dest=127.0.0.0/8:" + server.port() + ";first=always" + DARWIN);
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            List<String> conns = r.lines("conn ");
            assertEquals(HandshakeSafetyIT.COUNT, conns.size(), r.stdout());
            for (String conn : conns) {
                assertTrue(conn.contains("greeting=HELLO"), conn + "\n" + r.stdout() + r.stderr());
            }
            assertOnlyTheStartUpLine(r.stderr(), r.stdout() + r.stderr());
        }
    }

    @Test
    void aPostIsHeldOutOfTheSynAndArrivesExactlyOnce() throws Exception {
        String host = FastOpenSysctl.freshHost();
        int count = HandshakeSafetyIT.COUNT;
        try (FastOpenTestServer server = FastOpenTestServer.start(host, Behaviour.ANSWER)) {
            TcpExtCounters before = TcpExtCounters.read();
            ChildJvm.Result r = HandshakeSafetyIT.probe("post", host, server.port(), count, "dest=127.0.0.0/8:" + server.port() + DARWIN);
            long active = TcpExtCounters.read().since(before, TcpExtCounters.ACTIVE);
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            List<FastOpenTestServer.Accepted> accepted = server.accepted(count);
            assertEquals(Collections.nCopies(count, false), accepted.stream().map(FastOpenTestServer.Accepted::synData).toList());
            assertEquals(0, active, "no SYN carried data");
            for (int i = 1; i <= count; i++) {
                String expected = "POST /" + i + " HTTP/1.1\r\nHost: probe\r\nContent-Length: 11\r\n\r\nhello world";
                assertEquals(expected, accepted.get(i - 1).request(), "what the server received, once");
                assertTrue(r.lines("conn " + i + " ").get(0).contains("body=posted " + i + " 11"), r.stdout());
            }
            assertOnlyTheStartUpLine(r.stderr(), r.stdout() + r.stderr());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"refused-write", "refused-read", "refused-channel"})
    void aRefusalIsTheConnectExceptionConnectWouldHaveThrown(String mode) throws Exception {
        String host = FastOpenSysctl.freshHost();
        int port;
        try (FastOpenTestServer server = FastOpenTestServer.start(host)) {
            port = server.port();
            ChildJvm.Result warm = HandshakeSafetyIT.probe("get", host, port, 2, "dest=127.0.0.0/8:" + port + DARWIN);
            assertEquals(0, warm.exitCode(), warm.stdout() + warm.stderr());
        }
        // xnu's connectx defers every admitted connect, cookie or not; the engine keeps it deferred only for a
        // destination this JVM saw connect, so the probe first listens on the port itself ("learn"). The model
        // runs over Linux, which defers only with a cookie: the warm-up fetched it. The refusal then surfaces at
        // the first I/O, and TCP_CONNECTION_INFO (no RTT sample, no options from a SYN-ACK) types it.
        ChildJvm.Result r = HandshakeSafetyIT.probe(mode, host, port, 1,
                "dest=127.0.0.0/8:" + port + ";first=always;listen=" + port + DARWIN, "learn");
        String line = r.lines("conn 1 ").get(0);
        assertTrue(line.contains("error=java.net.ConnectException: Connection refused"), line + "\n" + r.stderr());
        assertTrue(!line.contains("step=connect"), "the connect itself was deferred: " + line);
    }

    /**
     * A destination this JVM has not seen connect is not deferred, although xnu's connectx defers it: its SYN
     * leaves at connect, so a connect-only probe of a closed port fails there, with a cookie for the address
     * or without, as without the agent.
     */
    @Test
    void aConnectOnlyProbeOfAClosedPortFailsAsWithoutTheAgent() throws Exception {
        String host = FastOpenSysctl.freshHost();
        int port;
        try (FastOpenTestServer server = FastOpenTestServer.start(host)) {
            port = server.port();
            assertEquals(0, HandshakeSafetyIT.probe("get", host, port, 2, "dest=127.0.0.0/8:" + port + DARWIN).exitCode(), "the cookie");
        }
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        for (int p : new int[] {port, closed}) {
            ChildJvm.Result r = HandshakeSafetyIT.probe("probe", host, p, 1, "dest=127.0.0.0/8:*" + DARWIN);
            String line = r.lines("conn 1 ").get(0);
            assertTrue(line.contains("error=java.net.ConnectException: Connection refused"), line + "\n" + r.stderr());
            assertOnlyTheStartUpLine(r.stderr(), r.stdout() + r.stderr());
        }
    }

    /**
     * A timed connect's timeout is enforced on the Darwin path too: a deferred handshake into a black hole (a
     * full accept queue drops its SYN) ends at the deadline by disconnectx(2), and the read blocked in the JDK
     * throws the connect's {@code SocketTimeoutException}, not its own read timeout five times later.
     */
    @Test
    void aTimedConnectIntoABlackHoleTimesOutInTime() throws Exception {
        String host = FastOpenSysctl.freshHost();
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ChildJvm.Result r = HandshakeSafetyIT.probe("blackhole-timed", host, port, 1,
                "dest=127.0.0.0/8:" + port + ";listen=" + port + DARWIN);
        String line = r.lines("conn 1 ").get(0);
        assertTrue(line.contains("error=java.net.SocketTimeoutException: Connect timed out"), line + "\n" + r.stderr());
        assertTrue(!line.contains("step=connect"), "the connect itself was deferred: " + line);
        long elapsed = Long.parseLong(line.replaceAll(".*elapsed-ms=(\\d+).*", "$1"));
        assertTrue(elapsed < 3 * SafetyProbe.WAIT_MS, "within the timeout and the fillers' set-up: " + line);
        assertOnlyTheStartUpLine(r.stderr(), r.stdout() + r.stderr());
    }

    /**
     * The request reached the server (its SYN data acknowledged), then the path went silent and keepalive
     * gave up: the JDK's own {@code SocketException: Connection timed out}, never a {@code ConnectException}.
     * On Darwin that the handshake completed is read from TCP_CONNECTION_INFO (an RTT sample, the peer's
     * options), as DeferralTransparencyIT shows it for Linux's tcpi_bytes_acked.
     */
    @Test
    void aFailureAfterTheRequestWasDeliveredIsTheJdksOwn() throws Exception {
        int port = LossyPathIT.PORT;
        String agent = "dest=127.0.0.0/8:" + port + DARWIN;
        try (NetworkLab lab = NetworkLab.create()) {
            try (ChildJvm.Running warm = LossyPathIT.server(lab, 2, "listen=" + port)) {
                assertEquals(0, lab.jvm().args(ChildJvm.OPENS).agent(agent).args("-cp", ChildJvm.TEST_CLASSES.toString(),
                        SafetyProbe.class.getName(), "get", LossyPathIT.HOST, String.valueOf(port), "2").run().exitCode(),
                        "warm-up: the cookie");
            }
            lab.silenceAfterHandshake(port, 40002);
            try (ChildJvm.Running server = LossyPathIT.server(lab, 2, "listen=" + port)) {
                ChildJvm.Result r = lab.jvm().args(ChildJvm.OPENS).agent(agent).args("-cp", ChildJvm.TEST_CLASSES.toString(),
                        SafetyProbe.class.getName(), "silent-after-request", LossyPathIT.HOST, String.valueOf(port), "2").run();
                String line = r.lines("conn 2 ").get(0);
                assertTrue(line.contains("error=java.net.SocketException: Connection timed out"), line + "\n" + r.stderr());
                assertTrue(server.lines("accepted ").stream().anyMatch(l -> l.contains("request=GET /2")),
                        "the request was delivered: " + server);
            }
        }
    }

    @Test
    void listenersTakeFastOpenThroughDarwinsConstant() throws Exception {
        String host = FastOpenSysctl.freshHost();
        int port = ServerFastOpenIT.freePort(host);
        try (ChildJvm.Running server = ServerFastOpenIT.serverProbe("channel-blocking", host, port, "listen=" + port + DARWIN)) {
            assertEquals(ServerFastOpenIT.ONE_PER_CONNECTION_AFTER_THE_FIRST, ServerFastOpenIT.curlEach(host, port, "pong "),
                    "TCPFastOpenPassive per curl --tcp-fastopen connection\n" + server);
            assertEquals(0, server.awaitExit(), server.toString());
            assertEquals(List.of(false, true, true, true, true, true),
                    server.lines("accepted ").stream().map(l -> l.contains(" syn-data=true ")).toList(), server.toString());
            assertOnlyTheStartUpLine(server.stderr(), server.toString());
        }
    }
}
