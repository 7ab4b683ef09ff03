package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.it.FastOpenTestServer.Accepted;
import io.connectx.it.FastOpenTestServer.Behaviour;
import io.connectx.sys.TcpExtCounters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What deferring the SYN could break, each in a child JVM with the agent: servers that speak first,
 * first writes that must not be replayed, handshakes that fail at the first I/O, and load.
 */
@ExtendWith(FastOpenSysctl.class)
class HandshakeSafetyIT {
    static final int COUNT = 4;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"greet-stream", "greet-timed", "greet-adaptor", "greet-channel", "greet-available",
        "greet-nonblocking", "greet-selector", "greet-shutdown"})
    void aServerThatSpeaksFirstIsNeverKeptWaiting(String mode) throws Exception {
        String host = FastOpenSysctl.freshHost();
        try (FastOpenTestServer server = FastOpenTestServer.start(host, Behaviour.GREET)) {
            TcpExtCounters before = TcpExtCounters.read();
            ChildJvm.Result r = probe(mode, host, server.port(), COUNT, "dest=127.0.0.0/8:" + server.port() + ";first=always");
            TcpExtCounters after = TcpExtCounters.read();
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            List<String> conns = r.lines("conn ");
            assertEquals(COUNT, conns.size(), r.stdout());
            for (String conn : conns) {
                assertTrue(conn.contains("greeting=HELLO"), conn + "\n" + r.stdout() + r.stderr());
                assertTrue(elapsedMillis(conn) < SafetyProbe.WAIT_MS, "greeting within a second: " + conn);
            }
            // Only the first connection fetched a cookie: the others were deferred, and still not kept waiting.
            assertEquals(1, after.since(before, TcpExtCounters.COOKIE_REQUESTED), r.stdout());
        }
    }

    @Test
    void aGetRidesInTheSyn() throws Exception {
        Exchanges e = exchanges(Behaviour.ANSWER, "get", "");
        assertEquals(synDataAfterTheCookieFetch(), e.serverSynData(), e.toString());
        for (int i = 1; i <= COUNT; i++) {
            assertTrue(e.result.lines("conn " + i + " ").get(0).contains("body=pong " + i), e.toString());
        }
        assertEquals(COUNT - 1, e.active(), e.toString());
    }

    @Test
    void aTlsClientHelloRidesInTheSyn() throws Exception {
        Exchanges e = exchanges(Behaviour.TLS, "tls", "");
        assertEquals(synDataAfterTheCookieFetch(), e.serverSynData(), e.toString());
        for (int i = 1; i <= COUNT; i++) {
            assertTrue(e.result.lines("conn " + i + " ").get(0).contains("reply=PONG " + i), e.toString());
        }
    }

    @Test
    void aPostIsHeldOutOfTheSynAndArrivesExactlyOnce() throws Exception {
        Exchanges e = exchanges(Behaviour.ANSWER, "post", "");
        assertEquals(Collections.nCopies(COUNT, false), e.serverSynData(), e.toString());
        assertEquals(0, e.active(), e.toString());
        for (int i = 1; i <= COUNT; i++) {
            String expected = "POST /" + i + " HTTP/1.1\r\nHost: probe\r\nContent-Length: 11\r\n\r\nhello world";
            assertEquals(expected, e.accepted.get(i - 1).request(), "what the server received, once");
            assertTrue(e.result.lines("conn " + i + " ").get(0).contains("body=posted " + i + " 11"), e.toString());
        }
    }

    @Test
    void firstNeverHoldsEvenAGetAndFirstAlwaysSendsEvenAPost() throws Exception {
        Exchanges never = exchanges(Behaviour.ANSWER, "get", ";first=never");
        assertEquals(Collections.nCopies(COUNT, false), never.serverSynData(), never.toString());
        Exchanges always = exchanges(Behaviour.ANSWER, "post", ";first=always");
        assertEquals(synDataAfterTheCookieFetch(), always.serverSynData(), always.toString());
        assertEquals(COUNT, always.accepted.stream().filter(a -> a.request().endsWith("\r\n\r\nhello world")).count());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"refused-write", "refused-read", "refused-timed", "refused-channel"})
    void aRefusalAfterTheDeferralIsTheConnectExceptionConnectWouldHaveThrown(String mode) throws Exception {
        String host = FastOpenSysctl.freshHost();
        int port;
        try (FastOpenTestServer server = FastOpenTestServer.start(host)) {
            port = server.port();
            ChildJvm.Result warm = probe("get", host, port, 2, "dest=127.0.0.0/8:" + port);
            assertEquals(0, warm.exitCode(), warm.stdout() + warm.stderr());
        }
        // The cookie is per address: the kernel now defers even a connect to this closed port. The agent lets
        // it stay deferred only for a destination it saw connect, so the probe first listens on the port itself.
        ChildJvm.Result r = probe(mode, host, port, 1, "dest=127.0.0.0/8:" + port + ";first=always;listen=" + port, "learn");
        String line = r.lines("conn 1 ").get(0);
        assertTrue(line.contains("error=java.net.ConnectException: Connection refused"), line + "\n" + r.stderr());
        assertTrue(!line.contains("step=connect"), "the connect itself was deferred: " + line);

        ChildJvm.Result plain = new ChildJvm().args(ChildJvm.OPENS).args("-cp", ChildJvm.PROBE_CLASS_PATH,
                SafetyProbe.class.getName(), mode, host, String.valueOf(port), "1").run();
        assertTrue(plain.lines("conn 1 ").get(0).contains("error=java.net.ConnectException: Connection refused"),
                "without the agent: " + plain.stdout());
    }

    @Test
    void sixtyFourThreadsOfTwoHundredConnectionsAllFastOpenWithoutErrorsOrLeaks() throws Exception {
        load(false);
    }

    @Test
    void theSameLoadOnVirtualThreads() throws Exception {
        int feature = Integer.parseInt(System.getProperty("java.specification.version"));
        if (feature < 21) {
            String reason = "virtual threads need JDK 21 or later; this run is on JDK " + feature;
            System.err.println("SKIPPED theSameLoadOnVirtualThreads: " + reason);
            Assumptions.abort(reason);
        }
        load(true);
    }

    @Test
    void ipv6LoopbackGetsFastOpen() throws Exception {
        FastOpenSysctl.forgetCookie("::1");
        try (FastOpenTestServer server = FastOpenTestServer.start("::1")) {
            TcpExtCounters before = TcpExtCounters.read();
            ChildJvm.Result r = probe("get", "::1", server.port(), COUNT, "dest=[::1]:" + server.port());
            TcpExtCounters after = TcpExtCounters.read();
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            assertEquals(synDataAfterTheCookieFetch(),
                    server.accepted(COUNT).stream().map(Accepted::synData).toList(), r.stdout());
            assertEquals(COUNT - 1, after.since(before, TcpExtCounters.ACTIVE));
        }
    }

    private static void load(boolean virtual) throws Exception {
        int threads = 64;
        int each = 200;
        String host = FastOpenSysctl.freshHost();
        try (FastOpenTestServer server = FastOpenTestServer.start(host)) {
            ChildJvm.Result warm = probe("get", host, server.port(), 1, "dest=127.0.0.0/8:" + server.port());
            assertEquals(0, warm.exitCode(), warm.stdout() + warm.stderr());
            TcpExtCounters before = TcpExtCounters.read();
            ChildJvm.Result r = probe("load", host, server.port(), each, "dest=127.0.0.0/8:" + server.port(),
                    String.valueOf(threads), virtual ? "virtual" : "platform");
            TcpExtCounters after = TcpExtCounters.read();
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            String report = r.lines("load ").get(0);
            System.out.println((virtual ? "virtual threads: " : "platform threads: ") + report);
            assertTrue(report.startsWith("load ok=" + threads * each + " errors=0 "), report);
            String[] fds = report.replaceAll(".*fds-before=(\\d+) fds-after=(\\d+).*", "$1 $2").split(" ");
            assertEquals(fds[0], fds[1], "open descriptors before and after: " + report);
            int connections = threads * each + 2 * threads; // and the warm-up round
            // Every connection but those that began before this JVM first saw the destination connect: the
            // agent defers none of those (the cookie came from another JVM). The threads start together, so
            // that is at least the first and at most one per thread.
            long active = after.since(before, TcpExtCounters.ACTIVE);
            assertTrue(active >= connections - threads && active <= connections - 1, "SYN data on " + active + " of "
                    + connections + " connections");
            List<Accepted> accepted = server.accepted(connections + 1);
            assertEquals(active, accepted.stream().skip(1).filter(Accepted::synData).count());
        }
    }

    private static List<Boolean> synDataAfterTheCookieFetch() {
        List<Boolean> expected = new ArrayList<>(Collections.nCopies(COUNT, true));
        expected.set(0, false);
        return expected;
    }

    private static long elapsedMillis(String conn) {
        return Long.parseLong(conn.substring(conn.indexOf("elapsed-ms=") + 11).trim());
    }

    static ChildJvm.Result probe(String mode, String host, int port, int count, String agentArgs, String... more)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("-cp", ChildJvm.PROBE_CLASS_PATH, SafetyProbe.class.getName(),
                mode, host, String.valueOf(port), String.valueOf(count)));
        args.addAll(List.of(more));
        return new ChildJvm().args(ChildJvm.OPENS).agent(agentArgs).args(args).run();
    }

    private record Exchanges(ChildJvm.Result result, List<Accepted> accepted, long active) {
        List<Boolean> serverSynData() {
            return accepted.stream().map(Accepted::synData).toList();
        }

        @Override
        public String toString() {
            return result.stdout() + result.stderr() + accepted;
        }
    }

    /** COUNT exchanges of {@code mode} against a fresh server, with {@code first} settings appended to the agent's. */
    private static Exchanges exchanges(Behaviour behaviour, String mode, String moreArgs) throws Exception {
        String host = FastOpenSysctl.freshHost();
        try (FastOpenTestServer server = FastOpenTestServer.start(host, behaviour)) {
            TcpExtCounters before = TcpExtCounters.read();
            ChildJvm.Result r = probe(mode, host, server.port(), COUNT, "dest=127.0.0.0/8:" + server.port() + moreArgs);
            TcpExtCounters after = TcpExtCounters.read();
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            return new Exchanges(r, server.accepted(COUNT), after.since(before, TcpExtCounters.ACTIVE));
        }
    }
}
