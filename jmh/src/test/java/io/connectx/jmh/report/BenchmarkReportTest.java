package io.connectx.jmh.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        assertTrue(md.contains("| loopback round trip, destination admitted (worst thread count) | ≥ 1.00 × plain | not measured | **missed** |"), md);
        assertTrue(Files.size(dir.resolve(BenchmarkReport.CHART)) > 1000, "chart written");
    }
}
