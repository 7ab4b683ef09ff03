package io.connectx.samples;

import redis.clients.jedis.Jedis;

/**
 * An ordinary Jedis application: COUNT new connections, each doing {@code SET connectx:I "value I"} and
 * {@code GET connectx:I}, printing {@code response I body=VALUE}. Usage: {@code JedisApp HOST PORT COUNT}.
 * It knows nothing of connectx.
 */
public final class JedisApp {
    private JedisApp() {
    }

    public static void main(String[] args) {
        int count = Integer.parseInt(args[2]);
        for (int i = 1; i <= count; i++) {
            try (Jedis jedis = new Jedis(args[0], Integer.parseInt(args[1]), 5000)) {
                jedis.set("connectx:" + i, "value " + i);
                System.out.println("response " + i + " body=" + jedis.get("connectx:" + i));
            }
        }
    }
}
