package io.connectx.samples;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * An ordinary Jetty 12 application: {@code GET /x} answers {@code hello x}.
 * Usage: {@code JettyServerApp HOST PORT}. It knows nothing of connectx.
 */
public final class JettyServerApp {
    private JettyServerApp() {
    }

    public static void main(String[] args) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(args[0]);
        connector.setPort(Integer.parseInt(args[1]));
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String body = "hello " + Request.getPathInContext(request).substring(1);
                response.setStatus(200);
                response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.start();
        System.out.println("listening on " + connector.getHost() + ":" + connector.getLocalPort());
        server.join();
    }
}
