/* tests/http/http_test.h - raw-socket clients for the HTTP server tests:
 * connect over loopback, send exact bytes, and run the loop until the
 * reply holds what is awaited (a substring, a count of responses, the
 * server's close). The client's fd is watched by the same loop, so
 * waiting never sleeps. Dates are masked before comparing replies. */
#ifndef TIDE_TEST_HTTP_TEST_H
#define TIDE_TEST_HTTP_TEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test.h"

typedef struct {
    tide_loop_t *loop;
    int fd;
    tide_poll_t *poll;
    char *buf;
    size_t len, cap;
    int eof;      /* the server closed (or reset) */
    int reset;    /* ... with ECONNRESET */
    int paused;   /* not reading (a client that does not read) */
} client_t;

static inline void client_on_readable(tide_poll_t *w, int status, int events, void *data)
{
    client_t *cl = data;
    for (;;) {
        if (cl->cap - cl->len < 65536) {
            cl->cap = cl->cap ? cl->cap * 2 : 131072;
            cl->buf = realloc(cl->buf, cl->cap + 1);
            ASSERT(cl->buf);
        }
        ssize_t n = read(cl->fd, cl->buf + cl->len, cl->cap - cl->len);
        if (n > 0) {
            cl->len += (size_t)n;
            cl->buf[cl->len] = '\0';
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        cl->eof = 1;
        if (n < 0) cl->reset = 1;
        tide_poll_stop(w);
        return;
    }
}

/* rcvbuf: the client's receive buffer (0: the system's). */
static inline void client_open_rcvbuf(client_t *cl, tide_loop_t *loop, int port, int rcvbuf)
{
    memset(cl, 0, sizeof *cl);
    cl->loop = loop;
    cl->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT(cl->fd >= 0);
    if (rcvbuf) ASSERT_OK(setsockopt(cl->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_OK(connect(cl->fd, (struct sockaddr *)&sa, sizeof sa));
    ASSERT_OK(fcntl(cl->fd, F_SETFL, O_NONBLOCK));
    ASSERT_OK(tide_poll_new(loop, cl->fd, &cl->poll));
    ASSERT_OK(tide_poll_start(cl->poll, TIDE_READABLE, client_on_readable, cl));
    cl->buf = calloc(1, 1);
}

static inline void client_open(client_t *cl, tide_loop_t *loop, int port)
{
    client_open_rcvbuf(cl, loop, port, 0);
}

/* Stop or restart reading (a client that lets the server's writes pile up). */
static inline void client_pause(client_t *cl, int paused)
{
    cl->paused = paused;
    if (cl->eof) return;
    if (paused) tide_poll_stop(cl->poll);
    else ASSERT_OK(tide_poll_start(cl->poll, TIDE_READABLE, client_on_readable, cl));
}

static inline void client_send_n(client_t *cl, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        ssize_t w = send(cl->fd, s, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EAGAIN) {
            tide_run(cl->loop, TIDE_RUN_NOWAIT); /* let the server read */
            continue;
        }
        ASSERT(w > 0);
        s += w;
        n -= (size_t)w;
    }
}

static inline void client_send(client_t *cl, const char *s) { client_send_n(cl, s, strlen(s)); }

static inline void client_close(client_t *cl)
{
    if (cl->poll) tide_close((tide_handle_t *)cl->poll, NULL);
    cl->poll = NULL;
    if (cl->fd >= 0) close(cl->fd);
    cl->fd = -1;
    free(cl->buf);
    cl->buf = NULL;
}

/* Run the loop until the reply contains s (or the server closed). */
static inline int client_wait_for(client_t *cl, const char *s)
{
    while (!strstr(cl->buf, s) && !cl->eof) tide_run(cl->loop, TIDE_RUN_ONCE);
    return strstr(cl->buf, s) != NULL;
}

static inline void client_wait_eof(client_t *cl)
{
    while (!cl->eof) tide_run(cl->loop, TIDE_RUN_ONCE);
}

/* How many times s occurs in the reply so far. */
static inline int count_of(const char *buf, const char *s)
{
    int n = 0;
    for (const char *p = buf; (p = strstr(p, s)) != NULL; p += strlen(s)) n++;
    return n;
}

static inline void client_wait_count(client_t *cl, const char *s, int n)
{
    while (count_of(cl->buf, s) < n && !cl->eof) tide_run(cl->loop, TIDE_RUN_ONCE);
    ASSERT_GE(count_of(cl->buf, s), n);
}

/* The reply with every "Date: ...\r\n" line taken out. */
static inline char *undated(const char *buf)
{
    char *out = malloc(strlen(buf) + 1), *o = out;
    while (*buf) {
        if (!strncmp(buf, "Date: ", 6)) {
            const char *e = strstr(buf, "\r\n");
            if (e) {
                buf = e + 2;
                continue;
            }
        }
        *o++ = *buf++;
    }
    *o = '\0';
    return out;
}

#define ASSERT_REPLY(cl, expected)                                             \
    do {                                                                       \
        char *u_ = undated((cl)->buf);                                         \
        ASSERT_STR_EQ(u_, (expected));                                         \
        free(u_);                                                              \
    } while (0)

/* Run until the server has no connection left. */
static inline void wait_no_connections(tide_loop_t *loop, tide_http_server_t *srv)
{
    while (tide_http_server_connections(srv)) tide_run(loop, TIDE_RUN_ONCE);
}

#endif
