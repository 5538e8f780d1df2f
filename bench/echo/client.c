/* bench/echo/client.c - the load side of the echo benchmarks, one program
 * for every server so that all of them face the same client.
 *
 *   client load PORT CONNS SECONDS MSGSIZE
 *       CONNS connections each send a MSGSIZE-byte message, wait for all of
 *       it to come back, and send the next: ping-pong, so the figure is the
 *       server's round-trip cost, not the socket buffers'. Prints the
 *       messages echoed per second over SECONDS after a warm-up.
 *   client idle PORT CONNS
 *       opens CONNS connections, echoes one byte on each (so every server
 *       has accepted and read from all of them), prints "ready" and keeps
 *       them open until its stdin closes.
 *
 * Plain epoll and level-triggered reads into one buffer: the client must
 * cost less per message than any server it measures. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../common/net.h"

typedef struct {
    int fd;
    size_t got; /* bytes of the current echo received */
} conn_t;

static void die(const char *what)
{
    perror(what);
    exit(2);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void send_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("write");
        }
        buf += n;
        len -= (size_t)n;
    }
}

/* Ping-pong on every connection; returns the messages echoed while the
 * clock ran. */
static uint64_t run_load(conn_t *c, int nconn, double seconds, size_t msg)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    char *out = malloc(msg), *in = malloc(65536);
    if (!out || !in) die("malloc");
    memset(out, 'x', msg);
    for (int i = 0; i < nconn; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev) != 0) die("epoll_ctl");
        send_all(c[i].fd, out, msg);
    }
    struct epoll_event evs[256];
    uint64_t warm_until = now_ns() + 300000000u; /* 0.3 s */
    uint64_t start = 0, stop = 0, done = 0;
    for (;;) {
        int n = epoll_wait(ep, evs, 256, 1000);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        if (n == 0) {
            fprintf(stderr, "client: the server stopped answering\n");
            exit(2);
        }
        for (int k = 0; k < n; k++) {
            conn_t *cn = &c[evs[k].data.u32];
            ssize_t r = read(cn->fd, in, 65536);
            if (r <= 0) {
                if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
                fprintf(stderr, "client: connection lost (%s)\n", r ? strerror(errno) : "eof");
                exit(2);
            }
            cn->got += (size_t)r;
            if (cn->got < msg) continue;
            cn->got -= msg; /* a server never sends more than it was sent */
            done++;
            send_all(cn->fd, out, msg);
        }
        uint64_t t = now_ns();
        if (!start && t >= warm_until) {
            start = t;
            done = 0;
            stop = t + (uint64_t)(seconds * 1e9);
        } else if (start && t >= stop) {
            double rate = (double)done / ((double)(t - start) / 1e9);
            free(out);
            free(in);
            close(ep);
            return (uint64_t)rate;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: client load PORT CONNS SECONDS MSGSIZE | client idle PORT CONNS\n");
        return 2;
    }
    int port = atoi(argv[2]);
    int nconn = atoi(argv[3]);
    if (port <= 0 || nconn <= 0) return 2;
    bench_need_fds((size_t)nconn);
    conn_t *c = calloc((size_t)nconn, sizeof *c);
    if (!c) die("calloc");
    for (int i = 0; i < nconn; i++) c[i].fd = bench_dial(port);

    if (strcmp(argv[1], "load") == 0 && argc == 6) {
        uint64_t rate = run_load(c, nconn, atof(argv[4]), (size_t)atol(argv[5]));
        printf("%llu\n", (unsigned long long)rate);
        return 0;
    }
    if (strcmp(argv[1], "idle") == 0) {
        char b;
        for (int i = 0; i < nconn; i++) send_all(c[i].fd, "x", 1);
        for (int i = 0; i < nconn; i++) {
            ssize_t r;
            while ((r = read(c[i].fd, &b, 1)) != 1) {
                if (r == 0) {
                    fprintf(stderr, "client: the server closed connection %d\n", i);
                    return 2;
                }
                if (errno != EINTR) die("read");
            }
        }
        printf("ready\n");
        fflush(stdout);
        while (read(0, &b, 1) > 0) {
        }
        return 0;
    }
    fprintf(stderr, "client: unknown mode %s\n", argv[1]);
    return 2;
}
