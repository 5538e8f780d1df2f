/* io/fs_watch_await.c - the awaiting form of a watcher: a small queue of
 * the events that arrive while no fiber waits (made by the first await),
 * and the promise that wakes the one that does. */
#include <string.h>

#include "io/fs_watch_internal.h"

static void wake(tide_fs_watch_t *w)
{
    tide_promise_t *p = w->waiter;
    if (!p) return;
    w->waiter = NULL;
    tide_promise_fulfil(p, NULL);
    tide_promise_release(p);
}

void tide__fs_watch_queue(tide_fs_watch_t *w, int status, int event, const char *name)
{
    tide__fs_queue_t *q = w->queue;
    if (q->len == TIDE__FS_QUEUE) {
        q->overflowed = 1;
    } else {
        tide__fs_queued_t *it = &q->items[(q->head + q->len) % TIDE__FS_QUEUE];
        it->status = status;
        it->event = event;
        it->name[0] = '\0';
        if (name) {
            size_t n = strnlen(name, sizeof it->name - 1);
            memcpy(it->name, name, n);
            it->name[n] = '\0';
        }
        q->len++;
    }
    wake(w);
}

/* Stopped or closed: a waiting fiber gets -ECANCELED. */
void tide__fs_watch_wake_closed(tide_fs_watch_t *w) { wake(w); }

int tide_fs_watch_next_await(tide_fs_watch_t *w, int *event, char *name, size_t cap,
                             const tide_await_opts_t *opts)
{
    if (event) *event = 0;
    if (name && cap) name[0] = '\0';
    if (!w || (!name && cap)) return -EINVAL;
    if (!tide_in_async()) return -EPERM;
    if (w->h.flags & (TIDE__CLOSING | TIDE__CLOSED)) return -EBADF;
    if (w->waiter) return -EBUSY;
    if (!w->queue) {
        w->queue = tide__calloc(1, sizeof *w->queue);
        if (!w->queue) return -ENOMEM;
    }
    tide__fs_queue_t *q = w->queue;
    while (!q->len && !q->overflowed) {
        if (!w->path) return -EINVAL; /* stopped: nothing more will come */
        int rc = tide_promise_new(w->h.loop, &w->waiter);
        if (rc) return rc;
        tide_promise_t *p = tide_promise_ref(w->waiter);
        rc = tide_await_opts(p, opts, NULL, NULL);
        if (w->waiter == p) { /* aborted: not woken */
            w->waiter = NULL;
            tide_promise_release(p);
        }
        tide_promise_release(p);
        if (rc) return rc;
        if (w->h.flags & (TIDE__CLOSING | TIDE__CLOSED) || (!w->path && !q->len)) return -ECANCELED;
    }
    if (q->overflowed && !q->len) {
        q->overflowed = 0;
        return -EOVERFLOW;
    }
    tide__fs_queued_t *it = &q->items[q->head];
    q->head = (q->head + 1) % TIDE__FS_QUEUE;
    q->len--;
    if (it->status) return it->status;
    if (event) *event = it->event;
    if (name && cap) {
        size_t n = strnlen(it->name, cap - 1);
        memcpy(name, it->name, n);
        name[n] = '\0';
    }
    return 0;
}
