package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.sys.TcpExtCounters;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile application code (no --add-opens: what every application has) cannot replace, read, remove or
 * call the agent's JVM-wide hooks, and the agent carries on: the connections made after the attack still
 * carry their first write in the SYN, as the server's TCP_INFO and the kernel's counters show.
 */
@ExtendWith(FastOpenSysctl.class)
class HostileAppIT {
    private static final int COUNT = 8;

    @Test
    void everyAttackOnTheHooksIsRefusedAndFastOpenCarriesOn() throws Exception {
        String host = FastOpenSysctl.freshHost();
        try (FastOpenTestServer server = FastOpenTestServer.start(host)) {
            TcpExtCounters before = TcpExtCounters.read();
            ChildJvm.Result r = new ChildJvm().agent("dest=" + host + ":" + server.port() + ";first=always")
                    .args("-cp", ChildJvm.PROBE_CLASS_PATH, HostileApp.class.getName(), host,
                            String.valueOf(server.port()), String.valueOf(COUNT)).run();
            TcpExtCounters after = TcpExtCounters.read();
            String all = r.stdout() + r.stderr();
            assertEquals(0, r.exitCode(), all);
            List<String> attacks = r.lines("attack ");
            assertTrue(attacks.size() >= 20, all);
            assertEquals(List.of(), attacks.stream().filter(l -> !l.contains(" refused ")).toList(), all);
            assertTrue(attacks.contains("attack install through the public bridge class refused java.lang.NoClassDefFoundError"), all);
            assertTrue(r.stdout().contains("bridge found in module java.base"), all);
            assertEquals(List.of("jvm-wide provider io.connectx.provider.ConnectxSelectorProvider"), r.lines("jvm-wide provider "), all);
            assertEquals(3, attacks.stream().filter(l -> l.contains("SelectorProvider") && l.contains(" refused ")).count(), all);
            assertEquals(List.of(), r.lines("LEAK"), "no forged hook ever ran\n" + all);
            assertEquals(COUNT, r.lines("conn ").stream().filter(l -> l.endsWith("reply=ok")).count(), all);
            assertTrue(r.stderr().lines().noneMatch(l -> l.startsWith("connectx:")), all);
            List<FastOpenTestServer.Accepted> accepted = server.accepted(COUNT);
            assertEquals(COUNT - 1, accepted.stream().filter(FastOpenTestServer.Accepted::synData).count(),
                    "every connection after the cookie carried its request in the SYN\n" + all + accepted);
            assertEquals(COUNT - 1, after.since(before, TcpExtCounters.ACTIVE), all);
        }
    }
}
