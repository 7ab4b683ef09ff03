package io.connectx.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel's TcpExt counters from {@code /proc/net/netstat} (per network namespace). The file holds
 * pairs of lines, a header line of names and a line of values, each starting with the group name.
 */
public final class TcpExtCounters {
    public static final String ACTIVE = "TCPFastOpenActive";
    public static final String ACTIVE_FAIL = "TCPFastOpenActiveFail";
    public static final String PASSIVE = "TCPFastOpenPassive";
    public static final String COOKIE_REQUESTED = "TCPFastOpenCookieReqd";
    public static final String BLACKHOLE = "TCPFastOpenBlackhole";

    private static final Path NETSTAT = Path.of("/proc/net/netstat");
    private final Map<String, Long> values;

    private TcpExtCounters(Map<String, Long> values) {
        this.values = values;
    }

    public static TcpExtCounters read() {
        try {
            return parse(Files.readAllLines(NETSTAT));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses the text of a {@code /proc/net/netstat}, read in another network namespace for example. */
    public static TcpExtCounters parse(String text) {
        return parse(text.lines().toList());
    }

    static TcpExtCounters parse(List<String> lines) {
        Map<String, Long> values = new HashMap<>();
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            String[] names = lines.get(i).trim().split("\\s+");
            String[] numbers = lines.get(i + 1).trim().split("\\s+");
            if (!names[0].equals("TcpExt:") || !numbers[0].equals("TcpExt:")) {
                continue;
            }
            for (int k = 1; k < Math.min(names.length, numbers.length); k++) {
                values.put(names[k], Long.parseLong(numbers[k]));
            }
        }
        return new TcpExtCounters(values);
    }

    public long get(String name) {
        Long v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no TcpExt counter " + name + " in " + NETSTAT);
        }
        return v;
    }

    /** How much {@code name} rose from {@code before} to this reading. */
    public long since(TcpExtCounters before, String name) {
        return get(name) - before.get(name);
    }
}
