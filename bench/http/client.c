/* bench/http/client.c - the HTTP benchmark's helper client (the load
 * itself comes from wrk).
 *
 *   client idle PORT CONNS
 *       opens CONNS keep-alive connections one after the other, sends one
 *       GET on each and reads its whole response (head, then
 *       Content-Length bytes), so every server has accepted, parsed and
 *       answered on all of them; prints "ready" and keeps them open until
 *       its stdin closes.
 *   client port
 *       prints a TCP port on 127.0.0.1 that was free a moment ago, for a
 *       server that cannot pick its own and announce it (nginx).
 *
 * Blocking sockets and one connection at a time: simple, and the servers
 * see exactly one request per connection. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/net.h"

static const char request[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

static void die(const char *what)
{
    perror(what);
    exit(2);
}

/* The value of Content-Length in a response head, or -1. */
static long content_length(const char *head)
{
    for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n"))
        if (strncasecmp(p + 2, "content-length:", 15) == 0) return strtol(p + 17, NULL, 10);
    return -1;
}

/* One request and its whole response on fd; 0, or -1 if it failed. */
static int exchange(int fd)
{
    char buf[4096];
    size_t got = 0;
    const char *p = request;
    size_t left = sizeof request - 1;
    while (left) {
        ssize_t n = write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        left -= (size_t)n;
    }
    char *end = NULL;
    while (!end) {
        if (got == sizeof buf - 1) return -1;
        ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            return -1;
        }
        got += (size_t)n;
        buf[got] = 0;
        end = strstr(buf, "\r\n\r\n");
    }
    long body = content_length(buf);
    if (body < 0) return -1;
    size_t have = got - (size_t)(end + 4 - buf);
    while (have < (size_t)body) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            return -1;
        }
        have += (size_t)n;
    }
    return have == (size_t)body ? 0 : -1;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof sa;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        die("bind");
    close(fd);
    return ntohs(sa.sin_port);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "port") == 0) {
        printf("%d\n", free_port());
        return 0;
    }
    if (argc != 4 || strcmp(argv[1], "idle") != 0) {
        fprintf(stderr, "usage: client idle PORT CONNS | client port\n");
        return 2;
    }
    int port = atoi(argv[2]);
    int nconn = atoi(argv[3]);
    if (port <= 0 || nconn <= 0) return 2;
    bench_need_fds((size_t)nconn);
    for (int i = 0; i < nconn; i++) {
        if (exchange(bench_dial(port)) != 0) {
            fprintf(stderr, "client: request on connection %d failed\n", i);
            return 2;
        }
    }
    printf("ready\n");
    fflush(stdout);
    char b;
    while (read(0, &b, 1) > 0) {
    }
    return 0;
}
