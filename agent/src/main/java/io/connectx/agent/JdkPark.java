package io.connectx.agent;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Parks a thread until a socket is writable the way the JDK's own socket code parks it: the private
 * {@code NioSocketImpl.park(FileDescriptor, int, long)} and {@code SelChImpl.park(int, long)} (JDK 17 and
 * 25). On a virtual thread they wait on the JDK's poller and release the carrier; on a platform thread
 * they poll. Resolved on first use, never during premain ({@code sun.nio.ch} is opened to the agent first).
 */
final class JdkPark {
    private JdkPark() {
    }

    /** The engine's {@code ParkUntilWritable}: {@code socket} is a NioSocketImpl or a SocketChannelImpl. */
    static void park(Object socket, FileDescriptor fd, long nanos) throws IOException {
        try {
            if (Handles.SOCKET_IMPL.isInstance(socket)) {
                Handles.SOCKET_IMPL_PARK.invoke(socket, fd, (int) Handles.POLLOUT, nanos);
            } else {
                Handles.CHANNEL_PARK.invoke(socket, (int) Handles.POLLOUT, nanos);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static final class Handles {
        static final Class<?> SOCKET_IMPL = load("sun.nio.ch.NioSocketImpl");
        static final MethodHandle SOCKET_IMPL_PARK = find(SOCKET_IMPL,
                MethodType.methodType(void.class, FileDescriptor.class, int.class, long.class));
        static final MethodHandle CHANNEL_PARK = find(load("sun.nio.ch.SocketChannelImpl"),
                MethodType.methodType(void.class, int.class, long.class));
        /** sun.nio.ch.Net.POLLOUT, which the JDK reads from the C library. */
        static final short POLLOUT = pollout();

        private static Class<?> load(String name) {
            try {
                return Class.forName(name, false, null);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }

        private static MethodHandle find(Class<?> owner, MethodType type) {
            try {
                return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).findVirtual(owner, "park", type);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        private static short pollout() {
            try {
                Class<?> net = load("sun.nio.ch.Net");
                return (short) MethodHandles.privateLookupIn(net, MethodHandles.lookup())
                        .findStaticGetter(net, "POLLOUT", short.class).invoke();
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }
}
