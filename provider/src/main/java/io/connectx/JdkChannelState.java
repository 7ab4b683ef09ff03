package io.connectx;

import io.connectx.sys.FileDescriptors;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * Tells a JDK {@link SocketChannel} what connectx(2) did to its socket. Where connectx itself connects (the
 * Darwin path), the JDK's connect must not run as well (it would fail with EISCONN), so the channel is left
 * as its own connect leaves it: {@code sun.nio.ch.SocketChannelImpl}'s {@code localAddress},
 * {@code remoteAddress} and {@code state} (ST_CONNECTIONPENDING 1, ST_CONNECTED 2), set under its
 * {@code stateLock}, as its constructor for accepted sockets sets them (checked in the sources of JDK 17 and
 * 25). Needs {@code sun.nio.ch} open to this module, as {@link FileDescriptors} does.
 */
final class JdkChannelState {
    private static final int ST_CONNECTIONPENDING = 1;
    private static final int ST_CONNECTED = 2;

    private JdkChannelState() {
    }

    /** The channel is connected to {@code remote}; or, {@code pending}, its connect is in progress (finishConnect ends it). */
    static void connectedBy(SocketChannel channel, InetSocketAddress remote, boolean pending) throws IOException {
        try {
            Class<?> impl = Class.forName("sun.nio.ch.SocketChannelImpl");
            if (!impl.isInstance(channel)) {
                throw ConnectxErrno.EOPNOTSUPP.exception("not the JDK's own SocketChannel: " + channel.getClass().getName());
            }
            Object lock = field(impl, "stateLock").get(channel);
            FileDescriptor fd = FileDescriptors.descriptorOf(channel);
            Method localAddress = Class.forName("sun.nio.ch.Net").getDeclaredMethod("localAddress", FileDescriptor.class);
            localAddress.setAccessible(true);
            synchronized (lock) {
                field(impl, "localAddress").set(channel, localAddress.invoke(null, fd));
                field(impl, "remoteAddress").set(channel, remote);
                field(impl, "state").setInt(channel, pending ? ST_CONNECTIONPENDING : ST_CONNECTED);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw ConnectxErrno.EOPNOTSUPP.exception("cannot record connectx's connect in the JDK's channel"
                    + " (--add-opens java.base/sun.nio.ch=ALL-UNNAMED): " + e, e);
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }
}
