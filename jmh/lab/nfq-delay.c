/*
 * nfq-delay: holds every packet of one NFQUEUE queue for a fixed delay, then accepts it, first in first
 * out. Hooked on raw PREROUTING -i lo in a private network namespace, each packet crosses the hook once,
 * so the round-trip time of loopback becomes twice the delay. Replaces netem, which this kernel lacks.
 *
 * Usage: nfq-delay QUEUE_NUM DELAY_MICROS
 * Prints "ready" on stdout once bound, and on SIGTERM/SIGINT prints "held=N max_in_flight=M overruns=K"
 * then exits. Built by jmh/lab.sh with: gcc -O2 -o nfq-delay nfq-delay.c -lnetfilter_queue
 *
 * Since every packet gets the same delay, arrival order is release order: a ring buffer of packet ids
 * is the whole schedule. The queue's maxlen is raised to 65536 (the kernel's default, 1024, overflows
 * under bulk flows), and the rule uses neither --queue-bypass nor fail-open, so a packet is never let
 * through undelayed or out of order.
 */
#define _GNU_SOURCE /* ppoll */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RING_SIZE 65536 /* the queue's maxlen: the kernel never hands us more in flight */
#define QUEUE_MAXLEN 65536

struct held {
    uint32_t id;
    int64_t due_nanos;
};

static struct held ring[RING_SIZE];
static unsigned head, tail; /* tail - head packets are held */
static int64_t delay_nanos;
static unsigned long long total_held, overruns;
static unsigned max_in_flight;
static volatile sig_atomic_t stop;

static int64_t now_nanos(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data) {
    (void) msg;
    (void) data;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    if (ph == NULL) {
        return 0;
    }
    uint32_t id = ntohl(ph->packet_id);
    if (tail - head == RING_SIZE) {
        /* Cannot happen while maxlen == RING_SIZE; accept rather than lose the packet, and count it. */
        overruns++;
        return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
    }
    ring[tail % RING_SIZE] = (struct held) {id, now_nanos() + delay_nanos};
    tail++;
    total_held++;
    if (tail - head > max_in_flight) {
        max_in_flight = tail - head;
    }
    return 0;
}

static void on_signal(int sig) {
    (void) sig;
    stop = 1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: nfq-delay QUEUE_NUM DELAY_MICROS\n");
        return 2;
    }
    int queue_num = atoi(argv[1]);
    delay_nanos = atoll(argv[2]) * 1000LL;

    struct nfq_handle *h = nfq_open();
    if (h == NULL) {
        perror("nfq-delay: nfq_open");
        return 1;
    }
    struct nfq_q_handle *qh = nfq_create_queue(h, queue_num, &on_packet, NULL);
    if (qh == NULL) {
        perror("nfq-delay: nfq_create_queue");
        return 1;
    }
    /* Only the verdict is needed, never the payload. */
    if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0 || nfq_set_queue_maxlen(qh, QUEUE_MAXLEN) < 0) {
        perror("nfq-delay: queue setup");
        return 1;
    }
    int fd = nfq_fd(h);
    /* A netlink buffer overrun drops the queued packet in the kernel: make the buffer ample (root). */
    int rcvbuf = 64 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }

    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    printf("ready\n");
    fflush(stdout);

    char buf[65536] __attribute__((aligned));
    while (!stop) {
        /* ppoll, not poll: a millisecond timeout would add up to 1 ms per packet, 20% of a 10 ms RTT. */
        struct timespec timeout, *timeout_or_none = NULL;
        if (tail != head) {
            int64_t wait = ring[head % RING_SIZE].due_nanos - now_nanos();
            if (wait < 0) {
                wait = 0;
            }
            timeout.tv_sec = wait / 1000000000LL;
            timeout.tv_nsec = wait % 1000000000LL;
            timeout_or_none = &timeout;
        }
        struct pollfd pfd = {fd, POLLIN, 0};
        int n = ppoll(&pfd, 1, timeout_or_none, NULL);
        if (n < 0 && errno != EINTR) {
            perror("nfq-delay: poll");
            break;
        }
        if (n > 0) {
            /* Drain everything readable without blocking. */
            for (;;) {
                ssize_t len = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
                if (len < 0) {
                    if (errno == ENOBUFS) {
                        fprintf(stderr, "nfq-delay: netlink buffer overrun, packets dropped\n");
                        overruns++;
                        continue;
                    }
                    break;
                }
                nfq_handle_packet(h, buf, (int) len);
            }
        }
        int64_t now = now_nanos();
        while (tail != head && ring[head % RING_SIZE].due_nanos <= now) {
            nfq_set_verdict(qh, ring[head % RING_SIZE].id, NF_ACCEPT, 0, NULL);
            head++;
        }
    }
    /* Release what is still held, so no connection is left hanging while the rule is removed. */
    while (tail != head) {
        nfq_set_verdict(qh, ring[head % RING_SIZE].id, NF_ACCEPT, 0, NULL);
        head++;
    }
    printf("held=%llu max_in_flight=%u overruns=%llu\n", total_held, max_in_flight, overruns);
    nfq_destroy_queue(qh);
    nfq_close(h);
    return overruns == 0 ? 0 : 3;
}
