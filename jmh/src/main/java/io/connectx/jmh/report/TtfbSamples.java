package io.connectx.jmh.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The lab's raw TTFB rows ({@code rtt_ms,mode,measure,sample,micros}), grouped for the report. */
final class TtfbSamples {
    private final Map<String, List<Long>> samples = new TreeMap<>();
    private final TreeSet<Integer> rtts = new TreeSet<>();

    static TtfbSamples read(Path csv) throws IOException {
        TtfbSamples result = new TtfbSamples();
        List<String> lines = Files.readAllLines(csv);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            int rtt = Integer.parseInt(f[0]);
            result.rtts.add(rtt);
            result.samples.computeIfAbsent(key(rtt, f[1], f[2]), k -> new ArrayList<>()).add(Long.parseLong(f[4]));
        }
        return result;
    }

    private static String key(int rtt, String mode, String measure) {
        return rtt + "/" + mode + "/" + measure;
    }

    TreeSet<Integer> rtts() {
        return rtts;
    }

    /** Sorted samples in microseconds, or null when that combination was not measured. */
    long[] sorted(int rtt, String mode, String measure) {
        List<Long> values = samples.get(key(rtt, mode, measure));
        if (values == null || values.isEmpty()) {
            return null;
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted;
    }

    /** The sample below which a fraction q of the samples lie (nearest rank). */
    static double quantile(long[] sorted, double q) {
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    static double median(long[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
