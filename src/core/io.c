/* core/io.c - fd watchers: the per-fd table the backend reports into, the
 * start/stop calls that keep the backend's registration in step with what
 * a watcher wants, and the dispatch from a ready watcher to its owner. */
#include <string.h>
#include <sys/socket.h>

#include "core/internal.h"

static int watchers_reserve(tide_loop_t *loop, int fd)
{
    if ((unsigned)fd < loop->nwatchers) return 0;
    unsigned n = loop->nwatchers ? loop->nwatchers : 64;
    while (n <= (unsigned)fd) n *= 2;
    tide__io_t **w = tide__realloc(loop->watchers, sizeof *w * n);
    if (!w) return -ENOMEM;
    memset(w + loop->nwatchers, 0, sizeof *w * (n - loop->nwatchers));
    loop->watchers = w;
    loop->nwatchers = n;
    return 0;
}

/* Take ownership of io->fd in the table (-EEXIST if another watcher has it)
 * and register the wanted events. The registration is cached: the backend
 * is only told when the wanted set changes. */
int tide__io_start(tide_loop_t *loop, tide__io_t *io, unsigned events)
{
    if (io->fd < 0) return -EBADF;
    int err = watchers_reserve(loop, io->fd);
    if (err) return err;
    tide__io_t *owner = loop->watchers[io->fd];
    if (owner && owner != io) return -EEXIST;
    io->pevents = events;
    if (io->pevents != io->events) {
        err = loop->backend->update(loop, io);
        if (err) {
            io->pevents = io->events;
            return err;
        }
    }
    if (!owner) {
        loop->watchers[io->fd] = io;
        loop->nfds++;
    }
    return 0;
}

/* Unregister at once (not lazily): the program may close the fd right after,
 * and a new fd with the same number must start from a clean slate. */
void tide__io_stop(tide_loop_t *loop, tide__io_t *io)
{
    if (io->fd < 0 || (unsigned)io->fd >= loop->nwatchers || loop->watchers[io->fd] != io) return;
    loop->backend->forget(loop, io);
    io->pevents = io->events = 0;
    loop->watchers[io->fd] = NULL;
    loop->nfds--;
}

void tide__io_ready(tide_loop_t *loop, tide__io_t *io, unsigned events)
{
    loop->events++;
    switch (io->type) {
    case TIDE__IO_POLL: tide__poll_dispatch(loop, io, events); break;
    case TIDE__IO_WAKEUP: tide__wakeup_dispatch(loop); break;
    case TIDE__IO_SIGNAL: tide__signal_dispatch(loop); break;
    default: /* the io layer's watchers: sockets, servers, UDP, fs watch */
        if (io->type < TIDE__IO_TYPES && loop->io_dispatch[io->type])
            loop->io_dispatch[io->type](loop, io, events);
        break;
    }
}

void tide__watchers_destroy(tide_loop_t *loop)
{
    tide__free(loop->watchers);
    loop->watchers = NULL;
    loop->nwatchers = 0;
}

/* ---- the public fd watcher (tide_poll_t) -------------------------------- */

_Static_assert((int)TIDE__IN == (int)TIDE_READABLE && (int)TIDE__OUT == (int)TIDE_WRITABLE &&
                   (int)TIDE__RDHUP == (int)TIDE_DISCONNECT &&
                   (int)TIDE__PRI == (int)TIDE_PRIORITIZED,
               "backend readiness bits double as the public ones");

int tide_poll_new(tide_loop_t *loop, int fd, tide_poll_t **out)
{
    if (!loop || !out) return -EINVAL;
    if (fd < 0) return -EBADF;
    if ((unsigned)fd < loop->nwatchers && loop->watchers[fd]) return -EEXIST;
    tide_poll_t *w = tide__pool_get(&loop->handle_pools[TIDE_HANDLE_POLL]);
    if (!w) return -ENOMEM;
    memset(w, 0, sizeof *w);
    tide__handle_init(loop, &w->h, TIDE_HANDLE_POLL);
    w->io.fd = fd;
    w->io.type = TIDE__IO_POLL;
    *out = w;
    return 0;
}

int tide_poll_start(tide_poll_t *w, int events, tide_poll_cb cb, void *data)
{
    if (!w || (events && !cb)) return -EINVAL;
    if (events & ~(TIDE_READABLE | TIDE_WRITABLE | TIDE_DISCONNECT | TIDE_PRIORITIZED))
        return -EINVAL;
    if (w->h.flags & (TIDE__CLOSING | TIDE__CLOSED)) return -EALREADY;
    if (!events) return tide_poll_stop(w);
    tide_loop_t *loop = w->h.loop;
    int err = tide__io_start(loop, &w->io, (unsigned)events);
    if (err) return err;
    w->cb = cb;
    w->h.data = data;
    w->h.context = loop->context;
    tide__handle_start(&w->h);
    return 0;
}

int tide_poll_stop(tide_poll_t *w)
{
    if (!w) return -EINVAL;
    if (w->h.flags & TIDE__CLOSED) return -EALREADY;
    tide__io_stop(w->h.loop, &w->io);
    tide__handle_stop(&w->h);
    return 0;
}

int tide_poll_fd(const tide_poll_t *w) { return w ? w->io.fd : -EBADF; }

void tide__poll_close(tide_poll_t *w) { tide_poll_stop(w); }

/* The pending error of a socket, or -EIO for an fd that has no such notion. */
static int fd_error(int fd)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err) return -err;
    return -EIO;
}

void tide__poll_dispatch(tide_loop_t *loop, tide__io_t *io, unsigned events)
{
    tide_poll_t *w = tide__container_of(io, tide_poll_t, io);
    unsigned want = io->pevents;
    int status = 0;
    if (events & (TIDE__ERR | TIDE__HUP)) {
        /* Let the program's own read or write reveal what happened: report
         * every event it asked for, and flag an error in status. */
        if (events & TIDE__ERR) status = fd_error(io->fd);
        events |= want & (TIDE__IN | TIDE__OUT);
        if (events & TIDE__HUP) events |= want & TIDE__RDHUP;
    }
    /* The backend bits below 16 are the public TIDE_READABLE... values. */
    int ev = (int)(events & want);
    if (!ev && !status) return;
    TIDE__CALLBACK(loop, w->h.context, w->cb(w, status, ev, w->h.data));
}
