package io.connectx.jmh;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import io.connectx.provider.DestinationPolicy;
import io.connectx.provider.FastOpen;
import io.connectx.provider.LinuxFastOpen;
import io.connectx.sys.FileDescriptors;
import io.connectx.sys.JdkSocketNatives;
import io.connectx.sys.TcpInfo;
import io.connectx.sys.LinuxSocketOptions;
import io.connectx.sys.LinuxSockets;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
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
 * The native calls the agent makes on the connect path: setsockopt(TCP_FASTOPEN_CONNECT) before connect(2)
 * and getsockopt(SO_TYPE) (is this TCP?). Through {@link LinuxSockets}, JNA direct mapping, against the same
 * calls through JNA interface mapping, which the project does not use. And the whole hot path of one admitted
 * connect as the engine runs it (the policy, is it TCP, enable Fast Open, the deferred check on TCP_INFO's
 * tcpi_state) through {@link LinuxFastOpen} as shipped (the JDK's own natives) and through JNA direct mapping.
 * Run with {@code -prof gc} for B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.io=ALL-UNNAMED", "--add-opens",
    "java.base/sun.nio.ch=ALL-UNNAMED"})
public class NativeCallBenchmark {
    /** Interface mapping of the same libc calls. */
    public interface CLibrary extends Library {
        int setsockopt(int fd, int level, int name, int[] value, int len) throws LastErrorException;

        int getsockopt(int fd, int level, int name, byte[] value, int[] len) throws LastErrorException;
    }

    private static final CLibrary C = Native.load(Platform.C_LIBRARY_NAME, CLibrary.class);

    private static final FastOpen SHIPPED = new LinuxFastOpen();
    private final DestinationPolicy policy = DestinationPolicy.defaults();
    private InetAddress destination;
    private SocketChannel channel;
    private FileDescriptor descriptor;
    private int fd;

    @Setup
    public void open() throws IOException {
        channel = SocketChannel.open();
        fd = FileDescriptors.of(channel);
        descriptor = FileDescriptors.descriptorOf(channel);
        destination = InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1}); // TEST-NET-1: admitted by *:443
        if (!JdkSocketNatives.isAvailable()) {
            throw new IllegalStateException("the JDK's own natives are not usable: " + JdkSocketNatives.unavailabilityCause());
        }
    }

    @TearDown
    public void close() throws IOException {
        channel.close();
    }

    @Benchmark
    public void setsockoptDirect() {
        LinuxSockets.setIntOption(fd, LinuxSocketOptions.IPPROTO_TCP, LinuxSocketOptions.TCP_FASTOPEN_CONNECT, 1);
    }

    @Benchmark
    public int setsockoptInterface() {
        return C.setsockopt(fd, LinuxSocketOptions.IPPROTO_TCP, LinuxSocketOptions.TCP_FASTOPEN_CONNECT,
            new int[] {1}, Integer.BYTES);
    }

    @Benchmark
    public int getsockoptDirect() {
        return LinuxSockets.intOption(fd, LinuxSocketOptions.SOL_SOCKET, LinuxSocketOptions.SO_TYPE);
    }

    /**
     * One admitted connect's native calls, as shipped: the JDK's own natives, given the JDK's own FileDescriptor
     * as the connect hook has it. The socket stays unconnected (TCP_CLOSE).
     */
    @Benchmark
    public boolean connectPathJdkNatives() {
        return policy.admits(destination, 443) && SHIPPED.isStream(descriptor)
            && SHIPPED.enableClient(descriptor) == FastOpen.Outcome.ENABLED && !SHIPPED.handshakePending(descriptor);
    }

    /**
     * The same calls on the int descriptor, as the connect path made them before it passed the JDK's
     * FileDescriptor through: each call wraps the number in a new FileDescriptor for the JDK native.
     */
    @Benchmark
    public boolean connectPathJdkNativesWrapped() {
        return policy.admits(destination, 443) && SHIPPED.isStream(fd) && SHIPPED.enableClient(fd) == FastOpen.Outcome.ENABLED
            && !SHIPPED.handshakePending(fd);
    }

    /** The same through JNA direct mapping, the path taken where the JDK's natives are not usable. */
    @Benchmark
    public boolean connectPathJna() {
        if (!policy.admits(destination, 443) || !LinuxSockets.isStream(fd)) {
            return false;
        }
        LinuxSockets.setIntOption(fd, LinuxSocketOptions.IPPROTO_TCP, LinuxSocketOptions.TCP_FASTOPEN_CONNECT, 1);
        return !TcpInfo.of(fd).handshakePending();
    }

    @Benchmark
    public byte getsockoptInterface() {
        byte[] value = new byte[Integer.BYTES];
        C.getsockopt(fd, LinuxSocketOptions.SOL_SOCKET, LinuxSocketOptions.SO_TYPE, value, new int[] {Integer.BYTES});
        return value[0];
    }
}
