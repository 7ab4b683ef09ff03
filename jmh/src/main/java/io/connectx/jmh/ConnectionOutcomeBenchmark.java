package io.connectx.jmh;

import io.connectx.provider.ConnectionOutcome;
import io.connectx.provider.ConnectionOutcomes;
import io.connectx.sys.FileDescriptors;
import io.connectx.sys.TcpInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the per-connection outcome adds to one deferred connection whose first write rides in the SYN: the
 * calls the engine makes (admission, connect's return, the first write, the end of the handshake) and,
 * when the outcome is observed, the TCP_INFO read on a real connected socket and the JFR event's commit.
 * Without a recording (and with nobody reading {@code Destinations}) this must stay a few nanoseconds and
 * 0 B/op; with a recording of the JDK's {@code profile} settings it must stay within 2 µs. Run with
 * {@code -prof gc} for the allocation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConnectionOutcomeBenchmark {
    private static final String OPENS_IO = "--add-opens=java.base/java.io=ALL-UNNAMED";
    private static final String OPENS_NIO = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";

    private final ConnectionOutcomes outcomes = new ConnectionOutcomes();
    private ServerSocketChannel server;
    private SocketChannel client;
    private SocketChannel accepted;
    private InetAddress address;
    private int port;
    private int fd;

    @Setup
    public void connect() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        client = SocketChannel.open(server.getLocalAddress());
        accepted = server.accept();
        fd = FileDescriptors.of(client);
        InetSocketAddress remote = (InetSocketAddress) client.getRemoteAddress();
        address = remote.getAddress();
        port = remote.getPort();
    }

    @TearDown
    public void close() throws IOException {
        accepted.close();
        client.close();
        server.close();
    }

    @Benchmark
    @Fork(value = 2, jvmArgsAppend = {OPENS_IO, OPENS_NIO})
    public boolean withoutRecording() {
        return deferredConnectionInSyn();
    }

    @Benchmark
    @Fork(value = 2, jvmArgsAppend = {OPENS_IO, OPENS_NIO, "-XX:StartFlightRecording:settings=profile"})
    public boolean withRecording() {
        return deferredConnectionInSyn();
    }

    /** The calls of FastOpenSockets and DeferredHandshakes for one connection, in their order. */
    private boolean deferredConnectionInSyn() {
        outcomes.connecting(address, port);
        ConnectionOutcome outcome = outcomes.connected(address, port);
        outcome.firstWriteInSyn();
        boolean acked = outcome.isObserved() && TcpInfo.of(fd).synData();
        outcome.handshakeCompleted(acked);
        return acked;
    }
}
