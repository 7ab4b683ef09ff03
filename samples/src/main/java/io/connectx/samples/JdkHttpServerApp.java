package io.connectx.samples;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * An ordinary {@code com.sun.net.httpserver} application: {@code GET /x} answers {@code hello x}.
 * Usage: {@code JdkHttpServerApp HOST PORT}. It knows nothing of connectx.
 */
public final class JdkHttpServerApp {
    private JdkHttpServerApp() {
    }

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 128);
        server.createContext("/", exchange -> {
            byte[] body = ("hello " + exchange.getRequestURI().getPath().substring(1)).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        System.out.println("listening on " + server.getAddress());
    }
}
