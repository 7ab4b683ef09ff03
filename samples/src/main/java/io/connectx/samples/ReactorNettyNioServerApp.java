package io.connectx.samples;

/**
 * The Reactor Netty HTTP server of {@link ReactorNettyServerApp}, configured as an application turns Netty's
 * native transports off ({@code reactor.netty.native=false}): Netty's NIO transport, on JDK channels.
 * Usage: {@code ReactorNettyNioServerApp HOST PORT}. It knows nothing of connectx.
 */
public final class ReactorNettyNioServerApp {
    private ReactorNettyNioServerApp() {
    }

    public static void main(String[] args) {
        System.setProperty("reactor.netty.native", "false");
        ReactorNettyServerApp.main(args);
    }
}
