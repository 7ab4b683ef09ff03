package io.connectx.jmh.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lab's virtual-thread burst ({@code burst.csv}:
 * {@code rtt_ms,mode,connect,round,threads,total_micros,slowest_micros,median_micros}): each burst's total time
 * and its connections' median, grouped by client mode ({@code plain}, {@code agent}) and kind ({@code timed},
 * {@code untimed}, {@code shutdown}).
 */
final class BurstResults {
    static final String[] CONNECTS = {"timed", "untimed", "shutdown"};
    static final String[] MODES = {"plain", "agent"};
    private final Map<String, List<Long>> totals = new LinkedHashMap<>();
    private final Map<String, List<Long>> connectionMedians = new LinkedHashMap<>();
    private int threads;
    private int rtt;

    /** Null when the file is missing or holds no burst. */
    static BurstResults read(Path csv) throws IOException {
        if (!Files.exists(csv)) {
            return null;
        }
        BurstResults result = new BurstResults();
        List<String> lines = Files.readAllLines(csv);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.split(",");
            result.rtt = Integer.parseInt(f[0]);
            result.threads = Integer.parseInt(f[4]);
            result.totals.computeIfAbsent(f[1] + "/" + f[2], k -> new ArrayList<>()).add(Long.parseLong(f[5]));
            if (f.length > 7) {
                result.connectionMedians.computeIfAbsent(f[1] + "/" + f[2], k -> new ArrayList<>()).add(Long.parseLong(f[7]));
            }
        }
        return result.totals.isEmpty() ? null : result;
    }

    /** The bursts' total times in µs, sorted, or null when that combination was not measured. */
    long[] sorted(String mode, String connect) {
        return sorted(totals.get(mode + "/" + connect));
    }

    /** Each burst's median connection time in µs, sorted, or null when not measured. */
    long[] connectionMedians(String mode, String connect) {
        return sorted(connectionMedians.get(mode + "/" + connect));
    }

    private static long[] sorted(List<Long> values) {
        if (values == null) {
            return null;
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted;
    }

    /** The agent's median over plain's, or NaN when either is missing. */
    double ratio(String connect) {
        long[] plain = sorted("plain", connect);
        long[] agent = sorted("agent", connect);
        return plain == null || agent == null ? Double.NaN : TtfbSamples.median(agent) / TtfbSamples.median(plain);
    }

    int threads() {
        return threads;
    }

    int rtt() {
        return rtt;
    }
}
