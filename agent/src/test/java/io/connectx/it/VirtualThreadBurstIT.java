package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 19: bursts of fresh connections from 200 virtual threads at once, with a real round trip (50 ms,
 * the RTT lab's delayer in a private namespace), plain and under the agent side by side: the agent is
 * never slower, and faster where the client writes first. Three runs of each, alternating; medians of
 * the burst's total time, measured inside each child JVM.
 */
class VirtualThreadBurstIT {
    static final int THREADS = 200;
    static final int RTT_MS = 50;
    static final int RUNS = 3;
    static final int PORT = 7100;
    private static RttLab rtt;

    @BeforeAll
    static void lab() throws Exception {
        int feature = Runtime.version().feature();
        String reason = feature < 21 ? "virtual threads need JDK 21 or later; this run is on JDK " + feature
                : RttLab.unavailability();
        if (reason != null) {
            System.err.println("SKIPPED VirtualThreadBurstIT: " + reason);
            Assumptions.abort(reason);
        }
        rtt = RttLab.create(RTT_MS);
    }

    @AfterAll
    static void closeLab() throws Exception {
        if (rtt != null) {
            rtt.close();
        }
    }

    /** mode, server behaviour, connect timeout (0: untimed), whether the agent must be faster. */
    @ParameterizedTest(name = "{0} timeout={2}")
    @CsvSource({"get, answer, 2000, true", "get, answer, 0, true", "greet, greet, 2000, false", "shutdown, greet, 2000, false"})
    void aBurstOfFreshConnectionsIsNoSlowerUnderTheAgent(String mode, String behaviour, int timeout, boolean faster)
            throws Exception {
        try (ChildJvm.Running server = rtt.lab().jvm().args(ChildJvm.OPENS).agent("listen=" + PORT)
                .args("-cp", ChildJvm.TEST_CLASSES.toString(), BurstServer.class.getName(), LossyPathIT.HOST,
                        String.valueOf(PORT), behaviour).start("listening")) {
            List<Long> plain = new ArrayList<>();
            List<Long> agent = new ArrayList<>();
            for (int run = 0; run < RUNS; run++) {
                plain.add(burst(mode, timeout, false));
                agent.add(burst(mode, timeout, true));
            }
            long p = median(plain);
            long a = median(agent);
            System.out.printf("burst %s timeout=%d: %d virtual threads, RTT %d ms: plain %s ms, agent %s ms (medians %d, %d)%n",
                    mode, timeout, THREADS, RTT_MS, plain, agent, p, a);
            if (faster) {
                assertTrue(a < p, "the agent saves a round trip: plain " + plain + ", agent " + agent);
            } else {
                // Nothing to save where the server speaks first; a round trip's worth of noise is allowed.
                assertTrue(a <= p + RTT_MS, "no slower: plain " + plain + ", agent " + agent);
            }
        }
    }

    /** The burst's total time in ms, as the child measured it; fails unless every connection succeeded. */
    private static long burst(String mode, int timeout, boolean withAgent) throws Exception {
        ChildJvm jvm = rtt.lab().jvm().args(ChildJvm.OPENS);
        if (withAgent) {
            jvm.agent("dest=127.0.0.0/8:" + PORT);
        }
        ChildJvm.Result r = jvm.args("-cp", ChildJvm.TEST_CLASSES.toString(), VirtualThreadProbe.class.getName(), mode,
                LossyPathIT.HOST, String.valueOf(PORT), String.valueOf(THREADS), String.valueOf(timeout)).run();
        String line = r.lines("vt ").isEmpty() ? r.stdout() + r.stderr() : r.lines("vt ").get(0);
        assertTrue(line.startsWith("vt ok=" + THREADS + " "), (withAgent ? "agent: " : "plain: ") + line);
        return Long.parseLong(line.replaceAll(".*total-ms=(\\d+).*", "$1"));
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
