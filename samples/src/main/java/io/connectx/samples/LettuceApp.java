package io.connectx.samples;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.netty.channel.epoll.Epoll;
import java.time.Duration;

/**
 * An ordinary Lettuce application, on Netty's native epoll transport (Lettuce's choice whenever it is on the
 * class path): COUNT new connections, each doing {@code SET connectx:I "value I"} and {@code GET connectx:I},
 * printing {@code response I body=VALUE}. Usage: {@code LettuceApp HOST PORT COUNT}. It knows nothing of connectx.
 */
public final class LettuceApp {
    private LettuceApp() {
    }

    public static void main(String[] args) {
        System.out.println("transport epoll=" + Epoll.isAvailable());
        RedisClient client = RedisClient.create(RedisURI.builder().withHost(args[0]).withPort(Integer.parseInt(args[1]))
                .withTimeout(Duration.ofSeconds(5)).build());
        try {
            int count = Integer.parseInt(args[2]);
            for (int i = 1; i <= count; i++) {
                try (StatefulRedisConnection<String, String> connection = client.connect()) {
                    connection.sync().set("connectx:" + i, "value " + i);
                    System.out.println("response " + i + " body=" + connection.sync().get("connectx:" + i));
                }
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
