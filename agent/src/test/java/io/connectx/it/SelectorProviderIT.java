package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.sys.TcpExtCounters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent installs {@code io.connectx.provider.ConnectxSelectorProvider} as the JVM-wide SelectorProvider,
 * for an application that has only what every application has (no --add-opens, no connectx classes of its
 * own: the class comes from the agent jar, through the system class loader, and reaches the JDK's provider
 * through the agent's door), and Selector-based NIO clients get Fast Open through it. An application that
 * chose its own provider keeps it.
 */
@ExtendWith(FastOpenSysctl.class)
class SelectorProviderIT {
    private static final int COUNT = 8;
    private static final String CONNECTX = "io.connectx.provider.ConnectxSelectorProvider";
    private static final String OWN = SelectorClientApp.OwnProvider.class.getName();

    @Test
    void selectorClientsGetFastOpenThroughTheAgentJarsConnectxSelectorProvider() throws Exception {
        String host = FastOpenSysctl.freshHost();
        try (FastOpenTestServer server = FastOpenTestServer.start(host)) {
            TcpExtCounters before = TcpExtCounters.read();
            ChildJvm.Result r = new ChildJvm().agent("dest=" + host + ":" + server.port() + ";first=always")
                    .args("-cp", ChildJvm.TEST_CLASSES.toString(), SelectorClientApp.class.getName(), host,
                            String.valueOf(server.port()), String.valueOf(COUNT)).run();
            TcpExtCounters after = TcpExtCounters.read();
            String all = r.stdout() + r.stderr();
            assertEquals(0, r.exitCode(), all);
            assertEquals(List.of("provider " + CONNECTX), r.lines("provider "), all);
            assertEquals(List.of("provider-loader system"), r.lines("provider-loader "), all);
            assertTrue(r.lines("provider-from ").get(0).endsWith("/" + ChildJvm.AGENT_JAR.getFileName()), "from the agent jar\n" + all);
            assertEquals(COUNT, r.lines("conn ").stream().filter(l -> l.endsWith("reply=ok")).count(), all);
            assertTrue(r.stderr().lines().noneMatch(l -> l.startsWith("connectx:")), all);
            List<FastOpenTestServer.Accepted> accepted = server.accepted(COUNT);
            assertEquals(COUNT - 1, accepted.stream().filter(FastOpenTestServer.Accepted::synData).count(),
                    "server TCP_INFO: every connection after the cookie fetch carried its request in the SYN\n" + all + accepted);
            assertEquals(COUNT - 1, after.since(before, TcpExtCounters.ACTIVE), "TCPFastOpenActive rise\n" + all);
        }
    }

    @Test
    void aProviderTheApplicationNamesOnTheCommandLineStays() throws Exception {
        ChildJvm.Result r = new ChildJvm().agent("dest=127.0.0.0/8:*;log=info")
                .args("-Djava.nio.channels.spi.SelectorProvider=" + OWN,
                        "-cp", ChildJvm.TEST_CLASSES.toString(), SelectorClientApp.class.getName()).run();
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertEquals(List.of("provider " + OWN), r.lines("provider "), r.stdout() + r.stderr());
        assertTrue(r.stderr().contains("connectx: SelectorProvider: the application's " + OWN
                + " (java.nio.channels.spi.SelectorProvider) stays JVM-wide"), r.stderr());
    }

    @Test
    void aProviderTheApplicationShipsAsAServiceStays() throws Exception {
        Path dir = Files.createTempDirectory("connectx-service");
        Path file = dir.resolve("META-INF/services/java.nio.channels.spi.SelectorProvider");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, OWN + "\n");
            ChildJvm.Result r = new ChildJvm().agent("dest=127.0.0.0/8:*;log=info")
                    .args("-cp", dir + java.io.File.pathSeparator + ChildJvm.TEST_CLASSES,
                            SelectorClientApp.class.getName()).run();
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            assertEquals(List.of("provider " + OWN), r.lines("provider "), r.stdout() + r.stderr());
            assertTrue(r.stderr().contains("connectx: SelectorProvider: the application's service " + file.toUri().toURL()),
                    r.stderr());
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
            Files.deleteIfExists(file.getParent().getParent());
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void withoutTheAgentTheJdksProviderIsTheJvmWideOne() throws Exception {
        ChildJvm.Result r = new ChildJvm().args("-cp", ChildJvm.TEST_CLASSES.toString(), SelectorClientApp.class.getName()).run();
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertEquals(List.of("provider sun.nio.ch.EPollSelectorProvider"), r.lines("provider "), r.stdout() + r.stderr());
    }
}
