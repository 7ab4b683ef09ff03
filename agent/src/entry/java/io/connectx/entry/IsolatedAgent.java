package io.connectx.entry;

import java.lang.instrument.Instrumentation;

/**
 * What the entry points call in the agent's own class loader ({@link AgentClassLoader}). The one type both
 * sides share, so that the call needs no reflection.
 */
public interface IsolatedAgent {

    /** premain ({@code fromPremain}) or agentmain: start, reconfigure or detach; never throws. */
    void start(Instrumentation inst, String args, boolean fromPremain);

    /** {@code java -jar connectx-agent.jar ARGS}; {@code launcher} is the jar's Launcher-Agent Instrumentation, or null. */
    void main(String[] args, Instrumentation launcher) throws Exception;
}
