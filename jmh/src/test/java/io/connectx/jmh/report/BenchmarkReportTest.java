package io.connectx.jmh.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkReportTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void medianAndQuartilesFollowTheSortedSamples() {
        long[] sorted = {1, 2, 3, 4, 100};
        assertEquals(3.0, TtfbSamples.median(sorted));
        assertEquals(2.0, TtfbSamples.quantile(sorted, 0.25));
        assertEquals(4.0, TtfbSamples.quantile(sorted, 0.75));
        assertEquals(2.5, TtfbSamples.median(new long[] {2, 3}));
    }

    @Test
    void reportStatesRatiosAndGoalsFromTheRawResults() throws IOException {
        List<String> ttfb = new ArrayList<>(List.of("rtt_ms,mode,measure,sample,micros"));
        // Plain takes two round trips, the warm agent one; the warm HttpClient misses the 0.53 goal at 20 ms.
        for (int i = 0; i < 3; i++) {
            ttfb.add("20,plain,connect," + i + ",20100");
            ttfb.add("20,plain,socket-ttfb," + i + ",40000");
            ttfb.add("20,warm,socket-ttfb," + i + ",20000");
            ttfb.add("20,cold,socket-ttfb," + i + ",40400");
            ttfb.add("20,plain,httpclient-ttfb," + i + ",40000");
            ttfb.add("20,warm,httpclient-ttfb," + i + ",24000");
            ttfb.add("20,cold,httpclient-ttfb," + i + ",40000");
        }
        Files.write(dir.resolve("ttfb.csv"), ttfb);
        Files.write(dir.resolve("runs.csv"), List.of("rtt_ms,mode,syn_data_acked,cookie_requests,server_fast_open",
            "20,warm,6,0,6"));
        Files.write(dir.resolve("environment.txt"), List.of("kernel: test"));
        Files.writeString(dir.resolve("policy.json"), "[{\"benchmark\":\"x.DestinationPolicyBenchmark.admittedIpv4\","
            + "\"threads\":1,\"primaryMetric\":{\"score\":12.5,\"scoreError\":0.5,\"scoreUnit\":\"ns/op\"},"
            + "\"secondaryMetrics\":{\"gc.alloc.rate.norm\":{\"score\":0.0001}}}]");
        Path markdown = dir.resolve("benchmarks.md");

        BenchmarkReport.main(new String[] {dir.toString(), markdown.toString()});

        String md = Files.readString(markdown);
        assertTrue(md.contains("| 20 ms | 40.00 [40.00-40.00] | 20.00 [20.00-20.00] | 0.50 | 40.40 [40.40-40.40] | 1.01 |"), md);
        assertTrue(md.contains("| TTFB, agent warm / plain, RTT ≥ 20 ms (Socket and HttpClient, worst) | ≤ 0.53 | 0.60 | **missed** |"), md);
        assertTrue(md.contains("| policy decision (worst case) | ≤ 50 ns/op, 0 B/op | 12.5 ns/op, 0.000 B/op | reached |"), md);
        assertTrue(md.contains("| 20 ms | 20.10 [20.10-20.10] | +0.5% |"), md);
        assertTrue(md.contains("| loopback round trip, destination admitted (worst thread count) | ≥ 0.95 × plain | not measured | **missed** |"), md);
        assertTrue(Files.size(dir.resolve(BenchmarkReport.CHART)) > 1000, "chart written");
        assertTrue(md.contains("| virtual-thread burst, agent / plain, timed connect (median) | ≤ 1.00 | not measured | **missed** |"), md);
    }

    @Test
    void burstRowComparesMediansOfTheRoundsAndDrawsItsChart() throws IOException {
        minimalLabRun();
        Files.write(dir.resolve("burst.csv"), List.of("rtt_ms,mode,connect,round,threads,total_micros,slowest_micros",
            "50,plain,timed,1,200,180000,170000", "50,plain,untimed,1,200,170000,160000",
            "50,agent,timed,1,200,120000,110000", "50,agent,untimed,1,200,130000,120000",
            "50,plain,timed,2,200,200000,190000", "50,plain,untimed,2,200,175000,160000",
            "50,agent,timed,2,200,140000,110000", "50,agent,untimed,2,200,180000,120000",
            "50,plain,timed,3,200,190000,190000", "50,plain,untimed,3,200,172000,160000",
            "50,agent,timed,3,200,9000000,110000", "50,agent,untimed,3,200,190000,120000",
            "50,plain,shutdown,1,200,150000,120000,104000", "50,agent,shutdown,1,200,165000,120000,105000"));
        Files.write(dir.resolve("burst-runs.csv"), List.of("round,mode,syn_data_acked", "1,plain,0", "1,agent,600",
            "2,plain,0", "2,agent,599", "3,plain,0", "3,agent,601"));
        Files.write(dir.resolve("burst-environment.txt"), List.of("java: test 25", "command: ./lab.sh --burst"));
        Path markdown = dir.resolve("benchmarks.md");

        BenchmarkReport.main(new String[] {dir.toString(), markdown.toString()});

        String md = Files.readString(markdown);
        // Medians of three rounds: one pathological round of the agent does not move it.
        assertTrue(md.contains("| timed `connect(addr, 2000)`, GET | 3 | 190.0 [180.0-200.0] | 140.0 [120.0-9000.0] | 0.74 | "
            + "not measured |"), md);
        assertTrue(md.contains("| untimed `connect(addr)`, GET | 3 | 172.0 [170.0-175.0] | 180.0 [130.0-190.0] | 1.05 | "
            + "not measured |"), md);
        assertTrue(md.contains("| `shutdownOutput()` first | 1 | 150.0 [150.0-150.0] | 165.0 [165.0-165.0] | 1.10 | 104.0 / 105.0 |"), md);
        assertFalse(md.contains("agent / plain, shutdown"), "no goal where nothing can be saved: " + md);
        assertTrue(md.contains("| virtual-thread burst, agent / plain, timed connect (median) | ≤ 1.00 | 0.74 | reached |"), md);
        assertTrue(md.contains("| virtual-thread burst, agent / plain, untimed connect (median) | ≤ 1.00 | 1.05 | **missed** |"), md);
        assertTrue(md.contains("Measured: java: test 25; command: ./lab.sh --burst."), md);
        assertTrue(md.contains("599 to 601 times per agent JVM, 0 to 0 per plain JVM"), md);
        assertTrue(Files.size(dir.resolve(BenchmarkReport.BURST_CHART)) > 1000, "burst chart written");
    }

    @Test
    void regeneratingKeepsEverySectionMeasuredApartFromTheRun() throws IOException {
        minimalLabRun();
        Files.write(dir.resolve("startup.csv"), List.of("run,mode,main_micros,process_micros,heap,metaspace,classes",
            "0,plain,30000,80000,4000000,600000,700", "0,agent,90000,140000,4400000,1900000,1000"));
        Files.write(dir.resolve("startup-environment.txt"), List.of("date: apart"));
        Files.writeString(dir.resolve("outcome-jdk17.json"), outcome("17.0.21.1", 6.6, 6.8, 0.0001, 640, 680, 265));
        Files.writeString(dir.resolve("outcome-jdk25.json"), outcome("25.0.3", 7.5, 8.0, 0.0001, 610, 700, 224));
        Files.write(dir.resolve("outcome-environment.txt"), List.of("on a test day"));
        Path markdown = dir.resolve("benchmarks.md");

        BenchmarkReport.main(new String[] {dir.toString(), markdown.toString()});
        String first = Files.readString(markdown);
        BenchmarkReport.main(new String[] {dir.toString(), markdown.toString()});

        String md = Files.readString(markdown);
        assertEquals(first, md, "regenerating from the same results gives the same page");
        for (String section : List.of("## Time to first byte against round-trip time", "## Virtual threads: a burst of fresh connections",
            "## Fresh connections on loopback (JMH)", "## Start-up and footprint", "Measured apart from the rest of this page: date: apart.",
            "## Per-connection outcome and JFR events (JMH, `-prof gc`)", "measured apart, on a test day.")) {
            assertTrue(md.contains(section), section + " in\n" + md);
        }
        assertTrue(md.contains("| 17.0.21 | 6.7 [6.6-6.8] | 0.000 | 660.0 [640.0-680.0] | 265 |"), md);
        assertTrue(md.contains("| 25.0.3 | 7.8 [7.5-8.0] | 0.000 | 655.0 [610.0-700.0] | 224 |"), md);
        assertTrue(md.contains("| connection outcome with a recording (worst JDK, median) | ≤ 2000 ns | 660.0 ns | reached |"), md);
    }

    @Test
    void reactorNettyRowStatesItsRatioAgainstTheGoalAndItsKernelProof() throws IOException {
        minimalLabRun();
        Path markdown = dir.resolve("benchmarks.md");
        BenchmarkReport.main(new String[] {dir.toString(), markdown.toString()});
        assertTrue(Files.readString(markdown).contains("| TTFB, agent warm / plain, RTT ≥ 20 ms (Reactor Netty HttpClient on epoll, "
            + "worst) | ≤ 0.55 | not measured | **missed** |"), "without its files the row is not measured");

        List<String> ttfb = new ArrayList<>(List.of("rtt_ms,mode,measure,sample,micros"));
        for (int i = 0; i < 3; i++) {
            ttfb.add("20,plain,reactor-netty-ttfb," + i + ",42000");
            ttfb.add("20,warm,reactor-netty-ttfb," + i + ",21840");
            ttfb.add("50,plain,reactor-netty-ttfb," + i + ",102000");
            ttfb.add("50,warm,reactor-netty-ttfb," + i + ",52000");
        }
        Files.write(dir.resolve("netty-ttfb.csv"), ttfb);
        Files.write(dir.resolve("netty-runs.csv"), List.of("rtt_ms,mode,syn_data_acked,cookie_requests,server_fast_open",
            "20,plain,0,0,0", "20,warm,12,1,12"));
        Files.write(dir.resolve("netty-environment.txt"), List.of("command: ./lab.sh --netty"));
        BenchmarkReport.main(new String[] {dir.toString(), markdown.toString()});

        String md = Files.readString(markdown);
        assertTrue(md.contains("## Reactor Netty on Netty's epoll transport"), md);
        assertTrue(md.contains("| 20 ms | 42.00 [42.00-42.00] | 21.84 [21.84-21.84] | 0.52 |"), md);
        assertTrue(md.contains("| 20 ms | warm | 12 | 1 | 12 |"), md);
        assertTrue(md.contains("- command: ./lab.sh --netty"), md);
        assertTrue(md.contains("| TTFB, agent warm / plain, RTT ≥ 20 ms (Reactor Netty HttpClient on epoll, worst) | ≤ 0.55 | 0.52 | reached |"), md);
    }

    /** The files every lab run leaves: TTFB at one RTT, its kernel counters, the environment. */
    private void minimalLabRun() throws IOException {
        Files.write(dir.resolve("ttfb.csv"), List.of("rtt_ms,mode,measure,sample,micros", "20,plain,socket-ttfb,0,40000",
            "20,warm,socket-ttfb,0,20000", "20,cold,socket-ttfb,0,40000"));
        Files.write(dir.resolve("runs.csv"), List.of("rtt_ms,mode,syn_data_acked,cookie_requests,server_fast_open"));
        Files.write(dir.resolve("environment.txt"), List.of("kernel: test"));
    }

    /** A ConnectionOutcomeBenchmark result: two iterations per mode (its lowest and highest), and B/op. */
    private static String outcome(String jdk, double withoutLow, double withoutHigh, double withoutBytes, double withLow,
            double withHigh, double withBytes) {
        return "[" + outcomeRun(jdk, "withRecording", withLow, withHigh, withBytes) + ","
            + outcomeRun(jdk, "withoutRecording", withoutLow, withoutHigh, withoutBytes) + "]";
    }

    private static String outcomeRun(String jdk, String method, double low, double high, double bytes) {
        return "{\"jdkVersion\":\"" + jdk + "\",\"benchmark\":\"io.connectx.jmh.ConnectionOutcomeBenchmark." + method
            + "\",\"threads\":1,\"primaryMetric\":{\"score\":" + (low + high) / 2 + ",\"scoreError\":1.0,\"scoreUnit\":\"ns/op\","
            + "\"rawData\":[[" + high + "],[" + low + "]]},\"secondaryMetrics\":{\"gc.alloc.rate.norm\":{\"score\":" + bytes + "}}}";
    }
}
