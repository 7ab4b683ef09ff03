package io.connectx.sys.darwin;

/**
 * The part of Darwin's {@code struct tcp_connection_info} (bsd/netinet/tcp.h, TCP_CONNECTION_INFO) that
 * proves Fast Open and tells whether a handshake ever completed: {@code u_int8_t tcpi_state} at offset 0,
 * {@code u_int32_t tcpi_options} at 4, then eleven u_int32_t fields of which {@code tcpi_rttcur} (most
 * recent RTT in ms) is at 40, and the TFO bitfield word at offset 52, whose bits (allocated from the least
 * significant, as clang does) are cookie_req 0, cookie_rcv 1, syn_loss 2, syn_data_sent 3, syn_data_acked
 * 4, ..., send_blackhole 12. Filled by tcp_connection_fill_info (bsd/netinet/tcp_usrreq.c).
 */
public record TcpConnectionInfo(int state, int options, int rttCur, int tfoBits) {
    public static final int OFFSET_OPTIONS = 4;
    public static final int OFFSET_RTTCUR = 40;
    public static final int OFFSET_TFO_BITS = 52;
    /** bsd/netinet/tcp.h: TCPCI_OPT_TIMESTAMPS, TCPCI_OPT_WSCALE. */
    public static final int TCPCI_OPT_TIMESTAMPS = 0x1;
    public static final int TCPCI_OPT_WSCALE = 0x4;
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

    /**
     * True when nothing shows that the peer ever answered the SYN. xnu keeps no count of acknowledged bytes
     * here (Linux's tcpi_bytes_acked), so two fields that only the peer's SYN-ACK can set stand in for it;
     * both survive tcp_close (bsd/netinet/tcp_subr.c leaves the tcpcb attached to the socket until it is
     * closed), so they still answer after a refusal or a timeout:
     * <ul>
     * <li>{@code tcpi_rttcur}: 0 (bzeroed by tcp_newtcpcb) until tcp_xmit_timer takes the first RTT sample,
     * which the ACK of the SYN gives (tcp_input: SYN_SENT with an acceptable SYN-ACK goes to process_ACK,
     * whose tcp_compute_rtt calls tcp_xmit_timer), and never 0 after ("make adjustment for sub ms RTT":
     * a sample of 0 is stored as 1). A RST in SYN_SENT drops the connection before any sample (tcp_drop).</li>
     * <li>{@code TCPCI_OPT_TIMESTAMPS}, {@code TCPCI_OPT_WSCALE}: TSTMP_SUPPORTED and
     * TCP_WINDOW_SCALE_ENABLED need TF_RCVD_TSTMP or TF_RCVD_SCALE, which tcp_finalize_options sets only from
     * the peer's SYN in SYN_SENT.</li>
     * </ul>
     * So a handshake that completed reads as never connected only if it took no RTT sample at all (a
     * retransmitted SYN without timestamps, or AWDL's skipped first sample) and the peer offered neither
     * timestamps nor window scaling. Not {@code tcpi_snd_wnd}: tcp_connect_complete sets it to the MSS
     * before a resumable connect's SYN is even sent.
     */
    public boolean handshakeNeverCompleted() {
        return rttCur == 0 && (options & (TCPCI_OPT_TIMESTAMPS | TCPCI_OPT_WSCALE)) == 0;
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
        return new TcpConnectionInfo(buf[0] & 0xff, u32(buf, OFFSET_OPTIONS), u32(buf, OFFSET_RTTCUR),
                u32(buf, OFFSET_TFO_BITS));
    }

    /** x86-64 and arm64 Macs are little-endian. */
    private static int u32(byte[] buf, int o) {
        return (buf[o] & 0xff) | (buf[o + 1] & 0xff) << 8 | (buf[o + 2] & 0xff) << 16 | (buf[o + 3] & 0xff) << 24;
    }
}
