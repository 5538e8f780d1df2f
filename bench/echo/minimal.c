/* bench/echo/minimal.c - the echo server written straight on epoll, the
 * floor every library is measured against: level-triggered, one shared
 * read buffer, and per connection only what a short write leaves behind. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>

#include "../common/net.h"

typedef struct {
    char *data; /* bytes a short write left, or NULL */
    size_t len;
} pending_t;

static void *pending; /* pending_t by fd, grown on demand */
static size_t npending;
static char buf[65536];

static pending_t *pending_of(int fd)
{
    return bench_fd_slot(&pending, &npending, sizeof(pending_t), fd);
}

static void drop(int ep, int fd)
{
    pending_t *p = pending_of(fd);
    free(p->data);
    p->data = NULL;
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
}

/* Write, keeping what the socket does not take and watching for room. */
static void send_or_keep(int ep, int fd, const char *data, size_t len)
{
    ssize_t n = write(fd, data, len);
    if (n == (ssize_t)len) return;
    if (n < 0) {
        if (errno != EAGAIN) {
            drop(ep, fd);
            return;
        }
        n = 0;
    }
    pending_t *p = pending_of(fd);
    p->len = len - (size_t)n;
    p->data = malloc(p->len);
    if (!p->data) abort();
    memcpy(p->data, data + n, p->len);
    struct epoll_event ev = {.events = EPOLLOUT, .data.fd = fd};
    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static void flush_pending(int ep, int fd)
{
    pending_t *p = pending_of(fd);
    char *data = p->data;
    size_t len = p->len;
    p->data = NULL;
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
    send_or_keep(ep, fd, data, len);
    free(data);
}

int main(void)
{
    bench_raise_fd_limit();
    int lfd;
    int ep = bench_epoll_listen(&lfd);
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == lfd) {
                bench_epoll_accept(ep, lfd);
                continue;
            }
            if (evs[i].events & EPOLLOUT) {
                flush_pending(ep, fd);
                continue;
            }
            ssize_t r = read(fd, buf, sizeof buf);
            if (r > 0)
                send_or_keep(ep, fd, buf, (size_t)r);
            else if (r == 0 || errno != EAGAIN)
                drop(ep, fd);
        }
    }
}
