package io.connectx.sys.darwin;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/** {@code struct iovec} (bsd/sys/_types/_iovec_t.h): {@code void *iov_base; size_t iov_len;}, 16 bytes under LP64. */
@Structure.FieldOrder({"iov_base", "iov_len"})
public final class IoVec extends Structure {
    public Pointer iov_base;
    /** size_t: 8 bytes under LP64. */
    public long iov_len;

    public IoVec() {
        super(ALIGN_GNUC);
    }

    int offsetOf(String field) {
        return fieldOffset(field);
    }
}
