package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The zero-byte send that starts a read-first handshake makes a blocking socket non-blocking for a moment
 * and puts it back. The JDK changes the mode itself, under the socket's own locks: a virtual thread's read
 * makes it non-blocking and remembers so. Were that to land inside our moment, our restore would leave the
 * descriptor blocking while the JDK believes it non-blocking, and a timed read would then never time out.
 * Run side by side, in child JVMs with the real agent jar and without it, on JDK 21+ (virtual threads).
 */
@ExtendWith(FastOpenSysctl.class)
class BlockingModeRaceIT {
    static final int ITERATIONS = 1500;
    static final int MAX_SECONDS = 40;

    @BeforeAll
    static void needsVirtualThreads() {
        int feature = Runtime.version().feature();
        if (feature < 21) {
            String reason = "virtual threads need JDK 21 or later; this run is on JDK " + feature;
            System.err.println("SKIPPED BlockingModeRaceIT: " + reason);
            Assumptions.abort(reason);
        }
    }

    /**
     * A platform thread's untimed read and a virtual thread's read reach a deferred socket together, over and
     * over: afterwards the descriptor's O_NONBLOCK always agrees with what the JDK believes, and a timed read
     * times out, as without the agent.
     */
    @Test
    void aReadFirstTriggerNeverLeavesTheDescriptorBlockingWhileTheJdkBelievesItNonBlocking() throws Exception {
        for (boolean agent : List.of(false, true)) {
            String host = FastOpenSysctl.freshHost();
            try (FastOpenTestServer greeter = FastOpenTestServer.start(host, FastOpenTestServer.Behaviour.GREET)) {
                ChildJvm jvm = new ChildJvm().args(ChildJvm.OPENS);
                if (agent) {
                    jvm.agent("dest=" + host + ":*");
                }
                ChildJvm.Result r = jvm.args("-cp", ChildJvm.TEST_CLASSES.toString(), BlockingModeRaceProbe.class.getName(),
                        host, String.valueOf(greeter.port()), String.valueOf(ITERATIONS), String.valueOf(MAX_SECONDS))
                        .run(MAX_SECONDS + 60);
                List<String> lines = r.lines("race ");
                assertEquals(1, lines.size(), r.stdout() + "\n" + r.stderr());
                String line = lines.get(0);
                System.out.println((agent ? "agent: " : "plain: ") + line);
                int iterations = count(line, "iterations");
                int deferred = count(line, "deferred");
                assertTrue(iterations >= 100, "enough iterations to race: " + line);
                if (agent) {
                    assertTrue(deferred >= iterations * 9 / 10, "the agent deferred the connections: " + line);
                } else {
                    assertEquals(0, deferred, "plain connects are never deferred: " + line);
                }
                assertEquals(0, count(line, "mismatches"), (agent ? "agent" : "plain") + ": " + line + "\n" + r.stderr());
                assertTrue(count(line, "timed-reads") > 0, line);
                assertEquals(0, count(line, "stuck-timed-reads"), (agent ? "agent" : "plain") + ": " + line);
            }
        }
    }

    private static int count(String line, String key) {
        return Integer.parseInt(line.replaceAll(".* " + key + "=(\\d+).*", "$1"));
    }
}
