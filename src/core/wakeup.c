/* core/wakeup.c - waking the loop from other threads. One eventfd per loop,
 * created with the first wakeup handle; each handle has an atomic pending
 * flag, so any number of sends before the loop notices cost one callback. */
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/internal.h"

static int wakeup_fd_open(tide_loop_t *loop)
{
    if (loop->wakeup_io.fd >= 0) return 0;
    int fd = tide__sys.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) return -errno;
    loop->wakeup_io.fd = fd;
    int err = tide__io_start(loop, &loop->wakeup_io, TIDE__IN);
    if (err) {
        tide__sys.close(fd);
        loop->wakeup_io.fd = -1;
    }
    return err;
}

int tide_wakeup_new(tide_loop_t *loop, tide_wakeup_cb cb, void *data, tide_wakeup_t **out)
{
    if (!loop || !cb || !out) return -EINVAL;
    int err = wakeup_fd_open(loop);
    if (err) return err;
    tide_wakeup_t *w = tide__pool_get(&loop->handle_pools[TIDE_HANDLE_WAKEUP]);
    if (!w) return -ENOMEM;
    memset(w, 0, sizeof *w);
    tide__handle_init(loop, &w->h, TIDE_HANDLE_WAKEUP);
    w->cb = cb;
    w->h.data = data;
    atomic_init(&w->pending, 0);
    tide__queue_insert_tail(&loop->wakeup_handles, &w->node);
    tide__handle_start(&w->h);
    *out = w;
    return 0;
}

int tide_wakeup_send(tide_wakeup_t *w)
{
    if (!w) return -EINVAL;
    /* Only the first send since the last callback writes to the eventfd. */
    if (atomic_exchange_explicit(&w->pending, 1, memory_order_acq_rel)) return 0;
    uint64_t one = 1;
    int fd = w->h.loop->wakeup_io.fd;
    for (;;) {
        ssize_t r = tide__sys.write(fd, &one, sizeof one);
        if (r == (ssize_t)sizeof one) return 0;
        if (r < 0 && errno == EINTR) continue;
        /* EAGAIN: the counter is saturated, so the loop is awake anyway. */
        return r < 0 ? -errno : -EIO;
    }
}

void tide__wakeup_dispatch(tide_loop_t *loop)
{
    uint64_t count;
    while (tide__sys.read(loop->wakeup_io.fd, &count, sizeof count) < 0 && errno == EINTR) {
    }
    /* Walk with a moved-aside queue so callbacks may close any handle. */
    tide__queue_t batch;
    tide__queue_move(&loop->wakeup_handles, &batch);
    while (!tide__queue_empty(&batch)) {
        tide__queue_t *q = tide__queue_head(&batch);
        tide_wakeup_t *w = tide__container_of(q, tide_wakeup_t, node);
        tide__queue_remove(q);
        tide__queue_insert_tail(&loop->wakeup_handles, q);
        if (atomic_exchange_explicit(&w->pending, 0, memory_order_acq_rel))
            TIDE__CALLBACK(loop, w->h.context, w->cb(w, w->h.data));
    }
}

void tide__wakeup_close(tide_wakeup_t *w) { tide__queue_remove(&w->node); }

void tide__wakeup_destroy(tide_loop_t *loop)
{
    if (loop->wakeup_io.fd < 0) return;
    tide__io_stop(loop, &loop->wakeup_io);
    tide__sys.close(loop->wakeup_io.fd);
    loop->wakeup_io.fd = -1;
}
