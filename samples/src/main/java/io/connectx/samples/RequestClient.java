package io.connectx.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An ordinary client on {@link Socket}: COUNT fresh connections, each sending one line and reading the
 * reply. Usage: {@code RequestClient HOST PORT COUNT}. Exits 1 if any reply is wrong. It knows nothing
 * of connectx.
 */
public final class RequestClient {
    private RequestClient() {
    }

    public static void main(String[] args) throws IOException {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        int correct = 0;
        for (int i = 1; i <= count; i++) {
            try (Socket socket = new Socket(host, port)) {
                OutputStream out = socket.getOutputStream();
                out.write(("request " + i + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                String reply = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
                if (("echo request " + i).equals(reply)) {
                    correct++;
                }
            }
        }
        System.out.println(count + " requests, " + correct + " correct replies");
        System.exit(correct == count ? 0 : 1);
    }
}
