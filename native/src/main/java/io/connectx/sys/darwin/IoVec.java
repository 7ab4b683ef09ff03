package io.connectx.sys.darwin;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/** {@code struct iovec} (bsd/sys/_types/_iovec_t.h): {@code void *iov_base; size_t iov_len;}, 16 bytes under LP64. */
@Structure.FieldOrder({"iov_base", "iov_len"})
public final class IoVec extends Structure {
    public Pointer iov_base;
    /** size_t: 8 bytes under LP64. */
    public long iov_len;
    /** The array's other elements, holding their buffers' memory alive as long as the first element is. */
    private IoVec[] array;

    public IoVec() {
        super(ALIGN_GNUC);
    }

    /** An array of iovecs holding copies of the buffers' remaining bytes (their positions untouched); null for none. */
    public static IoVec of(java.nio.ByteBuffer... buffers) {
        if (buffers == null || buffers.length == 0) {
            return null;
        }
        IoVec[] vectors = (IoVec[]) new IoVec().toArray(buffers.length);
        for (int i = 0; i < buffers.length; i++) {
            java.nio.ByteBuffer b = buffers[i].duplicate();
            int n = b.remaining();
            com.sun.jna.Memory m = new com.sun.jna.Memory(Math.max(1, n));
            byte[] bytes = new byte[n];
            b.get(bytes);
            m.write(0, bytes, 0, n);
            vectors[i].iov_base = m;
            vectors[i].iov_len = n;
            vectors[i].write();
        }
        vectors[0].array = vectors;
        return vectors[0];
    }

    int offsetOf(String field) {
        return fieldOffset(field);
    }
}
