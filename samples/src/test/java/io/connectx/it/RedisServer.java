package io.connectx.it;

import java.io.IOException;
import java.nio.file.Path;

/** Debian's redis-server, in memory only (no snapshots), on a private address and port. */
final class RedisServer extends LocalServer {
    static final Path BINARY = Path.of("/usr/bin/redis-server");
    final int port;

    private RedisServer(String host, int port) throws IOException {
        super(host, "connectx-redis");
        this.port = port;
    }

    static RedisServer start(String host, int port) throws IOException, InterruptedException {
        requireInstalled(BINARY, "redis-server");
        RedisServer redis = new RedisServer(host, port);
        Path log = redis.dir.resolve("redis.log");
        redis.process = new ProcessBuilder(BINARY.toString(), "--bind", host, "--port", String.valueOf(port),
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", redis.dir.toString(),
                "--logfile", log.toString()).redirectErrorStream(true)
                .redirectOutput(redis.dir.resolve("stdout.log").toFile()).start();
        redis.awaitPort(port, log);
        return redis;
    }
}
