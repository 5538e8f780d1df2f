/* backend/epoll.c - the default backend: Linux epoll, level-triggered.
 *
 * epoll_ctl runs only when a watcher's wanted events change (the loop keeps
 * the registered mask in tide__io_t), never per event. The wait takes a
 * nanosecond timeout through epoll_pwait2 (Linux 5.11+) and falls back to
 * epoll_wait, rounding up to whole milliseconds so a timer is never woken
 * early. Events harvested for a watcher that goes away during dispatch are
 * dropped (forget), so a reused fd never receives its predecessor's events. */
#include <limits.h>
#include <unistd.h>

#include "core/internal.h"

#define TIDE__EPOLL_BATCH 1024

typedef struct {
    int epfd;
    int no_pwait2; /* the kernel lacks epoll_pwait2 */
    int nready;    /* events harvested by the current poll ... */
    int cursor;    /* ... and the one being dispatched */
    struct epoll_event ready[TIDE__EPOLL_BATCH];
} epoll_state_t;

static int epoll_init(tide_loop_t *loop)
{
    epoll_state_t *st = tide__calloc(1, sizeof *st);
    if (!st) return -ENOMEM;
    st->epfd = tide__sys.epoll_create1(EPOLL_CLOEXEC);
    if (st->epfd < 0) {
        int err = -errno;
        tide__free(st);
        return err;
    }
    loop->backend_state = st;
    return 0;
}

static void epoll_destroy(tide_loop_t *loop)
{
    epoll_state_t *st = loop->backend_state;
    if (!st) return;
    tide__sys.close(st->epfd);
    tide__free(st);
    loop->backend_state = NULL;
}

static uint32_t to_epoll(unsigned e)
{
    uint32_t r = 0;
    if (e & TIDE__IN) r |= EPOLLIN;
    if (e & TIDE__OUT) r |= EPOLLOUT;
    if (e & TIDE__RDHUP) r |= EPOLLRDHUP;
    if (e & TIDE__PRI) r |= EPOLLPRI;
    return r;
}

static unsigned from_epoll(uint32_t e)
{
    unsigned r = 0;
    if (e & EPOLLIN) r |= TIDE__IN;
    if (e & EPOLLOUT) r |= TIDE__OUT;
    if (e & EPOLLRDHUP) r |= TIDE__RDHUP;
    if (e & EPOLLPRI) r |= TIDE__PRI;
    if (e & EPOLLERR) r |= TIDE__ERR;
    if (e & EPOLLHUP) r |= TIDE__HUP;
    return r;
}

/* Drop events already harvested for fd that have not been dispatched. */
static void invalidate(epoll_state_t *st, int fd)
{
    for (int i = st->cursor + 1; i < st->nready; i++)
        if (st->ready[i].data.fd == fd) st->ready[i].data.fd = -1;
}

static void epoll_forget(tide_loop_t *loop, tide__io_t *io)
{
    epoll_state_t *st = loop->backend_state;
    if (io->events) {
        struct epoll_event ev = {0};
        /* ENOENT/EBADF: the fd was closed behind our back, which already
         * removed it from the epoll set. Nothing else can fail here. */
        (void)tide__sys.epoll_ctl(st->epfd, EPOLL_CTL_DEL, io->fd, &ev);
        io->events = 0;
    }
    invalidate(st, io->fd);
}

static int epoll_update(tide_loop_t *loop, tide__io_t *io)
{
    epoll_state_t *st = loop->backend_state;
    if (!io->pevents) {
        epoll_forget(loop, io);
        return 0;
    }
    struct epoll_event ev = {.events = to_epoll(io->pevents), .data.fd = io->fd};
    int op = io->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    int r = tide__sys.epoll_ctl(st->epfd, op, io->fd, &ev);
    if (r < 0 && op == EPOLL_CTL_MOD && errno == ENOENT) {
        /* The fd was closed and its number reused: register afresh. */
        r = tide__sys.epoll_ctl(st->epfd, EPOLL_CTL_ADD, io->fd, &ev);
    } else if (r < 0 && op == EPOLL_CTL_ADD && errno == EEXIST) {
        r = tide__sys.epoll_ctl(st->epfd, EPOLL_CTL_MOD, io->fd, &ev);
    }
    if (r < 0) return -errno;
    io->events = io->pevents;
    return 0;
}

static int epoll_wait_ns(tide_loop_t *loop, epoll_state_t *st, int64_t timeout_ns)
{
    /* Only a timer wait needs nanoseconds; "now" and "forever" are the
     * same in both calls, and epoll_wait is the one every tool knows. */
    if (timeout_ns > 0 && !st->no_pwait2) {
        struct timespec ts = {.tv_sec = timeout_ns / 1000000000, .tv_nsec = timeout_ns % 1000000000};
        int n = tide__sys.epoll_pwait2(st->epfd, st->ready, TIDE__EPOLL_BATCH, &ts, NULL);
        if (n >= 0 || errno != ENOSYS) return n;
        st->no_pwait2 = 1;
    }
    int ms = -1;
    if (timeout_ns >= 0) {
        int64_t m = (timeout_ns + 999999) / 1000000;
        ms = m > INT_MAX ? INT_MAX : (int)m;
    }
    return tide__sys.epoll_wait(st->epfd, st->ready, TIDE__EPOLL_BATCH, ms);
}

static int epoll_poll(tide_loop_t *loop, int64_t timeout_ns)
{
    epoll_state_t *st = loop->backend_state;
    /* Nothing registered and no wait asked for: skip the system call. */
    if (loop->nfds == 0 && timeout_ns == 0) return 0;
    /* A signal (EINTR) ends the wait early: wait again for what is left,
     * so a blocking RUN_ONCE never returns with nothing done and a timer is
     * neither skipped nor run early. A signal that tide catches has written
     * to the loop's self-pipe, so the repeated wait returns with it at once.
     * Only a timed wait needs the clock, and only to know what is left. */
    uint64_t deadline = timeout_ns > 0 ? tide_hrtime() + (uint64_t)timeout_ns : 0;
    int n;
    while ((n = epoll_wait_ns(loop, st, timeout_ns)) < 0) {
        if (errno != EINTR) return -errno;
        if (timeout_ns == 0) return 0;
        if (timeout_ns > 0) {
            uint64_t now = tide_hrtime();
            if (now >= deadline) return 0;
            timeout_ns = (int64_t)(deadline - now);
        }
    }
    st->nready = n;
    for (st->cursor = 0; st->cursor < n; st->cursor++) {
        struct epoll_event *e = &st->ready[st->cursor];
        int fd = e->data.fd;
        if (fd < 0 || (unsigned)fd >= loop->nwatchers) continue;
        tide__io_t *io = loop->watchers[fd];
        if (!io) continue;
        tide__io_ready(loop, io, from_epoll(e->events));
    }
    st->nready = 0;
    st->cursor = 0;
    return n;
}

const tide__backend_ops_t tide__backend_epoll = {
    .name = "epoll",
    .caps = 0,
    .init = epoll_init,
    .destroy = epoll_destroy,
    .update = epoll_update,
    .forget = epoll_forget,
    .poll = epoll_poll,
    .submit = NULL,
};
