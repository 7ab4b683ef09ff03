package io.connectx.agent;

import java.lang.instrument.Instrumentation;

/** The agent's entry points. Deliberately empty of state and logic: see {@link AgentStarter}. */
public final class ConnectxAgent {

    private ConnectxAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        AgentStarter.start(inst, args, true);
    }

    public static void agentmain(String args, Instrumentation inst) {
        AgentStarter.start(inst, args, false);
    }
}
