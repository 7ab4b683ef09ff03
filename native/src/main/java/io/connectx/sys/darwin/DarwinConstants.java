package io.connectx.sys.darwin;

/**
 * Darwin (macOS) constants for connectx(2) and Fast Open. Darwin numbers differ from Linux almost
 * everywhere (AF_INET6 is 30, not 10; SOL_SOCKET is 0xffff), so none of these may be taken from
 * {@link io.connectx.sys.LinuxSocketOptions}; errnos are {@link io.connectx.sys.Errno#darwin()}.
 * Sources, each cited below: xnu {@code bsd/sys/socket.h} (apple-oss-distributions/xnu; darlinghq/darling
 * keeps a copy as {@code platform-include/sys/socket.h}), {@code bsd/netinet/in.h},
 * {@code bsd/netinet/tcp.h} and {@code bsd/netinet/tcp_fsm.h}.
 */
public final class DarwinConstants {
    /** bsd/sys/socket.h, "connectx() flag parameters": resume connect() on read/write. */
    public static final int CONNECT_RESUME_ON_READ_WRITE = 0x1;
    /** bsd/sys/socket.h: data is idempotent (TCP Fast Open on a SOCK_STREAM socket). */
    public static final int CONNECT_DATA_IDEMPOTENT = 0x2;
    /** bsd/sys/socket.h: data includes security that replaces the TFO cookie. */
    public static final int CONNECT_DATA_AUTHENTICATED = 0x4;
    /** bsd/sys/socket.h: {@code typedef __uint32_t sae_associd_t; #define SAE_ASSOCID_ANY 0}. */
    public static final int SAE_ASSOCID_ANY = 0;
    /** bsd/sys/socket.h: {@code typedef __uint32_t sae_connid_t; #define SAE_CONNID_ANY 0}. */
    public static final int SAE_CONNID_ANY = 0;

    /** bsd/sys/socket.h (darling platform-include/sys/socket.h): address families. */
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 30;
    /** bsd/sys/socket.h: socket types and the socket level. */
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOL_SOCKET = 0xffff;
    public static final int SO_SNDTIMEO = 0x1005;
    public static final int SO_ERROR = 0x1007;
    public static final int SO_TYPE = 0x1008;
    /** bsd/sys/socket.h: {@code #define MSG_PEEK 0x2}. */
    public static final int MSG_PEEK = 0x2;
    /** bsd/sys/socket.h: {@code #define MSG_DONTWAIT 0x80}. */
    public static final int MSG_DONTWAIT = 0x80;

    /** bsd/netinet/in.h. */
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_IPV6 = 41;
    /** bsd/netinet/in.h: force the outgoing interface of an IPv4 socket (an interface index). */
    public static final int IP_BOUND_IF = 25;
    /** bsd/netinet6/in6.h: the same for IPv6. */
    public static final int IPV6_BOUND_IF = 125;
    /** bsd/netinet/tcp.h: server-side Fast Open, set on the listener after listen(2) (client sockets get EINVAL). */
    public static final int TCP_FASTOPEN = 0x105;
    /** bsd/netinet/tcp.h: {@code struct tcp_connection_info}. */
    public static final int TCP_CONNECTION_INFO = 0x106;
    /** bsd/netinet/tcp_fsm.h: TCPS_SYN_SENT. */
    public static final int TCPS_SYN_SENT = 2;

    private DarwinConstants() {
    }
}
