package io.connectx.agent;

import io.connectx.bootstrap.SocketHookBridge;
import io.connectx.bootstrap.SocketHooks;
import io.connectx.provider.FastOpenSockets;
import java.io.FileDescriptor;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;

/**
 * Connects the bridge to the agent's logic and weaves the advice. Kept apart from {@link AgentStarter}
 * so that no bridge type is resolved, even by the verifier, before the bridge is on the bootstrap path.
 */
final class HookInstaller {
    private HookInstaller() {
    }

    static void install(Instrumentation inst, FastOpenSockets sockets) throws ReflectiveOperationException {
        if (SocketHooks.class.getClassLoader() != null) {
            throw new IllegalStateException("the bridge was loaded by " + SocketHooks.class.getClassLoader()
                    + " instead of the bootstrap loader");
        }
        SocketHookBridge.install(new Hooks(sockets));
        try {
            SocketInstrumentation.install(inst);
        } catch (ReflectiveOperationException | RuntimeException e) {
            SocketHookBridge.install(null);
            throw e;
        }
    }

    private record Hooks(FastOpenSockets sockets) implements SocketHooks {
        @Override
        public void beforeConnect(FileDescriptor fd, InetAddress remote, int port) {
            sockets.beforeConnect(fd, remote, port);
        }

        @Override
        public void afterListen(FileDescriptor fd) {
            sockets.afterListen(fd);
        }
    }
}
