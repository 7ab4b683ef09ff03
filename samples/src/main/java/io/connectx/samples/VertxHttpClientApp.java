package io.connectx.samples;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary Vert.x 5 application that prefers native transports (Netty's epoll on Linux): COUNT GETs of
 * {@code /1 .. /COUNT}, each on a new connection (keep-alive off), printing {@code response I status=S body=B}.
 * Usage: {@code VertxHttpClientApp HOST PORT COUNT}. It knows nothing of connectx.
 */
public final class VertxHttpClientApp {
    private VertxHttpClientApp() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        Vertx vertx = Vertx.builder().with(new VertxOptions().setPreferNativeTransport(true)).build();
        System.out.println("transport epoll=" + vertx.isNativeTransportEnabled());
        try {
            HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
            for (int i = 1; i <= count; i++) {
                String reply = client.request(HttpMethod.GET, port, host, "/" + i)
                        .compose(request -> request.send())
                        .compose(response -> response.body().map(body -> "status=" + response.statusCode() + " body=" + body))
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                System.out.println("response " + i + " " + reply);
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
