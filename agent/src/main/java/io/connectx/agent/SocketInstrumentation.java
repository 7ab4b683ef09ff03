package io.connectx.agent;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.connectx.bootstrap.SocketHookBridge;
import java.io.FileDescriptor;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

/**
 * The advice woven into the JDK's socket code.
 * <ul>
 * <li>{@code sun.nio.ch.Net.connect(ProtocolFamily, FileDescriptor, InetAddress, int)}: every TCP
 * connect of {@code Socket} (NioSocketImpl) and {@code SocketChannel} (including the socket adaptor's
 * timed connect) funnels into it, and so does the datagram connect, which the hook filters out.</li>
 * <li>{@code NioSocketImpl.listen(int)} and {@code ServerSocketChannelImpl.bind(SocketAddress, int)}, on
 * exit: {@code Net.listen} itself is native and cannot carry advice.</li>
 * </ul>
 */
final class SocketInstrumentation {
    static final String NET = "sun.nio.ch.Net";
    static final String SOCKET_IMPL = "sun.nio.ch.NioSocketImpl";
    static final String SERVER_CHANNEL = "sun.nio.ch.ServerSocketChannelImpl";
    static final List<String> TARGETS = List.of(NET, SOCKET_IMPL, SERVER_CHANNEL);

    private SocketInstrumentation() {
    }

    /** Returns the installed transformer once every target class has been transformed; throws otherwise. */
    static ResettableClassFileTransformer install(Instrumentation inst) throws ReflectiveOperationException {
        requireHookPoints();
        TransformationRecord record = new TransformationRecord();
        ResettableClassFileTransformer transformer = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(record)
                // ByteBuddy ignores bootstrap types by default; these three are the point.
                .ignore(none())
                .type(named(NET))
                .transform((builder, type, loader, module, domain) -> builder.visit(Advice.to(ConnectAdvice.class)
                        .on(named("connect").and(takesArguments(ProtocolFamily.class, FileDescriptor.class,
                                InetAddress.class, int.class)))))
                .type(named(SOCKET_IMPL))
                .transform((builder, type, loader, module, domain) -> builder.visit(Advice.to(ListenAdvice.class)
                        .on(named("listen").and(takesArguments(int.class)))))
                .type(named(SERVER_CHANNEL))
                .transform((builder, type, loader, module, domain) -> builder.visit(Advice.to(ListenAdvice.class)
                        .on(named("bind").and(takesArguments(SocketAddress.class, int.class)))))
                .installOn(inst);
        if (!record.transformed.containsAll(TARGETS) || record.error != null) {
            transformer.reset(inst, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
            throw new IllegalStateException("could not instrument " + TARGETS + ": transformed "
                    + record.transformed + (record.error == null ? "" : ", error " + record.error));
        }
        return transformer;
    }

    /**
     * Fails, naming the member, on a JDK whose internals moved. Loading the classes here also means the
     * retransformation above happens now and its outcome can be checked.
     */
    static void requireHookPoints() throws ReflectiveOperationException {
        Class.forName(NET).getDeclaredMethod("connect", ProtocolFamily.class, FileDescriptor.class, InetAddress.class, int.class);
        Class<?> socketImpl = Class.forName(SOCKET_IMPL);
        socketImpl.getDeclaredMethod("listen", int.class);
        java.net.SocketImpl.class.getDeclaredField("fd");
        Class<?> serverChannel = Class.forName(SERVER_CHANNEL);
        serverChannel.getDeclaredMethod("bind", SocketAddress.class, int.class);
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

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(1) FileDescriptor fd, @Advice.Argument(2) InetAddress remote,
                @Advice.Argument(3) int port) {
            SocketHookBridge.beforeConnect(fd, remote, port);
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
