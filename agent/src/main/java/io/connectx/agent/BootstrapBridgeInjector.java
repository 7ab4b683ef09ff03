package io.connectx.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.LinkedHashMap;
import java.util.Map;
import net.bytebuddy.dynamic.loading.ClassInjector;

/**
 * Defines the bridge classes in the bootstrap loader. Only they go there: JNA and ByteBuddy must stay in
 * the agent's loader (JNA's resource lookup fails from the bootstrap loader). They are defined directly
 * rather than by appending a jar to the bootstrap search path, because HotSpot answers an appended path
 * with a class-data-sharing warning printed on the application's own stdout.
 */
final class BootstrapBridgeInjector {
    static final String BRIDGE = "io.connectx.bootstrap.SocketHookBridge";
    static final String[] BRIDGE_CLASSES = {"io.connectx.bootstrap.SocketHooks", BRIDGE,
        "io.connectx.bootstrap.PlatformServerBridge"};

    private BootstrapBridgeInjector() {
    }

    /** Returns the bridge class as the bootstrap loader defined it. */
    static Class<?> inject(Instrumentation inst) throws IOException, ClassNotFoundException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        for (String name : BRIDGE_CLASSES) {
            String resource = name.replace('.', '/') + ".class";
            try (InputStream in = BootstrapBridgeInjector.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("agent jar lacks " + resource);
                }
                classes.put(name, in.readAllBytes());
            }
        }
        ClassInjector.UsingUnsafe.Factory factory = ClassInjector.UsingUnsafe.Factory.resolve(inst);
        if (!factory.isAvailable()) {
            throw new IllegalStateException("cannot define the bridge classes in the bootstrap loader on this JVM");
        }
        factory.make(null).injectRaw(classes);
        Class<?> bridge = Class.forName(BRIDGE, true, null);
        if (bridge.getClassLoader() != null) {
            throw new IllegalStateException("bridge class was not defined by the bootstrap loader");
        }
        return bridge;
    }
}
