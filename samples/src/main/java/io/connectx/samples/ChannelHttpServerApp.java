package io.connectx.samples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * An ordinary HTTP server on a blocking {@link ServerSocketChannel}: {@code GET /x} answers {@code hello x},
 * one request per connection, each on a thread of its own. Usage: {@code ChannelHttpServerApp HOST PORT}.
 * It knows nothing of connectx.
 */
public final class ChannelHttpServerApp {
    private static final int MAX_HEAD = 8192;

    private ChannelHttpServerApp() {
    }

    public static void main(String[] args) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 128);
            System.out.println("listening on " + server.getLocalAddress());
            while (true) {
                SocketChannel connection = server.accept();
                Thread thread = new Thread(() -> answer(connection), "connection");
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    private static void answer(SocketChannel connection) {
        try (connection) {
            String head = readHead(connection);
            String[] requestLine = head.split("\r\n", 2)[0].split(" ");
            String path = requestLine.length > 1 ? requestLine[1] : "/";
            byte[] body = ("hello " + path.substring(1)).getBytes(StandardCharsets.UTF_8);
            String response = "HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
            ByteBuffer out = ByteBuffer.allocate(response.length() + body.length);
            out.put(response.getBytes(StandardCharsets.US_ASCII)).put(body).flip();
            while (out.hasRemaining()) {
                connection.write(out);
            }
        } catch (IOException e) {
            System.err.println("connection failed: " + e);
        }
    }

    /** The request line and headers, up to the blank line that ends them. */
    private static String readHead(SocketChannel connection) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(MAX_HEAD);
        while (in.hasRemaining()) {
            if (connection.read(in) < 0) {
                break;
            }
            String soFar = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
            if (soFar.contains("\r\n\r\n")) {
                return soFar;
            }
        }
        return new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
    }
}
