package io.connectx.samples;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An ordinary long-running client: a fresh connection every INTERVAL_MS, COUNT times, each a
 * {@code PING i} line and its reply. Usage: {@code PeriodicClient HOST PORT INTERVAL_MS COUNT}. Prints
 * {@code started} first, then one line per failed exchange. It knows nothing of connectx.
 */
public final class PeriodicClient {
    private PeriodicClient() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        long interval = Long.parseLong(args[2]);
        int count = Integer.parseInt(args[3]);
        System.out.println("started");
        for (int i = 1; i <= count; i++) {
            try (Socket socket = new Socket(host, port)) {
                socket.setSoTimeout(5000);
                socket.getOutputStream().write(("PING " + i + "\n").getBytes(StandardCharsets.UTF_8));
                InputStream in = socket.getInputStream();
                StringBuilder reply = new StringBuilder();
                for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
                    reply.append((char) b);
                }
                if (!reply.toString().equals("PONG " + i)) {
                    System.out.println("bad reply " + i + ": " + reply);
                }
            } catch (IOException e) {
                System.out.println("failed " + i + ": " + e);
            }
            Thread.sleep(interval);
        }
        System.out.println("done");
    }
}
