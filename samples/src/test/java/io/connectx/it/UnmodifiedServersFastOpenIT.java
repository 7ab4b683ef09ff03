package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The unmodified sample HTTP servers in a child JVM started with the agent's {@code listen}, driven by
 * curl {@code --tcp-fastopen} one connection at a time, so the kernel's {@code TCPFastOpenPassive} can be
 * read per connection.
 */
@ExtendWith(FastOpenSysctl.class)
class UnmodifiedServersFastOpenIT {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"io.connectx.samples.JdkHttpServerApp", "io.connectx.samples.JettyServerApp",
        "io.connectx.samples.ReactorNettyServerApp", "io.connectx.samples.ReactorNettyNioServerApp",
        "io.connectx.samples.TomcatServerApp"})
    void curlFastOpenIsAcceptedByUnmodifiedHttpServers(String mainClass) throws Exception {
        String host = FastOpenSysctl.freshHost();
        int port = ServerFastOpenIT.freePort(host);
        try (ChildJvm.Running server = new ChildJvm().agent("listen=" + port + ";summary=true")
                .args("-cp", SampleApps.classPath(), mainClass, host, String.valueOf(port)).start("listening")) {
            assertEquals(ServerFastOpenIT.ONE_PER_CONNECTION_AFTER_THE_FIRST, ServerFastOpenIT.curlEach(host, port, "hello "),
                    server.toString());
            // TCP_INFO on the accepted sockets, taken by the agent inside the unmodified server.
            List<String> summary = server.stop().lines().filter(l -> l.startsWith("connectx:")).toList();
            assertEquals(1, summary.size(), server.toString());
            assertTrue(summary.get(0).endsWith("listeners accepted SYN data on " + (ServerFastOpenIT.COUNT - 1)
                    + " connections"), summary.get(0));
        }
    }
}
