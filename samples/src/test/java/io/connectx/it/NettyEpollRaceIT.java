package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.it.FastOpenTestServer.Accepted;
import java.io.File;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent's grace timer against Netty's event loop, on epoll (NettyRaceProbe): 1,000 connections whose first
 * write lands around the moment the timer starts the handshake. The server (FastOpenTestServer, TCP_INFO on each
 * accepted socket and the first bytes it read) judges what rode in each SYN.
 */
@ExtendWith(FastOpenSysctl.class)
class NettyEpollRaceIT {
    static final int RACES = 1000;

    @Test
    void theGraceTimerRacingTheFirstWriteNeverPutsAPostInTheSyn() throws Exception {
        String host = FastOpenSysctl.freshHost();
        try (FastOpenTestServer server = FastOpenTestServer.start(host)) {
            String classPath = SampleApps.classPath() + File.pathSeparator + SampleApps.DIR.resolve("test-classes")
                    + File.pathSeparator + ChildJvm.TEST_CLASSES;
            ChildJvm.Result r = new ChildJvm().agent("dest=127.0.0.0/8:" + server.port()).args("-cp", classPath,
                    NettyRaceProbe.class.getName(), host, String.valueOf(server.port()), String.valueOf(RACES)).run(600);
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            assertEquals(List.of("race done=" + RACES), r.lines("race "), r.stdout() + r.stderr());
            List<Accepted> accepted = server.accepted(RACES);
            long postsInSyn = accepted.stream().filter(a -> a.synData() && a.request().startsWith("POST")).count();
            long getsInSyn = accepted.stream().filter(a -> a.synData() && a.request().startsWith("GET")).count();
            System.out.println("NettyEpollRaceIT: " + accepted.size() + " connections, POST in the SYN " + postsInSyn
                    + ", GET in the SYN " + getsInSyn);
            assertEquals(RACES, accepted.size());
            assertEquals(0, postsInSyn, "replay-unsafe bytes in a SYN (server's TCP_INFO and the first bytes it read)");
            assertTrue(getsInSyn > 0, "no GET rode in a SYN: the race was never run with Fast Open");
        }
    }
}
