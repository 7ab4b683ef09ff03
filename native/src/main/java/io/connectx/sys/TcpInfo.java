package io.connectx.sys;

/**
 * The part of Linux {@code struct tcp_info} (include/uapi/linux/tcp.h) that proves TCP Fast Open:
 * {@code tcpi_options} is the byte at offset 5, and {@code TCPI_OPT_SYN_DATA} (0x20) is set on the
 * client when the server acknowledged data sent in the SYN, and on the accepted socket when the SYN
 * carried data.
 */
public record TcpInfo(int state, int options) {
    public static final int TCPI_OPT_SYN_DATA = 0x20;
    private static final int OFFSET_STATE = 0;
    private static final int OFFSET_OPTIONS = 5;
    /**
     * {@code __u64 tcpi_bytes_acked} (Linux 4.2, RFC 4898 tcpEStatsAppHCThruOctetsAcked): after eight bytes
     * of u8 fields, 24 u32 fields and two u64 pacing rates. It counts the SYN, whose sequence number the
     * SYN-ACK acknowledges: measured here, 1 once a plain handshake completed, 0 after a refused SYN.
     */
    private static final int OFFSET_BYTES_ACKED = 120;

    /** Still in SYN_SENT: the handshake is deferred or under way. */
    public boolean handshakePending() {
        return state == LinuxSocketOptions.TCP_SYN_SENT;
    }

    public boolean synData() {
        return (options & TCPI_OPT_SYN_DATA) != 0;
    }

    /**
     * Reads TCP_INFO of a TCP socket: its first 8 bytes only, all this needs. The kernel copies
     * min(len, sizeof(struct tcp_info)) (net/ipv4/tcp.c, do_tcp_getsockopt), so a short buffer is legal.
     */
    public static TcpInfo of(int fd) {
        byte[] buf = new byte[8];
        int[] len = {buf.length};
        LinuxSockets.getsockopt(fd, LinuxSocketOptions.IPPROTO_TCP, LinuxSocketOptions.TCP_INFO, buf, len);
        return parse(buf, len[0]);
    }

    /**
     * True when the peer never acknowledged the SYN: the handshake did not complete, however the socket
     * ended (refused, unreachable, timed out). False once it did, whatever failed after.
     */
    public static boolean synNeverAcked(int fd) {
        byte[] buf = new byte[OFFSET_BYTES_ACKED + Long.BYTES];
        int[] len = {buf.length};
        LinuxSockets.getsockopt(fd, LinuxSocketOptions.IPPROTO_TCP, LinuxSocketOptions.TCP_INFO, buf, len);
        return synNeverAcked(buf, len[0]);
    }

    static boolean synNeverAcked(byte[] buf, int len) {
        if (len < OFFSET_BYTES_ACKED + Long.BYTES) {
            throw new IllegalArgumentException("tcp_info without tcpi_bytes_acked: " + len + " bytes");
        }
        for (int i = OFFSET_BYTES_ACKED; i < OFFSET_BYTES_ACKED + Long.BYTES; i++) {
            if (buf[i] != 0) {
                return false;
            }
        }
        return true;
    }

    static TcpInfo parse(byte[] buf, int len) {
        if (len <= OFFSET_OPTIONS) {
            throw new IllegalArgumentException("tcp_info too short: " + len + " bytes");
        }
        return new TcpInfo(buf[OFFSET_STATE] & 0xff, buf[OFFSET_OPTIONS] & 0xff);
    }
}
