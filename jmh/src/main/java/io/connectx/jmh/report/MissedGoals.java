package io.connectx.jmh.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Why a goal of the report is missed, where the reason lies in how the agent works rather than in the run:
 * issue 14 asks for each goal "or its distance from it with the reason". The distance is the goals table's; the
 * figures behind each reason are in the README's Limits, with the commands that measured them.
 */
final class MissedGoals {
    /** A reason, and the goals it explains: those whose measure begins with {@code measure}. */
    private record Reason(String measure, String why) {
    }

    /** In the goals table's order. */
    private static final List<Reason> REASONS = List.of(
        new Reason("loopback round trip, destination outside the policy",
            "such a connect costs the policy decision (a few ns, above) and the hooks' checks, far below a loopback round "
                + "trip; read the distance against each row's JMH error in the table"),
        new Reason("loopback round trip, destination admitted",
            "at RTT 0 there is no round trip to save, and an admitted connect pays its system calls while its first write "
                + "waits in the kernel for the SYN-ACK; one client thread shows it most, more threads hide it"),
        new Reason("connect hot path",
            "the time is three system calls per admitted connect (is it TCP, `TCP_FASTOPEN_CONNECT`, the deferred check "
                + "on `tcpi_state`), about 200 ns each on this VM; 300 ns needs one call fewer. 0 B/op is reached"),
        new Reason("start-up added by the agent",
            "an empty premain agent alone costs a JVM a few tens of ms; most of the agent's own premain is weaving the "
                + "JDK's socket classes in one retransformation, with ASM's classes loading and running cold, and the "
                + "boot-loader bridge (`log=debug` prints each phase of premain: `connectx: start-up phases, total ...`)"));

    private MissedGoals() {
    }

    /** One line per known reason that explains at least one measured, missed goal. */
    static List<String> explain(List<String[]> goals) {
        List<String> lines = new ArrayList<>();
        for (Reason reason : REASONS) {
            List<String> measured = new ArrayList<>();
            String goal = null;
            for (String[] row : goals) {
                if (row[0].startsWith(reason.measure()) && row[3].equals(BenchmarkReport.verdict(false))
                        && !row[2].equals("not measured")) {
                    measured.add(row[2]);
                    goal = row[1];
                }
            }
            if (!measured.isEmpty()) {
                lines.add("- " + reason.measure() + " (" + String.join(", ", measured) + " against " + goal + "): "
                    + reason.why() + ".");
            }
        }
        return lines;
    }
}
