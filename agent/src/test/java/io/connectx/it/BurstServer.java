package io.connectx.it;

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
 * Runs in a child JVM: a server for bursts of concurrent connections, one thread each. Usage:
 * {@code BurstServer HOST PORT MODE}; {@code answer} reads a {@link TestProtocol} request and answers it,
 * {@code greet} speaks first ({@code HELLO\n}) and then answers whatever line comes. Prints
 * {@code listening}; serves until killed.
 */
public final class BurstServer {
    private BurstServer() {
    }

    public static void main(String[] args) throws IOException {
        boolean greet = args[2].equals("greet");
        ExecutorService pool = Executors.newCachedThreadPool();
        try (ServerSocket listener = new ServerSocket(Integer.parseInt(args[1]), 4096, InetAddress.getByName(args[0]))) {
            System.out.println("listening");
            while (true) {
                Socket s = listener.accept();
                pool.execute(() -> serve(s, greet));
            }
        }
    }

    private static void serve(Socket s, boolean greet) {
        try (s) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            if (greet) {
                out.write("HELLO\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                int b;
                while ((b = in.read()) >= 0 && b != '\n') {
                    // the client's line, or its FIN after shutdownOutput
                }
                out.write("BYE\n".getBytes(StandardCharsets.UTF_8));
            } else {
                out.write(TestProtocol.reply(TestProtocol.readRequest(in)).getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }
}
