package io.connectx.sys;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Channel;

/**
 * The int behind a JDK socket. The JDK keeps it private, so this needs {@code java.io} (and, for
 * sockets and channels, {@code java.net} and {@code sun.nio.ch}) opened to this module: the agent does
 * that with {@code Instrumentation.redefineModule}, tests with {@code --add-opens}.
 */
public final class FileDescriptors {
    private static final VarHandle FD = fdHandle();

    private FileDescriptors() {
    }

    private static VarHandle fdHandle() {
        try {
            return MethodHandles.privateLookupIn(FileDescriptor.class, MethodHandles.lookup())
                    .findVarHandle(FileDescriptor.class, "fd", int.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** True when {@code java.io} was open to this module when the class initialised. */
    public static boolean isAccessible() {
        return FD != null;
    }

    public static int fdVal(FileDescriptor fd) {
        if (FD == null) {
            throw new IllegalStateException("java.io is not open to " + FileDescriptors.class.getModule());
        }
        return (int) FD.get(fd);
    }

    /**
     * A FileDescriptor holding {@code fdVal}, to pass to a JDK native that takes one. It owns nothing: no
     * cleaner is registered for it, so dropping it never closes the fd.
     */
    public static FileDescriptor wrap(int fdVal) {
        if (FD == null) {
            throw new IllegalStateException("java.io is not open to " + FileDescriptors.class.getModule());
        }
        FileDescriptor fd = new FileDescriptor();
        FD.set(fd, fdVal);
        return fd;
    }

    /** The fd of a JDK socket channel or server socket channel ({@code sun.nio.ch} must be open). */
    public static int of(Channel channel) {
        return fdVal(descriptorOf(channel));
    }

    /** The FileDescriptor object of a JDK socket, server socket or datagram channel. */
    public static FileDescriptor descriptorOf(Channel channel) {
        return (FileDescriptor) field(channel, "fd");
    }

    /** The fd of a connected or bound {@link Socket} ({@code java.net} must be open). */
    public static int of(Socket socket) {
        return ofImpl(field(socket, "impl"));
    }

    /** The fd of a JDK {@link java.net.SocketImpl}, such as the one an accept filled in. */
    public static int ofSocketImpl(Object impl) {
        return ofImpl(impl);
    }

    public static int of(ServerSocket socket) {
        return ofImpl(field(socket, "impl"));
    }

    private static int ofImpl(Object impl) {
        // java.net.DelegatingSocketImpl (SocksSocketImpl, for one) wraps the platform NioSocketImpl.
        for (int depth = 0; depth < 4 && hasField(impl, "delegate"); depth++) {
            impl = field(impl, "delegate");
        }
        return fdVal((FileDescriptor) field(impl, "fd"));
    }

    private static boolean hasField(Object target, String name) {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getName().equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Object field(Object target, String name) {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(target);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("cannot read " + c.getName() + "." + name + ": " + e, e);
            }
        }
        throw new IllegalStateException(target.getClass().getName() + " has no field " + name);
    }
}
