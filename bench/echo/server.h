/* bench/echo/server.h - what the C echo servers share: the listening
 * socket on 127.0.0.1 at a port the kernel picks, announced on stdout as
 * "port N" for bench/echo/run.sh, and a descriptor limit high enough for
 * the idle-connection run. Header-only, like bench/common/bench.h. */
#ifndef BENCH_ECHO_SERVER_H
#define BENCH_ECHO_SERVER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static inline void echo_raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static inline void echo_announce(int port)
{
    printf("port %d\n", port);
    fflush(stdout);
}

/* A non-blocking listening socket (for the servers that make their own). */
static inline int echo_listen(void)
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
    echo_announce(ntohs(sa.sin_port));
    return fd;
}

static inline void echo_nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

#endif
