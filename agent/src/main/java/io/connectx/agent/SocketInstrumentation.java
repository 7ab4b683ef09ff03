package io.connectx.agent;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.connectx.bootstrap.SocketHookBridge;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * The advice woven into the JDK's socket code (same signatures in JDK 17 and 25).
 * <ul>
 * <li>{@code sun.nio.ch.Net.connect(ProtocolFamily, FileDescriptor, InetAddress, int)}: every TCP
 * connect of {@code Socket} and {@code SocketChannel} funnels into it; so does the datagram connect,
 * which the hook filters out.</li>
 * <li>The read, write, available, shutdownOutput, interest-ops and close entry points of
 * {@code NioSocketImpl} (behind {@code java.net.Socket}) and {@code SocketChannelImpl}, where a deferred
 * handshake is started, held or reported; and their timed connects, whose timeout must still hold.</li>
 * <li>{@code NioSocketImpl.listen(int)} and {@code ServerSocketChannelImpl.bind(SocketAddress, int)}, on
 * exit: {@code Net.listen} itself is native and cannot carry advice. Their accepts, on exit, for the
 * SynDataAccepted count.</li>
 * </ul>
 * Advice that may throw is the advice that must report a failed handshake as connect would have; all
 * other advice suppresses every Throwable.
 */
final class SocketInstrumentation {
    static final String NET = "sun.nio.ch.Net";
    static final String SOCKET_IMPL = "sun.nio.ch.NioSocketImpl";
    static final String SOCKET_CHANNEL = "sun.nio.ch.SocketChannelImpl";
    static final String SERVER_CHANNEL = "sun.nio.ch.ServerSocketChannelImpl";
    static final List<String> TARGETS = List.of(NET, SOCKET_IMPL, SOCKET_CHANNEL, SERVER_CHANNEL);

    private SocketInstrumentation() {
    }

    private static ElementMatcher.Junction<MethodDescription> method(String name, Class<?>... parameters) {
        return named(name).and(takesArguments(parameters));
    }

    /** Per target class: which advice goes on which method. */
    private static final Map<String, Map<Class<?>, ElementMatcher.Junction<MethodDescription>>> ADVICE = Map.of(
            NET, Map.of(ConnectAdvice.class,
                    method("connect", ProtocolFamily.class, FileDescriptor.class, InetAddress.class, int.class)),
            SOCKET_IMPL, Map.of(
                    SocketConnectAdvice.class, method("connect", SocketAddress.class, int.class),
                    IntReadAdvice.class, method("read", byte[].class, int.class, int.class),
                    AvailableAdvice.class, method("available"),
                    ByteArrayWriteAdvice.class, method("write", byte[].class, int.class, int.class),
                    ShutdownOutputAdvice.class, method("shutdownOutput"),
                    CloseAdvice.class, method("close"),
                    ListenAdvice.class, method("listen", int.class),
                    AcceptIntoAdvice.class, method("accept", java.net.SocketImpl.class)),
            SOCKET_CHANNEL, Map.ofEntries(
                    Map.entry(AdaptorConnectAdvice.class, method("blockingConnect", SocketAddress.class, long.class)),
                    Map.entry(ChannelConnectAdvice.class, method("connect", SocketAddress.class)),
                    Map.entry(IntReadAdvice.class, method("read", ByteBuffer.class)
                            .or(method("blockingRead", byte[].class, int.class, int.class, long.class))),
                    Map.entry(LongReadAdvice.class, method("read", ByteBuffer[].class, int.class, int.class)),
                    Map.entry(AvailableAdvice.class, method("available")),
                    Map.entry(BufferWriteAdvice.class, method("write", ByteBuffer.class)),
                    Map.entry(BuffersWriteAdvice.class, method("write", ByteBuffer[].class, int.class, int.class)),
                    Map.entry(ByteArrayWriteAdvice.class, method("blockingWriteFully", byte[].class, int.class, int.class)),
                    Map.entry(ShutdownOutputAdvice.class, method("shutdownOutput")),
                    Map.entry(InterestAdvice.class, method("translateInterestOps", int.class)),
                    Map.entry(CloseAdvice.class, method("implCloseSelectableChannel"))),
            SERVER_CHANNEL, Map.of(ListenAdvice.class, method("bind", SocketAddress.class, int.class),
                    AcceptReturnAdvice.class, method("accept")));

    /** Returns the installed transformer once every target class has been transformed; throws otherwise. */
    static ResettableClassFileTransformer install(Instrumentation inst) throws ReflectiveOperationException {
        requireHookPoints();
        Class<?>[] loaded = new Class<?>[TARGETS.size()];
        for (int i = 0; i < loaded.length; i++) {
            loaded[i] = Class.forName(TARGETS.get(i));
        }
        TransformationRecord record = new TransformationRecord();
        AgentBuilder.Ignored builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                // Retransform just these, instead of walking every class loaded so far (start-up time).
                .redefineOnly(loaded)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(record)
                // ByteBuddy ignores bootstrap types by default; these are the point.
                .ignore(none());
        AgentBuilder agent = builder;
        for (String target : TARGETS) {
            Map<Class<?>, ElementMatcher.Junction<MethodDescription>> advice = ADVICE.get(target);
            agent = agent.type(named(target)).transform((b, type, loader, module, domain) -> {
                for (Map.Entry<Class<?>, ElementMatcher.Junction<MethodDescription>> e : advice.entrySet()) {
                    b = b.visit(Advice.to(e.getKey()).on(e.getValue()));
                }
                return b;
            });
        }
        ResettableClassFileTransformer transformer = agent.installOn(inst);
        if (!record.transformed.containsAll(TARGETS) || record.error != null) {
            transformer.reset(inst, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
            throw new IllegalStateException("could not instrument " + TARGETS + ": transformed "
                    + record.transformed + (record.error == null ? "" : ", error " + record.error));
        }
        return transformer;
    }

    /**
     * Fails, naming the member, on a JDK whose internals moved: every guard must be in place or none.
     * Loading the classes here also means the retransformation happens now and its outcome can be checked.
     */
    static void requireHookPoints() throws ReflectiveOperationException {
        Class.forName(NET).getDeclaredMethod("connect", ProtocolFamily.class, FileDescriptor.class, InetAddress.class, int.class);
        java.net.SocketImpl.class.getDeclaredField("fd");
        Class<?> socketImpl = Class.forName(SOCKET_IMPL);
        socketImpl.getDeclaredMethod("connect", SocketAddress.class, int.class);
        socketImpl.getDeclaredMethod("read", byte[].class, int.class, int.class);
        socketImpl.getDeclaredMethod("write", byte[].class, int.class, int.class);
        socketImpl.getDeclaredMethod("available");
        socketImpl.getDeclaredMethod("shutdownOutput");
        socketImpl.getDeclaredMethod("close");
        socketImpl.getDeclaredMethod("listen", int.class);
        socketImpl.getDeclaredMethod("accept", java.net.SocketImpl.class);
        Class<?> channel = Class.forName(SOCKET_CHANNEL);
        channel.getDeclaredField("fd");
        channel.getDeclaredMethod("blockingConnect", SocketAddress.class, long.class);
        channel.getDeclaredMethod("connect", SocketAddress.class);
        channel.getDeclaredMethod("read", ByteBuffer.class);
        channel.getDeclaredMethod("read", ByteBuffer[].class, int.class, int.class);
        channel.getDeclaredMethod("blockingRead", byte[].class, int.class, int.class, long.class);
        channel.getDeclaredMethod("available");
        channel.getDeclaredMethod("write", ByteBuffer.class);
        channel.getDeclaredMethod("write", ByteBuffer[].class, int.class, int.class);
        channel.getDeclaredMethod("blockingWriteFully", byte[].class, int.class, int.class);
        channel.getDeclaredMethod("shutdownOutput");
        channel.getDeclaredMethod("translateInterestOps", int.class);
        channel.getDeclaredMethod("implCloseSelectableChannel");
        Class<?> serverChannel = Class.forName(SERVER_CHANNEL);
        serverChannel.getDeclaredMethod("bind", SocketAddress.class, int.class);
        serverChannel.getDeclaredMethod("accept");
        serverChannel.getDeclaredField("fd");
    }

    /** Records which targets were transformed, and the first failure. */
    private static final class TransformationRecord extends AgentBuilder.Listener.Adapter {
        final Set<String> transformed = ConcurrentHashMap.newKeySet();
        volatile Throwable error;

        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                DynamicType dynamicType) {
            transformed.add(type.getName());
        }

        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable throwable) {
            if (error == null) {
                error = throwable;
            }
        }
    }

    static final class ConnectAdvice {
        private ConnectAdvice() {
        }

        /**
         * Not suppressed: where the platform connects in place (Darwin's connectx), its failure is the
         * connect's and must reach the caller. The bridge's implementation lets nothing else escape.
         */
        @Advice.OnMethodEnter(skipOn = Integer.class)
        static Object enter(@Advice.Argument(1) FileDescriptor fd, @Advice.Argument(2) InetAddress remote,
                @Advice.Argument(3) int port) throws java.io.IOException {
            return SocketHookBridge.beforeConnect(fd, remote, port);
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Enter Object entered, @Advice.Argument(1) FileDescriptor fd,
                @Advice.Return(readOnly = false) int result) {
            if (entered instanceof Integer replaced) {
                result = replaced;
            } else if (Boolean.TRUE.equals(entered)) {
                SocketHookBridge.afterConnect(fd, result);
            }
        }
    }

    /** {@code java.net.Socket}'s connect: counted as it begins (for Connects); its timeout, if any, kept for the deferred handshake. */
    static final class SocketConnectAdvice {
        private SocketConnectAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            SocketHookBridge.tcpConnect();
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.FieldValue("fd") FileDescriptor fd, @Advice.Argument(1) int millis) {
            SocketHookBridge.afterTimedConnect(fd, millis * 1_000_000L);
        }
    }

    /** The socket adaptor's timed connect ({@code SocketChannel.socket().connect(addr, timeout)}): counted, and its timeout kept. */
    static final class AdaptorConnectAdvice {
        private AdaptorConnectAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            SocketHookBridge.tcpConnect();
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.FieldValue("fd") FileDescriptor fd, @Advice.Argument(1) long nanos) {
            SocketHookBridge.afterTimedConnect(fd, nanos);
        }
    }

    static final class ChannelConnectAdvice {
        private ChannelConnectAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            SocketHookBridge.tcpConnect();
        }
    }

    static final class IntReadAdvice {
        private IntReadAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.FieldValue("fd") FileDescriptor fd) throws IOException {
            SocketHookBridge.beforeRead(fd);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.FieldValue("fd") FileDescriptor fd, @Advice.Return int n,
                @Advice.Thrown(readOnly = false) Throwable thrown) {
            thrown = SocketHookBridge.afterRead(fd, n, thrown);
        }
    }

    static final class LongReadAdvice {
        private LongReadAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.FieldValue("fd") FileDescriptor fd) throws IOException {
            SocketHookBridge.beforeRead(fd);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.FieldValue("fd") FileDescriptor fd, @Advice.Return long n,
                @Advice.Thrown(readOnly = false) Throwable thrown) {
            thrown = SocketHookBridge.afterRead(fd, n, thrown);
        }
    }

    /** {@code available()} waits for nothing, but before the first write it too must start the handshake. */
    static final class AvailableAdvice {
        private AvailableAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.FieldValue("fd") FileDescriptor fd) throws IOException {
            SocketHookBridge.beforeRead(fd);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.FieldValue("fd") FileDescriptor fd, @Advice.Thrown(readOnly = false) Throwable thrown) {
            thrown = SocketHookBridge.afterRead(fd, 0, thrown);
        }
    }

    static final class ByteArrayWriteAdvice {
        private ByteArrayWriteAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.FieldValue("fd") FileDescriptor fd, @Advice.Argument(0) byte[] data,
                @Advice.Argument(1) int offset, @Advice.Argument(2) int length) throws IOException {
            SocketHookBridge.beforeWrite(fd, data, offset, length);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.FieldValue("fd") FileDescriptor fd, @Advice.Thrown(readOnly = false) Throwable thrown) {
            thrown = SocketHookBridge.afterWrite(fd, thrown);
        }
    }

    static final class BufferWriteAdvice {
        private BufferWriteAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.FieldValue("fd") FileDescriptor fd, @Advice.Argument(0) ByteBuffer data) throws IOException {
            SocketHookBridge.beforeWrite(fd, data);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.FieldValue("fd") FileDescriptor fd, @Advice.Thrown(readOnly = false) Throwable thrown) {
            thrown = SocketHookBridge.afterWrite(fd, thrown);
        }
    }

    static final class BuffersWriteAdvice {
        private BuffersWriteAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.FieldValue("fd") FileDescriptor fd, @Advice.Argument(0) ByteBuffer[] data,
                @Advice.Argument(1) int offset, @Advice.Argument(2) int length) throws IOException {
            SocketHookBridge.beforeWrite(fd, data, offset, length);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.FieldValue("fd") FileDescriptor fd, @Advice.Thrown(readOnly = false) Throwable thrown) {
            thrown = SocketHookBridge.afterWrite(fd, thrown);
        }
    }

    static final class ShutdownOutputAdvice {
        private ShutdownOutputAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.FieldValue("fd") FileDescriptor fd) throws IOException {
            SocketHookBridge.beforeShutdownOutput(fd);
        }
    }

    static final class InterestAdvice {
        private InterestAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("fd") FileDescriptor fd, @Advice.Argument(0) int ops) {
            SocketHookBridge.beforeInterest(fd, ops);
        }
    }

    static final class CloseAdvice {
        private CloseAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("fd") FileDescriptor fd) {
            SocketHookBridge.closed(fd);
        }
    }

    /** {@code NioSocketImpl.accept(SocketImpl)} fills in the SocketImpl it is given. */
    static final class AcceptIntoAdvice {
        private AcceptIntoAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) Object accepted) {
            SocketHookBridge.afterAccept(accepted);
        }
    }

    static final class AcceptReturnAdvice {
        private AcceptReturnAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Return Object accepted) {
            SocketHookBridge.afterAccept(accepted);
        }
    }

    static final class ListenAdvice {
        private ListenAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.FieldValue("fd") FileDescriptor fd) {
            SocketHookBridge.afterListen(fd);
        }
    }
}
