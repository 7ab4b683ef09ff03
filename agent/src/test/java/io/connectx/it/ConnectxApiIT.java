package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code io.connectx.Connectx} with CONNECT_RESUME_ON_READ_WRITE in a JVM running the real agent, whose
 * policy does not admit the server ({@code dest=*:1}). The application's copy of the API (connectx-provider
 * on its class path) cannot reach the agent, which lives in a class loader of its own (issue 13), so it
 * behaves as it does without an agent: it starts the handshake of a resumable socket at connectx, so a read
 * first never hangs against a server that speaks first, and a write first follows the handshake. Before the
 * isolation the API handed the socket to the agent's read-first guard and kept the SYN deferred; that
 * cooperation needs a door between the two loaders, not built yet.
 */
@ExtendWith(FastOpenSysctl.class)
class ConnectxApiIT {

    @Test
    void resumeStartsTheHandshakeAtConnectxAsWithoutTheAgent() throws Exception {
        String host = FastOpenSysctl.freshHost();
        try (FastOpenTestServer server = FastOpenTestServer.start(host, FastOpenTestServer.Behaviour.GREET)) {
            ChildJvm.Result r = new ChildJvm().args(ChildJvm.OPENS).agent("dest=*:1;first=always")
                    .args("-cp", ChildJvm.PROBE_CLASS_PATH, ConnectxProbe.class.getName(), host,
                            String.valueOf(server.port()))
                    .run();
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            String out = r.stdout();
            assertTrue(out.contains("warm=HELLO|ECHO warm"), out);
            assertTrue(out.contains("read-first-connected=true"), out);
            assertTrue(out.contains("read-first-greeting=HELLO"), "a read first does not hang: " + out);
            assertTrue(out.contains("write-first-exchange=HELLO|ECHO hi"), out);
            assertTrue(out.contains("read-first-deferred=false"), "the handshake started at connectx: " + out);
            assertTrue(out.contains("write-first-deferred=false"), "the handshake started at connectx: " + out);
            List<FastOpenTestServer.Accepted> accepted = server.accepted(3);
            assertEquals(3, accepted.size());
            assertEquals(List.of(false, false, false), accepted.stream().map(FastOpenTestServer.Accepted::synData).toList(),
                    "server TCP_INFO: no SYN carried data");
        }
    }
}
