package io.connectx.jmh;

import io.connectx.sys.FileDescriptors;
import io.connectx.sys.TcpInfo;
import java.io.IOException;
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
 * What the SynDataAcked and SynDataAccepted proof adds per connection once somebody reads the MBean (or
 * asks for the summary): one getsockopt(TCP_INFO) through JNA on a connected socket. Until then the
 * agent makes no such call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.io=ALL-UNNAMED", "--add-opens",
    "java.base/sun.nio.ch=ALL-UNNAMED"})
public class ProofCostBenchmark {
    private ServerSocketChannel server;
    private SocketChannel client;
    private SocketChannel accepted;
    private int fd;

    @Setup
    public void connect() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        client = SocketChannel.open(server.getLocalAddress());
        accepted = server.accept();
        fd = FileDescriptors.of(client);
    }

    @TearDown
    public void close() throws IOException {
        accepted.close();
        client.close();
        server.close();
    }

    @Benchmark
    public boolean tcpInfoSynData() {
        return TcpInfo.of(fd).synData();
    }
}
