package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.it.FastOpenTestServer.Accepted;
import io.connectx.it.FastOpenTestServer.Behaviour;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cases of issue 12, one test each, every one in a child JVM with the real agent jar: what the agent
 * changed that an application could observe. Each failed against the agent before the fix (run with
 * {@code -Dconnectx.it.agent.jar=} an older build to see it).
 */
@ExtendWith(FastOpenSysctl.class)
class DeferralTransparencyIT {
    static final int COUNT = 4;
    /** The race scenarios' iterations per run. */
    static final int RACES = 1000;

    /** Case 1: an AsynchronousSocketChannel is never deferred, so a read-first client gets its greeting. */
    @Test
    void anAsynchronousChannelReadingFirstGetsTheGreeting() throws Exception {
        String host = FastOpenSysctl.freshHost();
        try (FastOpenTestServer server = FastOpenTestServer.start(host, Behaviour.GREET)) {
            ChildJvm.Result r = HandshakeSafetyIT.probe("async-greet", host, server.port(), COUNT, "dest=127.0.0.0/8:" + server.port());
            assertEquals(COUNT, r.lines("conn ").size(), r.stdout() + r.stderr());
            for (String conn : r.lines("conn ")) {
                assertTrue(conn.contains("greeting=HELLO"), conn + "\n" + r.stdout());
            }
        }
    }

    /** Case 1: its first write is not inspected by the guards, so it must never ride in a SYN. */
    @Test
    void anAsynchronousChannelsPostNeverRidesInTheSyn() throws Exception {
        String host = FastOpenSysctl.freshHost();
        try (FastOpenTestServer server = FastOpenTestServer.start(host)) {
            ChildJvm.Result r = HandshakeSafetyIT.probe("async-post", host, server.port(), COUNT, "dest=127.0.0.0/8:" + server.port());
            List<Accepted> accepted = server.accepted(COUNT);
            assertEquals(Collections.nCopies(COUNT, false), accepted.stream().map(Accepted::synData).toList(), r.stdout());
            for (int i = 1; i <= COUNT; i++) {
                assertTrue(r.lines("conn " + i + " ").get(0).contains("body=posted " + i + " 11"), r.stdout() + r.stderr());
            }
        }
    }

    /** Case 2: a thread blocked in read() while another writes a POST: the POST never rides in a SYN. */
    @Test
    void aReaderRacingAWriterNeverLetsThePostIntoTheSyn() throws Exception {
        assertNoPostInASyn("reader-writer");
    }

    /** Case 2: a GET and a POST written at once by two threads: the POST never rides in a SYN. */
    @Test
    void twoWritersNeverLetThePostIntoTheSyn() throws Exception {
        assertNoPostInASyn("two-writers");
    }

    /**
     * Case 3: the request reached the server (its SYN data was acknowledged), then the path went silent and
     * keepalive gave up. That is the JDK's {@code SocketException: Connection timed out}, never a
     * {@code ConnectException}, which clients read as "never sent" and retry.
     */
    @Test
    void aFailureAfterTheRequestWasDeliveredIsTheJdksOwn() throws Exception {
        int port = LossyPathIT.PORT;
        try (NetworkLab lab = NetworkLab.create()) {
            try (ChildJvm.Running warm = LossyPathIT.server(lab, 2, "listen=" + port)) {
                assertEquals(0, lab.jvm().args(ChildJvm.OPENS).agent("dest=127.0.0.0/8:" + port).args("-cp",
                        ChildJvm.TEST_CLASSES.toString(), SafetyProbe.class.getName(), "get", LossyPathIT.HOST,
                        String.valueOf(port), "2").run().exitCode(), "warm-up: the cookie");
            }
            lab.silenceAfterHandshake(port, 40002);
            try (ChildJvm.Running server = LossyPathIT.server(lab, 2, "listen=" + port)) {
                ChildJvm.Result r = lab.jvm().args(ChildJvm.OPENS).agent("dest=127.0.0.0/8:" + port).args("-cp",
                        ChildJvm.TEST_CLASSES.toString(), SafetyProbe.class.getName(), "silent-after-request",
                        LossyPathIT.HOST, String.valueOf(port), "2").run();
                String line = r.lines("conn 2 ").get(0);
                assertTrue(line.contains("error=java.net.SocketException: Connection timed out"), line + "\n" + r.stderr());
                assertFalse(line.contains("ConnectException"), line);
                assertTrue(server.lines("accepted ").stream().anyMatch(l -> l.contains("request=GET /2")),
                        "the request was delivered: " + server);
            }
        }
    }

    /** Case 4: connect-then-close to a closed port, with a cookie for its address, fails as without the agent. */
    @Test
    void aConnectOnlyProbeOfAClosedPortFailsAsWithoutTheAgent() throws Exception {
        String host = FastOpenSysctl.freshHost();
        int port;
        try (FastOpenTestServer server = FastOpenTestServer.start(host)) {
            port = server.port();
            assertEquals(0, HandshakeSafetyIT.probe("get", host, port, 2, "dest=127.0.0.0/8:" + port).exitCode(), "the cookie");
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        for (int p : new int[] {port, closed}) {
            ChildJvm.Result r = HandshakeSafetyIT.probe("probe", host, p, 1, "dest=127.0.0.0/8:*");
            String line = r.lines("conn 1 ").get(0);
            assertTrue(line.contains("error=java.net.ConnectException: Connection refused"), line + "\n" + r.stderr());
        }
    }

    /**
     * Case 5: a non-blocking connect answers false, as the plain JDK does for a pending connect, and
     * OP_CONNECT and finishConnect complete it at once; the GET then still rides in the SYN.
     */
    @Test
    void aNonBlockingConnectAnswersFalseAndOpConnectFires() throws Exception {
        int n = 20;
        String host = FastOpenSysctl.freshHost();
        try (FastOpenTestServer server = FastOpenTestServer.start(host)) {
            ChildJvm.Result r = HandshakeSafetyIT.probe("nonblocking", host, server.port(), n, "dest=127.0.0.0/8:" + server.port());
            for (int i = 1; i <= n; i++) {
                String line = r.lines("conn " + i + " ").get(0);
                assertTrue(line.contains("connect=false opconnect=true finished=true body=pong " + i), line + "\n" + r.stderr());
            }
            List<Boolean> synData = server.accepted(n).stream().map(Accepted::synData).toList();
            List<Boolean> expected = new ArrayList<>(Collections.nCopies(n, true));
            expected.set(0, false); // the cookie fetch
            assertEquals(expected, synData, "Fast Open kept");
        }
    }

    /**
     * Case 6: a socket closed by another thread while its first I/O waits for the handshake: nothing of
     * the agent's touches its descriptor number afterwards, so the socket that reuses it keeps its own error.
     */
    @Test
    void aClosedSocketsDescriptorNumberIsNeverTouchedAgain() throws Exception {
        String host = FastOpenSysctl.freshHost();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ChildJvm.Result r = HandshakeSafetyIT.probe("reuse", host, port, 1, "dest=127.0.0.0/8:" + port + ";listen=" + port);
        String line = r.lines("conn 1 ").get(0);
        assertTrue(line.contains("second=java.net.ConnectException: Connection refused"), line + "\n" + r.stderr());
        assertFalse(line.contains("first=java.net.ConnectException"), line);
    }

    /** Case 7: one write holding a GET and then a POST is held whole, as is any write that is more than one GET. */
    @Test
    void aWriteHoldingAPipelinedPostIsHeld() throws Exception {
        String host = FastOpenSysctl.freshHost();
        try (FastOpenTestServer server = FastOpenTestServer.start(host)) {
            ChildJvm.Result r = HandshakeSafetyIT.probe("pipelined", host, server.port(), COUNT, "dest=127.0.0.0/8:" + server.port());
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            assertEquals(Collections.nCopies(COUNT, false), server.accepted(COUNT).stream().map(Accepted::synData).toList(),
                    r.stdout());
        }
    }

    private static void assertNoPostInASyn(String mode) throws Exception {
        String host = FastOpenSysctl.freshHost();
        try (FastOpenTestServer server = FastOpenTestServer.start(host)) {
            ChildJvm.Result r = new ChildJvm().args(ChildJvm.OPENS).agent("dest=127.0.0.0/8:" + server.port())
                    .args("-cp", ChildJvm.TEST_CLASSES.toString(), RaceProbe.class.getName(), mode, host,
                            String.valueOf(server.port()), String.valueOf(RACES)).run();
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            List<Accepted> accepted = server.accepted(RACES);
            long postsInSyn = accepted.stream().filter(a -> a.synData() && a.request().startsWith("POST")).count();
            long getsInSyn = accepted.stream().filter(a -> a.synData() && a.request().startsWith("GET")).count();
            System.out.println(mode + ": " + accepted.size() + " connections, POST in the SYN " + postsInSyn
                    + ", GET in the SYN " + getsInSyn + "; " + r.lines("race ").get(0));
            assertEquals(RACES, accepted.size(), r.stdout());
            assertEquals(0, postsInSyn, "replay-unsafe bytes in a SYN (server's TCP_INFO and the first bytes it read)");
        }
    }
}
