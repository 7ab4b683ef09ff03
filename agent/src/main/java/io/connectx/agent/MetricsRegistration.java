package io.connectx.agent;

import io.connectx.agent.weaving.HookPoint;
import io.connectx.agent.weaving.HookedMethod;
import io.connectx.agent.weaving.MethodHook;
import io.connectx.bootstrap.PlatformServerBridge;
import io.connectx.provider.ConnectxLog;
import io.connectx.provider.FastOpenMetrics;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Registers {@code io.connectx:type=FastOpen} when the platform MBean server exists: at once if it does
 * (a live attach, or a JMX agent started before premain), otherwise when the application, a JMX agent or
 * an attaching jconsole first asks {@code ManagementFactory.getPlatformMBeanServer()} for it.
 */
final class MetricsRegistration {
    private static final String FACTORY = "java.lang.management.ManagementFactory";
    /** Relocated in the agent jar (see {@link BootstrapBridgeInjector#PLATFORM_SERVER_BRIDGE}). */
    private static final String PLATFORM_SERVER_BRIDGE = BootstrapBridgeInjector.PLATFORM_SERVER_BRIDGE;

    private MetricsRegistration() {
    }

    /**
     * The hook point that reports the platform MBean server's creation, woven together with the socket hooks
     * in one retransformation ({@link HookInstaller}); none in a runtime without java.management.
     */
    static Map<String, List<HookPoint>> hookPoints() {
        try {
            Class.forName(FACTORY, false, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException e) {
            return Map.of();
        }
        return Map.of(FACTORY, List.of(new HookPoint("getPlatformMBeanServer", "()", new PlatformServerCreated())));
    }

    /** Once the hooks are woven: the module edges, the listener, and the server if it already exists. */
    static void install(Instrumentation inst, FastOpenMetrics metrics) {
        Registrar register = new Registrar(metrics);
        try {
            Class<?> factory = Class.forName(FACTORY, false, ClassLoader.getSystemClassLoader());
            Module management = factory.getModule();
            Module agent = MetricsRegistration.class.getModule();
            JdkModules.requireOwnModule(agent);
            // In the agent jar the bridge is relocated into java.management itself, exported to the agent alone
            // (before any reference to it: resolving one checks access). Class.forName checks nothing.
            Class<?> bridge = Class.forName(PLATFORM_SERVER_BRIDGE, false, null);
            boolean inManagement = bridge.getModule() == management;
            inst.redefineModule(management, inManagement ? Set.of() : Set.of(bridge.getModule()),
                    inManagement ? Map.of(bridge.getPackageName(), Set.of(agent)) : Map.of(),
                    Map.of("java.lang.management", Set.of(agent)), Set.of(), Map.of());
            PlatformServerBridge.listen(register);
            Field existing = factory.getDeclaredField("platformMBeanServer");
            existing.setAccessible(true);
            register.accept(existing.get(null));
        } catch (ClassNotFoundException e) {
            // A runtime without java.management: nobody can read an MBean there.
        } catch (Exception | LinkageError e) {
            ConnectxLog.warnOnce("jmx", "metrics unavailable over JMX: " + e);
        }
    }

    /**
     * Registers the MBean once, given a platform MBean server. A class rather than a lambda: each lambda
     * spins a class of its own the first time, and this runs inside premain.
     */
    private static final class Registrar implements Consumer<Object> {
        private final AtomicBoolean registered = new AtomicBoolean();
        private final FastOpenMetrics metrics;

        Registrar(FastOpenMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void accept(Object server) {
            if (server != null && registered.compareAndSet(false, true)) {
                try {
                    metrics.register();
                } catch (Exception | LinkageError e) {
                    ConnectxLog.warnOnce("jmx", "could not register " + FastOpenMetrics.class.getSimpleName() + ": " + e);
                }
            }
        }
    }

    /** {@code ManagementFactory.getPlatformMBeanServer()} returned: the server now exists, so the MBean can join it. */
    private static final class PlatformServerCreated implements MethodHook {
        @Override
        public void returned(HookedMethod m) {
            m.out().visitInsn(Opcodes.DUP);
            m.out().visitMethodInsn(Opcodes.INVOKESTATIC, MethodHook.internalName(PLATFORM_SERVER_BRIDGE), "created",
                    "(Ljava/lang/Object;)V", false);
        }
    }
}
