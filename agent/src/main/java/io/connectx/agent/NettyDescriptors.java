package io.connectx.agent;

import com.sun.jna.Pointer;
import io.connectx.provider.DeferredHandshakes;
import java.io.FileDescriptor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Netty's sockets as the engine sees them. The engine keys sockets by JDK {@link FileDescriptor} object; a
 * Netty socket has only its int, so one FileDescriptor (never closed by the JDK: no cleaner is registered
 * for it) stands for it from an admitted connect or a listen until Netty closes it. A number is unique while
 * open and the close hook forgets it first, so a reused number never meets a stale entry.
 */
final class NettyDescriptors {
    /** iovec on LP64 Linux (bits/types/struct_iovec.h): void *iov_base; size_t iov_len. */
    private static final int IOVEC_SIZE = 16;
    private static final VarHandle FD = fdHandle();
    private final ConcurrentHashMap<Integer, FileDescriptor> byNumber = new ConcurrentHashMap<>();

    FileDescriptor descriptor(int fdVal, boolean connecting) {
        if (connecting) {
            FileDescriptor made = new FileDescriptor();
            FD.set(made, fdVal);
            byNumber.put(fdVal, made);
            return made;
        }
        // The common case, no Netty socket known, costs one read of the map's size.
        return byNumber.isEmpty() ? null : byNumber.get(fdVal);
    }

    /** Whether {@code fd} stands for a Netty socket (made here, and not yet forgotten). */
    boolean owns(FileDescriptor fd) {
        return !byNumber.isEmpty() && byNumber.get((int) FD.get(fd)) == fd;
    }

    /** Netty's own words for its connect timeout ({@code AbstractEpollChannel}'s timer, 4.1 and 4.2). */
    static ConnectException connectTimedOut(DeferredHandshakes.TimedOut timedOut) {
        return new ConnectException("connection timed out after "
                + TimeUnit.NANOSECONDS.toMillis(timedOut.timeoutNanos()) + " ms: " + timedOut.destination());
    }

    void forget(int fdVal) {
        FileDescriptor gone = byNumber.remove(fdVal);
        if (gone != null) {
            FD.set(gone, -1); // as the JDK marks a closed one: valid() is false from now on
        }
    }

    static ByteBuffer bytes(long address, int length) {
        return new Pointer(address).getByteBuffer(0, length);
    }

    static ByteBuffer[] iovecs(long address, int count) {
        Pointer iov = new Pointer(address);
        ByteBuffer[] views = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            long base = iov.getLong((long) i * IOVEC_SIZE);
            long length = iov.getLong((long) i * IOVEC_SIZE + 8);
            views[i] = length == 0 ? ByteBuffer.allocate(0) : new Pointer(base).getByteBuffer(0, length);
        }
        return views;
    }

    private static VarHandle fdHandle() {
        try {
            return MethodHandles.privateLookupIn(FileDescriptor.class, MethodHandles.lookup())
                    .findVarHandle(FileDescriptor.class, "fd", int.class);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("java.io is not open to the agent", e);
        }
    }
}
