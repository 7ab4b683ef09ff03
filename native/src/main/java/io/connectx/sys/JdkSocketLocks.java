package io.connectx.sys;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code readLock} and {@code writeLock} of the JDK's socket objects, {@code sun.nio.ch.NioSocketImpl}
 * (behind {@code java.net.Socket}) and {@code sun.nio.ch.SocketChannelImpl}. The JDK changes a socket's
 * blocking mode only while holding one of them: NioSocketImpl's {@code configureNonBlocking} (JDK 17, under
 * readLock: timed reads, connect, accept) and {@code configureNonBlockingIfNeeded} (JDK 25, under readLock or
 * writeLock: timed operations and every operation of a virtual thread); SocketChannelImpl's
 * {@code lockedConfigureBlocking} and {@code tryLockedConfigureBlocking} (both JDKs: configureBlocking under
 * both, the socket adaptor's timed read under readLock) and {@code configureSocketNonBlockingIfVirtualThread}
 * (JDK 25, under either); checked in the sources of OpenJDK 17.0.21 and Temurin 25.0.3. Every change to
 * blocking mode is made under readLock except the JDK 25 virtual-thread writes, which only ever make it
 * non-blocking. Resolved with {@link JdkSocketNatives}, all or none.
 */
final class JdkSocketLocks {
    private static final String SOCKET_IMPL = "sun.nio.ch.NioSocketImpl";
    private static final String SOCKET_CHANNEL = "sun.nio.ch.SocketChannelImpl";
    private static Class<?> socketImpl;
    private static Class<?> socketChannel;
    private static VarHandle implRead;
    private static VarHandle implWrite;
    private static VarHandle channelRead;
    private static VarHandle channelWrite;

    private JdkSocketLocks() {
    }

    /** The field names, for {@link JdkSocketNatives#names()}. */
    static final String[] NAMES = {SOCKET_IMPL + ".readLock", SOCKET_IMPL + ".writeLock", SOCKET_CHANNEL + ".readLock",
        SOCKET_CHANNEL + ".writeLock"};

    /** Called once by {@link JdkSocketNatives}' resolution; throws when a field is missing or of another type. */
    static synchronized void resolve() throws ReflectiveOperationException {
        Class<?> impl = Class.forName(SOCKET_IMPL, false, null);
        Class<?> channel = Class.forName(SOCKET_CHANNEL, false, null);
        MethodHandles.Lookup inImpl = MethodHandles.privateLookupIn(impl, MethodHandles.lookup());
        MethodHandles.Lookup inChannel = MethodHandles.privateLookupIn(channel, MethodHandles.lookup());
        implRead = inImpl.findVarHandle(impl, "readLock", ReentrantLock.class);
        implWrite = inImpl.findVarHandle(impl, "writeLock", ReentrantLock.class);
        channelRead = inChannel.findVarHandle(channel, "readLock", ReentrantLock.class);
        channelWrite = inChannel.findVarHandle(channel, "writeLock", ReentrantLock.class);
        socketImpl = impl;
        socketChannel = channel;
    }

    /** The JDK socket's readLock; null for null or any other object (a Netty socket, a foreign channel). */
    static ReentrantLock readLock(Object socket) {
        if (socket == null) {
            return null;
        }
        if (socketImpl.isInstance(socket)) {
            return (ReentrantLock) implRead.get(socket);
        }
        return socketChannel.isInstance(socket) ? (ReentrantLock) channelRead.get(socket) : null;
    }

    /** The JDK socket's writeLock; null as for {@link #readLock}. */
    static ReentrantLock writeLock(Object socket) {
        if (socket == null) {
            return null;
        }
        if (socketImpl.isInstance(socket)) {
            return (ReentrantLock) implWrite.get(socket);
        }
        return socketChannel.isInstance(socket) ? (ReentrantLock) channelWrite.get(socket) : null;
    }
}
