/* bench/echo/libev.c - the echo server on libev: an ev_io per connection
 * in a small struct, one shared read buffer, and a heap copy only for what
 * a short write leaves (the watcher then waits for room instead). */
#include <errno.h>
#include <ev.h>
#include <string.h>

#include "../common/net.h"

typedef struct {
    ev_io io;
    char *pending;
    size_t len;
} conn_t;

static char buf[65536];

static void conn_drop(struct ev_loop *loop, conn_t *c)
{
    ev_io_stop(loop, &c->io);
    close(c->io.fd);
    free(c->pending);
    free(c);
}

static void conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    conn_t *c = (conn_t *)w;
    const char *data;
    size_t len;
    char *owned = NULL;
    if (revents & EV_WRITE) {
        owned = c->pending;
        data = owned;
        len = c->len;
        c->pending = NULL;
        ev_io_stop(loop, w);
        ev_io_set(w, w->fd, EV_READ);
        ev_io_start(loop, w);
    } else {
        ssize_t r = read(w->fd, buf, sizeof buf);
        if (r <= 0) {
            if (r < 0 && errno == EAGAIN) return;
            conn_drop(loop, c);
            return;
        }
        data = buf;
        len = (size_t)r;
    }
    ssize_t n = write(w->fd, data, len);
    if (n < 0 && errno != EAGAIN) {
        free(owned);
        conn_drop(loop, c);
        return;
    }
    if (n < 0) n = 0;
    if ((size_t)n < len) {
        c->len = len - (size_t)n;
        c->pending = malloc(c->len);
        if (!c->pending) abort();
        memcpy(c->pending, data + n, c->len);
        ev_io_stop(loop, w);
        ev_io_set(w, w->fd, EV_WRITE);
        ev_io_start(loop, w);
    }
    free(owned);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)revents;
    int fd;
    while ((fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        conn_t *c = calloc(1, sizeof *c);
        if (!c) abort();
        bench_nodelay(fd);
        ev_io_init(&c->io, conn_cb, fd, EV_READ);
        ev_io_start(loop, &c->io);
    }
}

int main(void)
{
    bench_raise_fd_limit();
    struct ev_loop *loop = ev_default_loop(EVBACKEND_EPOLL);
    ev_io listener;
    ev_io_init(&listener, accept_cb, bench_listen(), EV_READ);
    ev_io_start(loop, &listener);
    ev_run(loop, 0);
    return 0;
}
