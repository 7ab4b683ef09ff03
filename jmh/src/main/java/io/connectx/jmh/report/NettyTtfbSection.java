package io.connectx.jmh.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The report's Reactor Netty row (issue 20): TTFB of an unmodified Reactor Netty {@code HttpClient} on Netty's
 * epoll transport, plain against the agent with a warm cookie, from {@code netty-ttfb.csv},
 * {@code netty-runs.csv} and {@code netty-environment.txt} ({@code ./lab.sh --netty}, or a full run).
 */
final class NettyTtfbSection {
    static final String MEASURE = "reactor-netty-ttfb";
    /** Issue 20's goal: one round trip of two saved, at RTT 20 ms and above. */
    static final double GOAL = 0.55;

    private NettyTtfbSection() {
    }

    /** The section's markdown; adds its goal to {@code goals}. */
    static String render(Path dir, List<String[]> goals) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("## Reactor Netty on Netty's epoll transport\n\n");
        Path csv = dir.resolve("netty-ttfb.csv");
        if (!Files.exists(csv)) {
            md.append("Not measured: no `netty-ttfb.csv` (run `./lab.sh --netty`).\n\n");
            goals.add(goal(Double.NaN));
            return md.toString();
        }
        TtfbSamples ttfb = TtfbSamples.read(csv);
        md.append("Measured apart from the rest of the run:\n\n");
        for (String env : Files.readAllLines(dir.resolve("netty-environment.txt"))) {
            md.append("- ").append(env).append('\n');
        }
        md.append("\n`io.connectx.samples.ReactorNettyTtfbClient` (samples/), an unmodified Reactor Netty `HttpClient` "
                + "(Spring WebFlux's WebClient underneath) on Netty's native epoll transport, so through the agent's Netty "
                + "hooks, not its JDK ones: a GET of 1 KB on a new connection each time, from the request's start until "
                + "the response head, against the same lab server. Client JVMs plain and with "
                + "`-javaagent:connectx-agent.jar=dest=127.0.0.1:9080` (the client holds the server's cookie after its "
                + "warm-up). Median of fresh connections, 25th-75th percentile in brackets.\n\n");
        md.append("```\njava [-javaagent:connectx-agent.jar=dest=127.0.0.1:9080] -cp connectx-samples.jar:DEPS "
                + "io.connectx.samples.ReactorNettyTtfbClient 127.0.0.1 9080 RTT MODE SAMPLES WARMUP netty-ttfb.csv\n```\n\n");
        md.append("| RTT | plain, no agent (ms) | agent, warm cookie (ms) | warm / plain |\n|---|---|---|---|\n");
        double worst = 0;
        for (int rtt : ttfb.rtts()) {
            long[] plain = ttfb.sorted(rtt, "plain", MEASURE);
            long[] warm = ttfb.sorted(rtt, "warm", MEASURE);
            if (plain == null || warm == null) {
                continue;
            }
            double ratio = TtfbSamples.median(warm) / TtfbSamples.median(plain);
            if (rtt >= 20) {
                worst = Math.max(worst, ratio);
            }
            md.append(String.format(Locale.ROOT, "| %d ms | %s | %s | %.2f |%n", rtt, BenchmarkReport.spread(plain),
                    BenchmarkReport.spread(warm), ratio));
        }
        md.append("\nKernel proof per client JVM (deltas of the namespace's TcpExt counters):\n\n");
        md.append(BenchmarkReport.kernelProofTable(dir.resolve("netty-runs.csv")));
        md.append('\n');
        goals.add(goal(worst > 0 ? worst : Double.NaN));
        return md.toString();
    }

    private static String[] goal(double worst) {
        boolean measured = !Double.isNaN(worst);
        return new String[] {"TTFB, agent warm / plain, RTT ≥ 20 ms (Reactor Netty HttpClient on epoll, worst)",
            String.format(Locale.ROOT, "≤ %.2f", GOAL), measured ? String.format(Locale.ROOT, "%.2f", worst) : "not measured",
            BenchmarkReport.verdict(measured && worst <= GOAL)};
    }
}
