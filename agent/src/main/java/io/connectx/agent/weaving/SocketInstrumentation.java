package io.connectx.agent.weaving;

import static io.connectx.agent.weaving.Hook.ACCEPT_INTO;
import static io.connectx.agent.weaving.Hook.ACCEPT_RETURN;
import static io.connectx.agent.weaving.Hook.ASYNC_CONNECT;
import static io.connectx.agent.weaving.Hook.AVAILABLE;
import static io.connectx.agent.weaving.Hook.CLOSE;
import static io.connectx.agent.weaving.Hook.CONNECT;
import static io.connectx.agent.weaving.Hook.COUNT_CONNECT;
import static io.connectx.agent.weaving.Hook.INTEREST;
import static io.connectx.agent.weaving.Hook.LISTEN;
import static io.connectx.agent.weaving.Hook.READ;
import static io.connectx.agent.weaving.Hook.SHUTDOWN_OUTPUT;
import static io.connectx.agent.weaving.Hook.TIMED_CONNECT_MILLIS;
import static io.connectx.agent.weaving.Hook.TIMED_CONNECT_NANOS;
import static io.connectx.agent.weaving.Hook.WRITE_BUFFER;
import static io.connectx.agent.weaving.Hook.WRITE_BUFFERS;
import static io.connectx.agent.weaving.Hook.WRITE_BYTES;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.util.List;
import java.util.Map;

/**
 * The hooks woven into the JDK's socket code (same signatures in JDK 17 and 25).
 * <ul>
 * <li>{@code sun.nio.ch.Net.connect(ProtocolFamily, FileDescriptor, InetAddress, int)}: every TCP
 * connect of {@code Socket} and {@code SocketChannel} funnels into it; so does the datagram connect,
 * which the hook filters out.</li>
 * <li>The read, write, available, shutdownOutput, interest-ops and close entry points of
 * {@code NioSocketImpl} (behind {@code java.net.Socket}) and {@code SocketChannelImpl}, where a deferred
 * handshake is started, held or reported; and their timed connects, whose timeout must still hold.</li>
 * <li>{@code UnixAsynchronousSocketChannelImpl.implConnect}, on entry: an AsynchronousSocketChannel is
 * never deferred, so it behaves as without the agent.</li>
 * <li>{@code NioSocketImpl.listen(int)} and {@code ServerSocketChannelImpl.bind(SocketAddress, int)}, on
 * exit: {@code Net.listen} itself is native and cannot carry a hook. Their accepts, on exit, for the
 * SynDataAccepted count.</li>
 * </ul>
 * The hooks that may throw are the ones that must report a failed handshake as connect would have (see
 * {@code SocketHookBridge}).
 */
public final class SocketInstrumentation {
    static final String NET = "sun.nio.ch.Net";
    static final String SOCKET_IMPL = "sun.nio.ch.NioSocketImpl";
    static final String SOCKET_CHANNEL = "sun.nio.ch.SocketChannelImpl";
    static final String SERVER_CHANNEL = "sun.nio.ch.ServerSocketChannelImpl";
    static final String ASYNC_CHANNEL = "sun.nio.ch.UnixAsynchronousSocketChannelImpl";

    private static final String FD = "Ljava/io/FileDescriptor;";
    private static final String ADDRESS = "Ljava/net/SocketAddress;";

    /** Per target class, its hook points. */
    static final Map<String, List<HookPoint>> POINTS = Map.of(
            NET, List.of(
                    new HookPoint("connect", "(Ljava/net/ProtocolFamily;" + FD + "Ljava/net/InetAddress;I)", CONNECT)),
            SOCKET_IMPL, List.of(
                    new HookPoint("connect", "(" + ADDRESS + "I)", TIMED_CONNECT_MILLIS),
                    new HookPoint("read", "([BII)", READ),
                    new HookPoint("available", "()", AVAILABLE),
                    new HookPoint("write", "([BII)", WRITE_BYTES),
                    new HookPoint("shutdownOutput", "()", SHUTDOWN_OUTPUT),
                    new HookPoint("close", "()", CLOSE),
                    new HookPoint("listen", "(I)", LISTEN),
                    new HookPoint("accept", "(Ljava/net/SocketImpl;)", ACCEPT_INTO)),
            SOCKET_CHANNEL, List.of(
                    new HookPoint("blockingConnect", "(" + ADDRESS + "J)", TIMED_CONNECT_NANOS),
                    new HookPoint("connect", "(" + ADDRESS + ")", COUNT_CONNECT),
                    new HookPoint("read", "(Ljava/nio/ByteBuffer;)", READ),
                    new HookPoint("blockingRead", "([BIIJ)", READ),
                    new HookPoint("read", "([Ljava/nio/ByteBuffer;II)", READ),
                    new HookPoint("available", "()", AVAILABLE),
                    new HookPoint("write", "(Ljava/nio/ByteBuffer;)", WRITE_BUFFER),
                    new HookPoint("write", "([Ljava/nio/ByteBuffer;II)", WRITE_BUFFERS),
                    new HookPoint("blockingWriteFully", "([BII)", WRITE_BYTES),
                    new HookPoint("shutdownOutput", "()", SHUTDOWN_OUTPUT),
                    new HookPoint("translateInterestOps", "(I)", INTEREST),
                    new HookPoint("implCloseSelectableChannel", "()", CLOSE)),
            SERVER_CHANNEL, List.of(
                    new HookPoint("bind", "(" + ADDRESS + "I)", LISTEN),
                    new HookPoint("accept", "()", ACCEPT_RETURN)),
            ASYNC_CHANNEL, List.of(
                    new HookPoint("implConnect", "(" + ADDRESS + "Ljava/lang/Object;Ljava/nio/channels/CompletionHandler;)",
                            ASYNC_CONNECT)));

    private SocketInstrumentation() {
    }

    /**
     * Weaves every hook point, and {@code otherPoints}, in one retransformation (each costs a VM operation
     * at start-up), or none and throws.
     */
    public static HookWeaver install(Instrumentation inst, Map<String, List<HookPoint>> otherPoints)
            throws ReflectiveOperationException, UnmodifiableClassException {
        requireFdFields();
        Map<String, List<HookPoint>> all = new java.util.HashMap<>(POINTS);
        all.putAll(otherPoints);
        return HookWeaver.install(inst, all);
    }

    /**
     * Fails, naming the member, on a JDK whose internals moved: weaves the JDK's own class files without
     * installing anything (for {@code doctor}), the same check {@link #install} makes.
     */
    public static void requireHookPoints() throws ReflectiveOperationException, IOException {
        requireFdFields();
        for (Map.Entry<String, List<HookPoint>> e : POINTS.entrySet()) {
            String resource = e.getKey().replace('.', '/') + ".class";
            try (InputStream in = ClassLoader.getSystemResourceAsStream(resource)) {
                if (in == null) {
                    throw new ClassNotFoundException(e.getKey());
                }
                HookWeaver.weave(in.readAllBytes(), e.getValue());
            }
        }
    }

    /** The hooks read {@code fd} from the receiver; a GETFIELD of a missing field would only fail at run time. */
    private static void requireFdFields() throws ReflectiveOperationException {
        java.net.SocketImpl.class.getDeclaredField("fd");
        Class.forName(SOCKET_CHANNEL, false, null).getDeclaredField("fd");
        Class.forName(SERVER_CHANNEL, false, null).getDeclaredField("fd");
        Class.forName(ASYNC_CHANNEL, false, null).getSuperclass().getDeclaredField("fd");
    }
}
