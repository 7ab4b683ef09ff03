/*
 * xnu-model: the calls connectx's Darwin bindings (io.connectx.sys.darwin.DarwinSockets) make, with
 * Darwin's ABI (sockaddr with sa_len and a one-byte family, AF_INET6 30, SOL_SOCKET 0xffff, Darwin's
 * option numbers, MSG_* flags and errno numbers), implemented over Linux. It lets the Darwin path run on
 * Linux, in tests only: `platform=darwin;darwin.library=native/target/xnu-model/libxnu-model.so`.
 *
 * Where a call reaches a rule of xnu's, the model follows xnu and cites the file and function it copies
 * (apple-oss-distributions/xnu, tag xnu-11417.101.15). Linux cannot be made to follow xnu everywhere;
 * each such difference is marked "Linux differs". The JDK's own read(2)/write(2) go straight to Linux and
 * are not modelled here (provider's unit-level xnu kernel model covers those rules).
 *
 * Strictness: a constant this model does not know fails with Darwin's EINVAL, so that a wrong constant in
 * the bindings fails a test instead of passing through to Linux.
 *
 * Built by `mvn package` (native/pom.xml) with gcc alone. Linux's own calls are made through syscall(2),
 * so that the exported names (setsockopt, send, ...) can never resolve back to this library.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---- Darwin constants, each from the xnu header named ---- */

/* bsd/sys/socket.h */
#define D_SOL_SOCKET 0xffff
#define D_SO_SNDTIMEO 0x1005
#define D_SO_ERROR 0x1007
#define D_SO_TYPE 0x1008
#define D_AF_INET 2
#define D_AF_INET6 30
#define D_CONNECT_RESUME_ON_READ_WRITE 0x1
#define D_CONNECT_DATA_IDEMPOTENT 0x2
#define D_CONNECT_DATA_AUTHENTICATED 0x4
#define D_SAE_ASSOCID_ANY 0u
#define D_SAE_ASSOCID_ALL 0xffffffffu
#define D_MSG_OOB 0x1
#define D_MSG_PEEK 0x2
#define D_MSG_DONTROUTE 0x4
#define D_MSG_EOR 0x8
#define D_MSG_WAITALL 0x40
#define D_MSG_DONTWAIT 0x80
#define D_MSG_NOSIGNAL 0x80000
/* bsd/sys/uio.h */
#define D_UIO_MAXIOV 1024
/* bsd/netinet/in.h, bsd/netinet6/in6.h */
#define D_IPPROTO_IP 0
#define D_IPPROTO_TCP 6
#define D_IPPROTO_IPV6 41
#define D_IP_BOUND_IF 25
#define D_IPV6_BOUND_IF 125
/* bsd/netinet/tcp.h */
#define D_TCP_NODELAY 0x01
#define D_TCP_FASTOPEN 0x105
#define D_TCP_CONNECTION_INFO 0x106
/* bsd/netinet/tcp_fsm.h */
#define D_TCPS_CLOSED 0
#define D_TCPS_LISTEN 1
#define D_TCPS_SYN_SENT 2
#define D_TCPS_SYN_RECEIVED 3
#define D_TCPS_ESTABLISHED 4
#define D_TCPS_CLOSE_WAIT 5
#define D_TCPS_FIN_WAIT_1 6
#define D_TCPS_CLOSING 7
#define D_TCPS_LAST_ACK 8
#define D_TCPS_FIN_WAIT_2 9
#define D_TCPS_TIME_WAIT 10
/* bsd/sys/poll.h: POLLIN..POLLNVAL share Linux's values; POLLWRNORM is POLLOUT, POLLWRBAND 0x100 */
#define D_POLLWRBAND 0x100
/* bsd/sys/errno.h */
#define D_EINVAL 22
#define D_EAGAIN 35
#define D_EINPROGRESS 36
#define D_EALREADY 37
#define D_EOPNOTSUPP 102
#define D_EISCONN 56
#define D_ENOTCONN 57
#define D_ENAMETOOLONG 63
#define D_EAFNOSUPPORT 47

/* Linux's TCP_INFO state numbers (include/net/tcp_states.h). */
enum { L_ESTABLISHED = 1, L_SYN_SENT, L_SYN_RECV, L_FIN_WAIT1, L_FIN_WAIT2, L_TIME_WAIT, L_CLOSE, L_CLOSE_WAIT,
       L_LAST_ACK, L_LISTEN, L_CLOSING };

/* ---- errno: Linux's number to Darwin's (bsd/sys/errno.h); 1..34 agree except EAGAIN and EDEADLK ---- */

static int darwin_errno(int linux_errno) {
    switch (linux_errno) {
    case EAGAIN: return 35;
    case EDEADLK: return 11;
    case ENAMETOOLONG: return 63;
    case ELOOP: return 62;
    case ENOSYS: return 78;
    case ENOTSOCK: return 38;
    case EDESTADDRREQ: return 39;
    case EMSGSIZE: return 40;
    case EPROTOTYPE: return 41;
    case ENOPROTOOPT: return 42;
    case EPROTONOSUPPORT: return 43;
    case ESOCKTNOSUPPORT: return 44;
    case EOPNOTSUPP: return 102;
    case EPFNOSUPPORT: return 46;
    case EAFNOSUPPORT: return 47;
    case EADDRINUSE: return 48;
    case EADDRNOTAVAIL: return 49;
    case ENETDOWN: return 50;
    case ENETUNREACH: return 51;
    case ENETRESET: return 52;
    case ECONNABORTED: return 53;
    case ECONNRESET: return 54;
    case ENOBUFS: return 55;
    case EISCONN: return 56;
    case ENOTCONN: return 57;
    case ESHUTDOWN: return 58;
    case ETOOMANYREFS: return 59;
    case ETIMEDOUT: return 60;
    case ECONNREFUSED: return 61;
    case EHOSTDOWN: return 64;
    case EHOSTUNREACH: return 65;
    case EALREADY: return 37;
    case EINPROGRESS: return 36;
    case EOVERFLOW: return 84;
    case ECANCELED: return 89;
    case EPROTO: return 100;
    default:
        return linux_errno >= 1 && linux_errno <= 34 ? linux_errno : 5; /* anything else: EIO */
    }
}

/**
 * Succeeds with {@code v}, errno cleared: JNA's direct mapping raises LastErrorException for any errno left
 * set after the call, whatever it returned, and a successful call may follow a failed Linux one (EINPROGRESS).
 */
static long ok(long v) {
    errno = 0;
    return v;
}

/** Fails the call with a Darwin errno. */
static int fail(int darwin) {
    errno = darwin;
    return -1;
}

/** Fails the call with the Darwin errno for Linux's current errno. */
static int fail_linux(void) {
    return fail(darwin_errno(errno));
}

/* ---- Linux's own calls, by system call number ---- */

static long l_setsockopt(int fd, int level, int name, const void *v, socklen_t len) {
    return syscall(SYS_setsockopt, fd, level, name, v, len);
}
static long l_getsockopt(int fd, int level, int name, void *v, socklen_t *len) {
    return syscall(SYS_getsockopt, fd, level, name, v, len);
}
static long l_connect(int fd, const struct sockaddr *sa, socklen_t len) {
    return syscall(SYS_connect, fd, sa, len);
}
static long l_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *sa, socklen_t salen) {
    return syscall(SYS_sendto, fd, buf, len, flags, sa, salen);
}

/* ---- per-socket model state: xnu's SOF1_PRECONNECT_DATA (bsd/sys/socketvar.h) ---- */

#define MODEL_FDS 65536
/* The socket's inode tags the entry, so that a closed and reused fd number never inherits it. */
static unsigned long preconnect_ino[MODEL_FDS];
static pthread_mutex_t model_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned long socket_ino(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

static void set_preconnect(int fd, int on) {
    if (fd < 0 || fd >= MODEL_FDS) {
        return;
    }
    pthread_mutex_lock(&model_lock);
    preconnect_ino[fd] = on ? socket_ino(fd) : 0;
    pthread_mutex_unlock(&model_lock);
}

/** Tests and clears SOF1_PRECONNECT_DATA, as soclearfastopen (bsd/kern/uipc_socket2.c) clears it. */
static int take_preconnect(int fd) {
    if (fd < 0 || fd >= MODEL_FDS) {
        return 0;
    }
    pthread_mutex_lock(&model_lock);
    unsigned long ino = preconnect_ino[fd];
    int set = ino != 0 && ino == socket_ino(fd);
    preconnect_ino[fd] = 0;
    pthread_mutex_unlock(&model_lock);
    return set;
}

static int has_preconnect(int fd) {
    if (fd < 0 || fd >= MODEL_FDS) {
        return 0;
    }
    pthread_mutex_lock(&model_lock);
    unsigned long ino = preconnect_ino[fd];
    int set = ino != 0 && ino == socket_ino(fd);
    pthread_mutex_unlock(&model_lock);
    return set;
}

static int linux_tcp_state(int fd) {
    struct tcp_info info;
    socklen_t len = sizeof(info);
    memset(&info, 0, sizeof(info));
    if (l_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) {
        return -1;
    }
    return info.tcpi_state;
}

/* ---- sockaddr: Darwin's (u8 len, u8 family) to Linux's (u16 family) and back ---- */

/**
 * bsd/kern/uipc_syscalls.c getsockaddr_s: a length shorter than sa_data's offset is EINVAL, one longer than
 * sockaddr_storage ENAMETOOLONG; sa_len is forced to the length given. Then the family must be one the
 * model knows, with its full size.
 */
static int to_linux_sockaddr(const unsigned char *d, unsigned int len, struct sockaddr_storage *out, socklen_t *outlen) {
    if (len < 2) {
        return D_EINVAL;
    }
    if (len > sizeof(struct sockaddr_storage)) {
        return D_ENAMETOOLONG;
    }
    memset(out, 0, sizeof(*out));
    if (d[1] == D_AF_INET) {
        if (len < sizeof(struct sockaddr_in)) {
            return D_EINVAL;
        }
        struct sockaddr_in *in = (struct sockaddr_in *)out;
        in->sin_family = AF_INET;
        memcpy(&in->sin_port, d + 2, 2);
        memcpy(&in->sin_addr, d + 4, 4);
        *outlen = sizeof(*in);
        return 0;
    }
    if (d[1] == D_AF_INET6) {
        if (len < sizeof(struct sockaddr_in6)) {
            return D_EINVAL;
        }
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
        in6->sin6_family = AF_INET6;
        memcpy(&in6->sin6_port, d + 2, 2);
        memcpy(&in6->sin6_flowinfo, d + 4, 4);
        memcpy(&in6->sin6_addr, d + 8, 16);
        memcpy(&in6->sin6_scope_id, d + 24, 4);
        *outlen = sizeof(*in6);
        return 0;
    }
    return D_EAFNOSUPPORT;
}

static socklen_t to_darwin_sockaddr(const struct sockaddr_storage *l, unsigned char *d, socklen_t room) {
    unsigned char tmp[28];
    socklen_t n = 0;
    memset(tmp, 0, sizeof(tmp));
    if (l->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)l;
        n = 16;
        tmp[1] = D_AF_INET;
        memcpy(tmp + 2, &in->sin_port, 2);
        memcpy(tmp + 4, &in->sin_addr, 4);
    } else if (l->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)l;
        n = 28;
        tmp[1] = D_AF_INET6;
        memcpy(tmp + 2, &in6->sin6_port, 2);
        memcpy(tmp + 4, &in6->sin6_flowinfo, 4);
        memcpy(tmp + 8, &in6->sin6_addr, 16);
        memcpy(tmp + 24, &in6->sin6_scope_id, 4);
    }
    tmp[0] = (unsigned char)n;
    memcpy(d, tmp, n < room ? n : room);
    return n;
}

/* ---- flags ---- */

/** Darwin MSG_* (bsd/sys/socket.h) to Linux's; -1 for a flag the model does not know. */
static int to_linux_msg_flags(int d) {
    int known = D_MSG_OOB | D_MSG_PEEK | D_MSG_DONTROUTE | D_MSG_EOR | D_MSG_WAITALL | D_MSG_DONTWAIT | D_MSG_NOSIGNAL;
    if (d & ~known) {
        return -1;
    }
    int l = 0;
    if (d & D_MSG_OOB) l |= MSG_OOB;
    if (d & D_MSG_PEEK) l |= MSG_PEEK;
    if (d & D_MSG_DONTROUTE) l |= MSG_DONTROUTE;
    if (d & D_MSG_EOR) l |= MSG_EOR;
    if (d & D_MSG_WAITALL) l |= MSG_WAITALL;
    if (d & D_MSG_DONTWAIT) l |= MSG_DONTWAIT;
    if (d & D_MSG_NOSIGNAL) l |= MSG_NOSIGNAL;
    return l;
}

/* ---- the exported calls ---- */

/** Binds the socket to interface {@code index}: Darwin's IP_BOUND_IF is Linux's SO_BINDTODEVICE by name. */
static int bind_to_interface(int fd, unsigned int index) {
    char name[IF_NAMESIZE];
    if (if_indextoname(index, name) == NULL) {
        return fail(D_EINVAL);
    }
    if (l_setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, (socklen_t)strlen(name)) != 0) {
        return fail_linux();
    }
    return (int)ok(0);
}

/** Waits, as a blocking connectitx's msleep loop does, until the socket is no longer connecting. */
static int wait_connected(int fd) {
    for (;;) {
        struct pollfd p = {fd, POLLOUT, 0};
        long n = syscall(SYS_ppoll, &p, 1, NULL, NULL, (size_t)8);
        if (n < 0 && errno != EINTR) {
            return darwin_errno(errno);
        }
        if (linux_tcp_state(fd) != L_SYN_SENT) {
            int err = 0;
            socklen_t len = sizeof(err);
            l_getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            return err == 0 ? 0 : darwin_errno(err);
        }
    }
}

/**
 * The connect itself, bsd/netinet/tcp_usrreq.c tcp_usr_connectx_common and bsd/kern/uipc_socket.c
 * soconnectxlocked, on Linux. Returns a Darwin errno or 0, and sets *written.
 */
static int connect_over_linux(int fd, unsigned int srcif, const struct sockaddr_storage *src, socklen_t srclen,
        const struct sockaddr_storage *dst, socklen_t dstlen, unsigned int flags, const struct iovec *iov,
        unsigned int iovcnt, long *written) {
    int type = 0;
    socklen_t tlen = sizeof(type);
    if (l_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0) {
        return darwin_errno(errno);
    }
    int state = type == SOCK_STREAM ? linux_tcp_state(fd) : -1;
    int nonblocking = (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0;
    /* bsd/kern/uipc_syscalls.c connectitx: a non-blocking socket that is connecting gets EALREADY. */
    if (nonblocking && state == L_SYN_SENT && !has_preconnect(fd)) {
        return D_EALREADY;
    }
    /* bsd/kern/uipc_socket.c soconnectxlocked: a listening socket is EOPNOTSUPP ... */
    if (state == L_LISTEN) {
        return D_EOPNOTSUPP;
    }
    /* ... and a connection-based socket connects once: connected or connecting is EISCONN. */
    if (type == SOCK_STREAM && state != L_CLOSE && state != -1) {
        return D_EISCONN;
    }
    int data = iov != NULL;
    /*
     * soconnectxlocked: SOF1_PRECONNECT_DATA when CONNECT_RESUME_ON_READ_WRITE is set or data is given;
     * CONNECT_DATA_IDEMPOTENT is kept only with it ("If a user sets data idempotent and does not pass an
     * uio, or sets CONNECT_RESUME_ON_READ_WRITE, this is an error, reset SOF1_DATA_IDEMPOTENT").
     */
    int preconnect = type == SOCK_STREAM && ((flags & D_CONNECT_RESUME_ON_READ_WRITE) || data);
    int idempotent = preconnect && (flags & D_CONNECT_DATA_IDEMPOTENT);
    /* tcp_usr_connectx_common: bind to the interface (inp_bindif), then to the source (sobindlock). */
    if (srcif != 0 && bind_to_interface(fd, srcif) != 0) {
        return errno;
    }
    if (src != NULL && syscall(SYS_bind, fd, (const struct sockaddr *)src, srclen) != 0) {
        return darwin_errno(errno);
    }
    /* tcp_usr_connectx_common: TF_FASTOPEN for idempotent data. Linux: TCP_FASTOPEN_CONNECT. */
    if (idempotent) {
        int one = 1;
        if (l_setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one, sizeof(one)) != 0) {
            return darwin_errno(errno);
        }
    }
    if (preconnect && !data) {
        /*
         * tcp_connect_complete: "TFO delays the tcp_output until later, when the app calls write()": the call
         * returns at once (connectitx returns 0 while SOF1_PRECONNECT_DATA is set). Linux differs: without a
         * cookie its connect sends a SYN now, so the model makes the connect non-blocking to return at once.
         */
        int fl = fcntl(fd, F_GETFL);
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
        long r = l_connect(fd, (const struct sockaddr *)dst, dstlen);
        int err = r == 0 ? 0 : errno;
        fcntl(fd, F_SETFL, fl);
        if (err != 0 && err != EINPROGRESS) {
            return darwin_errno(err);
        }
        set_preconnect(fd, 1);
        return 0;
    }
    if (data) {
        /*
         * tcp_usr_connectx_common: connect, then pru_sosend of the data; *bytes_written is what was queued;
         * EWOULDBLOCK becomes EINPROGRESS. Idempotent data rides in the SYN (Linux: MSG_FASTOPEN).
         */
        struct msghdr msg;
        memset(&msg, 0, sizeof(msg));
        msg.msg_iov = (struct iovec *)iov;
        msg.msg_iovlen = iovcnt;
        long n;
        if (idempotent) {
            msg.msg_name = (void *)dst;
            msg.msg_namelen = dstlen;
            n = syscall(SYS_sendmsg, fd, &msg, MSG_FASTOPEN | MSG_NOSIGNAL);
        } else {
            if (l_connect(fd, (const struct sockaddr *)dst, dstlen) != 0) {
                return darwin_errno(errno); /* Linux differs: a non-blocking connect cannot queue data yet */
            }
            n = syscall(SYS_sendmsg, fd, &msg, MSG_NOSIGNAL);
        }
        if (n < 0) {
            return errno == EAGAIN || errno == EINPROGRESS ? D_EINPROGRESS : darwin_errno(errno);
        }
        *written = n;
    } else if (l_connect(fd, (const struct sockaddr *)dst, dstlen) != 0) {
        return darwin_errno(errno);
    }
    /* connectitx: after the data, a non-blocking socket still connecting is EINPROGRESS; a blocking one waits. */
    if (type == SOCK_STREAM && linux_tcp_state(fd) == L_SYN_SENT) {
        return nonblocking ? D_EINPROGRESS : wait_connected(fd);
    }
    return 0;
}

struct d_sa_endpoints {
    unsigned int sae_srcif;
    const unsigned char *sae_srcaddr;
    unsigned int sae_srcaddrlen;
    const unsigned char *sae_dstaddr;
    unsigned int sae_dstaddrlen;
};

/**
 * connectx(2), in the order of bsd/kern/uipc_syscalls.c connectx_nocancel: endpoints, source, destination,
 * iov checks, connectitx; then *len copied out even when the call failed (connectitx's error keeps
 * precedence over the copy-out's).
 */
int connectx(int fd, const struct d_sa_endpoints *ep, unsigned int associd, unsigned int flags,
        const struct iovec *iov, unsigned int iovcnt, size_t *len, unsigned int *connid) {
    (void)associd; /* reserved (man page): connectitx passes it on, TCP ignores it */
    int type = 0;
    socklen_t tlen = sizeof(type);
    /* file_socket: not a socket (ENOTSOCK) or not open (EBADF). */
    if (l_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0) {
        return fail_linux();
    }
    if (ep == NULL) {
        return fail(D_EINVAL);
    }
    if (flags & ~(D_CONNECT_RESUME_ON_READ_WRITE | D_CONNECT_DATA_IDEMPOTENT | D_CONNECT_DATA_AUTHENTICATED)) {
        return fail(D_EINVAL); /* model strictness: xnu ignores unknown flag bits */
    }
    struct sockaddr_storage src, dst;
    socklen_t srclen = 0, dstlen = 0;
    int error;
    if (ep->sae_srcaddr != NULL && (error = to_linux_sockaddr(ep->sae_srcaddr, ep->sae_srcaddrlen, &src, &srclen)) != 0) {
        return fail(error);
    }
    if (ep->sae_dstaddr == NULL) {
        return fail(D_EINVAL);
    }
    if ((error = to_linux_sockaddr(ep->sae_dstaddr, ep->sae_dstaddrlen, &dst, &dstlen)) != 0) {
        return fail(error);
    }
    if (iov != NULL && (iovcnt == 0 || iovcnt > D_UIO_MAXIOV || len == NULL)) {
        return fail(D_EINVAL); /* "Verify range before calling uio_create()"; len is required with an iov */
    }
    long written = 0;
    error = connect_over_linux(fd, ep->sae_srcif, ep->sae_srcaddr != NULL ? &src : NULL, srclen, &dst, dstlen, flags,
            iov, iov != NULL ? iovcnt : 0, &written);
    if (len != NULL) {
        *len = (size_t)written;
    }
    if (connid != NULL && error == 0) {
        *connid = 1; /* tcp_usr_connectx_common: "there is only one connection in regular TCP" */
    }
    return error == 0 ? (int)ok(0) : fail(error);
}

/**
 * disconnectx(2): bsd/netinet/tcp_usrreq.c tcp_usr_disconnectx: an association id other than ANY or ALL is
 * EINVAL; then tcp_usr_disconnect, whose orderly close is Linux's shutdown(SHUT_RDWR). A datagram socket's
 * association is dissolved (Linux: connect to AF_UNSPEC). In SYN_SENT (a handshake deferred or under way)
 * tcp_disconnect closes the connection at once (tcp_close), which wakes every thread blocked on the socket
 * (soisdisconnected); Linux's shutdown in SYN_SENT does too (inet_shutdown calls tcp_disconnect). Linux
 * differs in what the woken threads see: xnu sets no so_error there, so a read returns end of stream and a
 * write EPIPE; Linux's tcp_disconnect sets ECONNRESET.
 */
int disconnectx(int fd, unsigned int associd, unsigned int connid) {
    (void)connid;
    int type = 0;
    socklen_t tlen = sizeof(type);
    if (l_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0) {
        return fail_linux();
    }
    if (associd != D_SAE_ASSOCID_ANY && associd != D_SAE_ASSOCID_ALL) {
        return fail(D_EINVAL);
    }
    if (type == SOCK_DGRAM) {
        struct sockaddr unspec;
        memset(&unspec, 0, sizeof(unspec));
        unspec.sa_family = AF_UNSPEC;
        return l_connect(fd, &unspec, sizeof(unspec)) == 0 ? (int)ok(0) : fail_linux();
    }
    set_preconnect(fd, 0);
    return syscall(SYS_shutdown, fd, SHUT_RDWR) == 0 ? (int)ok(0) : fail_linux();
}

/** Linux TCP_INFO's state to xnu's TCPS_* (bsd/netinet/tcp_fsm.h). */
static int darwin_state(int l) {
    switch (l) {
    case L_ESTABLISHED: return D_TCPS_ESTABLISHED;
    case L_SYN_SENT: return D_TCPS_SYN_SENT;
    case L_SYN_RECV: return D_TCPS_SYN_RECEIVED;
    case L_FIN_WAIT1: return D_TCPS_FIN_WAIT_1;
    case L_FIN_WAIT2: return D_TCPS_FIN_WAIT_2;
    case L_TIME_WAIT: return D_TCPS_TIME_WAIT;
    case L_CLOSE_WAIT: return D_TCPS_CLOSE_WAIT;
    case L_LAST_ACK: return D_TCPS_LAST_ACK;
    case L_LISTEN: return D_TCPS_LISTEN;
    case L_CLOSING: return D_TCPS_CLOSING;
    default: return D_TCPS_CLOSED;
    }
}

/**
 * TCP_CONNECTION_INFO: struct tcp_connection_info (bsd/netinet/tcp.h), filled as tcp_connection_fill_info
 * (bsd/netinet/tcp_usrreq.c) fills it, from Linux's TCP_INFO. The TFO bits (from bit 0: cookie_req,
 * cookie_rcv, syn_loss, syn_data_sent, syn_data_acked, ...): syn_data_acked from TCPI_OPT_SYN_DATA;
 * Linux's tcpi_fastopen_client_fail gives cookie_req (1: no cookie), syn_data_sent (2: data not acked)
 * and syn_loss (3: SYN retransmitted). Linux has no per-socket record of a cookie received.
 */
static int connection_info(int fd, unsigned char *out, unsigned int *len) {
    struct tcp_info ti;
    socklen_t tlen = sizeof(ti);
    memset(&ti, 0, sizeof(ti));
    if (l_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tlen) != 0) {
        return fail_linux();
    }
    unsigned char ci[112];
    memset(ci, 0, sizeof(ci));
    ci[0] = (unsigned char)darwin_state(ti.tcpi_state);
    ci[1] = ti.tcpi_snd_wscale;
    ci[2] = ti.tcpi_rcv_wscale;
    /*
     * TCPCI_OPT_TIMESTAMPS and TCPCI_OPT_WSCALE (TSTMP_SUPPORTED, TCP_WINDOW_SCALE_ENABLED) need the peer's SYN
     * to have offered them (tcp_finalize_options, bsd/netinet/tcp_input.c), as Linux's TCPI_OPT_TIMESTAMPS and
     * TCPI_OPT_WSCALE do (tcp_parse_options on the SYN-ACK). Linux differs on SACK: xnu reports its own
     * setting until a SYN-ACK without SACK clears it.
     */
    uint32_t options = 0;
    if (ti.tcpi_options & TCPI_OPT_TIMESTAMPS) options |= 0x1;
    if (ti.tcpi_options & TCPI_OPT_SACK) options |= 0x2;
    if (ti.tcpi_options & TCPI_OPT_WSCALE) options |= 0x4;
    if (ti.tcpi_options & TCPI_OPT_ECN) options |= 0x8;
    /*
     * tcpi_rttcur and tcpi_srtt in ms, 0 until the first RTT sample: tcp_newtcpcb (bsd/netinet/tcp_subr.c)
     * bzeroes the tcpcb and only tcp_xmit_timer (bsd/netinet/tcp_input.c) sets them, storing a sample of 0 ms
     * as 1 ("make adjustment for sub ms RTT"). The first sample is the ACK of the SYN, so 0 means the SYN was
     * never answered. Linux's tcpi_rtt (srtt, us) is likewise 0 until its first sample (tcp_ack_update_rtt).
     */
    uint32_t rtt_ms = ti.tcpi_rtt == 0 ? 0 : (ti.tcpi_rtt / 1000 > 0 ? ti.tcpi_rtt / 1000 : 1);
    uint32_t words[12] = {options, 0, ti.tcpi_rto / 1000, ti.tcpi_snd_mss, ti.tcpi_snd_ssthresh,
            ti.tcpi_snd_cwnd * ti.tcpi_snd_mss, 0, 0, ti.tcpi_rcv_space, rtt_ms, rtt_ms, ti.tcpi_rttvar / 1000};
    memcpy(ci + 4, words, sizeof(words));
    uint32_t tfo = 0;
    int acked = (ti.tcpi_options & 0x20) != 0; /* TCPI_OPT_SYN_DATA */
    if (acked) tfo |= (1u << 3) | (1u << 4);
    /* linux/tcp.h: byte 7 holds tcpi_delivery_rate_app_limited:1, tcpi_fastopen_client_fail:2 (Linux 5.5+). */
    int client_fail = (((const unsigned char *)&ti)[7] >> 1) & 0x3;
    switch (client_fail) {
    case 1: tfo |= 1u << 0; break;
    case 2: tfo |= 1u << 3; break;
    case 3: tfo |= 1u << 2; break;
    default: break;
    }
    memcpy(ci + 52, &tfo, 4);
    /* sooptcopyout copies min(len, sizeof) and reports that length. */
    unsigned int n = *len < sizeof(ci) ? *len : (unsigned int)sizeof(ci);
    memcpy(out, ci, n);
    *len = n;
    return (int)ok(0);
}

int setsockopt(int fd, int level, int name, const void *value, unsigned int len) {
    if (level == D_SOL_SOCKET) {
        if (name == D_SO_SNDTIMEO) {
            /* Darwin LP64 struct timeval: long tv_sec, int tv_usec (and padding); Linux: long, long. */
            if (len < 12) {
                return fail(D_EINVAL);
            }
            struct timeval tv;
            memcpy(&tv.tv_sec, value, 8);
            int32_t usec;
            memcpy(&usec, (const char *)value + 8, 4);
            tv.tv_usec = usec;
            return l_setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0 ? (int)ok(0) : fail_linux();
        }
        return fail(D_EINVAL);
    }
    if (level == D_IPPROTO_TCP) {
        if (name == D_TCP_NODELAY) {
            return l_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, value, len) == 0 ? (int)ok(0) : fail_linux();
        }
        if (name == D_TCP_FASTOPEN) {
            /*
             * bsd/netinet/tcp_usrreq.c tcp_ctloutput: TCP_FASTOPEN needs the server bit of the sysctl and a
             * listening socket ("if (tp->t_state != TCPS_LISTEN) error = EINVAL"). Linux takes a queue length.
             */
            if (linux_tcp_state(fd) != L_LISTEN) {
                return fail(D_EINVAL);
            }
            int on = 0;
            memcpy(&on, value, len < sizeof(on) ? len : sizeof(on));
            int qlen = on ? 256 : 0;
            return l_setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen)) == 0 ? (int)ok(0) : fail_linux();
        }
        return fail(D_EINVAL);
    }
    if ((level == D_IPPROTO_IP && name == D_IP_BOUND_IF) || (level == D_IPPROTO_IPV6 && name == D_IPV6_BOUND_IF)) {
        unsigned int index = 0;
        memcpy(&index, value, len < sizeof(index) ? len : sizeof(index));
        return bind_to_interface(fd, index);
    }
    return fail(D_EINVAL);
}

int getsockopt(int fd, int level, int name, void *value, unsigned int *len) {
    if (level == D_SOL_SOCKET && (name == D_SO_TYPE || name == D_SO_ERROR)) {
        int v = 0;
        socklen_t l = sizeof(v);
        if (l_getsockopt(fd, SOL_SOCKET, name == D_SO_TYPE ? SO_TYPE : SO_ERROR, &v, &l) != 0) {
            return fail_linux();
        }
        if (name == D_SO_ERROR && v != 0) {
            v = darwin_errno(v);
        }
        /* SOCK_STREAM 1 and SOCK_DGRAM 2 agree on both (bsd/sys/socket.h). */
        unsigned int n = *len < sizeof(v) ? *len : (unsigned int)sizeof(v);
        memcpy(value, &v, n);
        *len = n;
        return (int)ok(0);
    }
    if (level == D_IPPROTO_TCP && name == D_TCP_CONNECTION_INFO) {
        return connection_info(fd, value, len);
    }
    return fail(D_EINVAL);
}

int getsockname(int fd, __SOCKADDR_ARG sa, socklen_t *len) {
    unsigned char *addr = (unsigned char *)sa.__sockaddr__;
    struct sockaddr_storage ss;
    socklen_t l = sizeof(ss);
    if (syscall(SYS_getsockname, fd, &ss, &l) != 0) {
        return fail_linux();
    }
    *len = to_darwin_sockaddr(&ss, addr, *len);
    return (int)ok(0);
}

/**
 * send(2). bsd/kern/uipc_socket.c sosendcheck: a stream socket that is not connected fails with ENOTCONN
 * unless SOF1_PRECONNECT_DATA is set; the first write of a resumable connect passes and sends the SYN (with
 * its data), and sosend then clears the flag (soclearfastopen), so every later write fails with ENOTCONN
 * until the connection is established.
 */
ssize_t send(int fd, const void *buf, size_t len, int flags) {
    int lflags = to_linux_msg_flags(flags);
    if (lflags < 0) {
        return fail(D_EINVAL);
    }
    int preconnect = take_preconnect(fd);
    if (!preconnect && linux_tcp_state(fd) == L_SYN_SENT) {
        return fail(D_ENOTCONN);
    }
    long n = l_sendto(fd, buf, len, lflags, NULL, 0);
    return n < 0 ? fail_linux() : ok(n);
}

/**
 * recv(2). bsd/kern/uipc_socket.c soreceive: with SOF1_PRECONNECT_DATA set, a read (a peek too) calls
 * pru_preconnect, which is tcp_usr_preconnect (bsd/netinet/tcp_usrreq.c): tcp_output sends the SYN and
 * soclearfastopen clears the flag. Linux: a zero-length send starts a deferred handshake.
 */
ssize_t recv(int fd, void *buf, size_t len, int flags) {
    int lflags = to_linux_msg_flags(flags);
    if (lflags < 0) {
        return fail(D_EINVAL);
    }
    if (take_preconnect(fd)) {
        l_sendto(fd, "", 0, MSG_DONTWAIT | MSG_NOSIGNAL, NULL, 0);
        /*
         * soreceive holds the socket lock from before pru_preconnect to its return, so no segment (a SYN-ACK,
         * a RST) is processed in between: a non-blocking read that started the connect finds nothing and
         * returns EWOULDBLOCK, leaving any error for later. Linux differs: its loopback RST can arrive within
         * the send above, and a peek would then consume the error (sock_error clears sk_err even for
         * MSG_PEEK, where xnu's soreceive keeps so_error).
         */
        if (lflags & MSG_DONTWAIT) {
            return fail(D_EAGAIN);
        }
    }
    long n = syscall(SYS_recvfrom, fd, buf, len, lflags, NULL, NULL);
    return n < 0 ? fail_linux() : ok(n);
}

/** poll(2): struct pollfd and POLLIN..POLLNVAL agree; Darwin's POLLWRBAND (0x100) is Linux's 0x200. */
int poll(struct pollfd *fds, nfds_t nfds, int timeout) {
    short known = POLLIN | POLLPRI | POLLOUT | POLLERR | POLLHUP | POLLNVAL | POLLRDNORM | POLLRDBAND | D_POLLWRBAND;
    for (nfds_t i = 0; i < nfds; i++) {
        if (fds[i].events & ~known) {
            return fail(D_EINVAL);
        }
        if (fds[i].events & D_POLLWRBAND) {
            fds[i].events = (short)((fds[i].events & ~D_POLLWRBAND) | POLLWRBAND);
        }
    }
    struct timespec ts, *tsp = NULL;
    if (timeout >= 0) {
        ts.tv_sec = timeout / 1000;
        ts.tv_nsec = (long)(timeout % 1000) * 1000000L;
        tsp = &ts;
    }
    long n = syscall(SYS_ppoll, fds, nfds, tsp, NULL, (size_t)8);
    if (n < 0) {
        return fail_linux();
    }
    for (nfds_t i = 0; i < nfds; i++) {
        if (fds[i].revents & POLLWRBAND) {
            fds[i].revents = (short)((fds[i].revents & ~POLLWRBAND) | D_POLLWRBAND);
        }
    }
    return (int)ok(n);
}
