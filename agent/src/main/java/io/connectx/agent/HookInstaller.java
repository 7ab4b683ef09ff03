package io.connectx.agent;

import io.connectx.bootstrap.SocketHookBridge;
import io.connectx.bootstrap.SocketHooks;
import io.connectx.provider.DeferredHandshakes;
import io.connectx.provider.DeferredHandshakes.ParkUntilWritable;
import io.connectx.provider.FastOpenSockets;
import io.connectx.sys.FileDescriptors;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Connects the bridge to the agent's logic and weaves the hooks. Kept apart from {@link AgentStarter}
 * so that no bridge type is resolved, even by the verifier, before the bridge is in the bootstrap loader.
 */
final class HookInstaller {
    /** The bridge's seal, from the first install in this JVM: the one way to change its hooks after that. */
    private static SocketHookBridge.Seal seal;

    /**
     * How a Netty event loop waits for a handshake it must see done (a shutdownOutput before the first write): it
     * has no JDK socket to park through, so it sleeps in slices, each bounded by the engine's deadline.
     */
    private static final long NETTY_PARK_SLICE_NANOS = 1_000_000;
    private static final ParkUntilWritable NETTY_PARK = nanos -> LockSupport.parkNanos(Math.min(nanos, NETTY_PARK_SLICE_NANOS));

    private HookInstaller() {
    }

    /** Weaves the socket hooks and {@code otherPoints} in one retransformation, all of them or none. */
    static synchronized void install(Instrumentation inst, FastOpenSockets sockets, LibcBinding libc,
            Map<String, List<HookPoint>> otherPoints) throws Exception {
        if (SocketHooks.class.getClassLoader() != null) {
            throw new IllegalStateException("the bridge was loaded by " + SocketHooks.class.getClassLoader()
                    + " instead of the bootstrap loader");
        }
        fill(new Hooks(sockets, sockets.handshakes(), libc, new NettyDescriptors()));
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

    /**
     * The agent's side of the bridge: forwards each hook to the engine. Faults go through to the bridge,
     * which counts and logs them and lets the I/O proceed as without connectx. The hooks that make native
     * calls on a socket the agent does not track yet (connect, listen, accept) first wait for
     * {@link LibcBinding}; the others act only on sockets that connect set up, after the binding.
     */
    private record Hooks(FastOpenSockets sockets, DeferredHandshakes handshakes, LibcBinding libc, NettyDescriptors netty)
            implements SocketHooks {
        @Override
        public void tcpConnect() {
            sockets.countTcpConnect();
        }

        @Override
        public Object beforeConnect(FileDescriptor fd, InetAddress remote, int port) throws IOException {
            return libc.await() ? sockets.beforeConnect(fd, remote, port) : Boolean.FALSE;
        }

        @Override
        public int afterConnect(FileDescriptor fd, InetAddress remote, int port, int result) {
            return sockets.afterConnect(fd, remote, port, result);
        }

        @Override
        public void afterTimedConnect(FileDescriptor fd, long timeoutNanos) {
            handshakes.afterTimedConnect(fd, timeoutNanos);
        }

        @Override
        public void beforeRead(Object socket, FileDescriptor fd) throws IOException {
            try {
                handshakes.beforeRead(fd, socket);
            } catch (SocketTimeoutException e) {
                throw asNettyWouldSay(fd, e);
            }
        }

        @Override
        public Throwable afterRead(FileDescriptor fd, long n, Throwable thrown) {
            return asNettyWouldSay(fd, thrown, handshakes.afterRead(fd, n, thrown));
        }

        /**
         * A deferred handshake that Netty's CONNECT_TIMEOUT_MILLIS ended fails as Netty's own connect timeout
         * does: a ConnectException (the superclass of Netty's ConnectTimeoutException) with Netty's words,
         * where the JDK path has the JDK's SocketTimeoutException.
         */
        private Throwable asNettyWouldSay(FileDescriptor fd, Throwable thrown, Throwable mapped) {
            if (mapped == null || mapped == thrown || !netty.owns(fd)) {
                return mapped;
            }
            DeferredHandshakes.TimedOut timedOut = handshakes.timedOut(fd);
            return timedOut == null ? mapped : NettyDescriptors.connectTimedOut(timedOut);
        }

        /** The same for a guard that throws before the I/O: the JDK path's timeout, or Netty's words for it. */
        private IOException asNettyWouldSay(FileDescriptor fd, SocketTimeoutException timedOut) {
            return (IOException) asNettyWouldSay(fd, null, timedOut);
        }

        @Override
        public void beforeWrite(Object socket, FileDescriptor fd, ByteBuffer data) throws IOException {
            try {
                handshakes.beforeWrite(socket, fd, data, writeParker(socket, fd));
            } catch (SocketTimeoutException e) {
                throw asNettyWouldSay(fd, e);
            }
        }

        @Override
        public void beforeWrite(Object socket, FileDescriptor fd, ByteBuffer[] data, int offset, int length)
                throws IOException {
            try {
                handshakes.beforeWrite(socket, fd, data, offset, length, writeParker(socket, fd));
            } catch (SocketTimeoutException e) {
                throw asNettyWouldSay(fd, e);
            }
        }

        @Override
        public void beforeWrite(Object socket, FileDescriptor fd, byte[] data, int offset, int length)
                throws IOException {
            handshakes.beforeWrite(socket, fd, data, offset, length, writeParker(socket, fd));
        }

        /**
         * Made only for a socket still waiting for its handshake: the common write allocates nothing. None for
         * Netty's sockets (no JDK socket): they exist only on Linux, where no write parks.
         */
        private ParkUntilWritable writeParker(Object socket, FileDescriptor fd) {
            return socket != null && handshakes.isTracked(fd) ? JdkPark.of(socket, fd) : null;
        }

        @Override
        public Throwable afterWrite(FileDescriptor fd, Throwable thrown) {
            return asNettyWouldSay(fd, thrown, handshakes.afterWrite(fd, thrown));
        }

        @Override
        public void beforeShutdownOutput(Object socket, FileDescriptor fd) throws IOException {
            try {
                handshakes.beforeShutdownOutput(socket, fd, socket != null ? JdkPark.of(socket, fd) : NETTY_PARK);
            } catch (SocketTimeoutException e) {
                throw asNettyWouldSay(fd, e);
            }
        }

        @Override
        public void beforeOpaqueWrite(FileDescriptor fd) throws IOException {
            try {
                handshakes.beforeOpaqueWrite(fd);
            } catch (SocketTimeoutException e) {
                throw asNettyWouldSay(fd, e);
            }
        }

        @Override
        public void beforeInterest(Object socket, FileDescriptor fd, int ops) {
            handshakes.beforeInterest(fd, ops, socket);
        }

        @Override
        public void closed(FileDescriptor fd) {
            handshakes.closed(fd);
        }

        @Override
        public void afterListen(FileDescriptor fd) {
            if (libc.await()) {
                sockets.afterListen(fd);
            }
        }

        @Override
        public void afterAccept(Object accepted) {
            if (!sockets.checksAccepted() || !libc.await()) {
                return;
            }
            if (accepted instanceof Integer nettyFd) {
                sockets.afterAccept(nettyFd); // a Netty socket's descriptor: no JDK object to record an event for
                return;
            }
            sockets.afterAccept(accepted instanceof Channel channel ? FileDescriptors.of(channel)
                    : FileDescriptors.ofSocketImpl(accepted), accepted);
        }

        @Override
        public FileDescriptor nettyDescriptor(int fdVal, boolean connecting) {
            if (connecting && !(libc.await() && sockets.isStream(fdVal))) {
                return null; // a Netty datagram socket connects through the same Socket.connect: UDP is never touched
            }
            return netty.descriptor(fdVal, connecting);
        }

        @Override
        public void nettyForget(int fdVal) {
            netty.forget(fdVal);
        }

        @Override
        public ByteBuffer nativeBytes(long address, int length) {
            return libc.await() ? NettyDescriptors.bytes(address, length) : null;
        }

        @Override
        public ByteBuffer[] nativeIovecs(long address, int count) {
            return libc.await() ? NettyDescriptors.iovecs(address, count) : null;
        }

        @Override
        public void fault(String hook, Throwable fault) {
            sockets.hookFault(hook, fault);
        }
    }
}
