package io.connectx.samples;

import io.netty.channel.epoll.Epoll;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * An ordinary Reactor Netty HTTP server (Spring WebFlux's default) on Netty's native epoll transport:
 * {@code GET /x} answers {@code hello x}. Usage: {@code ReactorNettyServerApp HOST PORT}; prints
 * {@code listening} once bound and serves until killed. It knows nothing of connectx.
 */
public final class ReactorNettyServerApp {
    private ReactorNettyServerApp() {
    }

    public static void main(String[] args) {
        DisposableServer server = HttpServer.create().host(args[0]).port(Integer.parseInt(args[1]))
                .handle((request, response) -> response.sendString(Mono.just("hello " + request.uri().substring(1))))
                .bindNow();
        System.out.println("transport epoll=" + Epoll.isAvailable());
        System.out.println("listening");
        server.onDispose().block();
    }
}
