package io.connectx.jmh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fresh connection round trips on loopback, as an application makes them: connect, write 100 B, read
 * 100 B, close, through {@link Socket}. The agent is measured as users run it, by the fork's JVM options:
 * the lab runs this class three times, with no agent, with
 * {@code -jvmArgsAppend -javaagent:connectx-agent.jar=dest=127.0.0.3:*} (destination outside the policy) and
 * with {@code -javaagent:connectx-agent.jar=dest=127.0.0.2:*;listen=*} (admitted; the in-process server
 * accepts Fast Open). The server listens on 127.0.0.2, so JMH's own link to its fork is never admitted.
 * The request is an HTTP GET, so the agent's default {@code first=auto} lets it ride in the SYN.
 * Connection-rate scaling: one method per client thread count.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// Two forks: on a shared 2-core machine one fork's run-to-run spread is about 10%.
@Fork(2)
public class FreshConnectionBenchmark {
    static final int MESSAGE_BYTES = 100;
    private static final int TIMEOUT_MILLIS = 10_000;
    private static final byte[] REQUEST = request();

    private ServerSocket server;
    private ExecutorService acceptor;
    private ExecutorService handlers;
    private InetSocketAddress address;

    @Setup
    public void startServer() throws IOException {
        server = new ServerSocket(0, 4096, InetAddress.getByName("127.0.0.2"));
        address = (InetSocketAddress) server.getLocalSocketAddress();
        handlers = Executors.newFixedThreadPool(4);
        acceptor = Executors.newSingleThreadExecutor();
        acceptor.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    handlers.execute(() -> answer(socket));
                } catch (IOException e) {
                    return; // closed at tear-down
                }
            }
        });
    }

    @TearDown
    public void stopServer() throws IOException, InterruptedException {
        server.close();
        acceptor.shutdownNow();
        handlers.shutdownNow();
        handlers.awaitTermination(10, TimeUnit.SECONDS);
    }

    private static void answer(Socket socket) {
        try (socket) {
            socket.setSoTimeout(TIMEOUT_MILLIS);
            byte[] message = socket.getInputStream().readNBytes(MESSAGE_BYTES);
            if (message.length == MESSAGE_BYTES) {
                socket.getOutputStream().write(message);
            }
        } catch (IOException e) {
            // The client sees the failure as a short reply and fails the benchmark.
        }
    }

    @Benchmark
    @Threads(1)
    public int roundTrip1Thread() throws IOException {
        return roundTrip();
    }

    @Benchmark
    @Threads(2)
    public int roundTrip2Threads() throws IOException {
        return roundTrip();
    }

    @Benchmark
    @Threads(4)
    public int roundTrip4Threads() throws IOException {
        return roundTrip();
    }

    private int roundTrip() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(REQUEST);
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(MESSAGE_BYTES);
            if (reply.length != MESSAGE_BYTES) {
                throw new IOException("short reply: " + reply.length + " bytes");
            }
            return reply[MESSAGE_BYTES - 1];
        }
    }

    private static byte[] request() {
        String head = "GET / HTTP/1.1\r\nHost: 127.0.0.2\r\nX-Pad: ";
        String tail = "\r\n\r\n";
        return (head + "x".repeat(MESSAGE_BYTES - head.length() - tail.length()) + tail).getBytes(StandardCharsets.US_ASCII);
    }
}
