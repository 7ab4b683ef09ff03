package io.connectx.sys;

/**
 * Linux socket constants. Values are from the kernel's uapi headers; several are missing from older
 * libc headers, which is why they are spelled out here rather than taken from a system header.
 */
public final class LinuxSocketOptions {
    /** include/uapi/linux/in.h */
    public static final int IPPROTO_TCP = 6;
    /** include/uapi/asm-generic/socket.h */
    public static final int SOL_SOCKET = 1;
    public static final int SO_TYPE = 3;
    public static final int SO_ERROR = 4;
    public static final int SO_BINDTODEVICE = 25;
    /** include/linux/net.h, enum sock_type */
    public static final int SOCK_STREAM = 1;
    /** include/uapi/linux/tcp.h */
    public static final int TCP_INFO = 11;
    /** include/uapi/linux/tcp.h: server side, queue length of pending TFO requests (Linux 3.7). */
    public static final int TCP_FASTOPEN = 23;
    /** include/uapi/linux/tcp.h: client side, defer the SYN to the first write (Linux 4.11). */
    public static final int TCP_FASTOPEN_CONNECT = 30;
    /**
     * include/uapi/linux/tcp.h: a listener's own Fast Open key (Linux 4.20), 16 bytes, or 32 for a primary
     * and a backup (net/ipv4/tcp.c do_tcp_setsockopt, TCP_FASTOPEN_KEY_LENGTH / TCP_FASTOPEN_KEY_BUF_LENGTH).
     */
    public static final int TCP_FASTOPEN_KEY = 33;
    /** include/linux/socket.h */
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    /** include/linux/net.h: shutdown(2)'s how, both directions. */
    public static final int SHUT_RDWR = 2;
    /** include/net/tcp_states.h */
    public static final int TCP_ESTABLISHED = 1;
    public static final int TCP_SYN_SENT = 2;

    private LinuxSocketOptions() {
    }
}
