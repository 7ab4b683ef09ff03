package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.sys.KernelFastOpen;
import io.connectx.sys.TcpExtCounters;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Servers on every JDK listening API in a child JVM started with the agent's {@code listen}, driven by a
 * client nobody here wrote (curl {@code --tcp-fastopen}) and by a JVM client with the agent. The unmodified
 * sample servers (HttpServer, Jetty) are tested in the samples module. Connections are made one
 * at a time, so the kernel's {@code TCPFastOpenPassive} can be read per connection.
 */
@ExtendWith(FastOpenSysctl.class)
class ServerFastOpenIT {
    static final int COUNT = 6;
    /** The first connection fetches the cookie; every later one must carry its request in the SYN. */
    static final List<Long> ONE_PER_CONNECTION_AFTER_THE_FIRST = List.of(0L, 1L, 1L, 1L, 1L, 1L);
    static final List<Long> NONE = List.of(0L, 0L, 0L, 0L, 0L, 0L);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"serversocket-ctor", "serversocket-port", "serversocket-bind", "channel-blocking",
        "channel-selector"})
    void curlFastOpenIsAcceptedByEveryJdkListeningApi(String mode) throws Exception {
        String host = FastOpenSysctl.freshHost();
        int port = freePort(host);
        try (ChildJvm.Running server = serverProbe(mode, host, port, "listen=" + port)) {
            assertEquals(ONE_PER_CONNECTION_AFTER_THE_FIRST, curlEach(host, port, "pong "), server.toString());
            assertEquals(0, server.awaitExit(), server.toString());
            assertEquals(List.of(false, true, true, true, true, true), serverSynData(server), server.toString());
            assertTrue(server.lines("accepted 6 ").get(0).endsWith("request=GET /6 HTTP/1.1"), server.toString());
            assertNoComplaint(server);
        }
    }

    @Test
    void jvmClientAndJvmServerEachWithTheAgent() throws Exception {
        String host = FastOpenSysctl.freshHost();
        int port = freePort(host);
        try (ChildJvm.Running server = serverProbe("serversocket-ctor", host, port, "listen=" + port)) {
            TcpExtCounters before = TcpExtCounters.read();
            ChildJvm.Result client = new ChildJvm().args(ChildJvm.OPENS).agent("dest=127.0.0.0/8:" + port + ";first=always")
                    .args("-cp", ChildJvm.PROBE_CLASS_PATH, ClientProbe.class.getName(), "socket", host,
                            String.valueOf(port), String.valueOf(COUNT)).run();
            TcpExtCounters after = TcpExtCounters.read();
            assertEquals(0, client.exitCode(), client.stdout() + client.stderr());
            assertEquals(0, server.awaitExit(), server.toString());
            List<Boolean> expected = List.of(false, true, true, true, true, true);
            assertEquals(expected, serverSynData(server), server.toString());
            assertEquals(expected, client.lines("conn ").stream().map(l -> l.endsWith("client-syn-data=true")).toList(),
                    client.stdout());
            assertEquals(COUNT - 1, after.since(before, TcpExtCounters.ACTIVE));
            assertEquals(COUNT - 1, after.since(before, TcpExtCounters.PASSIVE));
        }
    }

    @Test
    void withoutListenAServerWithTheAgentAcceptsNoSynData() throws Exception {
        String host = FastOpenSysctl.freshHost();
        int port = freePort(host);
        try (ChildJvm.Running server = serverProbe("serversocket-ctor", host, port, "dest=127.0.0.0/8:*")) {
            assertEquals(NONE, curlEach(host, port, "pong "), server.toString());
            assertEquals(0, server.awaitExit(), server.toString());
            assertEquals(List.of(false, false, false, false, false, false), serverSynData(server));
        }
    }

    @Test
    void withoutTheServerBitTheAgentNamesTheSysctlAndTheServerRunsAsBefore() throws Exception {
        String old = Files.readString(KernelFastOpen.SYSCTL).trim();
        Files.writeString(KernelFastOpen.SYSCTL, "1");
        try {
            String host = FastOpenSysctl.freshHost();
            int port = freePort(host);
            try (ChildJvm.Running server = serverProbe("serversocket-ctor", host, port, "listen=" + port)) {
                assertEquals(NONE, curlEach(host, port, "pong "), server.toString());
                assertEquals(0, server.awaitExit(), server.toString());
                List<String> complaints = server.stderr().lines().filter(l -> l.startsWith("connectx:")).toList();
                assertEquals(1, complaints.size(), server.toString());
                assertTrue(complaints.get(0).contains("sysctl -w net.ipv4.tcp_fastopen=3"), complaints.get(0));
            }
        } finally {
            Files.writeString(KernelFastOpen.SYSCTL, old);
        }
    }

    static ChildJvm.Running serverProbe(String mode, String host, int port, String agentArgs)
            throws IOException, InterruptedException {
        return new ChildJvm().args(ChildJvm.OPENS).agent(agentArgs)
                .args("-cp", ChildJvm.PROBE_CLASS_PATH, ServerProbe.class.getName(), mode, host,
                        String.valueOf(port), String.valueOf(COUNT))
                .start("listening");
    }

    /**
     * COUNT sequential {@code curl --tcp-fastopen} GETs of {@code /1 .. /COUNT}; checks each body and
     * returns how much {@code TCPFastOpenPassive} rose for each.
     */
    static List<Long> curlEach(String host, int port, String bodyPrefix) throws IOException, InterruptedException {
        List<Long> rises = new ArrayList<>();
        for (int i = 1; i <= COUNT; i++) {
            TcpExtCounters before = TcpExtCounters.read();
            Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "5", "--tcp-fastopen",
                    "http://" + host + ":" + port + "/" + i).redirectErrorStream(true).start();
            String body = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!curl.waitFor(10, TimeUnit.SECONDS)) {
                curl.destroyForcibly();
            }
            assertEquals(bodyPrefix + i, body, "curl response " + i);
            rises.add(TcpExtCounters.read().since(before, TcpExtCounters.PASSIVE));
        }
        return rises;
    }

    private static List<Boolean> serverSynData(ChildJvm.Running server) {
        return server.lines("accepted ").stream().map(l -> l.contains(" syn-data=true ")).toList();
    }

    private static void assertNoComplaint(ChildJvm.Running server) throws IOException {
        assertEquals(List.of(), server.stderr().lines().filter(l -> l.startsWith("connectx:")).toList(), server.toString());
    }

    static int freePort(String host) throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return probe.getLocalPort();
        }
    }
}
