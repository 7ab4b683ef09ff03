package io.connectx.it;

import static io.connectx.it.SampleRuns.mbean;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.sys.TcpExtCounters;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * gRPC-java on {@code grpc-netty-shaded}: its shaded copy of Netty ({@code io.grpc.netty.shaded.io.netty}) on
 * epoll, client and server both unmodified (GrpcEchoApp) and both under the agent, the server with
 * {@code listen=PORT}. Over TLS the ClientHello rides in the SYN; in plaintext the first write is HTTP/2's
 * connection preface, not known replay-safe, and is held. Each client run is compared with one without the agent.
 */
@ExtendWith(FastOpenSysctl.class)
class GrpcNettyShadedIT {
    static final int COUNT = 6;
    static String host;
    static Path dir;
    static Path cert;
    static Path key;

    @BeforeAll
    static void makeACertificate() throws Exception {
        host = FastOpenSysctl.freshHost();
        dir = Files.createTempDirectory("connectx-grpc");
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        LocalServer.run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=connectx-test",
                "-addext", "subjectAltName=IP:" + host));
    }

    @AfterAll
    static void removeIt() throws IOException {
        for (Path p : List.of(cert, key, dir)) {
            Files.deleteIfExists(p);
        }
    }

    @Test
    void tlsClientHelloRidesInTheSynOfAListeningGrpcServer() throws Exception {
        int port = freePort();
        try (ChildJvm.Running server = server(port, true)) {
            Map<String, Long> mbean = compared(port, true);
            assertEquals(COUNT - 1, mbean.get("Deferred"), mbean.toString());
            assertEquals(COUNT - 1, mbean.get("SynDataAcked"), "TCP_INFO: each deferred ClientHello acked in the SYN: " + mbean);
            String summary = summary(server);
            assertTrue(summary.endsWith("listeners accepted SYN data on " + (COUNT - 1) + " connections"), summary);
        }
    }

    @Test
    void plaintextPrefaceIsHeldOutOfTheSyn() throws Exception {
        int port = freePort();
        try (ChildJvm.Running server = server(port, false)) {
            Map<String, Long> mbean = compared(port, false);
            assertEquals(COUNT - 1, mbean.get("Deferred"), mbean.toString());
            assertEquals(COUNT - 1, mbean.get("ReplayUnsafeHeld"), "each deferred HTTP/2 preface held: " + mbean);
            assertEquals(0, mbean.get("SynDataAcked"), mbean.toString());
            String summary = summary(server);
            assertTrue(summary.endsWith("listeners accepted SYN data on 0 connections"), summary);
        }
    }

    /** The client's replies with and without the agent, the same; the agent's MBean from the run with it. */
    private static Map<String, Long> compared(int port, boolean tls) throws Exception {
        // Cookies are per address: the first connection fetched one, so every later connect can be deferred.
        List<String> expected = IntStream.rangeClosed(1, COUNT).mapToObj(i -> "response " + i + " body=echo " + i).toList();
        ChildJvm.Result plain = client(null, port, tls);
        assertEquals(expected, replies(plain), plain.toString());
        TcpExtCounters before = TcpExtCounters.read();
        ChildJvm.Result agent = client("dest=" + host + ":" + port + ";first=auto", port, tls);
        TcpExtCounters after = TcpExtCounters.read();
        assertEquals(expected, replies(agent), agent.toString());
        Map<String, Long> mbean = mbean(agent);
        assertEquals(COUNT, mbean.get("Admitted"), mbean.toString());
        assertEquals(0, mbean.get("Errors"), mbean.toString());
        long active = after.since(before, TcpExtCounters.ACTIVE);
        assertTrue(active >= mbean.get("SynDataAcked"), "TcpExt TCPFastOpenActive +" + active + ": " + mbean);
        System.out.println("GrpcNettyShadedIT " + (tls ? "TLS" : "plaintext") + ": " + mbean + "; TcpExt TCPFastOpenActive +"
                + active + ", TCPFastOpenPassive +" + after.since(before, TcpExtCounters.PASSIVE));
        return mbean;
    }

    private static ChildJvm.Running server(int port, boolean tls) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-cp", SampleApps.classPath(), "io.connectx.samples.GrpcEchoApp",
                "server", host, String.valueOf(port)));
        if (tls) {
            args.addAll(List.of(cert.toString(), key.toString()));
        }
        ChildJvm.Running server = new ChildJvm().agent("listen=" + port + ";summary=true").args(args).start("listening");
        assertTrue(server.lines("transport ").contains("transport epoll=true"), server.toString());
        return server;
    }

    private static ChildJvm.Result client(String agentArgs, int port, boolean tls) throws IOException, InterruptedException {
        ChildJvm jvm = new ChildJvm();
        if (agentArgs != null) {
            jvm.agent(agentArgs);
        }
        List<String> args = new ArrayList<>(List.of("-cp", SampleApps.classPath() + File.pathSeparator + ChildJvm.TEST_CLASSES,
                MeasuredMain.class.getName(), "io.connectx.samples.GrpcEchoApp", "client", host, String.valueOf(port),
                String.valueOf(COUNT)));
        if (tls) {
            args.add(cert.toString());
        }
        ChildJvm.Result result = jvm.args(args).run();
        assertEquals(0, result.exitCode(), result.toString());
        assertEquals(List.of("transport epoll=true"), result.lines("transport "), result.toString());
        assertEquals(List.of(), result.stderr().lines().filter(l -> l.startsWith("connectx:")).toList(), result.toString());
        return result;
    }

    private static String summary(ChildJvm.Running server) throws IOException, InterruptedException {
        List<String> lines = server.stop().lines().filter(l -> l.startsWith("connectx:")).toList();
        assertEquals(1, lines.size(), server.toString());
        return lines.get(0);
    }

    private static List<String> replies(ChildJvm.Result result) {
        return result.lines("response ");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }
}
