package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 19: a deferred timed connect keeps its timeout on virtual threads without holding a carrier. The
 * plain JDK and the agent run the same burst side by side, each in its own child JVM.
 */
@ExtendWith(FastOpenSysctl.class)
class VirtualThreadTimeoutIT {
    static final int THREADS = 50;
    static final int TIMEOUT_MS = 1000;

    @BeforeAll
    static void needsVirtualThreads() {
        int feature = Runtime.version().feature();
        if (feature < 21) {
            String reason = "virtual threads need JDK 21 or later; this run is on JDK " + feature;
            System.err.println("SKIPPED VirtualThreadTimeoutIT: " + reason);
            Assumptions.abort(reason);
        }
    }

    /**
     * Fifty virtual threads, each a timed connect (1 s) to a destination with a cookie whose SYNs are all
     * dropped: every one times out with {@code SocketTimeoutException: Connect timed out} within 1.5 s, as
     * without the agent. With the agent the connects return at once and the reads wake when a timer fails
     * the sockets at their deadline.
     */
    @Test
    void fiftyTimedConnectsIntoABlackHoleAllTimeOutInTime() throws Exception {
        for (boolean agent : List.of(false, true)) {
            String host = FastOpenSysctl.freshHost();
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            ChildJvm jvm = new ChildJvm().args(ChildJvm.OPENS);
            if (agent) {
                jvm.agent("dest=127.0.0.0/8:" + port + ";listen=" + port);
            }
            ChildJvm.Result r = jvm.args("-cp", ChildJvm.TEST_CLASSES.toString(), VirtualThreadProbe.class.getName(),
                    "blackhole", host, String.valueOf(port), String.valueOf(THREADS), String.valueOf(TIMEOUT_MS)).run();
            String line = r.lines("vt ").get(0);
            System.out.println((agent ? "agent: " : "plain: ") + line);
            assertTrue(line.startsWith("vt ok=0 connect-timeouts=" + THREADS + " "), line + "\n" + r.stderr());
            long slowest = Long.parseLong(line.replaceAll(".*slowest-ms=(\\d+).*", "$1"));
            assertTrue(slowest < TIMEOUT_MS * 3 / 2, (agent ? "agent" : "plain") + ": within 1.5 x the timeout: " + line);
        }
    }
}
