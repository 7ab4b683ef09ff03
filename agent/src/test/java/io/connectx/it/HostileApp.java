package io.connectx.it;

import io.connectx.bootstrap.SocketHookBridge;
import io.connectx.bootstrap.SocketHooks;
import java.io.FileDescriptor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;

/**
 * Application code that goes after the agent's JVM-wide hooks, each way it can think of, then runs
 * fresh connections to show the agent carries on. One line per attempt:
 * {@code attack NAME refused EXCEPTION} or {@code attack NAME SUCCEEDED}.
 */
public final class HostileApp {
    static final String BRIDGE = "sun.nio.ch.ConnectxSocketHookBridge";
    static final String HOOKS = "sun.nio.ch.ConnectxSocketHooks";
    static final String PLATFORM_BRIDGE = "sun.management.ConnectxPlatformServerBridge";

    private HostileApp() {
    }

    /** Usage: {@code HostileApp HOST PORT COUNT}. Started without any --add-opens: only what every application has. */
    public static void main(String[] args) throws Exception {
        System.out.println("jvm-wide provider " + SelectorProvider.provider().getClass().getName());
        // The attempt from the issue: install hooks that print every other socket's writes.
        attack("install through the public bridge class", PublicBridgeAttack::run);
        attack("the bridge class by its old name in the boot loader",
                () -> Class.forName("io.connectx.bootstrap.SocketHookBridge", true, null));
        Class<?> bridge = Class.forName(BRIDGE, false, null);
        System.out.println("bridge found in " + bridge.getModule());
        Class<?> hooks = Class.forName(HOOKS, false, null);
        Object forged = Proxy.newProxyInstance(HostileApp.class.getClassLoader(), new Class<?>[] {hooks},
                (proxy, method, margs) -> {
                    System.out.println("LEAK " + method.getName());
                    return null;
                });
        for (Method m : bridge.getDeclaredMethods()) {
            attack("setAccessible " + m.getName(), () -> m.setAccessible(true));
        }
        attack("install a forged SocketHooks", () -> bridge.getMethod("install", hooks).invoke(null, forged));
        Class<?> seal = Class.forName(BRIDGE + "$Seal", false, null);
        attack("replace without the seal", () -> bridge.getMethod("replace", seal, hooks).invoke(null, null, forged));
        attack("new Seal", () -> seal.getDeclaredConstructor().newInstance());
        for (Field f : bridge.getDeclaredFields()) {
            attack("read field " + f.getName(), () -> f.get(null));
            attack("setAccessible field " + f.getName(), () -> f.setAccessible(true));
        }
        FileDescriptor fd = new FileDescriptor();
        attack("call beforeWrite with forged arguments", () -> bridge.getMethod("beforeWrite", Object.class,
                FileDescriptor.class, ByteBuffer.class).invoke(null, new Object(), fd, ByteBuffer.wrap("GET /x".getBytes(StandardCharsets.US_ASCII))));
        attack("call beforeConnect with forged arguments", () -> bridge.getMethod("beforeConnect", FileDescriptor.class,
                InetAddress.class, int.class).invoke(null, fd, InetAddress.getLoopbackAddress(), 1));
        attack("call closed with forged arguments", () -> bridge.getMethod("closed", FileDescriptor.class).invoke(null, fd));
        attack("method handle to beforeRead", () -> MethodHandles.publicLookup().findStatic(bridge, "beforeRead",
                MethodType.methodType(void.class, FileDescriptor.class)));
        attack("private lookup in the bridge", () -> MethodHandles.privateLookupIn(bridge, MethodHandles.lookup()));
        attack("listen to the platform MBean server", () -> Class.forName(PLATFORM_BRIDGE, false, null)
                .getMethod("listen", java.util.function.Consumer.class).invoke(null, (java.util.function.Consumer<Object>) o -> { }));
        attack("replace the read-first door", () -> {
            io.connectx.entry.ReadFirstDoor.open(channel -> {
                System.out.println("LEAK read-first door");
                return true;
            });
            try (java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open()) {
                io.connectx.entry.ReadFirstDoor.adopt(channel);
            }
            throw new SecurityException("the agent's guard kept the door"); // reached only if the fake never ran
        });
        attack("open the SelectorProvider door with a provider of its own", () -> {
            io.connectx.entry.SelectorProviderDoor.open(SelectorClientApp.OwnProvider::new);
            refuseIfOwn(io.connectx.entry.SelectorProviderDoor.platform(), "the door");
        });
        attack("replace the SelectorProvider door's fields", () -> {
            // The door lives in the application's own module (as ReadFirstDoor does), so reflection reaches it;
            // it still hands out nothing but the JDK's own provider.
            for (String name : new String[] {"source", "platform"}) {
                Field f = io.connectx.entry.SelectorProviderDoor.class.getDeclaredField(name);
                f.setAccessible(true);
                f.set(null, name.equals("source") ? (io.connectx.entry.SelectorProviderDoor.Source) SelectorClientApp.OwnProvider::new
                        : new SelectorClientApp.OwnProvider());
            }
            refuseIfOwn(io.connectx.entry.SelectorProviderDoor.platform(), "the door");
        });
        attack("a channel from the JVM-wide SelectorProvider after the door attempts", () -> {
            try (java.nio.channels.SocketChannel channel = SelectorProvider.provider().openSocketChannel()) {
                refuseIfOwn(channel.provider(), "the JVM-wide provider");
            }
        });
        attack("load the agent's logic", () -> Class.forName("io.connectx.agent.AgentStarter"));
        attack("load the agent's logic from the boot loader", () -> Class.forName("io.connectx.agent.AgentStarter", false, null));
        connections(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]));
    }

    /** Fresh connections to the test server, each a request and its reply (the server reads TCP_INFO). */
    private static void connections(String host, int port, int count) throws Exception {
        for (int i = 1; i <= count; i++) {
            try (java.net.Socket s = new java.net.Socket(host, port)) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(("PING " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                java.io.BufferedReader in = new java.io.BufferedReader(
                        new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                System.out.println("conn " + i + " reply=" + (("PONG " + i).equals(in.readLine()) ? "ok" : "bad"));
            }
        }
    }

    /** An attempt on the SelectorProvider door succeeded only if the application's own provider came out of it. */
    private static void refuseIfOwn(SelectorProvider provider, String where) {
        if (provider instanceof SelectorClientApp.OwnProvider) {
            System.out.println("LEAK " + where + " handed out the application's provider");
            return;
        }
        throw new SecurityException(where + " hands out only the JDK's own provider, not " + provider);
    }

    interface Attack {
        void run() throws Throwable;
    }

    private static void attack(String name, Attack attack) {
        try {
            attack.run();
            System.out.println("attack " + name + " SUCCEEDED");
        } catch (Throwable t) {
            Throwable cause = t instanceof java.lang.reflect.InvocationTargetException ? t.getCause() : t;
            System.out.println("attack " + name + " refused " + cause.getClass().getName());
        }
    }

    /**
     * The attacker, compiled against the bridge's public API: hooks that print another socket's
     * writes. Its own class, so that a missing bridge type fails this attack alone, when it links.
     */
    static final class PublicBridgeAttack {
        private PublicBridgeAttack() {
        }

        static void run() {
            SocketHookBridge.install((SocketHooks) Proxy.newProxyInstance(HostileApp.class.getClassLoader(),
                    new Class<?>[] {SocketHooks.class}, (proxy, method, margs) -> {
                        if (method.getName().equals("beforeWrite") && margs[2] instanceof ByteBuffer b) {
                            System.out.println("LEAK " + StandardCharsets.US_ASCII.decode(b.duplicate()));
                        }
                        return method.getReturnType() == boolean.class ? false : null;
                    }));
        }
    }
}
