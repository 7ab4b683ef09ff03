package io.connectx.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An ordinary request/response server on {@link ServerSocket}: one line in, one line back, then close.
 * Usage: {@code EchoServer HOST PORT}. It knows nothing of connectx.
 */
public final class EchoServer {
    private EchoServer() {
    }

    public static void main(String[] args) throws IOException {
        InetAddress host = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        try (ServerSocket server = new ServerSocket(port, 128, host)) {
            System.out.println("listening on " + server.getLocalSocketAddress());
            while (true) {
                try (Socket socket = server.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                    String line = in.readLine();
                    OutputStream out = socket.getOutputStream();
                    out.write(("echo " + line + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException e) {
                    System.err.println("connection failed: " + e);
                }
            }
        }
    }
}
