package io.connectx.entry;

/** {@code Main-Class}: {@code java -jar connectx-agent.jar help | doctor | attach ...}, run in the agent's own loader. */
public final class MainEntry {
    private MainEntry() {
    }

    public static void main(String[] args) throws Exception {
        if (!JavaVersionGuard.supported()) {
            System.err.println(JavaVersionGuard.REFUSAL);
            System.exit(1);
        }
        AgentClassLoader.agent().main(args, LauncherEntry.instrumentation());
    }
}
