package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.it.FastOpenTestServer.Accepted;
import io.connectx.sys.TcpExtCounters;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Unmodified JDK clients in a child JVM started with {@code -javaagent:connectx-agent.jar}, against a
 * loopback server that accepts Fast Open. Each test uses a loopback address of its own whose cookie it
 * forgets first, so the first connection is the cookie fetch and every later one must carry SYN data.
 */
@ExtendWith(FastOpenSysctl.class)
class ClientFastOpenIT {
    static final int COUNT = 8;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"socket", "socket-connect", "socket-timeout", "channel-blocking", "channel-adaptor",
        "channel-selector", "httpclient", "urlconnection"})
    void everyAdmittedConnectionAfterTheCookieFetchCarriesSynData(String mode) throws Exception {
        boolean http = mode.equals("httpclient") || mode.equals("urlconnection");
        // PING is not a request first=auto knows to be replay-safe; the HTTP modes send GETs, which are.
        Run run = probe(mode, port -> "dest=127.0.0.0/8:" + port + (http ? "" : ";first=always"), true);
        run.assertRepliesCorrect();
        assertEquals("io.connectx.provider.ConnectxSelectorProvider", run.provider(), "the JVM-wide provider the agent installs");
        List<Boolean> expected = new ArrayList<>();
        expected.add(false);
        for (int i = 1; i < COUNT; i++) {
            expected.add(true);
        }
        assertEquals(expected, run.serverSynData(), "server TCP_INFO, per connection\n" + run);
        if (!http) {
            assertEquals(expected, run.clientSynData(), "client TCP_INFO, per connection\n" + run);
        }
        // HTTP clients keep their sockets to themselves: the client end is proven by the agent's own
        // TCP_INFO check (SynDataAcked), which the probe switched on before its first connection.
        assertEquals(List.of("mbean-syn-data-acked " + (COUNT - 1)), run.result().lines("mbean-syn-data-acked"), run.toString());
        assertEquals(COUNT - 1, run.counter(TcpExtCounters.ACTIVE), "TCPFastOpenActive rise\n" + run);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"socket", "channel-selector", "httpclient"})
    void withoutTheAgentNoConnectionCarriesSynData(String mode) throws Exception {
        Run run = probe(mode, port -> null, false);
        run.assertRepliesCorrect();
        assertEquals(List.of(), run.serverSynData().stream().filter(b -> b).toList(), run.toString());
        assertEquals(0, run.counter(TcpExtCounters.ACTIVE), run.toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dest=*:1", "dest=127.0.1.0/24:*", "dest=[::1]:*", "dest=*:*"})
    void destinationsOutsideThePolicyAreUntouched(String policy) throws Exception {
        Run run = probe("socket", port -> policy, true);
        run.assertRepliesCorrect();
        assertEquals(List.of(), run.serverSynData().stream().filter(b -> b).toList(), run.toString());
        assertEquals(0, run.counter(TcpExtCounters.ACTIVE), run.toString());
        assertEquals(0, run.counter(TcpExtCounters.COOKIE_REQUESTED), "no cookie was even asked for\n" + run);
    }

    @Test
    void cidrAndSystemPropertyAndEnvironmentFormsAdmit() throws Exception {
        for (String form : List.of("arg", "property", "env")) {
            Run run = probe("socket", port -> form + ":127.0.0.0/8:" + port, true, "first=always");
            run.assertRepliesCorrect();
            assertEquals(COUNT - 1, run.counter(TcpExtCounters.ACTIVE), form + "\n" + run);
        }
    }

    interface PolicyForPort {
        String forPort(int port);
    }

    /** Runs the probe against a fresh server on a fresh loopback address. */
    static Run probe(String mode, PolicyForPort policy, boolean withAgent) throws Exception {
        return probe(mode, policy, withAgent, null, ClientProbe.class.getName(), null);
    }

    /** With one more setting, given as a system property ({@code first=always}). */
    static Run probe(String mode, PolicyForPort policy, boolean withAgent, String extraSetting) throws Exception {
        return probe(mode, policy, withAgent, null, ClientProbe.class.getName(), extraSetting);
    }

    /** As above, with the application's own jars first on its class path and another main class. */
    static Run probe(String mode, PolicyForPort policy, boolean withAgent, String appClassPath, String mainClass,
            String extraSetting) throws Exception {
        String host = FastOpenSysctl.freshHost();
        try (FastOpenTestServer server = FastOpenTestServer.start(host)) {
            int port = server.port();
            // The probe reads TCP_INFO through java.net and sun.nio.ch, whether or not an agent opened them.
            ChildJvm child = new ChildJvm().args(ChildJvm.OPENS);
            String classPath = (appClassPath == null ? "" : appClassPath + java.io.File.pathSeparator)
                    + ChildJvm.PROBE_CLASS_PATH;
            String spec = policy.forPort(port);
            if (withAgent) {
                if (spec != null && spec.startsWith("property:")) {
                    child.agent(null).args("-Dconnectx.dest=" + spec.substring("property:".length()));
                } else if (spec != null && spec.startsWith("env:")) {
                    child.agent(null).env("CONNECTX_DEST", spec.substring("env:".length()));
                } else {
                    child.agent(spec == null ? null : spec.startsWith("arg:") ? "dest=" + spec.substring(4) : spec);
                }
                if (extraSetting != null) {
                    child.args("-Dconnectx." + extraSetting);
                }
            }
            child.args("-cp", classPath, mainClass, mode, host, String.valueOf(port), String.valueOf(COUNT));
            TcpExtCounters before = TcpExtCounters.read();
            ChildJvm.Result result = child.run();
            TcpExtCounters after = TcpExtCounters.read();
            List<Accepted> accepted = server.accepted(result.exitCode() == 0 ? COUNT : 0);
            return new Run(child.toString(), result, accepted, before, after);
        }
    }

    record Run(String command, ChildJvm.Result result, List<Accepted> accepted, TcpExtCounters before, TcpExtCounters after) {
        void assertRepliesCorrect() {
            assertEquals(0, result.exitCode(), "probe failed\n" + this);
            assertEquals(COUNT, result.lines("conn ").stream().filter(l -> l.contains("reply=ok")).count(), toString());
            assertEquals(COUNT, accepted.size(), "connections the server saw\n" + this);
            assertTrue(result.stderr().lines().noneMatch(l -> l.startsWith("connectx:")), "agent complained\n" + this);
        }

        List<Boolean> serverSynData() {
            return accepted.stream().map(Accepted::synData).toList();
        }

        List<Boolean> clientSynData() {
            return result.lines("conn ").stream()
                    .map(l -> Boolean.parseBoolean(l.substring(l.indexOf("client-syn-data=") + 16))).toList();
        }

        String provider() {
            return result.lines("provider ").get(0).substring("provider ".length());
        }

        long counter(String name) {
            return after.since(before, name);
        }

        @Override
        public String toString() {
            return "command: " + command + "\nexit " + result.exitCode() + "\nstdout:\n" + result.stdout()
                    + "stderr:\n" + result.stderr() + "server: " + accepted;
        }
    }
}
