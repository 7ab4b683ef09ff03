package io.connectx.entry;

import java.lang.instrument.Instrumentation;

/**
 * {@code Premain-Class} and {@code Agent-Class}. Checks the Java version before it loads anything else, then
 * hands over to the agent in its own class loader. Holds no state and no logic.
 */
public final class AgentEntry {
    private AgentEntry() {
    }

    public static void premain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    private static void start(String args, Instrumentation inst, boolean fromPremain) {
        if (!JavaVersionGuard.supported()) {
            System.err.println(JavaVersionGuard.REFUSAL);
            return;
        }
        try {
            AgentClassLoader.agent().start(inst, args, fromPremain);
        } catch (Throwable t) {
            System.err.println("connectx: disabled: " + t + "; the application runs on plain connects");
        }
    }
}
