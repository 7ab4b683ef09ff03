package io.connectx.sys.darwin;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * {@code sa_endpoints_t} (bsd/sys/socket.h):
 * <pre>
 * typedef struct sa_endpoints {
 *     unsigned int          sae_srcif;       // optional source interface
 *     const struct sockaddr *sae_srcaddr;    // optional source address
 *     socklen_t             sae_srcaddrlen;  // size of source address
 *     const struct sockaddr *sae_dstaddr;    // destination address
 *     socklen_t             sae_dstaddrlen;  // size of destination address
 * } sa_endpoints_t;
 * </pre>
 * Under Darwin's LP64 layout (natural alignment, 8-byte pointers; the same rules as the GNU ABI JNA
 * applies on 64-bit Linux, which is what lets the layout be tested here) the offsets are 0, 8, 16, 24, 32
 * and the size 40.
 */
@Structure.FieldOrder({"sae_srcif", "sae_srcaddr", "sae_srcaddrlen", "sae_dstaddr", "sae_dstaddrlen"})
public final class SaEndpoints extends Structure {
    public int sae_srcif;
    public Pointer sae_srcaddr;
    public int sae_srcaddrlen;
    public Pointer sae_dstaddr;
    public int sae_dstaddrlen;

    public SaEndpoints() {
        super(ALIGN_GNUC);
    }

    /** Endpoints with the given sockaddr bytes ({@link DarwinSockaddr#encode}); {@code src} may be null. */
    public static SaEndpoints of(int srcif, byte[] src, byte[] dst) {
        SaEndpoints e = new SaEndpoints();
        e.sae_srcif = srcif;
        if (src != null) {
            e.sae_srcaddr = copy(src);
            e.sae_srcaddrlen = src.length;
        }
        e.sae_dstaddr = copy(dst);
        e.sae_dstaddrlen = dst.length;
        e.write();
        return e;
    }

    private static Memory copy(byte[] bytes) {
        Memory m = new Memory(bytes.length);
        m.write(0, bytes, 0, bytes.length);
        return m;
    }

    /** The offset JNA computed for a field: what the layout test checks. */
    int offsetOf(String field) {
        return fieldOffset(field);
    }
}
