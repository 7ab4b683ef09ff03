package io.connectx.jmh.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MissedGoalsTest {
    private static final String MISSED = BenchmarkReport.verdict(false);
    private static final String REACHED = BenchmarkReport.verdict(true);

    @Test
    void onlyMeasuredMissedGoalsWithAKnownReasonAreExplainedOneLineAReason() {
        List<String[]> goals = List.of(
            new String[] {"TTFB, agent warm / plain, RTT ≥ 20 ms (Socket and HttpClient, worst)", "≤ 0.53", "0.60", MISSED},
            new String[] {"connect hot path: policy, enable, deferred check", "≤ 300 ns/op, 0 B/op", "592 ns/op, 0 B/op", MISSED},
            new String[] {"loopback round trip, destination outside the policy (worst thread count)", "≥ 0.98 × plain", "0.990 ×", REACHED},
            new String[] {"start-up added by the agent (median)", "≤ 60 ms", "not measured", MISSED},
            new String[] {"start-up added by the agent, JDK 25 (median, start to main)", "≤ 60 ms", "85 ms", MISSED},
            new String[] {"start-up added by the agent, JDK 25 (median, whole process)", "≤ 60 ms", "88 ms", MISSED});

        List<String> why = MissedGoals.explain(goals);

        assertEquals(2, why.size(), String.join("\n", why));
        assertTrue(why.get(0).startsWith("- connect hot path (592 ns/op, 0 B/op against ≤ 300 ns/op, 0 B/op): the time is three"
            + " system calls"), why.get(0));
        assertTrue(why.get(1).startsWith("- start-up added by the agent (85 ms, 88 ms against ≤ 60 ms): an empty premain agent"),
            why.get(1));
    }

    @Test
    void aTableWithEveryGoalReachedNeedsNoReasons() {
        List<String[]> goals = List.<String[]>of(
            new String[] {"connect hot path: policy, enable, deferred check", "≤ 300 ns/op, 0 B/op", "250 ns/op, 0 B/op", REACHED});
        assertEquals(List.of(), MissedGoals.explain(goals));
    }
}
