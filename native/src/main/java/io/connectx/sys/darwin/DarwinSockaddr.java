package io.connectx.sys.darwin;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Darwin's {@code struct sockaddr_in} and {@code struct sockaddr_in6} (bsd/netinet/in.h, bsd/netinet6/in6.h).
 * Unlike Linux, a BSD sockaddr starts with a length byte ({@code sa_len}), and {@code sa_family_t} is one
 * byte, not two:
 * <pre>
 * sockaddr_in  (16): u8 sin_len, u8 sin_family, u16 sin_port (network order), u32 sin_addr, char sin_zero[8]
 * sockaddr_in6 (28): u8 sin6_len, u8 sin6_family, u16 sin6_port, u32 sin6_flowinfo, u8 sin6_addr[16], u32 sin6_scope_id
 * </pre>
 * The scope id is in host order, little-endian on both x86-64 and arm64 Macs.
 */
public final class DarwinSockaddr {
    public static final int SIZEOF_SOCKADDR_IN = 16;
    public static final int SIZEOF_SOCKADDR_IN6 = 28;

    private DarwinSockaddr() {
    }

    /**
     * An IPv4 destination for an AF_INET6 socket (the JDK's sockets are dual-stack IPv6 sockets where it
     * can): {@code ::ffff:a.b.c.d} in a sockaddr_in6, as the JDK's own NET_InetAddressToSockaddr does.
     */
    public static byte[] encodeFor(int socketFamily, InetSocketAddress address) {
        if (socketFamily != DarwinConstants.AF_INET6 || !(address.getAddress() instanceof Inet4Address v4)) {
            return encode(address);
        }
        byte[] sa = new byte[SIZEOF_SOCKADDR_IN6];
        sa[0] = SIZEOF_SOCKADDR_IN6;
        sa[1] = DarwinConstants.AF_INET6;
        sa[2] = (byte) (address.getPort() >>> 8);
        sa[3] = (byte) address.getPort();
        sa[18] = (byte) 0xff;
        sa[19] = (byte) 0xff;
        System.arraycopy(v4.getAddress(), 0, sa, 20, 4);
        return sa;
    }

    /** The bytes of the sockaddr for {@code address}, which must be resolved. */
    public static byte[] encode(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        int port = address.getPort();
        if (ip instanceof Inet4Address) {
            byte[] sa = new byte[SIZEOF_SOCKADDR_IN];
            sa[0] = SIZEOF_SOCKADDR_IN;
            sa[1] = DarwinConstants.AF_INET;
            sa[2] = (byte) (port >>> 8);
            sa[3] = (byte) port;
            System.arraycopy(ip.getAddress(), 0, sa, 4, 4);
            return sa;
        }
        Inet6Address ip6 = (Inet6Address) ip;
        byte[] sa = new byte[SIZEOF_SOCKADDR_IN6];
        sa[0] = SIZEOF_SOCKADDR_IN6;
        sa[1] = DarwinConstants.AF_INET6;
        sa[2] = (byte) (port >>> 8);
        sa[3] = (byte) port;
        // sin6_flowinfo (bytes 4..7) stays 0.
        System.arraycopy(ip6.getAddress(), 0, sa, 8, 16);
        int scope = ip6.getScopeId();
        sa[24] = (byte) scope;
        sa[25] = (byte) (scope >>> 8);
        sa[26] = (byte) (scope >>> 16);
        sa[27] = (byte) (scope >>> 24);
        return sa;
    }
}
