package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the sample apps' ITs share: the agent's MBean as {@code MetricsApp} printed it, and free ports. */
final class SampleRuns {
    private SampleRuns() {
    }

    /** The {@code mbean NAME=VALUE} lines of a run, every one of {@link MetricsApp#ATTRIBUTES}. */
    static Map<String, Long> mbean(ChildJvm.Result result) {
        Map<String, Long> values = new HashMap<>();
        for (String line : result.lines("mbean ")) {
            String[] kv = line.substring(6).split("=");
            values.put(kv[0], Long.parseLong(kv[1]));
        }
        assertEquals(MetricsApp.ATTRIBUTES.length, values.size(), "the agent's MBean: " + result.stdout());
        return values;
    }

    /** {@code n} distinct ports free on {@code host} a moment ago (all held open at once, then closed). */
    static int[] freePorts(String host, int n) throws IOException {
        List<ServerSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                open.add(new ServerSocket(0, 1, InetAddress.getByName(host)));
            }
            return open.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket s : open) {
                s.close();
            }
        }
    }
}
