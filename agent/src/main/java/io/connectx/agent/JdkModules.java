package io.connectx.agent;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * The module edges the agent needs inside the JDK, added with {@link Instrumentation#redefineModule}, each to
 * the agent's own module only: the unnamed module of its class loader ({@code io.connectx.entry.AgentClassLoader}),
 * never the application's.
 */
final class JdkModules {
    private JdkModules() {
    }

    /**
     * Opens {@code java.io} (the int inside FileDescriptor), {@code java.net} (a Socket's impl) and
     * {@code sun.nio.ch} (the platform SelectorProvider, a channel's fd, the hook bridge) to the agent's
     * module, and lets {@code java.base} read the bridge's module (java.base itself in the agent jar).
     */
    static void open(Instrumentation inst, Module agentModule, Module bridgeModule) {
        requireOwnModule(agentModule);
        Module javaBase = Object.class.getModule();
        Set<Module> agent = Set.of(agentModule);
        inst.redefineModule(javaBase,
                bridgeModule == javaBase ? Set.of() : Set.of(bridgeModule),
                Map.of("sun.nio.ch", agent),
                Map.of("java.io", agent, "java.net", agent, "sun.nio.ch", agent),
                Set.of(),
                Map.of());
    }

    /**
     * Refuses to widen access for a module the application shares: the system class loader's (the agent's
     * classes loaded from the class path, as in a broken build) or a named one.
     */
    static void requireOwnModule(Module agentModule) {
        if (agentModule.isNamed() || agentModule == ClassLoader.getSystemClassLoader().getUnnamedModule()
                || agentModule.getClassLoader() == null) {
            throw new IllegalStateException("the agent's classes are in " + agentModule
                    + ", not in a class loader of their own; no JDK package is opened");
        }
    }
}
