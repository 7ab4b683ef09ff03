package io.connectx.jmh.lab;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the agent adds to JVM start-up: starts {@link StartupProbe} RUNS times without and RUNS times with
 * {@code -javaagent:AGENT_JAR=AGENT_ARGS}, alternating, after two discarded runs of each (file cache).
 * Records per run the time from process start to main, the whole-process wall time, and the footprint the
 * probe reports. Writes CSV {@code run,mode,start_to_main_us,process_us,heap_bytes,metaspace_bytes,classes}.
 * Usage: {@code StartupCost JAVA CLASSPATH AGENT_JAR AGENT_ARGS RUNS CSV}.
 */
public final class StartupCost {
    private static final int DISCARDED = 2;
    private static final long RUN_TIMEOUT_SECONDS = 60;

    private StartupCost() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: StartupCost JAVA CLASSPATH AGENT_JAR AGENT_ARGS RUNS CSV");
            System.exit(2);
        }
        String java = args[0];
        String classpath = args[1];
        String agent = "-javaagent:" + args[2] + (args[3].isEmpty() ? "" : "=" + args[3]);
        int runs = Integer.parseInt(args[4]);
        Path csv = Path.of(args[5]);

        List<String> rows = new ArrayList<>();
        rows.add("run,mode,start_to_main_us,process_us,heap_bytes,metaspace_bytes,classes");
        long[][] startToMain = new long[2][runs];
        long[][] process = new long[2][runs];
        for (int i = -DISCARDED; i < runs; i++) {
            for (int m = 0; m < 2; m++) {
                String mode = m == 0 ? "plain" : "agent";
                List<String> command = m == 0 ? List.of(java, "-cp", classpath, StartupProbe.class.getName())
                    : List.of(java, agent, "-cp", classpath, StartupProbe.class.getName());
                long[] run = runOnce(command);
                if (i >= 0) {
                    startToMain[m][i] = run[0];
                    process[m][i] = run[1];
                    rows.add(i + "," + mode + "," + run[0] + "," + run[1] + "," + run[2] + "," + run[3] + "," + run[4]);
                }
            }
        }
        Files.write(csv, rows, StandardCharsets.UTF_8);
        System.out.printf("start-up, median of %d runs: start to main %.1f ms plain, %.1f ms agent (+%.1f ms); "
                + "whole process %.1f ms plain, %.1f ms agent (+%.1f ms)%n", runs,
            median(startToMain[0]) / 1000.0, median(startToMain[1]) / 1000.0,
            (median(startToMain[1]) - median(startToMain[0])) / 1000.0,
            median(process[0]) / 1000.0, median(process[1]) / 1000.0, (median(process[1]) - median(process[0])) / 1000.0);
    }

    /** Returns start-to-main µs, process µs, heap bytes, metaspace bytes, loaded classes. */
    private static long[] runOnce(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        long start = System.nanoTime();
        Process p = builder.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        long end = System.nanoTime();
        String line = new String(out, StandardCharsets.UTF_8).trim();
        String[] fields = line.split(" ");
        if (p.exitValue() != 0 || fields.length != 4) {
            throw new IOException("probe failed (exit " + p.exitValue() + "): " + line + " from " + command);
        }
        long mainNanos = Long.parseLong(fields[0]);
        return new long[] {TimeUnit.NANOSECONDS.toMicros(mainNanos - start), TimeUnit.NANOSECONDS.toMicros(end - start),
            Long.parseLong(fields[1]), Long.parseLong(fields[2]), Long.parseLong(fields[3])};
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
