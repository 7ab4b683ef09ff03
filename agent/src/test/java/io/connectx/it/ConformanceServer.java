package io.connectx.it;

import io.connectx.sys.FileDescriptors;
import io.connectx.sys.LinuxSocketOptions;
import io.connectx.sys.LinuxSockets;
import io.connectx.sys.TcpInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs in a child JVM inside the conformance suite's network namespace, without the agent: the peer of
 * {@link ConformanceClient}. It listens on the wildcard address on one port per behaviour, accepts Fast
 * Open (set explicitly here), and prints one line per connection with what the kernel says about its SYN
 * and what arrived:
 * {@code conn port=P syn=true|false requests=N wellformed=true|false first=REQUEST LINE}.
 * {@code syn} is {@code tcpi_options & 0x20} of the accepted socket: its SYN carried data.
 *
 * <p>Every connection may first be a harness warm-up ({@code WARM\n}, answered {@code WARM\n}), which
 * makes the destination known to the client's JVM before its scenarios run.
 *
 * <p>Usage: {@code ConformanceServer BEHAVIOUR=PORT...}; prints {@code listening} once every port is bound.
 */
public final class ConformanceServer {
    /** What a port does with each connection. */
    enum Behaviour {
        /** Speaks first ({@code HELLO\n}), then answers one line {@code L} with {@code ECHO L}. */
        GREET,
        /** Answers one {@link TestProtocol} request (a line, or an HTTP request with its body). */
        ANSWER,
        /** Reads one request, then resets the connection (SO_LINGER 0): established, then failed. */
        RESET,
        /** Reads one request, then drops every later packet of this connection with nft: a path gone silent. */
        SILENT,
        /** Reads two HTTP requests, then answers {@code got M1 M2\n} with their methods in arrival order. */
        TWO
    }

    private static final int IO_TIMEOUT_MS = 15_000;
    /** How long a silenced connection is held: past the client's keepalive (about 2 s), not much longer. */
    private static final int SILENT_HOLD_MS = 5_000;

    private ConformanceServer() {
    }

    public static void main(String[] args) throws Exception {
        ExecutorService connections = Executors.newCachedThreadPool(daemon());
        List<Thread> acceptors = new ArrayList<>();
        for (String arg : args) {
            String[] kv = arg.split("=");
            Behaviour behaviour = Behaviour.valueOf(kv[0]);
            ServerSocketChannel listener = ServerSocketChannel.open();
            LinuxSockets.setIntOption(FileDescriptors.of(listener), LinuxSocketOptions.IPPROTO_TCP,
                    LinuxSocketOptions.TCP_FASTOPEN, 256);
            listener.bind(new InetSocketAddress(Integer.parseInt(kv[1])), 1024);
            Thread acceptor = new Thread(() -> accept(listener, behaviour, connections), "accept-" + arg);
            acceptor.setDaemon(true);
            acceptors.add(acceptor);
        }
        acceptors.forEach(Thread::start);
        System.out.println("listening");
        // Runs until the suite stops it (SIGTERM), at most ten minutes.
        Thread.sleep(TimeUnit.MINUTES.toMillis(10));
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "conformance-connection");
            t.setDaemon(true);
            return t;
        };
    }

    private static void accept(ServerSocketChannel listener, Behaviour behaviour, ExecutorService connections) {
        while (listener.isOpen()) {
            try {
                SocketChannel accepted = listener.accept();
                connections.execute(() -> serve(accepted, behaviour));
            } catch (IOException e) {
                System.out.println("accept-error " + e);
                return;
            }
        }
    }

    private static void serve(SocketChannel channel, Behaviour behaviour) {
        int port = 0;
        boolean syn = false;
        List<String> requests = new ArrayList<>();
        boolean wellFormed = true;
        String note = "";
        try (channel) {
            Socket socket = channel.socket();
            port = socket.getLocalPort();
            syn = TcpInfo.of(FileDescriptors.of(channel)).synData();
            socket.setSoTimeout(IO_TIMEOUT_MS);
            InputStream in = socket.getInputStream();
            if (behaviour == Behaviour.GREET) {
                socket.getOutputStream().write("HELLO\n".getBytes(StandardCharsets.UTF_8));
            }
            String first = TestProtocol.readRequest(in);
            if (!first.isEmpty()) {
                requests.add(first);
            }
            if (first.isEmpty() || first.equals("WARM\n")) {
                if (first.equals("WARM\n")) {
                    socket.getOutputStream().write(first.getBytes(StandardCharsets.UTF_8));
                }
                return;
            }
            switch (behaviour) {
                case GREET -> socket.getOutputStream().write(("ECHO " + first).getBytes(StandardCharsets.UTF_8));
                case ANSWER -> socket.getOutputStream().write(TestProtocol.reply(first).getBytes(StandardCharsets.UTF_8));
                case RESET -> {
                    socket.setSoLinger(true, 0);
                    note = " reset";
                }
                case SILENT -> {
                    // Let the request's ACK reach the client first, so that it has nothing unacknowledged and
                    // only its keepalive can find the path dead.
                    Thread.sleep(300);
                    silence(port, socket.getPort());
                    note = " silenced";
                    Thread.sleep(SILENT_HOLD_MS);
                }
                case TWO -> {
                    String second = TestProtocol.readRequest(in);
                    if (!second.isEmpty()) {
                        requests.add(second);
                    }
                    wellFormed = requests.size() == 2 && requests.stream().allMatch(ConformanceServer::wellFormed);
                    socket.getOutputStream().write(("got " + method(requests.get(0)) + " "
                            + (requests.size() > 1 ? method(requests.get(1)) : "-") + "\n").getBytes(StandardCharsets.UTF_8));
                }
                default -> throw new IllegalStateException();
            }
            wellFormed &= requests.stream().allMatch(ConformanceServer::wellFormed);
        } catch (IOException | InterruptedException | RuntimeException e) {
            note = " server-error=" + e.getClass().getName() + ": " + e.getMessage();
        } finally {
            String firstLine = requests.isEmpty() ? "" : requests.get(0).lines().findFirst().orElse("");
            System.out.println("conn port=" + port + " syn=" + syn + " requests=" + requests.size()
                    + " wellformed=" + wellFormed + note + " first=" + firstLine);
        }
    }

    private static String method(String request) {
        int space = request.indexOf(' ');
        return space < 0 ? "?" : request.substring(0, space);
    }

    /** A line, a GET with no body, or a POST whose body is exactly {@code hello world}. */
    private static boolean wellFormed(String request) {
        if (request.startsWith("GET ")) {
            return request.endsWith("\r\n\r\n") && request.indexOf("\r\n\r\n") == request.length() - 4;
        }
        if (request.startsWith("POST ")) {
            return request.endsWith("\r\n\r\nhello world") && request.indexOf("\r\n\r\n") == request.length() - 15;
        }
        return request.endsWith("\n") && request.indexOf('\n') == request.length() - 1;
    }

    /** Drops, on input, every packet of the connection between {@code serverPort} and {@code clientPort}. */
    private static void silence(int serverPort, int clientPort) throws IOException, InterruptedException {
        for (String rule : List.of("tcp sport " + serverPort + " tcp dport " + clientPort + " drop",
                "tcp sport " + clientPort + " tcp dport " + serverPort + " drop")) {
            Process p = new ProcessBuilder(ConformanceClient.nftCommand("add rule inet lab in " + rule)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("nft failed: " + out);
            }
        }
    }
}
