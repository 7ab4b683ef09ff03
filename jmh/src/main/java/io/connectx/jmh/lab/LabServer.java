package io.connectx.jmh.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The lab's server: a minimal HTTP/1.1 responder on {@link ServerSocket}. {@code GET /N} gets an N-byte
 * body, {@code Connection: close}, and the server closes, so every request of the lab is a fresh connection.
 * It knows nothing of connectx: the lab starts it with {@code -javaagent:...=listen=PORT}, which lets its
 * listener accept data in the SYN. Usage: {@code LabServer HOST PORT}.
 */
public final class LabServer {
    static final int MAX_BODY = 1 << 20;
    private static final int MAX_HEADER = 8192;

    private LabServer() {
    }

    public static void main(String[] args) throws IOException {
        InetAddress host = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        // A thread per connection: the virtual-thread burst opens hundreds at once, which must not queue here.
        ExecutorService handlers = Executors.newCachedThreadPool();
        try (ServerSocket server = new ServerSocket(port, 1024, host)) {
            System.out.println("lab server listening on " + server.getLocalSocketAddress());
            while (true) {
                Socket socket = server.accept();
                handlers.execute(() -> serve(socket));
            }
        }
    }

    private static void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(30_000);
            socket.setTcpNoDelay(true);
            String path = readRequestPath(socket.getInputStream());
            if (path == null) {
                return; // a bare connect (the lab's RTT probe): nothing was asked
            }
            int size = bodySize(path);
            byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + size
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] response = new byte[head.length + size];
            System.arraycopy(head, 0, response, 0, head.length);
            for (int i = head.length; i < response.length; i++) {
                response[i] = (byte) ('a' + i % 26);
            }
            OutputStream out = socket.getOutputStream();
            out.write(response);
            out.flush();
        } catch (IOException | RuntimeException e) {
            System.err.println("lab server: " + e);
        }
    }

    /** Reads the request head up to its blank line; returns the request target, or null at EOF before any byte. */
    private static String readRequestPath(InputStream in) throws IOException {
        byte[] buf = new byte[MAX_HEADER];
        int len = 0;
        while (len < 4 || !(buf[len - 4] == '\r' && buf[len - 3] == '\n' && buf[len - 2] == '\r' && buf[len - 1] == '\n')) {
            if (len == buf.length) {
                throw new IOException("request head over " + MAX_HEADER + " bytes");
            }
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) {
                if (len == 0) {
                    return null;
                }
                throw new IOException("EOF inside the request head");
            }
            len += n;
        }
        String line = new String(buf, 0, len, StandardCharsets.US_ASCII).lines().findFirst().orElse("");
        String[] parts = line.split(" ");
        if (parts.length != 3 || !parts[0].equals("GET")) {
            throw new IOException("not a GET request line: " + line);
        }
        return parts[1];
    }

    private static int bodySize(String path) throws IOException {
        try {
            int size = Integer.parseInt(path.substring(1));
            if (size < 0 || size > MAX_BODY) {
                throw new IOException("body size out of range: " + path);
            }
            return size;
        } catch (NumberFormatException e) {
            throw new IOException("path is not /SIZE: " + path, e);
        }
    }
}
