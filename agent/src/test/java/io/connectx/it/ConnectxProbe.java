package io.connectx.it;

import io.connectx.Connectx;
import io.connectx.Endpoints;
import io.connectx.sys.FileDescriptors;
import io.connectx.sys.TcpInfo;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Runs in a child JVM under the real agent and calls the Connectx API against a server that speaks first
 * ({@link FastOpenTestServer.Behaviour#GREET}). Prints one {@code key=value} line per fact the IT checks.
 * Usage: {@code ConnectxProbe host port}.
 */
public final class ConnectxProbe {
    private static final int TIMEOUT_MILLIS = 10_000;

    private ConnectxProbe() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int resume = Connectx.CONNECT_RESUME_ON_READ_WRITE | Connectx.CONNECT_DATA_IDEMPOTENT;
        try (SocketChannel warm = SocketChannel.open()) {
            // The cookie fetch: data given, so it is enqueued and the handshake asks for a cookie.
            Connectx.connectx(warm, Endpoints.to(server), Connectx.CONNECT_DATA_IDEMPOTENT, ascii("warm\n"));
            System.out.println("warm=" + readLine(warm) + "|" + readLine(warm));
        }
        try (SocketChannel readFirst = SocketChannel.open()) {
            Connectx.connectx(readFirst, Endpoints.to(server), resume);
            System.out.println("read-first-connected=" + readFirst.isConnected());
            System.out.println("read-first-deferred=" + TcpInfo.of(FileDescriptors.of(readFirst)).handshakePending());
            System.out.println("read-first-greeting=" + readLine(readFirst));
        }
        try (SocketChannel writeFirst = SocketChannel.open()) {
            Connectx.connectx(writeFirst, Endpoints.to(server), resume);
            System.out.println("write-first-deferred=" + TcpInfo.of(FileDescriptors.of(writeFirst)).handshakePending());
            writeFirst.write(ascii("hi\n"));
            System.out.println("write-first-exchange=" + readLine(writeFirst) + "|" + readLine(writeFirst));
            System.out.println("write-first-syn-data=" + TcpInfo.of(FileDescriptors.of(writeFirst)).synData());
        }
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** One line through the socket adaptor, whose timeout bounds the wait. */
    private static String readLine(SocketChannel channel) throws Exception {
        channel.socket().setSoTimeout(TIMEOUT_MILLIS);
        InputStream in = channel.socket().getInputStream();
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < 256; i++) {
            int b = in.read();
            if (b < 0 || b == '\n') {
                break;
            }
            line.append((char) b);
        }
        return line.toString();
    }
}
