/* bench/common/net.h - what the network benchmarks' C programs share: the
 * listening socket on 127.0.0.1 at a port the kernel picks, announced on
 * stdout as "port N" for the drivers (bench/<name>/run.sh), a descriptor
 * limit high enough for the idle-connection runs, a blocking dial, and a
 * per-descriptor table for servers on bare epoll. Header-only, like
 * bench.h. */
#ifndef BENCH_NET_H
#define BENCH_NET_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* Raise the soft descriptor limit to the hard one; returns the new soft
 * limit. */
static inline unsigned long long bench_raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    return (unsigned long long)rl.rlim_cur;
}

/* Make room for need descriptors more than a few, or exit saying why. */
static inline void bench_need_fds(size_t need)
{
    unsigned long long have = bench_raise_fd_limit();
    if (have < need + 64) {
        fprintf(stderr, "%zu connections need %zu descriptors, the limit is %llu\n", need,
                need + 64, have);
        exit(2);
    }
}

static inline void bench_announce(int port)
{
    printf("port %d\n", port);
    fflush(stdout);
}

/* A non-blocking listening socket (for the servers that make their own). */
static inline int bench_listen(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof sa;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 4096) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        perror("listen");
        exit(2);
    }
    bench_announce(ntohs(sa.sin_port));
    return fd;
}

static inline void bench_nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* A blocking connection to 127.0.0.1:port with TCP_NODELAY; exits the
 * program if it fails (a client cannot measure without it). */
static inline int bench_dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("socket");
        exit(2);
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    while (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        if (errno != EINTR) {
            perror("connect");
            exit(2);
        }
    }
    bench_nodelay(fd);
    return fd;
}

/* For servers on bare epoll: the listening socket (announced) watched by
 * a new epoll instance, returned; *lfd is the socket. */
static inline int bench_epoll_listen(int *lfd)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    *lfd = bench_listen();
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = *lfd};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, *lfd, &ev) != 0) {
        perror("epoll");
        exit(2);
    }
    return ep;
}

/* Accept every connection waiting on lfd: non-blocking, TCP_NODELAY,
 * watched by ep for input (level-triggered). */
static inline void bench_epoll_accept(int ep, int lfd)
{
    int c;
    while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        bench_nodelay(c);
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
    }
}

/* The entry of fd in *table, an array of size-byte entries indexed by
 * descriptor that grows (zeroed) on demand; *n is its length. */
static inline void *bench_fd_slot(void **table, size_t *n, size_t size, int fd)
{
    if ((size_t)fd >= *n) {
        size_t m = *n ? *n : 1024;
        while (m <= (size_t)fd) m *= 2;
        char *t = realloc(*table, m * size);
        if (!t) abort();
        memset(t + *n * size, 0, (m - *n) * size);
        *table = t;
        *n = m;
    }
    return (char *)*table + (size_t)fd * size;
}

#endif
