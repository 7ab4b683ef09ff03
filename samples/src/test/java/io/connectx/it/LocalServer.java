package io.connectx.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A server from a Debian package, run by the tests on a private address, port and directory (never the
 * package's own service), and torn down with its directory on {@link #close()}.
 */
abstract class LocalServer implements AutoCloseable {
    final String host;
    final Path dir;
    Process process;

    LocalServer(String host, String prefix) throws IOException {
        this.host = host;
        this.dir = Files.createTempDirectory(prefix);
    }

    /** Skips the calling test class, with the reason printed, when {@code binary} is not installed. */
    static void requireInstalled(Path binary, String debianPackage) {
        if (!Files.isExecutable(binary)) {
            String reason = binary + " is missing: apt-get install " + debianPackage + " (test.sh does)";
            System.err.println("SKIPPED: " + reason);
            Assumptions.abort(reason);
        }
    }

    /** The installed version of a Debian package, as {@code dpkg-query} reports it. */
    static String packageVersion(String debianPackage) throws IOException, InterruptedException {
        return run(List.of("dpkg-query", "-W", "-f=${Version}", debianPackage)).trim();
    }

    /** Runs a command to completion (at most 120 s) and returns its output; fails on a non-zero exit. */
    static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(command + " failed: " + out);
        }
        return out;
    }

    /** Waits at most 60 s for {@code port} to accept a connection; fails with {@code log}'s content otherwise. */
    void awaitPort(int port, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(host, port), 500);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
        }
        throw new IOException(getClass().getSimpleName() + " did not listen on " + host + ":" + port + ": "
                + (Files.exists(log) ? Files.readString(log) : "(no log)"));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        run(List.of("rm", "-rf", dir.toString()));
    }
}
