package io.connectx.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's PostgreSQL 15 on a fresh cluster in a private directory and port, trust authentication for
 * user {@code postgres}. PostgreSQL refuses to run as root, so it runs as Debian's {@code postgres} user.
 */
final class PostgresServer extends LocalServer {
    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    final int port;
    private final Path data;

    private PostgresServer(String host, int port) throws IOException {
        super(host, "connectx-postgres");
        this.port = port;
        this.data = dir.resolve("data");
    }

    static PostgresServer start(String host, int port) throws IOException, InterruptedException {
        requireInstalled(BIN.resolve("postgres"), "postgresql");
        PostgresServer pg = new PostgresServer(host, port);
        run(List.of("chown", "postgres:postgres", pg.dir.toString()));
        run(List.of("runuser", "-u", "postgres", "--", BIN.resolve("initdb").toString(), "-D", pg.data.toString(),
                "-A", "trust", "-U", "postgres", "--no-sync"));
        Path log = pg.dir.resolve("postgres.log");
        pg.process = new ProcessBuilder("runuser", "-u", "postgres", "--", BIN.resolve("postgres").toString(),
                "-D", pg.data.toString(), "-h", host, "-p", String.valueOf(port), "-k", pg.dir.toString(),
                "-c", "fsync=off").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        pg.awaitPort(port, log);
        return pg;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/postgres?user=postgres&connectTimeout=5&socketTimeout=10";
    }

    @Override
    public void close() throws IOException, InterruptedException {
        // runuser does not pass SIGTERM on to the postmaster: stop the postmaster itself ("smart" shutdown).
        Path pidFile = data.resolve("postmaster.pid");
        if (Files.exists(pidFile)) {
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            ProcessHandle.of(pid).ifPresent(postmaster -> {
                postmaster.destroy();
                try {
                    postmaster.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    postmaster.destroyForcibly();
                }
            });
        }
        super.close();
    }
}
