package io.connectx.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real round-trip time inside a {@link NetworkLab}: the RTT lab's delayer ({@code jmh/lab/nfq-delay.c},
 * built here with gcc) holds every packet that an iptables NFQUEUE rule on the namespace's loopback hands
 * it for RTT/2, first in first out, as {@code lab.sh} does.
 */
final class RttLab implements AutoCloseable {
    private static final Path SOURCE = Path.of("..", "jmh", "lab", "nfq-delay.c");
    private static final Path DELAYER = Path.of("target", "nfq-delay");
    private static final int QUEUE = 7;
    private final NetworkLab lab;
    private final Process delayer;

    private RttLab(NetworkLab lab, Process delayer) {
        this.lab = lab;
        this.delayer = delayer;
    }

    /** Why a lab cannot be built here (a tool or library missing), or null when it can. */
    static String unavailability() {
        for (String tool : List.of("gcc", "iptables", "nft", "ip")) {
            if (!onPath(tool)) {
                return tool + " is not installed (test.sh installs it)";
            }
        }
        if (!Files.exists(Path.of("/usr/include/libnetfilter_queue/libnetfilter_queue.h"))) {
            return "libnetfilter-queue-dev is not installed (test.sh installs it)";
        }
        if (!Files.isReadable(SOURCE)) {
            return SOURCE.toAbsolutePath() + " is missing";
        }
        return null;
    }

    static RttLab create(int rttMillis) throws IOException, InterruptedException {
        build();
        NetworkLab lab = NetworkLab.create();
        Process delayer = null;
        try {
            lab.run("ip", "link", "set", "lo", "mtu", "1500");
            delayer = new ProcessBuilder("ip", "netns", "exec", lab.name(), DELAYER.toAbsolutePath().toString(),
                    String.valueOf(QUEUE), String.valueOf(rttMillis * 500)).redirectErrorStream(true).start();
            BufferedReader out = delayer.inputReader(StandardCharsets.UTF_8);
            String line = out.readLine();
            for (int i = 0; i < 10 && line != null && !line.contains("ready"); i++) {
                line = out.readLine();
            }
            if (line == null || !line.contains("ready")) {
                throw new IOException("the delayer did not start: " + line);
            }
            lab.run("iptables", "-t", "raw", "-A", "PREROUTING", "-i", "lo", "-j", "NFQUEUE", "--queue-num",
                    String.valueOf(QUEUE));
            return new RttLab(lab, delayer);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (delayer != null) {
                delayer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            lab.close();
            throw e;
        }
    }

    NetworkLab lab() {
        return lab;
    }

    private static synchronized void build() throws IOException, InterruptedException {
        if (Files.isExecutable(DELAYER)) {
            return;
        }
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", DELAYER.toString(), SOURCE.toString(), "-lnetfilter_queue")
                .redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
            throw new IOException("gcc failed: " + out);
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            delayer.destroy();
            if (!delayer.waitFor(10, TimeUnit.SECONDS)) {
                delayer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            lab.close();
        }
    }
}
