package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.samples.ChannelHttpServerApp;
import io.connectx.samples.JdkHttpServerApp;
import io.connectx.samples.UrlConnectionApp;
import io.connectx.sys.TcpExtCounters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet: two unmodified servers, {@code com.sun.net.httpserver} and a {@code ServerSocketChannel} server,
 * each under the agent with {@code listen}, hold one virtual IP behind an ECMP route ({@link FleetLab}).
 * Clients are {@code curl --tcp-fastopen} and {@code HttpURLConnection} under the agent. Each step is proven
 * by the kernel counters of every namespace: the client's {@code TCPFastOpenActive} (SYN data acknowledged)
 * and {@code TCPFastOpenActiveFail} (refused, resent after the handshake), each server's
 * {@code TCPFastOpenPassive}, {@code PassiveFail} and {@code PassiveAltKey} (accepted under the backup key).
 *
 * <p>Why "about half" is bounded: a client keeps the cookie of the server it reached last (a refused cookie
 * is replaced by the refusing server's). Under two keys a connection's SYN data is accepted exactly when it
 * reaches the same server as the connection before; the route hashes each new source port to a server,
 * a fair coin independent of the last, so the accepted count over n connections is Binomial(n, 1/2). With
 * n = 62 or 63 the test asks for 20%..80% accepted (13..49 or 13..50): outside that with probability below 1e-6 per step.
 */
@ExtendWith(FastOpenSysctl.class)
class FleetKeyIT {
    private static final int PORT = 8080;
    private static final String BASE = "http://" + FleetLab.VIP + ":" + PORT;
    /** Steps that are about half: enough connections for the bound above. */
    private static final int HALF_CURL = 32;
    private static final int HALF_JDK = 32;
    /** Steps that accept every connection: a refusal among these is a failure, whatever the hashing. */
    private static final int EVERY_CURL = 12;
    private static final int EVERY_JDK = 12;
    /**
     * Each step's JVM makes its first connection to the VIP without SYN data: the agent defers no connect to a
     * destination that JVM has not yet seen complete a handshake (so a connect-only probe answers truthfully).
     */
    private static final int JDK_FIRST_NOT_DEFERRED = 1;
    private static final String REKEYED = "given to 1 of 1 open listeners";

    @TempDir
    Path dir;

    private final List<String> attachOutput = new ArrayList<>();

    /** One step's counters, from the client's namespace and each server's. */
    record Step(String name, long accepted, long refused, long passiveA, long failA, long altA, long passiveB, long failB,
            long altB) {
        long sent() {
            return accepted + refused;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-28s %2d/%2d SYN data accepted (client TCPFastOpenActive %d, ActiveFail %d);"
                    + " HttpServer Passive %d PassiveFail %d AltKey %d; channel server Passive %d PassiveFail %d AltKey %d",
                    name, accepted, sent(), accepted, refused, passiveA, failA, altA, passiveB, failB, altB);
        }
    }

    @Test
    void oneKeyFileSharedByTheFleetAndRotatedByAttachLetsEveryServerAcceptTheCookie() throws Exception {
        requireCurl();
        String k1 = dashed(randomKey());
        String k2 = randomKey();
        String k3 = dashed(randomKey()).toUpperCase(Locale.ROOT);
        Path fleet = keyFile("fleet.key", k1 + "\n", "rw-------");
        Path bad = keyFile("bad.key", k1.replace("-", "").substring(1) + "\n", "rw-------");
        long start = System.nanoTime();
        List<Step> steps = new ArrayList<>();
        try (FleetLab lab = FleetLab.create();
                ChildJvm.Running a = lab.jvm(lab.serverA).agent("listen=" + PORT + ";listen.keyfile=" + fleet + ";summary=true")
                        .args("-cp", SampleApps.classPath(), JdkHttpServerApp.class.getName(), FleetLab.VIP, String.valueOf(PORT))
                        .start("listening");
                ChildJvm.Running b = lab.jvm(lab.serverB).agent("listen=" + PORT + ";listen.keyfile=" + bad + ";summary=true")
                        .args("-cp", SampleApps.classPath(), ChannelHttpServerApp.class.getName(), FleetLab.VIP, String.valueOf(PORT))
                        .start("listening")) {
            List<String> badLines = agentLines(b.stderr());
            assertEquals(1, badLines.size(), b.toString());
            assertTrue(badLines.get(0).startsWith("connectx: listen.keyfile " + bad + ": found the primary key of 31 hex digits; expected")
                    && badLines.get(0).endsWith("server Fast Open stays on"), badLines.get(0));

            // A holds the file's key, B (its file refused) the namespace's own random key.
            Step different = measure(lab, "different keys", HALF_CURL, HALF_JDK);
            steps.add(different);
            assertAboutHalf(different, HALF_CURL + HALF_JDK - 1 - JDK_FIRST_NOT_DEFERRED); // the very first fetched a cookie
            assertTrue(different.passiveB() > 0, "the refused key file left server Fast Open on: " + different);

            attach(b, fleet);
            Step shared = measure(lab, "one shared key file", EVERY_CURL, EVERY_JDK);
            steps.add(shared);
            assertEquals(EVERY_CURL + EVERY_JDK - JDK_FIRST_NOT_DEFERRED, shared.sent(), shared.toString());
            assertTrue(shared.refused() <= 1, "only the first may carry a cookie of the old keys: " + shared);

            // The procedure: the new key as backup everywhere, then primary everywhere, then the old one dropped.
            write(fleet, k1 + "," + k2);
            attach(a, fleet, b, fleet);
            write(fleet, k2 + "," + k1);
            attach(a, fleet);
            Step rotating = measure(lab, "rotation, old key as backup", EVERY_CURL, EVERY_JDK);
            steps.add(rotating);
            assertEveryConnection(rotating);
            assertTrue(rotating.altA() + rotating.altB() > 0, "cookies accepted under the backup key: " + rotating);
            attach(b, fleet);
            Step newPrimary = measure(lab, "new key primary everywhere", EVERY_CURL, EVERY_JDK);
            steps.add(newPrimary);
            assertEveryConnection(newPrimary);
            write(fleet, k2);
            attach(a, fleet, b, fleet);
            Step dropped = measure(lab, "old key dropped", EVERY_CURL, EVERY_JDK);
            steps.add(dropped);
            assertEveryConnection(dropped);

            // Skipping the procedure: one server given a new primary alone, which the other does not hold.
            Path alone = keyFile("alone.key", k3, "rw-r-----");
            attach(a, alone);
            Step aloneStep = measure(lab, "new primary alone on one", HALF_CURL, HALF_JDK);
            steps.add(aloneStep);
            assertAboutHalf(aloneStep, HALF_CURL + HALF_JDK - JDK_FIRST_NOT_DEFERRED);

            String errA = a.stop();
            String errB = b.stop();
            System.out.println("FleetKeyIT on JDK " + Runtime.version().feature() + ", "
                    + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + " s:");
            steps.forEach(s -> System.out.println("  " + s));
            assertEquals(1, agentLines(errA).stream().filter(l -> l.contains("can be read by group or others")).count(), errA);
            assertEquals(4, agentLines(errA).stream().filter(l -> l.endsWith(REKEYED)).count(), errA);
            assertEquals(4, agentLines(errB).stream().filter(l -> l.endsWith(REKEYED)).count(), errB);
            assertTrue(summary(errA).endsWith("; 5 key loads, 0 failed"), errA);
            assertTrue(summary(errB).endsWith("; 4 key loads, 1 failed"), errB);
            for (String key : List.of(k1, k2, k3)) {
                for (String shown : List.of(errA, errB, String.join("\n", attachOutput))) {
                    assertFalse(containsKey(shown, key), "a key reached a line:\n" + shown);
                }
            }
        }
    }

    /**
     * A server keyed by the sysctl (as nginx or HAProxy are) next to one keyed by the file, from one text:
     * the file's text must be read as the kernel reads the sysctl's, 32-bit words little-endian.
     */
    @Test
    void theSysctlAndTheKeyFileReadOneTextAsOneKey() throws Exception {
        requireCurl();
        String key = randomKey();
        Path file = keyFile("fleet.key", key, "rw-------");
        try (FleetLab lab = FleetLab.create()) {
            lab.run(lab.serverA, "sysctl", "-q", "-w", "net.ipv4.tcp_fastopen_key=" + dashed(key));
            try (ChildJvm.Running a = lab.jvm(lab.serverA).agent("listen=" + PORT)
                        .args("-cp", SampleApps.classPath(), JdkHttpServerApp.class.getName(), FleetLab.VIP, String.valueOf(PORT))
                        .start("listening");
                    ChildJvm.Running b = lab.jvm(lab.serverB).agent("listen=" + PORT + ";listen.keyfile=" + file)
                        .args("-cp", SampleApps.classPath(), ChannelHttpServerApp.class.getName(), FleetLab.VIP, String.valueOf(PORT))
                        .start("listening")) {
                Step step = measure(lab, "sysctl key and key file", EVERY_CURL, EVERY_JDK);
                System.out.println("FleetKeyIT on JDK " + Runtime.version().feature() + ":\n  " + step);
                assertEquals(EVERY_CURL + EVERY_JDK - 1 - JDK_FIRST_NOT_DEFERRED, step.sent(), "the very first connection fetched a cookie: " + step);
                assertEquals(0, step.refused(), step.toString());
                assertTrue(step.passiveA() > 0 && step.passiveB() > 0, "both servers accepted a cookie: " + step);
            }
        }
    }

    /** Bounded away from none and from all; see the class comment for the bound. */
    private static void assertAboutHalf(Step step, int sent) {
        assertEquals(sent, step.sent(), step.toString());
        assertTrue(step.accepted() >= Math.ceil(0.2 * sent) && step.accepted() <= Math.floor(0.8 * sent), step.toString());
        assertTrue(step.passiveA() + step.failA() > 0 && step.passiveB() + step.failB() > 0, "both servers reached: " + step);
        assertServersCount(step.passiveA() + step.passiveB(), step.accepted(), "each acceptance is one server's: " + step);
        assertServersCount(step.failA() + step.failB(), step.refused(), "each refusal is one server's: " + step);
    }

    private static void assertEveryConnection(Step step) {
        assertEquals(EVERY_CURL + EVERY_JDK - JDK_FIRST_NOT_DEFERRED, step.accepted(), step.toString());
        assertEquals(0, step.refused(), step.toString());
        assertServersCount(step.passiveA() + step.passiveB(), step.accepted(), step.toString());
    }

    /**
     * The servers' count against the client's. A JVM's first connection, not deferred, carries its cookie in a
     * SYN without data: the server counts it (Passive for a good cookie, PassiveFail for a stale one), the
     * client, having sent no data, does not.
     */
    private static void assertServersCount(long servers, long client, String message) {
        assertTrue(servers >= client && servers <= client + JDK_FIRST_NOT_DEFERRED, message);
    }

    /** {@code curls} curl GETs, then one JVM under the agent making {@code jdk} GETs, each on a fresh connection. */
    private static Step measure(FleetLab lab, String name, int curls, int jdk) throws Exception {
        TcpExtCounters c0 = lab.counters(lab.client);
        TcpExtCounters a0 = lab.counters(lab.serverA);
        TcpExtCounters b0 = lab.counters(lab.serverB);
        for (int i = 1; i <= curls; i++) {
            assertEquals("hello " + i, lab.run(lab.client, "curl", "-sS", "--max-time", "5", "--tcp-fastopen", BASE + "/" + i),
                    name + ": curl " + i);
        }
        ChildJvm.Result client = lab.jvm(lab.client).agent("dest=" + FleetLab.VIP + ":" + PORT)
                .args("-Dhttp.keepAlive=false", "-cp", SampleApps.classPath(), UrlConnectionApp.class.getName(), BASE,
                        String.valueOf(jdk)).run();
        assertEquals(0, client.exitCode(), client.stdout() + client.stderr());
        for (int i = 1; i <= jdk; i++) {
            assertTrue(client.stdout().contains("response " + i + " status=200 body=hello " + i + "\n"), client.stdout());
        }
        TcpExtCounters c1 = lab.counters(lab.client);
        TcpExtCounters a1 = lab.counters(lab.serverA);
        TcpExtCounters b1 = lab.counters(lab.serverB);
        return new Step(name, c1.since(c0, TcpExtCounters.ACTIVE), c1.since(c0, TcpExtCounters.ACTIVE_FAIL),
                a1.since(a0, TcpExtCounters.PASSIVE), a1.since(a0, "TCPFastOpenPassiveFail"), a1.since(a0, "TCPFastOpenPassiveAltKey"),
                b1.since(b0, TcpExtCounters.PASSIVE), b1.since(b0, "TCPFastOpenPassiveFail"), b1.since(b0, "TCPFastOpenPassiveAltKey"));
    }

    /** {@code attach PID listen=...;listen.keyfile=PATH} into each (server, file) pair, all at once; each must succeed. */
    private void attach(Object... serverAndFile) throws Exception {
        List<CompletableFuture<ChildJvm.Result>> runs = new ArrayList<>();
        for (int i = 0; i < serverAndFile.length; i += 2) {
            long pid = ((ChildJvm.Running) serverAndFile[i]).pid();
            String args = "listen=" + PORT + ";listen.keyfile=" + serverAndFile[i + 1];
            runs.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return new ChildJvm().args("-jar", ChildJvm.AGENT_JAR.toString(), "attach", String.valueOf(pid), args).run();
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<ChildJvm.Result> run : runs) {
            ChildJvm.Result result = run.get(150, TimeUnit.SECONDS);
            attachOutput.add(result.stdout() + result.stderr());
            assertEquals(0, result.exitCode(), result.stdout() + result.stderr());
        }
    }

    private static String randomKey() {
        byte[] key = new byte[16];
        new SecureRandom().nextBytes(key);
        return HexFormat.of().formatHex(key);
    }

    private static String dashed(String hex) {
        return hex.substring(0, 8) + "-" + hex.substring(8, 16) + "-" + hex.substring(16, 24) + "-" + hex.substring(24);
    }

    /** Any 8-digit group of the key, in any case, with or without dashes. */
    private static boolean containsKey(String text, String key) {
        String digits = key.replace("-", "").toLowerCase(Locale.ROOT);
        String lower = text.toLowerCase(Locale.ROOT).replace("-", "");
        for (int i = 0; i < 32; i += 8) {
            if (lower.contains(digits.substring(i, i + 8))) {
                return true;
            }
        }
        return false;
    }

    private Path keyFile(String name, String content, String permissions) throws IOException {
        Path file = dir.resolve(name);
        write(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    private static void write(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.US_ASCII);
    }

    private static List<String> agentLines(String stderr) {
        return stderr.lines().filter(l -> l.startsWith("connectx:")).toList();
    }

    private static String summary(String stderr) {
        List<String> lines = agentLines(stderr).stream().filter(l -> l.contains(" connects, ")).toList();
        assertEquals(1, lines.size(), stderr);
        return lines.get(0);
    }

    private static void requireCurl() {
        if (!Files.isExecutable(Path.of("/usr/bin/curl"))) {
            String reason = "/usr/bin/curl is missing: apt-get install curl (test.sh does)";
            System.err.println("SKIPPED FleetKeyIT: " + reason);
            Assumptions.abort(reason);
        }
    }
}
