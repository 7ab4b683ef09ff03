package io.connectx.agent.cli;

import java.lang.instrument.Instrumentation;

/**
 * The Instrumentation the launcher handed over when the jar runs as {@code java -jar connectx-agent.jar ...}
 * (its {@code Launcher-Agent-Class}, {@code io.connectx.entry.LauncherEntry}), which {@code doctor} uses to
 * run the agent's real logic in its own JVM. Null under {@code -javaagent}.
 */
public final class LauncherAgent {
    private static volatile Instrumentation instrumentation;

    private LauncherAgent() {
    }

    public static void set(Instrumentation inst) {
        instrumentation = inst;
    }

    static Instrumentation instrumentation() {
        return instrumentation;
    }
}
