package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code io.connectx.Connectx} with CONNECT_RESUME_ON_READ_WRITE in a JVM running the real agent, whose
 * policy does not admit the server ({@code dest=*:1}): the API defers the SYN itself and hands the socket
 * to the agent's read-first guard, the application's copy of the API (connectx-provider on its class path)
 * reaching the agent in its own class loader through {@code io.connectx.entry.ReadFirstDoor}. A read first starts the handshake (no hang against a server that
 * speaks first); a write first carries its data in the SYN, proven by TCP_INFO on both ends.
 */
@ExtendWith(FastOpenSysctl.class)
class ConnectxApiIT {

    @Test
    void resumeDefersTheSynUntilTheFirstReadOrWrite() throws Exception {
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
            assertTrue(out.contains("read-first-deferred=true"), "connectx returned before any SYN: " + out);
            assertTrue(out.contains("read-first-greeting=HELLO"), "the first read started the handshake: " + out);
            assertTrue(out.contains("write-first-deferred=true"), out);
            assertTrue(out.contains("write-first-exchange=HELLO|ECHO hi"), out);
            assertTrue(out.contains("write-first-syn-data=true"), "client TCP_INFO: the first write rode in the SYN: " + out);
            List<FastOpenTestServer.Accepted> accepted = server.accepted(3);
            assertEquals(3, accepted.size());
            assertEquals(List.of(false, false, true), accepted.stream().map(FastOpenTestServer.Accepted::synData).toList(),
                    "server TCP_INFO: only the write-first connection's SYN carried data");
        }
    }
}
