package io.connectx.agent;

import java.lang.instrument.Instrumentation;

/**
 * {@code Launcher-Agent-Class} of the jar: when it runs as {@code java -jar connectx-agent.jar ...}, the
 * launcher hands over an Instrumentation before main, which {@code doctor} uses to run the agent's real
 * logic in its own JVM. It starts nothing itself.
 */
public final class LauncherAgent {
    private static volatile Instrumentation instrumentation;

    private LauncherAgent() {
    }

    public static void agentmain(String args, Instrumentation inst) {
        instrumentation = inst;
    }

    static Instrumentation instrumentation() {
        return instrumentation;
    }
}
