package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** doctor, the MBean, the exit summary and log=, each through the real agent jar. */
@ExtendWith(FastOpenSysctl.class)
class OperabilityIT {
    static final int COUNT = 5;

    private static ChildJvm.Result cli(ChildJvm jvm, String... args) throws Exception {
        return jvm.args("-jar", ChildJvm.AGENT_JAR.toString()).args(args).run();
    }

    /** The agent's own lines; on JDK 24+ the JVM adds its native-access warning about JNA, which is not ours. */
    private static List<String> agentLines(String stderr) {
        return stderr.lines().filter(l -> l.startsWith("connectx:")).toList();
    }

    /** Refused the JDK's natives, doctor says the connect path runs on JNA, and why, and still proves Fast Open. */
    @Test
    void doctorSaysWhenTheConnectPathRunsOnJnaInsteadOfTheJdksNatives() throws Exception {
        ChildJvm.Result r = cli(new ChildJvm().args("-Dconnectx.test.natives=jna"), "doctor");
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().lines().anyMatch(l -> l.startsWith("WARN  natives   the connect path runs on JNA")
                && l.contains("refused by -Dconnectx.test.natives=jna")), r.stdout());
        assertTrue(r.stdout().endsWith("doctor: PASSED\n"), r.stdout());
    }

    @Test
    void doctorPassesOnThisHostAndProvesSynDataOnBothEnds() throws Exception {
        ChildJvm.Result r = cli(new ChildJvm(), "doctor");
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        for (String check : List.of("os", "client", "server", "jdk", "jna", "agent", "natives", "loopback", "key")) {
            assertTrue(r.stdout().lines().anyMatch(l -> l.startsWith("PASS  " + check + " ")), check + "\n" + r.stdout());
        }
        assertTrue(r.stdout().endsWith("doctor: PASSED\n"), r.stdout());
        assertTrue(r.stdout().startsWith("connectx " + VersionIT.VERSION + " on JDK " + Runtime.version() + " ("),
                "doctor's first line names the version\n" + r.stdout());
    }

    @Test
    void doctorSaysWhetherAPeerAcceptsFastOpen() throws Exception {
        String host = FastOpenSysctl.freshHost();
        try (FastOpenTestServer fastOpen = FastOpenTestServer.start(host)) {
            ChildJvm.Result r = cli(new ChildJvm(), "doctor", host + ":" + fastOpen.port());
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            assertTrue(r.stdout().contains("it accepts TCP Fast Open"), r.stdout());
        }
        String plainHost = FastOpenSysctl.freshHost();
        try (ServerSocket plain = new ServerSocket(0, 50, InetAddress.getByName(plainHost))) {
            Thread acceptor = new Thread(() -> {
                for (int i = 0; i < 2; i++) {
                    try (Socket s = plain.accept()) {
                        s.getOutputStream().write("HTTP/1.0 200 OK\r\n\r\n".getBytes());
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            acceptor.start();
            ChildJvm.Result r = cli(new ChildJvm(), "doctor", plainHost + ":" + plain.getLocalPort());
            acceptor.join(10_000);
            assertEquals(1, r.exitCode(), r.stdout() + r.stderr());
            assertTrue(r.stdout().contains("FAIL  peer") && r.stdout().contains("does not take TCP Fast Open"), r.stdout());
            assertTrue(r.stdout().endsWith("doctor: FAILED\n"), r.stdout());
        }
    }

    @Test
    void doctorNamesTheSysctlWhenFastOpenIsOffOrClientOnly() throws Exception {
        try (NetworkLab lab = NetworkLab.create()) {
            lab.run("sh", "-c", "echo 0 > /proc/sys/net/ipv4/tcp_fastopen");
            ChildJvm.Result off = cli(lab.jvm(), "doctor");
            assertEquals(1, off.exitCode(), off.stdout());
            assertTrue(off.stdout().contains("FAIL  client    net.ipv4.tcp_fastopen=0 lacks the client bit 1; fix: sysctl -w"
                    + " net.ipv4.tcp_fastopen=3"), off.stdout());
            assertTrue(off.stdout().contains("FAIL  probe"), off.stdout());

            lab.run("sh", "-c", "echo 1 > /proc/sys/net/ipv4/tcp_fastopen");
            ChildJvm.Result clientOnly = cli(lab.jvm(), "doctor");
            assertEquals(1, clientOnly.exitCode(), clientOnly.stdout());
            assertTrue(clientOnly.stdout().contains("WARN  server"), clientOnly.stdout());
            assertTrue(clientOnly.stdout().contains("WARN  loopback  probe skipped"), clientOnly.stdout());
        }
    }

    @Test
    void doctorSaysWhichKeyListenersUseAndNeverTheKey() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("connectx-doctor-key");
        try (NetworkLab lab = NetworkLab.create()) {
            String key = "8f3a61c2-9b07d4e5-1c6f8a20-73de5b94";
            java.nio.file.Path file = dir.resolve("tfo.key");
            java.nio.file.Files.writeString(file, key + "\n");
            java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            ChildJvm.Result own = cli(lab.jvm().env("CONNECTX_LISTEN_KEYFILE", file.toString()), "doctor");
            assertEquals(0, own.exitCode(), own.stdout() + own.stderr());
            assertTrue(own.stdout().contains("PASS  key       listeners use keys of their own from " + file
                    + " (one key); the loopback probe's listener held it"), own.stdout());
            assertTrue(own.stdout().lines().anyMatch(l -> l.startsWith("PASS  loopback ")), own.stdout());
            for (String group : key.split("-")) {
                assertTrue(!(own.stdout() + own.stderr()).contains(group), "the key reached doctor's output:\n" + own.stdout());
            }

            ChildJvm.Result namespace = cli(lab.jvm(), "doctor");
            assertEquals(0, namespace.exitCode(), namespace.stdout());
            assertTrue(namespace.stdout().contains("PASS  key       listeners use the namespace's key"
                    + " (net.ipv4.tcp_fastopen_key); servers that share an address"), namespace.stdout());

            java.nio.file.Files.writeString(file, key + "," + key + "," + key);
            ChildJvm.Result bad = cli(lab.jvm().env("CONNECTX_LISTEN_KEYFILE", file.toString()), "doctor");
            assertEquals(1, bad.exitCode(), bad.stdout());
            assertTrue(bad.stdout().contains("FAIL  key       listeners use the namespace's key (net.ipv4.tcp_fastopen_key):"
                    + " listen.keyfile " + file + ": found 3 keys; expected one key"), bad.stdout());
            assertTrue(bad.stdout().lines().anyMatch(l -> l.startsWith("PASS  loopback ")),
                    "server Fast Open stays on with the namespace's key\n" + bad.stdout());
            assertTrue(!bad.stdout().contains(key.substring(0, 8)), bad.stdout());
        } finally {
            java.nio.file.Files.deleteIfExists(dir.resolve("tfo.key"));
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    /** JNA told to look nowhere for its native library: what a host without a usable one looks like. */
    static final List<String> JNA_UNLOADABLE = List.of("-Djna.nosys=true", "-Djna.noclasspath=true",
            "-Djna.boot.library.path=/nonexistent");
    /** As above, with the JDK's own natives refused too: nothing left for the connect path. */
    static final List<String> NO_NATIVES = List.of("-Djna.nosys=true", "-Djna.noclasspath=true",
            "-Djna.boot.library.path=/nonexistent", "-Dconnectx.test.natives=jna");

    @Test
    void doctorFailsOnEachBrokenPrerequisiteWithItsFix() throws Exception {
        ChildJvm.Result noJna = cli(new ChildJvm().args(JNA_UNLOADABLE), "doctor");
        assertEquals(1, noJna.exitCode(), noJna.stdout());
        assertTrue(noJna.stdout().contains("FAIL  jna       JNA could not bind libc"), noJna.stdout());

        ChildJvm.Result noInstrumentation = new ChildJvm().args("-cp", ChildJvm.AGENT_JAR.toString(),
                "io.connectx.entry.MainEntry", "doctor").run();
        assertEquals(1, noInstrumentation.exitCode(), noInstrumentation.stdout());
        assertTrue(noInstrumentation.stdout().contains("FAIL  agent     no Instrumentation; fix: run it as java -jar"),
                noInstrumentation.stdout());

        int closed = ServerFastOpenIT.freePort("127.0.0.1");
        ChildJvm.Result closedPeer = cli(new ChildJvm(), "doctor", "127.0.0.1:" + closed);
        assertEquals(1, closedPeer.exitCode(), closedPeer.stdout());
        assertTrue(closedPeer.stdout().contains("FAIL  peer") && closedPeer.stdout().contains("cannot connect"),
                closedPeer.stdout());
    }

    /**
     * The connect path's natives bind at the first connect the policy admits (never at start-up), so that is where
     * they fail: with neither the JDK's own natives nor JNA usable.
     */
    @Test
    void withoutUsableNativesTheAgentSaysSoAndTheAppRunsPlain() throws Exception {
        ChildJvm.Result r = new ChildJvm().args(NO_NATIVES).agent("dest=127.0.0.0/8:*")
                .args("-cp", ChildJvm.PROBE_CLASS_PATH, ConnectingApp.class.getName()).run();
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("exchanged 2 bytes\n", r.stdout());
        List<String> lines = agentLines(r.stderr());
        assertEquals(1, lines.size(), r.stderr());
        assertTrue(lines.get(0).startsWith("connectx: disabled: JNA could not bind libc"), lines.get(0));
        assertTrue(lines.get(0).endsWith("the application runs on plain connects"), lines.get(0));
    }

    @Test
    void helpListsEveryKeyInItsThreeForms() throws Exception {
        ChildJvm.Result r = cli(new ChildJvm(), "help");
        assertEquals(0, r.exitCode());
        for (String key : List.of("dest", "first", "listen", "listen.qlen", "listen.keyfile", "summary", "log")) {
            String env = "CONNECTX_" + key.replace('.', '_').toUpperCase();
            assertTrue(r.stdout().contains("-Dconnectx." + key + "=") && r.stdout().contains(env + "="), key + "\n" + r.stdout());
        }
        assertTrue(r.stdout().contains("* leaves out loopback and this host's own addresses"), r.stdout());
        assertTrue(r.stdout().contains("test settings") && r.stdout().contains("-Dconnectx.test.natives=jna"), r.stdout());
    }

    @Test
    void theMBeanCountsWhatHappenedAndTheSummaryLineSaysIt() throws Exception {
        String host = FastOpenSysctl.freshHost();
        try (FastOpenTestServer server = FastOpenTestServer.start(host)) {
            ChildJvm.Result r = new ChildJvm().agent("dest=127.0.0.0/8:" + server.port() + ";summary=true")
                    .args("-cp", ChildJvm.PROBE_CLASS_PATH, MetricsApp.class.getName(), host,
                            String.valueOf(server.port()), String.valueOf(COUNT)).run();
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            Map<String, Long> mbean = new HashMap<>();
            for (String line : r.lines("mbean ")) {
                String[] kv = line.substring(6).split("=");
                mbean.put(kv[0], Long.parseLong(kv[1]));
            }
            assertEquals(MetricsApp.ATTRIBUTES.length, mbean.size(), r.stdout());
            assertEquals(COUNT, mbean.get("Admitted"), r.stdout());
            assertEquals(COUNT - 1, mbean.get("Deferred"), "the first fetched the cookie\n" + r.stdout());
            assertEquals(COUNT - 1, mbean.get("SynDataAcked"), r.stdout());
            assertEquals(0, mbean.get("ReplayUnsafeHeld") + mbean.get("ReadFirstTriggers") + mbean.get("Errors"), r.stdout());
            assertTrue(mbean.get("Connects") >= COUNT, r.stdout());
            assertEquals(List.of("version " + VersionIT.VERSION), r.lines("version "), "the MBean's Version attribute");
            assertEquals("connectx: version " + VersionIT.VERSION + ", " + mbean.get("Connects") + " connects, " + COUNT + " admitted, " + (COUNT - 1)
                    + " carried SYN data (saved ~" + (COUNT - 1) + " round trips), 0 errors",
                    String.join("\n", agentLines(r.stderr())), r.stderr());
        }
    }

    @Test
    void logDebugGoesThroughSystemLoggerAndLogOffIsSilent() throws Exception {
        String host = FastOpenSysctl.freshHost();
        java.nio.file.Path logging = java.nio.file.Files.createTempFile("logging", ".properties");
        java.nio.file.Files.writeString(logging, "handlers=java.util.logging.ConsoleHandler\n.level=ALL\n"
                + "java.util.logging.ConsoleHandler.level=ALL\n");
        try (FastOpenTestServer server = FastOpenTestServer.start(host)) {
            ChildJvm.Result debug = new ChildJvm().args(ChildJvm.OPENS)
                    .args("-Djava.util.logging.config.file=" + logging)
                    .agent("dest=127.0.0.0/8:" + server.port() + ";log=debug;first=always")
                    .args("-cp", ChildJvm.PROBE_CLASS_PATH, ClientProbe.class.getName(), "socket", host,
                            String.valueOf(server.port()), "2").run();
            assertEquals(0, debug.exitCode(), debug.stderr());
            assertTrue(debug.stderr().contains("connectx: version " + VersionIT.VERSION + " active: dest=127.0.0.0/8:" + server.port()), debug.stderr());
            // The second connection was deferred; that detail reaches the application's logging (JUL here).
            assertTrue(debug.stderr().contains("FINE: connectx: deferred the SYN of fd"), debug.stderr());
        } finally {
            java.nio.file.Files.delete(logging);
        }
        ChildJvm.Result off = new ChildJvm().agent("log=off;listen=1").args("-cp", ChildJvm.PROBE_CLASS_PATH,
                AgentJarIT.QuietApp.class.getName()).run();
        assertEquals(List.of(), agentLines(off.stderr()), off.stderr());
    }

    /** Connects twice to a loopback listener of its own and exchanges one byte each time. */
    public static final class ConnectingApp {
        public static void main(String[] args) throws Exception {
            int exchanged = 0;
            try (java.net.ServerSocket server = new java.net.ServerSocket(0, 2, java.net.InetAddress.getLoopbackAddress())) {
                for (int i = 0; i < 2; i++) {
                    try (java.net.Socket client = new java.net.Socket(server.getInetAddress(), server.getLocalPort())) {
                        client.getOutputStream().write('x'); // first: with a cookie, the SYN waits for it
                        try (java.net.Socket accepted = server.accept()) {
                            exchanged += accepted.getInputStream().read() == 'x' ? 1 : 0;
                        }
                    }
                }
            }
            System.out.println("exchanged " + exchanged + " bytes");
        }
    }
}
