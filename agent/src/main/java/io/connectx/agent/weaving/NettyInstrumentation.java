package io.connectx.agent.weaving;

import static io.connectx.agent.weaving.Hook.NETTY_ACCEPT;
import static io.connectx.agent.weaving.Hook.NETTY_CLOSE;
import static io.connectx.agent.weaving.Hook.NETTY_CONNECT;
import static io.connectx.agent.weaving.Hook.NETTY_CONNECT_TIMEOUT;
import static io.connectx.agent.weaving.Hook.NETTY_INTEREST;
import static io.connectx.agent.weaving.Hook.NETTY_LISTEN;
import static io.connectx.agent.weaving.Hook.NETTY_OPAQUE_WRITE;
import static io.connectx.agent.weaving.Hook.NETTY_READ;
import static io.connectx.agent.weaving.Hook.NETTY_SHUTDOWN;
import static io.connectx.agent.weaving.Hook.NETTY_SPLICE;
import static io.connectx.agent.weaving.Hook.NETTY_WRITEV;
import static io.connectx.agent.weaving.Hook.NETTY_WRITEV_ADDRESSES;
import static io.connectx.agent.weaving.Hook.NETTY_WRITE_ADDRESS;
import static io.connectx.agent.weaving.Hook.NETTY_WRITE_BUFFER;

import io.connectx.agent.BootstrapBridgeInjector;
import io.connectx.provider.ConnectxLog;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The second hook family: Netty's native epoll transport, which makes its socket calls through its own JNI
 * ({@code io.netty.channel.unix.Socket}) where no JDK hook runs. Found by name as each class loads, in any
 * class loader and under any package prefix (a shaded copy such as {@code io.grpc.netty.shaded.io.netty}).
 * For each class loader and prefix, the five classes are checked together, from the loader's own class files,
 * before the first of them is woven: all of them get their hooks, or, when one shape does not match, none,
 * and one line says so. The woven code calls {@code NettySocketBridge}, which ends in the sealed bridge and
 * the same engine as the JDK's sockets.
 * <ul>
 * <li>{@code unix.Socket}: connect (set up for Fast Open when admitted, its result replaced as for the JDK),
 * listen (server Fast Open), accept (the SynDataAccepted count), the recv/send reads and writes the epoll transport uses,
 * and shutdown (a shutdownOutput before the first write waits for the handshake, as on the JDK path);</li>
 * <li>{@code unix.FileDescriptor}: read, write, writev and close;</li>
 * <li>{@code epoll.Native}: epollCtlAdd/Mod (EPOLLIN interest before any write starts the handshake) and
 * splice, whose bytes are never judged;</li>
 * <li>{@code epoll.LinuxSocket}: sendFile, likewise;</li>
 * <li>{@code epoll.AbstractEpollChannel}: doConnect's exit, for the channel's CONNECT_TIMEOUT_MILLIS, which
 * bounds a deferred handshake.</li>
 * </ul>
 * Netty's io_uring transport submits its socket calls to the kernel's ring, past every one of these: it is
 * left alone, with one line.
 */
public final class NettyInstrumentation implements ClassFileTransformer {
    static final String FILE_DESCRIPTOR = "/channel/unix/FileDescriptor";
    static final String SOCKET = "/channel/unix/Socket";
    static final String NATIVE = "/channel/epoll/Native";
    static final String LINUX_SOCKET = "/channel/epoll/LinuxSocket";
    static final String EPOLL_CHANNEL = "/channel/epoll/AbstractEpollChannel";
    static final String IO_URING = "/channel/uring/IoUring";
    private static final List<String> CLASSES = List.of(FILE_DESCRIPTOR, SOCKET, NATIVE, LINUX_SOCKET, EPOLL_CHANNEL);
    private static final String BUFFER = "Ljava/nio/ByteBuffer;";

    /** Per class loader (identity) and prefix: whether that copy of Netty is woven. */
    private final Map<Object, Map<String, Boolean>> decisions = new java.util.WeakHashMap<>();
    private final Set<String> saidOnce = ConcurrentHashMap.newKeySet();

    NettyInstrumentation() {
    }

    /** The hook points of the class {@code prefix + suffix}, one of {@link #CLASSES}. */
    static List<HookPoint> points(String prefix, String suffix) {
        return switch (suffix) {
            case FILE_DESCRIPTOR -> List.of(
                    new HookPoint("write", "(" + BUFFER + "II)", NETTY_WRITE_BUFFER),
                    new HookPoint("writeAddress", "(JII)", NETTY_WRITE_ADDRESS),
                    new HookPoint("writev", "([" + BUFFER + "IIJ)", NETTY_WRITEV),
                    new HookPoint("writevAddresses", "(JI)", NETTY_WRITEV_ADDRESSES),
                    new HookPoint("read", "(" + BUFFER + "II)", NETTY_READ),
                    new HookPoint("readAddress", "(JII)", NETTY_READ),
                    new HookPoint("close", "()", NETTY_CLOSE));
            case SOCKET -> List.of(
                    new HookPoint("connect", "(Ljava/net/SocketAddress;)", NETTY_CONNECT),
                    new HookPoint("listen", "(I)", NETTY_LISTEN),
                    new HookPoint("accept", "([B)", NETTY_ACCEPT),
                    new HookPoint("recv", "(" + BUFFER + "II)", NETTY_READ),
                    new HookPoint("recvAddress", "(JII)", NETTY_READ),
                    new HookPoint("send", "(" + BUFFER + "II)", NETTY_WRITE_BUFFER),
                    new HookPoint("sendAddress", "(JII)", NETTY_WRITE_ADDRESS),
                    new HookPoint("shutdown", "(ZZ)", NETTY_SHUTDOWN));
            case NATIVE -> List.of(
                    new HookPoint("epollCtlAdd", "(III)", NETTY_INTEREST),
                    new HookPoint("epollCtlMod", "(III)", NETTY_INTEREST),
                    new HookPoint("splice", "(IJIJJ)", NETTY_SPLICE));
            case LINUX_SOCKET -> List.of(
                    new HookPoint("sendFile", "(L" + prefix + "/channel/DefaultFileRegion;JJJ)", NETTY_OPAQUE_WRITE));
            case EPOLL_CHANNEL -> List.of(
                    new HookPoint("doConnect", "(Ljava/net/SocketAddress;Ljava/net/SocketAddress;)", NETTY_CONNECT_TIMEOUT));
            default -> throw new IllegalArgumentException(suffix);
        };
    }

    /**
     * Registers the transformer (Netty loads after premain), and weaves the copies of Netty loaded already (an
     * attach to a running JVM). The bridge must be in the bootstrap loader and filled.
     */
    public static void install(Instrumentation inst) {
        try {
            Class<?> bridge = Class.forName(BootstrapBridgeInjector.NETTY_BRIDGE, false, null);
            // The bridge calls the sealed one, in sun.nio.ch: exported to the bootstrap loader's unnamed module only.
            inst.redefineModule(Object.class.getModule(), Set.of(), Map.of("sun.nio.ch", Set.of(bridge.getModule())),
                    Map.of(), Set.of(), Map.of());
            NettyInstrumentation transformer = new NettyInstrumentation();
            inst.addTransformer(transformer, true);
            transformer.weaveLoaded(inst);
        } catch (Throwable t) {
            ConnectxLog.warn("Netty's epoll transport is left alone: " + t);
        }
    }

    private void weaveLoaded(Instrumentation inst) {
        Map<String, List<Class<?>>> loaded = new LinkedHashMap<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            String name = c.getName().replace('.', '/');
            String suffix = suffixOf(name);
            if (suffix != null) {
                String prefix = name.substring(0, name.length() - suffix.length());
                loaded.computeIfAbsent(System.identityHashCode(c.getClassLoader()) + " " + prefix, k -> new ArrayList<>()).add(c);
            }
        }
        for (List<Class<?>> classes : loaded.values()) {
            try {
                inst.retransformClasses(classes.toArray(new Class<?>[0]));
            } catch (Throwable t) {
                ConnectxLog.warn("Netty's epoll transport at " + classes.get(0).getName() + " is left alone: " + t);
            }
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
            byte[] bytes) {
        String suffix = className == null ? null : suffixOf(className);
        if (suffix == null || loader == null) {
            return null;
        }
        String prefix = className.substring(0, className.length() - suffix.length());
        try {
            if (!decide(loader, prefix)) {
                return null;
            }
            return HookWeaver.weave(bytes, points(prefix, suffix));
        } catch (Throwable t) {
            // The check of all five classes passed, so this one's bytes differ from its class file (another
            // agent changed them): this class stays as it is, and the engine's guards may miss its calls.
            sayOnce(prefix, "Netty at " + dotted(prefix) + ": " + className + " could not be woven (" + t + ")");
            return null;
        }
    }

    /**
     * Whether the copy of Netty at {@code prefix} in {@code loader} is woven; decided once, on its class files.
     * The class files are read outside the lock: reading a resource may take the loader's own locks, which a
     * thread loading another of these classes may hold while it waits here.
     */
    private boolean decide(ClassLoader loader, String prefix) {
        synchronized (decisions) {
            Boolean decided = decisions.computeIfAbsent(loader, k -> new HashMap<>()).get(prefix);
            if (decided != null) {
                return decided;
            }
        }
        String mismatch = mismatch(loader, prefix);
        boolean ioUring = mismatch == null && loader.getResource(prefix + IO_URING + ".class") != null;
        synchronized (decisions) {
            Map<String, Boolean> ofLoader = decisions.computeIfAbsent(loader, k -> new HashMap<>());
            Boolean first = ofLoader.putIfAbsent(prefix, mismatch == null);
            if (first != null) {
                return first; // another thread decided meanwhile, on the same class files
            }
        }
        if (mismatch != null) {
            sayOnce(prefix, "Netty's epoll transport at " + dotted(prefix) + " is left alone: " + mismatch);
            return false;
        }
        if (ConnectxLog.isEnabled(ConnectxLog.Level.INFO)) {
            ConnectxLog.info("Netty's epoll transport at " + dotted(prefix) + " in " + loader + ": hooks woven");
        }
        if (ioUring) {
            sayOnce(prefix + IO_URING, "Netty's io_uring transport at " + dotted(prefix) + " is left alone (its socket"
                    + " calls are io_uring submissions): connections on it run plain; epoll gets Fast Open");
        }
        return true;
    }

    /** Why the five classes cannot all be woven, or null when they can. */
    static String mismatch(ClassLoader loader, String prefix) {
        for (String suffix : CLASSES) {
            String resource = prefix + suffix + ".class";
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    return "no " + dotted(prefix + suffix) + " beside it";
                }
                HookWeaver.weave(in.readAllBytes(), points(prefix, suffix));
            } catch (IOException | RuntimeException e) {
                return "its shapes do not match (" + e.getMessage() + ")";
            }
        }
        return null;
    }

    private void sayOnce(String key, String line) {
        if (saidOnce.add(key)) {
            ConnectxLog.warn(line);
        }
    }

    private static String suffixOf(String internalName) {
        for (String suffix : CLASSES) {
            if (internalName.endsWith(suffix) && internalName.length() > suffix.length()) {
                return suffix;
            }
        }
        return null;
    }

    private static String dotted(String internalName) {
        return internalName.replace('/', '.');
    }
}
