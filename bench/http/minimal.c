/* bench/http/minimal.c - the physical limit: an HTTP responder written
 * straight on epoll that parses nothing. Level-triggered, one read per
 * readiness into one shared buffer, count the requests in it by their
 * blank line ("\r\n\r\n"), and answer them all with one write from the
 * canned batch. A connection's whole state is the few bytes of a blank
 * line split across reads and the count of response bytes it is still
 * owed, since every response is the same. Only for requests without a
 * body, which is what wrk sends. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>

#include "../common/net.h"
#include "canned.h"

typedef struct {
    uint64_t owed;    /* response bytes accepted but not yet written */
    unsigned matched; /* "\r\n\r\n" bytes seen at the end of the last read */
} conn_t;

static void *conns; /* conn_t by fd, grown on demand */
static size_t nconns;
static char buf[65536];

static conn_t *conn_of(int fd)
{
    return bench_fd_slot(&conns, &nconns, sizeof(conn_t), fd);
}

/* Requests ended in p[0..n), carrying a blank line split across reads in
 * *matched. The first three bytes go byte by byte (they may finish the
 * previous read's partial match); after that memchr finds each '\n' and
 * the three bytes before it, all inside this read, tell the rest. */
static uint64_t count_requests(const char *p, size_t n, unsigned *matched)
{
    static const char end[4] = {'\r', '\n', '\r', '\n'};
    uint64_t count = 0;
    unsigned m = *matched;
    size_t i = 0;
    for (; i < n && i < 3; i++) {
        if (p[i] == end[m])
            m++;
        else
            m = p[i] == '\r';
        if (m == 4) {
            count++;
            m = 0;
        }
    }
    if (i == n) {
        *matched = m;
        return count;
    }
    const char *q = p + 3, *stop = p + n;
    while ((q = memchr(q, '\n', (size_t)(stop - q))) != NULL) {
        if (q[-1] == '\r' && q[-2] == '\n' && q[-3] == '\r') count++;
        q++;
    }
    /* Carry a partial blank line at the end into the next read. */
    if (p[n - 1] == '\r')
        m = p[n - 2] == '\n' && p[n - 3] == '\r' ? 3 : 1;
    else if (p[n - 1] == '\n' && p[n - 2] == '\r' && !(p[n - 3] == '\n' && p[n - 4] == '\r'))
        m = 2;
    else
        m = 0;
    *matched = m;
    return count;
}

static void drop(int ep, int fd)
{
    conn_t *c = conn_of(fd);
    c->owed = 0;
    c->matched = 0;
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
}

/* Write what the connection is owed, straight from the canned batch (the
 * next byte is at the same offset in every copy), until it is all out or
 * the socket is full; then watch for room only while something is owed. */
static void pay(int ep, int fd, conn_t *c, int watching_out)
{
    while (c->owed) {
        size_t start = (size_t)((CANNED_LEN - c->owed % CANNED_LEN) % CANNED_LEN);
        size_t len = sizeof canned_batch - start;
        if (len > c->owed) len = (size_t)c->owed;
        ssize_t n = write(fd, canned_batch + start, len);
        if (n < 0) {
            if (errno != EAGAIN) {
                drop(ep, fd);
                return;
            }
            if (!watching_out) {
                struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.fd = fd};
                epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
            }
            return;
        }
        c->owed -= (uint64_t)n;
    }
    if (watching_out) {
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
        epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
    }
}

int main(void)
{
    bench_raise_fd_limit();
    canned_init();
    int lfd;
    int ep = bench_epoll_listen(&lfd);
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, 1000);
        canned_refresh(time(NULL));
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == lfd) {
                bench_epoll_accept(ep, lfd);
                continue;
            }
            conn_t *c = conn_of(fd);
            int watching_out = c->owed != 0;
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                ssize_t r = read(fd, buf, sizeof buf);
                if (r == 0 || (r < 0 && errno != EAGAIN)) {
                    drop(ep, fd);
                    continue;
                }
                if (r > 0) c->owed += count_requests(buf, (size_t)r, &c->matched) * CANNED_LEN;
            }
            pay(ep, fd, c, watching_out);
        }
    }
}
