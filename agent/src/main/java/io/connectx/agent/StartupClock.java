package io.connectx.agent;

/**
 * Where premain's time goes, phase by phase, for {@code log=debug}: one line on stderr at the end of the
 * start, like the agent's other start-up lines. A plain class with two arrays (no collection, no lambda):
 * it runs inside premain, whose every class and bootstrap counts.
 */
final class StartupClock {
    private static final int MAX_PHASES = 16;
    private final String[] names = new String[MAX_PHASES];
    private final long[] ends = new long[MAX_PHASES];
    private final long start = System.nanoTime();
    private int count;

    /** Ends the phase running since the previous mark (or the start). */
    void mark(String phase) {
        if (count < MAX_PHASES) {
            names[count] = phase;
            ends[count++] = System.nanoTime();
        }
    }

    /** {@code total 41.2 ms: config 3.1, platform 0.4, ...}. */
    String summary() {
        StringBuilder line = new StringBuilder("start-up phases, total ")
                .append(millis(count == 0 ? start : ends[count - 1], start)).append(" ms:");
        long previous = start;
        for (int i = 0; i < count; i++) {
            line.append(i == 0 ? " " : ", ").append(names[i]).append(' ').append(millis(ends[i], previous));
            previous = ends[i];
        }
        return line.toString();
    }

    private static String millis(long end, long begin) {
        long tenths = (end - begin) / 100_000;
        return tenths / 10 + "." + tenths % 10;
    }
}
