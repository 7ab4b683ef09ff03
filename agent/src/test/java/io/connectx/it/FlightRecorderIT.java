package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.sys.TcpExtCounters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The JDK Flight Recorder events {@code io.connectx.FastOpen} and {@code io.connectx.FastOpenAccept}, read
 * the way users read them: {@code jfr print} of a recording started with {@code -XX:StartFlightRecording},
 * and {@code jcmd PID JFR.start} / {@code JFR.dump} on a running JVM. Each client and server is a child
 * JVM with the real agent jar, in a network namespace of its own, so the kernel's counters are theirs alone.
 */
@ExtendWith(FastOpenSysctl.class)
class FlightRecorderIT {
    static final String HOST = "127.0.0.1";
    static final int PORT = 7000;
    static final int COUNT = 5;

    @Test
    void synDataAckedEventsEqualTheRiseInTcpFastOpenActiveUnderDefaultAndProfileSettings() throws Exception {
        Path jfr = jdkTool("jfr");
        try (NetworkLab lab = NetworkLab.create()) {
            // A fresh namespace: the first connection has no cookie. Then a warm run, then a path that drops SYN data.
            List<String> outcomes = recordedClientRun(lab, jfr, "default", false);
            assertEquals(COUNT, outcomes.size(), "one event per connection: " + outcomes);
            assertEquals("COOKIE_REQUESTED", outcomes.get(0), outcomes.toString());
            assertEquals(COUNT - 1, count(outcomes, "SYN_DATA_ACKED"), outcomes.toString());

            // Warm, but a new JVM: its first connection to the destination is not deferred (issue 12's rule).
            outcomes = recordedClientRun(lab, jfr, "profile", false);
            assertEquals("COOKIE_REQUESTED", outcomes.get(0), outcomes.toString());
            assertEquals(Collections.nCopies(COUNT - 1, "SYN_DATA_ACKED"), outcomes.subList(1, COUNT));

            // The kernel resends dropped SYN data, then pauses Fast Open to the address after repeated losses
            // (tcp_fastopen_cookie_check): later connects make ordinary handshakes.
            outcomes = recordedClientRun(lab, jfr, "default", true);
            assertEquals(COUNT, outcomes.size(), outcomes.toString());
            assertEquals(0, count(outcomes, "SYN_DATA_ACKED"), outcomes.toString());
            assertTrue(count(outcomes, "SYN_DATA_NOT_ACKED") >= 1, outcomes.toString());
        }
    }

    /**
     * Runs COUNT GETs under {@code -XX:StartFlightRecording:settings=SETTINGS}, asserts that its
     * SYN_DATA_ACKED events equal the rise of TCPFastOpenActive, and returns the events' outcomes in order.
     */
    private static List<String> recordedClientRun(NetworkLab lab, Path jfr, String settings, boolean dropSynData)
            throws Exception {
        Path recording = Files.createTempFile("connectx-client", ".jfr");
        try (ChildJvm.Running server = server(lab, COUNT)) {
            if (dropSynData) {
                lab.dropSynWithData();
            }
            TcpExtCounters before = lab.counters();
            ChildJvm.Result client = lab.jvm().args("-XX:StartFlightRecording:settings=" + settings + ",filename=" + recording)
                    .agent("dest=127.0.0.0/8:" + PORT + ";first=always").args("-cp", ChildJvm.TEST_CLASSES.toString(),
                            SafetyProbe.class.getName(), "get", HOST, String.valueOf(PORT), String.valueOf(COUNT)).run();
            TcpExtCounters after = lab.counters();
            assertEquals(0, client.exitCode(), client.stdout() + client.stderr());
            assertEquals(0, server.awaitExit(), server.toString());
            String printed = run(jfr.toString(), "print", "--events", "io.connectx.FastOpen", recording.toString());
            List<String> outcomes = printed.lines().map(String::trim).filter(l -> l.startsWith("outcome = "))
                    .map(l -> l.substring(l.indexOf('"') + 1, l.lastIndexOf('"'))).toList();
            assertEquals(after.since(before, TcpExtCounters.ACTIVE), count(outcomes, "SYN_DATA_ACKED"),
                    "settings=" + settings + ", jfr print:\n" + printed);
            assertTrue(printed.contains("port = " + PORT) && printed.contains("address = \"" + HOST + "\""), printed);
            assertFalse(printed.contains("stackTrace"), "no stack trace is recorded:\n" + printed);
            return outcomes;
        } finally {
            Files.deleteIfExists(recording);
        }
    }

    @Test
    void jcmdDumpOfARunningServerHoldsItsAcceptEvents() throws Exception {
        Path jcmd = jdkTool("jcmd");
        Path recording = Files.createTempFile("connectx-server", ".jfr");
        try (NetworkLab lab = NetworkLab.create();
                // One more than the client makes: the server is still running when it is dumped.
                ChildJvm.Running server = server(lab, COUNT + 1)) {
            String pid = String.valueOf(server.pid());
            // Started after the agent, on a JVM that had no recording: the events register late.
            run(jcmd.toString(), pid, "JFR.start", "name=connectx", "settings=profile");
            TcpExtCounters before = lab.counters();
            ChildJvm.Result client = lab.jvm().agent("dest=127.0.0.0/8:" + PORT + ";first=always").args("-cp",
                    ChildJvm.TEST_CLASSES.toString(), SafetyProbe.class.getName(), "get", HOST, String.valueOf(PORT),
                    String.valueOf(COUNT)).run();
            TcpExtCounters after = lab.counters();
            assertEquals(0, client.exitCode(), client.stdout() + client.stderr());
            run(jcmd.toString(), pid, "JFR.dump", "name=connectx", "filename=" + recording);

            List<RecordedEvent> accepts = new ArrayList<>();
            for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
                if (e.getEventType().getName().equals("io.connectx.FastOpenAccept")) {
                    accepts.add(e);
                }
            }
            assertEquals(COUNT, accepts.size(), accepts.toString());
            long withData = accepts.stream().filter(e -> e.getBoolean("synData")).count();
            assertEquals(COUNT - 1, withData, "the first connection fetched the cookie: " + accepts);
            assertEquals(after.since(before, TcpExtCounters.PASSIVE), withData, accepts.toString());
            for (RecordedEvent e : accepts) {
                assertEquals(PORT, e.getInt("localPort"), e.toString());
                assertEquals(HOST, e.getString("peerAddress"), e.toString());
                assertTrue(e.getInt("peerPort") > 0, e.toString());
                assertTrue(e.getStackTrace() == null, "no stack trace is recorded: " + e);
            }
            assertEquals(accepts.stream().map(e -> e.getBoolean("synData")).toList(), server.lines("accepted ").stream()
                    .map(l -> l.contains("syn-data=true")).toList(), "the event agrees with the server's own TCP_INFO");
        } finally {
            Files.deleteIfExists(recording);
        }
    }

    @Test
    void withoutARecordingNoFlightRecorderClassIsLoaded() throws Exception {
        Path log = Files.createTempFile("connectx-classes", ".log");
        try (NetworkLab lab = NetworkLab.create()) {
            for (boolean recording : new boolean[] {false, true}) {
                try (ChildJvm.Running server = server(lab, COUNT)) {
                    ChildJvm client = lab.jvm().args("-Xlog:class+load=info:file=" + log);
                    if (recording) {
                        client.args("-XX:StartFlightRecording");
                    }
                    ChildJvm.Result r = client.agent("dest=127.0.0.0/8:" + PORT + ";first=always").args("-cp",
                            ChildJvm.TEST_CLASSES.toString(), SafetyProbe.class.getName(), "get", HOST,
                            String.valueOf(PORT), String.valueOf(COUNT)).run();
                    assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
                    assertEquals(0, server.awaitExit(), server.toString());
                }
                List<String> classes = Files.readAllLines(log, StandardCharsets.UTF_8);
                // The agent ran: its deferral logic was loaded for the connections it admitted.
                assertTrue(classes.stream().anyMatch(l -> l.contains(" io.connectx.provider.ConnectionOutcome ")
                        || l.contains(" io.connectx.provider.DeferredHandshakes$Pending ")), "agent classes: " + log);
                List<String> jfr = classes.stream().filter(l -> l.contains(" jdk.jfr.")).toList();
                boolean events = classes.stream().anyMatch(l -> l.contains(" io.connectx.provider.FastOpenEvent "));
                if (recording) {
                    assertFalse(jfr.isEmpty(), "the control run records");
                    assertTrue(events, "with a recording the agent registers its events");
                } else {
                    assertEquals(List.of(), jfr, "no jdk.jfr class without a recording");
                    assertFalse(events);
                }
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static ChildJvm.Running server(NetworkLab lab, int count) throws Exception {
        // The probe reads TCP_INFO with connectx-native's classes: the agent jar's copies are out of its reach.
        return lab.jvm().args(ChildJvm.OPENS).agent("listen=" + PORT).args("-cp", ChildJvm.PROBE_CLASS_PATH,
                ServerProbe.class.getName(), "serversocket-ctor", HOST, String.valueOf(PORT), String.valueOf(count))
                .start("listening");
    }

    private static long count(List<String> outcomes, String outcome) {
        return outcomes.stream().filter(outcome::equals).count();
    }

    /** A tool of the JDK that runs the tests (jfr, jcmd); the test is skipped, saying so, if it is missing. */
    private static Path jdkTool(String name) {
        Path tool = Path.of(System.getProperty("java.home"), "bin", name);
        if (!Files.isExecutable(tool)) {
            System.err.println("SKIPPED: " + tool + " is missing from this JDK");
            Assumptions.abort(tool + " is missing from this JDK");
        }
        return tool;
    }

    private static String run(String... command) throws Exception {
        Path output = Files.createTempFile("connectx-tool", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean exited = p.waitFor(60, TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly().waitFor();
            }
            String out = Files.readString(output, StandardCharsets.UTF_8);
            if (!exited || p.exitValue() != 0) {
                throw new AssertionError(List.of(command) + (exited ? " failed:\n" : " timed out:\n") + out);
            }
            return out;
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
