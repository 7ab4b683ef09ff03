package io.connectx.agent;

import io.connectx.agent.cli.ConnectxMain;
import io.connectx.agent.cli.LauncherAgent;
import io.connectx.entry.AgentClassLoader;
import io.connectx.entry.IsolatedAgent;
import java.lang.instrument.Instrumentation;

/**
 * The agent as the entry points see it, from inside its own class loader. Its static initialiser hands one
 * instance over to {@link AgentClassLoader}: a plain interface call from then on, no reflection (from JDK 18
 * the first reflective call spins method handles, tens of ms of every application's start-up).
 */
final class EntryPoints implements IsolatedAgent {
    static {
        AgentClassLoader.handOver(new EntryPoints());
    }

    private EntryPoints() {
    }

    @Override
    public void start(Instrumentation inst, String args, boolean fromPremain) {
        AgentStarter.start(inst, args, fromPremain);
    }

    @Override
    public void main(String[] args, Instrumentation launcher) throws Exception {
        LauncherAgent.set(launcher);
        ConnectxMain.main(args);
    }
}
