package io.connectx.it;

import io.connectx.sys.FileDescriptors;
import io.connectx.sys.TcpInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Runs in a child JVM: a server on one JDK listening API that serves COUNT connections of
 * {@link TestProtocol} and prints, per connection, {@code accepted I syn-data=true|false request=...}.
 * Listening and accepting are plain JDK use; only the TCP_INFO read of each accepted socket is test
 * instrumentation.
 *
 * <p>Usage: {@code ServerProbe MODE HOST PORT COUNT}; prints {@code listening} once bound.
 */
public final class ServerProbe {
    private ServerProbe() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
        int count = Integer.parseInt(args[3]);
        switch (mode) {
            case "serversocket-ctor" -> {
                try (ServerSocket server = new ServerSocket(address.getPort(), 128, address.getAddress())) {
                    serve(server, count);
                }
            }
            case "serversocket-port" -> {
                // The wildcard constructors: ServerSocket(port) and ServerSocket(port, backlog).
                try (ServerSocket server = new ServerSocket(address.getPort(), 128)) {
                    serve(server, count);
                }
            }
            case "serversocket-bind" -> {
                try (ServerSocket server = new ServerSocket()) {
                    server.bind(address);
                    serve(server, count);
                }
            }
            case "channel-blocking" -> {
                try (ServerSocketChannel server = ServerSocketChannel.open().bind(address)) {
                    System.out.println("listening");
                    for (int i = 1; i <= count; i++) {
                        try (SocketChannel accepted = server.accept()) {
                            answer(i, accepted.socket(), FileDescriptors.of(accepted));
                        }
                    }
                }
            }
            case "channel-selector" -> {
                try (ServerSocketChannel server = ServerSocketChannel.open(); Selector selector = Selector.open()) {
                    server.configureBlocking(false);
                    server.bind(address);
                    server.register(selector, SelectionKey.OP_ACCEPT);
                    System.out.println("listening");
                    for (int i = 1; i <= count; ) {
                        if (selector.select(30_000) == 0) {
                            throw new IOException("no connection within 30 s");
                        }
                        selector.selectedKeys().clear();
                        SocketChannel accepted = server.accept();
                        if (accepted != null) {
                            try (accepted) {
                                accepted.configureBlocking(true);
                                answer(i++, accepted.socket(), FileDescriptors.of(accepted));
                            }
                        }
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
    }

    private static void serve(ServerSocket server, int count) throws IOException {
        System.out.println("listening");
        for (int i = 1; i <= count; i++) {
            try (Socket accepted = server.accept()) {
                answer(i, accepted, FileDescriptors.of(accepted));
            }
        }
    }

    private static void answer(int i, Socket socket, int fd) throws IOException {
        boolean synData = TcpInfo.of(fd).synData();
        socket.setSoTimeout(5000);
        String request = TestProtocol.readRequest(socket.getInputStream());
        socket.getOutputStream().write(TestProtocol.reply(request).getBytes(StandardCharsets.UTF_8));
        System.out.println("accepted " + i + " syn-data=" + synData + " request=" + request.lines().findFirst().orElse(""));
    }
}
