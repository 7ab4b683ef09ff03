package io.connectx.it;

import io.connectx.sys.TcpExtCounters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A private network namespace with its own loopback, {@code net.ipv4.tcp_fastopen=3}, Fast Open cookies,
 * counters and nftables rules: somewhere to be a hostile network without touching the host's.
 */
final class NetworkLab implements AutoCloseable {
    private static final AtomicInteger NEXT = new AtomicInteger();
    private final String name;

    private NetworkLab(String name) {
        this.name = name;
    }

    /** A namespace set up whole, or none: when a step fails (nft missing, say) it is deleted before this throws. */
    static NetworkLab create() throws IOException, InterruptedException {
        NetworkLab lab = new NetworkLab("connectx-it-" + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet());
        exec(List.of("ip", "netns", "add", lab.name));
        try {
            lab.run("ip", "link", "set", "lo", "up");
            lab.run("sh", "-c", "echo 3 > /proc/sys/net/ipv4/tcp_fastopen");
            lab.run("nft", "add table inet lab");
            lab.run("nft", "add chain inet lab in { type filter hook input priority 0; }");
            lab.run("nft", "add chain inet lab out { type filter hook output priority 0; }");
            return lab;
        } catch (IOException | InterruptedException | RuntimeException e) {
            try {
                lab.close();
            } catch (IOException | InterruptedException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Drops, on arrival, SYNs that carry data, as some middleboxes do. An IPv4 SYN without data is at most
     * 80 bytes (20 IP, 60 TCP); the requests sent through this rule are over 40 bytes
     * ({@link SafetyProbe#get}), so a SYN carrying one is longer.
     */
    void dropSynWithData() throws IOException, InterruptedException {
        run("nft", "add rule inet lab in tcp flags & (syn | ack) == syn ip length > 80 drop");
    }

    /** Drops every SYN to {@code port}: a peer that never answers. */
    void dropSyns(int port) throws IOException, InterruptedException {
        run("nft", "add rule inet lab out tcp dport " + port + " tcp flags & (syn | ack) == syn drop");
    }

    /** Answers SYNs to {@code port} with ICMP host unreachable. */
    void rejectSynsAsHostUnreachable(int port) throws IOException, InterruptedException {
        run("nft", "add rule inet lab out tcp dport " + port + " tcp flags & (syn | ack) == syn reject with icmp type host-unreachable");
    }

    /** Answers SYNs from {@code clientPort} to {@code port} with ICMP host unreachable. */
    void rejectSynsAsHostUnreachable(int port, int clientPort) throws IOException, InterruptedException {
        run("nft", "add rule inet lab out tcp sport " + clientPort + " tcp dport " + port
                + " tcp flags & (syn | ack) == syn reject with icmp type host-unreachable");
    }

    /** Drops what the server on {@code port} sends to the client's {@code clientPort} after its SYN-ACK: a path gone silent. */
    void silenceAfterHandshake(int port, int clientPort) throws IOException, InterruptedException {
        run("nft", "add rule inet lab in tcp sport " + port + " tcp dport " + clientPort
                + " tcp flags & (syn | ack) == ack drop");
    }

    String name() {
        return name;
    }

    ChildJvm jvm() {
        return new ChildJvm(List.of("ip", "netns", "exec", name));
    }

    TcpExtCounters counters() throws IOException, InterruptedException {
        return TcpExtCounters.parse(run("cat", "/proc/net/netstat"));
    }

    String run(String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return exec(full);
    }

    private static String exec(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException(command + " failed: " + e.getMessage(), e); // a tool missing from PATH
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(command + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        exec(List.of("ip", "netns", "del", name));
    }
}
