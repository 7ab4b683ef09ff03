package io.connectx.it;

import io.connectx.sys.TcpExtCounters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two servers behind one address, as direct server return or anycast puts them: each holds the virtual IP
 * on its loopback, and the client's namespace reaches it by an ECMP route over two veth links, hashed on
 * addresses and ports ({@code fib_multipath_hash_policy=1}), so each connection's source port picks its server.
 * The client sends from one address of its own, so that every server sees the same address pair and a
 * cookie is one MAC under whichever key that server holds. Three private network namespaces, with
 * addresses only inside them, deleted on {@link #close} (also after a failed step).
 */
final class FleetLab implements AutoCloseable {
    static final String VIP = "10.77.0.100";
    static final String CLIENT_ADDRESS = "10.77.9.1";
    final String client;
    final String serverA;
    final String serverB;

    private FleetLab(String prefix) {
        client = prefix + "c";
        serverA = prefix + "a";
        serverB = prefix + "b";
    }

    static FleetLab create() throws IOException, InterruptedException {
        FleetLab lab = new FleetLab("cxfleet-" + ProcessHandle.current().pid() + "-");
        try {
            lab.build();
            return lab;
        } catch (IOException | InterruptedException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private void build() throws IOException, InterruptedException {
        for (String ns : List.of(client, serverA, serverB)) {
            exec(List.of("ip", "netns", "add", ns));
            run(ns, "ip", "link", "set", "lo", "up");
            run(ns, "sh", "-c", "echo 3 > /proc/sys/net/ipv4/tcp_fastopen");
        }
        run(client, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/fib_multipath_hash_policy");
        run(client, "ip", "addr", "add", CLIENT_ADDRESS + "/32", "dev", "lo");
        link("ca", "10.77.1", serverA);
        link("cb", "10.77.2", serverB);
        run(client, "ip", "route", "add", VIP + "/32", "src", CLIENT_ADDRESS,
                "nexthop", "via", "10.77.1.2", "dev", "ca", "weight", "1",
                "nexthop", "via", "10.77.2.2", "dev", "cb", "weight", "1");
    }

    /** A veth pair from the client ({@code NET.1}) to {@code server} ({@code NET.2}), which holds the VIP on lo. */
    private void link(String name, String net, String server) throws IOException, InterruptedException {
        run(client, "ip", "link", "add", name, "type", "veth", "peer", "name", "eth0", "netns", server);
        run(client, "ip", "addr", "add", net + ".1/24", "dev", name);
        run(client, "ip", "link", "set", name, "up");
        run(server, "ip", "addr", "add", net + ".2/24", "dev", "eth0");
        run(server, "ip", "link", "set", "eth0", "up");
        run(server, "ip", "addr", "add", VIP + "/32", "dev", "lo");
        run(server, "ip", "route", "add", CLIENT_ADDRESS + "/32", "via", net + ".1");
    }

    ChildJvm jvm(String ns) {
        return new ChildJvm(List.of("ip", "netns", "exec", ns));
    }

    TcpExtCounters counters(String ns) throws IOException, InterruptedException {
        return TcpExtCounters.parse(run(ns, "cat", "/proc/net/netstat"));
    }

    String run(String ns, String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(command));
        return exec(full);
    }

    private static String exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(command + " failed: " + out);
        }
        return out;
    }

    /** Deletes every namespace of this lab that exists; the veth pairs go with them. */
    @Override
    public void close() throws IOException, InterruptedException {
        String existing = exec(List.of("ip", "netns", "list"));
        for (String ns : List.of(client, serverA, serverB)) {
            if (existing.lines().anyMatch(l -> l.equals(ns) || l.startsWith(ns + " "))) {
                exec(List.of("ip", "netns", "del", ns));
            }
        }
    }
}
