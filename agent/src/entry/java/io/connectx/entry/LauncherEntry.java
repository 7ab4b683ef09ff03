package io.connectx.entry;

import java.lang.instrument.Instrumentation;

/**
 * {@code Launcher-Agent-Class}: when the jar runs as {@code java -jar connectx-agent.jar ...}, the launcher
 * hands over an Instrumentation before main, which {@code doctor} uses to run the agent's real logic in its
 * own JVM. It starts nothing itself. Loaded on any JVM that honours the attribute (9 and later), so it is
 * built for Java 8 like the other entry points.
 */
public final class LauncherEntry {
    private static volatile Instrumentation instrumentation;

    private LauncherEntry() {
    }

    public static void agentmain(String args, Instrumentation inst) {
        instrumentation = inst;
    }

    static Instrumentation instrumentation() {
        return instrumentation;
    }
}
