package io.connectx.sys.darwin;

/**
 * The part of Darwin's {@code struct tcp_connection_info} (bsd/netinet/tcp.h, TCP_CONNECTION_INFO) that
 * proves Fast Open: {@code u_int8_t tcpi_state} at offset 0; after four bytes and twelve u_int32_t
 * fields ({@code tcpi_options} .. {@code tcpi_rttvar}) the TFO bitfield word at offset 52, whose bits
 * (allocated from the least significant, as clang does) are cookie_req 0, cookie_rcv 1, syn_loss 2,
 * syn_data_sent 3, syn_data_acked 4, ..., send_blackhole 12.
 */
public record TcpConnectionInfo(int state, int tfoBits) {
    public static final int OFFSET_TFO_BITS = 52;
    public static final int TFO_SYN_DATA_ACKED = 1 << 4;
    public static final int TFO_SEND_BLACKHOLE = 1 << 12;
    /** Enough for the fields read here; the kernel copies min(len, sizeof). */
    static final int READ_LENGTH = OFFSET_TFO_BITS + 4;

    public boolean handshakePending() {
        return state == DarwinConstants.TCPS_SYN_SENT;
    }

    public boolean synDataAcked() {
        return (tfoBits & TFO_SYN_DATA_ACKED) != 0;
    }

    public static TcpConnectionInfo of(int fd) {
        byte[] buf = new byte[READ_LENGTH];
        int[] len = {buf.length};
        DarwinSockets.getsockopt(fd, DarwinConstants.IPPROTO_TCP, DarwinConstants.TCP_CONNECTION_INFO, buf, len);
        return parse(buf, len[0]);
    }

    static TcpConnectionInfo parse(byte[] buf, int len) {
        if (len < READ_LENGTH) {
            throw new IllegalArgumentException("tcp_connection_info too short: " + len + " bytes");
        }
        int o = OFFSET_TFO_BITS;
        int bits = (buf[o] & 0xff) | (buf[o + 1] & 0xff) << 8 | (buf[o + 2] & 0xff) << 16 | (buf[o + 3] & 0xff) << 24;
        return new TcpConnectionInfo(buf[0] & 0xff, bits);
    }
}
