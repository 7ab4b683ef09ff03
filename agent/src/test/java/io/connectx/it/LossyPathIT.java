package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.sys.TcpExtCounters;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile and lossy paths, each in a network namespace of its own (see {@link NetworkLab}), with the
 * client and the server both child JVMs started with the agent inside it.
 */
@ExtendWith(FastOpenSysctl.class)
class LossyPathIT {
    static final String HOST = "127.0.0.1";
    static final int PORT = 7000;

    @Test
    void aMiddleboxDroppingSynDataCostsTheFallbackButNoByte() throws Exception {
        try (NetworkLab lab = NetworkLab.create();
                ChildJvm.Running server = server(lab, 5, "listen=" + PORT)) {
            assertEquals(0, safety(lab, "get", 2).exitCode(), "warm-up: the cookie");
            lab.dropSynWithData();
            TcpExtCounters before = lab.counters();
            ChildJvm.Result r = safety(lab, "get", 3);
            TcpExtCounters after = lab.counters();
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            for (int i = 1; i <= 3; i++) {
                assertTrue(r.lines("conn " + i + " ").get(0).contains("body=pong " + i), r.stdout());
            }
            assertEquals(0, server.awaitExit(), server.toString());
            assertEquals(List.of("GET /1", "GET /2", "GET /1", "GET /2", "GET /3"), requestLines(server),
                    "every request exactly once, in order");
            // Connections 2 and 3: the first of a JVM to a destination is never deferred, so its SYN had no data.
            assertTrue(after.since(before, TcpExtCounters.ACTIVE_FAIL) >= 2, "the kernel's fallback, per connection: "
                    + after.since(before, TcpExtCounters.ACTIVE_FAIL));
            assertEquals(0, after.since(before, TcpExtCounters.ACTIVE));
        }
    }

    @Test
    void aServerThatDroppedFastOpenAfterIssuingCookiesStillGetsEveryByte() throws Exception {
        try (NetworkLab lab = NetworkLab.create()) {
            warmCookie(lab);
            try (ChildJvm.Running without = server(lab, 3, "dest=*:443")) {
                TcpExtCounters before = lab.counters();
                ChildJvm.Result r = safety(lab, "get", 3);
                TcpExtCounters after = lab.counters();
                assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
                assertEquals(0, without.awaitExit(), without.toString());
                assertEquals(List.of("GET /1", "GET /2", "GET /3"), requestLines(without));
                // Connections 2 and 3: the JVM's first to the destination is never deferred.
                assertEquals(2, after.since(before, TcpExtCounters.ACTIVE_FAIL), "SYN data sent, not accepted");
                assertEquals(0, after.since(before, TcpExtCounters.PASSIVE));
            }
        }
    }

    /**
     * A destination this JVM never saw connect is not deferred, even with a cookie for its address: a timed
     * connect to a black hole times out in connect, within its timeout, as without the agent. (The deferred
     * case is {@code VirtualThreadTimeoutIT}'s.)
     */
    @Test
    void aTimedConnectToAnUnseenBlackHoleTimesOutInConnectAsWithoutTheAgent() throws Exception {
        try (NetworkLab lab = NetworkLab.create()) {
            warmCookie(lab);
            lab.dropSyns(PORT);
            ChildJvm.Result r = safety(lab, "refused-timed", 1);
            String line = r.lines("conn 1 ").get(0);
            assertTrue(line.contains("step=connect error=java.net.SocketTimeoutException: Connect timed out"), line + r.stderr());
            long elapsed = Long.parseLong(line.substring(line.indexOf("elapsed-ms=") + 11).trim());
            assertTrue(elapsed < 3 * SafetyProbe.WAIT_MS, "within the 1 s connect timeout, give or take: " + line);
        }
    }

    /**
     * Host unreachable for the SYNs of the probe's socket bound to one local port, so that the probe can
     * first learn the destination from another: the deferred connect then fails at its first I/O, as
     * connect would have.
     */
    @Test
    void anUnreachableHostIsNoRouteToHostException() throws Exception {
        try (NetworkLab lab = NetworkLab.create()) {
            warmCookie(lab);
            lab.rejectSynsAsHostUnreachable(PORT, SafetyProbe.REFUSED_LOCAL_PORT);
            ChildJvm.Result r = lab.jvm().args(ChildJvm.OPENS).agent("dest=127.0.0.0/8:" + PORT + ";first=always;listen=" + PORT)
                    .args("-cp", ChildJvm.TEST_CLASSES.toString(), SafetyProbe.class.getName(), "refused-write", HOST,
                            String.valueOf(PORT), "1", "learn").run();
            String line = r.lines("conn 1 ").get(0);
            assertTrue(line.contains("error=java.net.NoRouteToHostException: No route to host"), line + r.stderr());
            assertTrue(!line.contains("step=connect"), "the connect was deferred: " + line);
        }
    }

    private static void warmCookie(NetworkLab lab) throws Exception {
        try (ChildJvm.Running server = server(lab, 2, "listen=" + PORT)) {
            assertEquals(0, safety(lab, "get", 2).exitCode(), "warm-up: the cookie");
            assertEquals(0, server.awaitExit());
        }
    }

    /** "GET /1" from the server's {@code accepted ... request=GET /1 HTTP/1.1}. */
    private static List<String> requestLines(ChildJvm.Running server) {
        return server.lines("accepted ").stream()
                .map(l -> l.substring(l.indexOf("request=") + 8, l.lastIndexOf(' '))).toList();
    }

    static ChildJvm.Running server(NetworkLab lab, int count, String agentArgs) throws Exception {
        return lab.jvm().args(ChildJvm.OPENS).agent(agentArgs).args("-cp", ChildJvm.PROBE_CLASS_PATH,
                ServerProbe.class.getName(), "serversocket-ctor", HOST, String.valueOf(PORT), String.valueOf(count))
                .start("listening");
    }

    private static ChildJvm.Result safety(NetworkLab lab, String mode, int count) throws Exception {
        return lab.jvm().args(ChildJvm.OPENS).agent("dest=127.0.0.0/8:" + PORT + ";first=always").args("-cp",
                ChildJvm.PROBE_CLASS_PATH, SafetyProbe.class.getName(), mode, HOST, String.valueOf(PORT),
                String.valueOf(count)).run();
    }
}
