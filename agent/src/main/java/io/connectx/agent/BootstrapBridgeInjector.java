package io.connectx.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Set;

/**
 * Defines the bridge classes in the bootstrap loader. Only they go there: JNA and ByteBuddy must stay in
 * the agent's loader (JNA's resource lookup fails from the bootstrap loader). They are defined directly
 * rather than by appending a jar to the bootstrap search path, because HotSpot answers an appended path
 * with a class-data-sharing warning printed on the application's own stdout. The JDK's internal
 * {@code Unsafe.defineClass} is the one API that defines a class into the bootstrap loader; the
 * Instrumentation exports it to the agent alone.
 */
final class BootstrapBridgeInjector {
    static final String BRIDGE = "io.connectx.bootstrap.SocketHookBridge";
    static final String[] BRIDGE_CLASSES = {"io.connectx.bootstrap.SocketHooks", BRIDGE,
        "io.connectx.bootstrap.PlatformServerBridge"};
    private static final String UNSAFE = "jdk.internal.misc.Unsafe";

    private BootstrapBridgeInjector() {
    }

    /** Returns the bridge class as the bootstrap loader defined it. */
    static Class<?> inject(Instrumentation inst) throws IOException, ReflectiveOperationException {
        Module javaBase = Object.class.getModule();
        inst.redefineModule(javaBase, Set.of(), Map.of("jdk.internal.misc", Set.of(BootstrapBridgeInjector.class.getModule())),
                Map.of(), Set.of(), Map.of());
        Class<?> unsafeClass = Class.forName(UNSAFE);
        Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
        Method define = unsafeClass.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, ProtectionDomain.class);
        for (String name : BRIDGE_CLASSES) {
            if (isDefined(name)) {
                continue; // an earlier start in this JVM (attach after detach) left them there
            }
            String resource = name.replace('.', '/') + ".class";
            try (InputStream in = BootstrapBridgeInjector.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("agent jar lacks " + resource);
                }
                byte[] bytes = in.readAllBytes();
                define.invoke(unsafe, name, bytes, 0, bytes.length, null, null);
            }
        }
        Class<?> bridge = Class.forName(BRIDGE, true, null);
        if (bridge.getClassLoader() != null) {
            throw new IllegalStateException("bridge class was not defined by the bootstrap loader");
        }
        return bridge;
    }

    private static boolean isDefined(String name) {
        try {
            Class.forName(name, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
