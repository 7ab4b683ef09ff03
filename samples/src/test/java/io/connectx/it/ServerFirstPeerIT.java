package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real server that speaks first, MariaDB, reached through MariaDB Connector/J in an unmodified JDBC
 * application with the agent. MariaDB accepts no Fast Open itself, but a cookie for its address, fetched
 * from another port, makes the kernel defer the driver's connect; the driver then reads the server's
 * greeting before writing anything, which only the read-first trigger can answer.
 */
@ExtendWith({FastOpenSysctl.class, MariaDbServer.class})
class ServerFirstPeerIT {
    static final int QUERIES = 5;

    @Test
    void mariaDbConnectorJConnectsAndQueriesThroughADeferredConnect() throws Exception {
        FastOpenSysctl.forgetCookie(MariaDbServer.HOST);
        try (FastOpenTestServer other = FastOpenTestServer.start(MariaDbServer.HOST)) {
            ChildJvm.Result warm = HandshakeSafetyIT.probe("get", MariaDbServer.HOST, other.port(), 2, "dest=127.0.0.0/8:" + other.port());
            assertEquals(0, warm.exitCode(), warm.stdout() + warm.stderr());
        }
        assertTrue(cachedCookie(MariaDbServer.HOST), "the kernel holds a cookie for the address, so it will defer");

        String url = "jdbc:mariadb://" + MariaDbServer.HOST + ":" + MariaDbServer.PORT
                + "/?user=connectx&password=connectx&connectTimeout=5000&socketTimeout=5000";
        ChildJvm.Result r = new ChildJvm().agent("dest=127.0.0.0/8:" + MariaDbServer.PORT)
                .args("-cp", SampleApps.classPath(), "io.connectx.samples.JdbcQueryApp", url,
                        String.valueOf(QUERIES)).run();
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        List<String> queries = r.lines("query ");
        assertEquals(QUERIES, queries.size(), r.stdout());
        for (int i = 1; i <= QUERIES; i++) {
            String line = queries.get(i - 1);
            assertTrue(line.startsWith("query " + i + " result=" + (i + 1) + " "), line);
            long elapsed = Long.parseLong(line.substring(line.indexOf("elapsed-ms=") + 11).trim());
            assertTrue(elapsed < 1000, "connected and answered within a second, not stuck on an unsent SYN: " + line);
        }
    }

    private static boolean cachedCookie(String host) throws Exception {
        Process p = new ProcessBuilder("ip", "tcp_metrics", "show", host).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out.contains("fo_cookie");
    }
}
