package io.connectx.agent;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/** The module edges the agent needs inside {@code java.base}, added with {@link Instrumentation#redefineModule}. */
final class JdkModules {
    private JdkModules() {
    }

    /**
     * Opens {@code java.io} (the int inside FileDescriptor), {@code java.net} (a Socket's impl) and
     * {@code sun.nio.ch} (the platform SelectorProvider, a channel's fd) to the agent's module, and lets
     * {@code java.base} read the bootstrap bridge's module.
     */
    static void open(Instrumentation inst, Module agentModule, Module bridgeModule) {
        Module javaBase = Object.class.getModule();
        Set<Module> agent = Set.of(agentModule);
        inst.redefineModule(javaBase,
                Set.of(bridgeModule),
                Map.of("sun.nio.ch", agent),
                Map.of("java.io", agent, "java.net", agent, "sun.nio.ch", agent),
                Set.of(),
                Map.of());
    }
}
