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
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private MariaDB server (Debian's {@code mariadb-server}, which {@code test.sh} installs) on its own
 * data directory and port, for one test class; user {@code connectx}, password {@code connectx}.
 * Skipped, with the reason printed, where the server is not installed or the tests are not root.
 */
public final class MariaDbServer implements BeforeAllCallback, AfterAllCallback {
    public static final String HOST = "127.0.0.1";
    public static final int PORT = 13306;
    private static final Path DAEMON = Path.of("/usr/sbin/mariadbd");
    private Process daemon;
    private Path dataDir;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        String reason = !Files.isExecutable(DAEMON) ? "MariaDB is not installed (apt-get install mariadb-server; test.sh does)"
                : !"root".equals(System.getProperty("user.name")) ? "the MariaDB test server is run as root" : null;
        if (reason != null) {
            System.err.println("SKIPPED " + context.getDisplayName() + ": " + reason);
            Assumptions.abort(reason);
        }
        dataDir = Files.createTempDirectory("connectx-mariadb");
        exec(List.of("mariadb-install-db", "--no-defaults", "--user=root", "--datadir=" + dataDir,
                "--auth-root-authentication-method=socket", "--skip-test-db"));
        Path socket = dataDir.resolve("mariadb.sock");
        daemon = new ProcessBuilder(DAEMON.toString(), "--no-defaults", "--user=root", "--datadir=" + dataDir,
                "--socket=" + socket, "--port=" + PORT, "--bind-address=" + HOST, "--pid-file=" + dataDir.resolve("pid"),
                "--log-error=" + dataDir.resolve("error.log"))
                .redirectErrorStream(true).redirectOutput(dataDir.resolve("stdout.log").toFile()).start();
        awaitPort();
        exec(List.of("mariadb", "--no-defaults", "-uroot", "--socket=" + socket, "-e",
                "CREATE USER 'connectx'@'%' IDENTIFIED BY 'connectx'; GRANT ALL ON *.* TO 'connectx'@'%';"));
    }

    private void awaitPort() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(HOST, PORT), 500);
                return;
            } catch (IOException notYet) {
                if (!daemon.isAlive()) {
                    break;
                }
                Thread.sleep(200);
            }
        }
        throw new IOException("MariaDB did not listen on " + HOST + ":" + PORT + ": "
                + Files.readString(dataDir.resolve("error.log")));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (daemon != null) {
            daemon.destroy();
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor();
            }
        }
        if (dataDir != null) {
            exec(List.of("rm", "-rf", dataDir.toString()));
        }
    }

    private static void exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(command + " failed: " + out);
        }
    }
}
