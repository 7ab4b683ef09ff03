package io.connectx.samples;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * An ordinary embedded Tomcat 11 application (as Spring Boot embeds it) on Tomcat's NIO connector, which
 * accepts on a JDK {@code ServerSocketChannel}: {@code GET /x} answers {@code hello x}. Usage:
 * {@code TomcatServerApp HOST PORT}; prints {@code listening} once bound and serves until killed. It knows
 * nothing of connectx.
 */
public final class TomcatServerApp {
    private TomcatServerApp() {
    }

    public static void main(String[] args) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("tomcat-sample").toString());
        Connector connector = new Connector("org.apache.coyote.http11.Http11NioProtocol");
        connector.setProperty("address", args[0]);
        connector.setPort(Integer.parseInt(args[1]));
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", null);
        Tomcat.addServlet(context, "hello", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                response.setContentType("text/plain");
                response.getWriter().write("hello " + request.getRequestURI().substring(1));
            }
        });
        context.addServletMappingDecoded("/*", "hello");
        tomcat.start();
        System.out.println("listening on " + args[0] + ":" + connector.getLocalPort() + " ("
                + connector.getProtocolHandlerClassName() + ")");
        tomcat.getServer().await();
    }
}
