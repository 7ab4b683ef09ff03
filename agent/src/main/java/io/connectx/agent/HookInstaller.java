package io.connectx.agent;

import io.connectx.agent.weaving.HookPoint;
import io.connectx.agent.weaving.SocketInstrumentation;
import io.connectx.bootstrap.SocketHookBridge;
import io.connectx.bootstrap.SocketHooks;
import io.connectx.provider.FastOpenSockets;
import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.Map;

/**
 * Fills the bridge's slot with the agent's {@link EngineHooks} and weaves the hooks. Kept apart from
 * {@link AgentStarter} so that no bridge type is resolved, even by the verifier, before the bridge is in the
 * bootstrap loader.
 */
final class HookInstaller {
    /** The bridge's seal, from the first install in this JVM: the one way to change its hooks after that. */
    private static SocketHookBridge.Seal seal;

    private HookInstaller() {
    }

    /** Weaves the socket hooks and {@code otherPoints} in one retransformation, all of them or none. */
    static synchronized void install(Instrumentation inst, FastOpenSockets sockets, LibcBinding libc,
            Map<String, List<HookPoint>> otherPoints) throws Exception {
        if (SocketHooks.class.getClassLoader() != null) {
            throw new IllegalStateException("the bridge was loaded by " + SocketHooks.class.getClassLoader()
                    + " instead of the bootstrap loader");
        }
        fill(new EngineHooks(sockets, libc));
        try {
            SocketInstrumentation.install(inst, otherPoints);
            sockets.activate();
        } catch (Exception | LinkageError e) {
            fill(null);
            throw e;
        }
    }

    private static void fill(SocketHooks hooks) {
        if (seal == null) {
            seal = SocketHookBridge.install(hooks);
            if (seal == null) {
                throw new IllegalStateException("the hook slot was sealed by someone else");
            }
        } else {
            SocketHookBridge.replace(seal, hooks);
        }
    }
}
