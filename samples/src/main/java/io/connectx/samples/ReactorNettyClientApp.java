package io.connectx.samples;

import io.netty.channel.epoll.Epoll;
import java.net.ConnectException;
import java.time.Duration;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.tcp.TcpClient;

/**
 * An ordinary Reactor Netty application (what Spring WebFlux's WebClient runs on), on Netty's native epoll
 * transport, Reactor Netty's default on Linux. Each request on a new connection. Usage:
 * {@code ReactorNettyClientApp MODE HOST PORT COUNT}, MODE one of
 * <ul>
 * <li>{@code get}: GET /1 .. /COUNT, printing {@code response I status=S body=B};</li>
 * <li>{@code post}: POST the same paths with a small body, printing the same;</li>
 * <li>{@code banner}: a TcpClient that only reads the line a server-first server sends, printing
 * {@code banner I TEXT}.</li>
 * </ul>
 * A failed request prints {@code error I connect=C TYPE: MESSAGE}, C whether it is a ConnectException.
 * It knows nothing of connectx.
 */
public final class ReactorNettyClientApp {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ReactorNettyClientApp() {
    }

    public static void main(String[] args) {
        String mode = args[0];
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        int count = Integer.parseInt(args[3]);
        System.out.println("transport epoll=" + Epoll.isAvailable());
        ConnectionProvider fresh = ConnectionProvider.newConnection();
        HttpClient http = HttpClient.create(fresh).host(host).port(port).disableRetry(true);
        TcpClient tcp = TcpClient.create(fresh).host(host).port(port);
        for (int i = 1; i <= count; i++) {
            try {
                System.out.println(switch (mode) {
                    case "get" -> "response " + i + " " + http.get().uri("/" + i)
                            .responseSingle((r, body) -> body.asString().defaultIfEmpty("")
                                    .map(b -> "status=" + r.status().code() + " body=" + b))
                            .block(TIMEOUT);
                    case "post" -> "response " + i + " " + http.post().uri("/" + i)
                            .send(ByteBufFlux.fromString(reactor.core.publisher.Mono.just("order " + i)))
                            .responseSingle((r, body) -> body.asString().defaultIfEmpty("")
                                    .map(b -> "status=" + r.status().code() + " body=" + b))
                            .block(TIMEOUT);
                    case "banner" -> "banner " + i + " " + tcp.connect()
                            .flatMap(c -> c.inbound().receive().asString().next()
                                    .map(String::strip).doFinally(s -> c.dispose()))
                            .block(TIMEOUT);
                    default -> throw new IllegalArgumentException("mode " + mode);
                });
            } catch (RuntimeException e) {
                Throwable cause = e;
                while (cause.getCause() != null && !(cause instanceof ConnectException)) {
                    cause = cause.getCause();
                }
                System.out.println("error " + i + " connect=" + (cause instanceof ConnectException) + " "
                        + cause.getClass().getName() + ": " + cause.getMessage());
            }
        }
        fresh.disposeLater().block(TIMEOUT);
    }
}
