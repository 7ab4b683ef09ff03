package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.sys.TcpExtCounters;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent as a container runs it (README, "In containers and on Kubernetes"): the image's command line
 * untouched, the agent brought in by {@code JAVA_TOOL_OPTIONS} and configured by {@code CONNECTX_*}
 * environment variables alone, in a network namespace of its own (a pod's) whose
 * {@code net.ipv4.tcp_fastopen} was set to 3 as a pod's securityContext sysctls would set it.
 */
@ExtendWith(FastOpenSysctl.class)
class ContainerIT {
    static final String HOST = "127.0.0.1";
    static final int PORT = 7000;
    static final int COUNT = 4;

    @Test
    void unmodifiedAppsGetFastOpenFromJavaToolOptionsAndConnectxVariablesAlone() throws Exception {
        String agent = "-javaagent:" + ChildJvm.AGENT_JAR.toAbsolutePath();
        try (NetworkLab pod = NetworkLab.create();
                ChildJvm.Running server = pod.jvm().args(ChildJvm.OPENS)
                        .env("JAVA_TOOL_OPTIONS", agent)
                        .env("CONNECTX_LISTEN", String.valueOf(PORT))
                        .env("CONNECTX_SUMMARY", "true")
                        .args("-cp", ChildJvm.PROBE_CLASS_PATH, ServerProbe.class.getName(),
                                "serversocket-ctor", HOST, String.valueOf(PORT), String.valueOf(COUNT))
                        .start("listening")) {
            TcpExtCounters before = pod.counters();
            ChildJvm client = pod.jvm().args(ChildJvm.OPENS)
                    .env("JAVA_TOOL_OPTIONS", agent)
                    .env("CONNECTX_DEST", HOST + ":" + PORT)
                    .env("CONNECTX_FIRST", "always") // the probe's PING line is not HTTP; it is safe to replay
                    .env("CONNECTX_LOG", "info")
                    .env("CONNECTX_SUMMARY", "true")
                    .args("-cp", ChildJvm.PROBE_CLASS_PATH, ClientProbe.class.getName(), "socket", HOST,
                            String.valueOf(PORT), String.valueOf(COUNT));
            assertFalse(client.toString().contains("-javaagent") || client.toString().contains("-Dconnectx"),
                    "neither the agent nor its settings on the command line: " + client);
            ChildJvm.Result r = client.run();
            TcpExtCounters after = pod.counters();
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            assertEquals(0, server.awaitExit(), server.toString());

            // On the wire: TCP_INFO's syn-data bit on both ends, and the pod's own kernel counters.
            for (int i = 2; i <= COUNT; i++) {
                assertTrue(r.lines("conn " + i + " ").get(0).endsWith("reply=ok client-syn-data=true"), r.stdout());
                assertTrue(server.lines("accepted " + i + " ").get(0).contains("syn-data=true"), server.toString());
            }
            assertEquals(COUNT - 1, after.since(before, TcpExtCounters.ACTIVE), "TcpExt TCPFastOpenActive in the pod");
            assertEquals(COUNT - 1, after.since(before, TcpExtCounters.PASSIVE), "TcpExt TCPFastOpenPassive in the pod");

            // What the pod's log shows: the JVM's own line for JAVA_TOOL_OPTIONS, then the agent's (JDK 24+ adds its
            // native-access warning about JNA, and a blank line, at a moment that depends on JNA's binding thread).
            List<String> stderr = r.stderr().lines().filter(l -> l.startsWith("Picked up ") || l.startsWith("connectx:"))
                    .toList();
            assertEquals(3, stderr.size(), r.stderr());
            assertEquals("Picked up JAVA_TOOL_OPTIONS: " + agent, stderr.get(0), r.stderr());
            assertEquals("connectx: version " + VersionIT.VERSION + " active: dest=" + HOST + ":" + PORT + ";first=always",
                    stderr.get(1), r.stderr());
            assertTrue(stderr.get(stderr.size() - 1).startsWith("connectx: version " + VersionIT.VERSION + ", "),
                    r.stderr());
            assertTrue(stderr.get(stderr.size() - 1).contains(" carried SYN data (saved ~" + (COUNT - 1) + " round trips)"),
                    r.stderr());
        }
    }

    @Test
    void doctorInAPodWhoseEnvironmentAlreadyLoadsTheAgent() throws Exception {
        String agent = "-javaagent:" + ChildJvm.AGENT_JAR.toAbsolutePath();
        try (NetworkLab pod = NetworkLab.create()) {
            ChildJvm.Result r = pod.jvm().env("JAVA_TOOL_OPTIONS", agent).env("CONNECTX_DEST", "10.0.0.0/8:443")
                    .env("CONNECTX_LOG", "info").args("-jar", ChildJvm.AGENT_JAR.toString(), "doctor").run();
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            assertTrue(r.stdout().startsWith("connectx " + VersionIT.VERSION + " on JDK "), r.stdout());
            assertTrue(r.stdout().contains("PASS  loopback  "), r.stdout());
            assertTrue(r.stdout().endsWith("doctor: PASSED\n"), r.stdout());
            assertTrue(r.stderr().startsWith("Picked up JAVA_TOOL_OPTIONS: " + agent + "\n"), r.stderr());
        }
    }
}
