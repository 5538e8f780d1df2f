/* core/idle.c - idle, prepare and check handles: one implementation, three
 * queues. Each runs its started handles once per iteration, in start order. */
#include <string.h>

#include "core/internal.h"

static tide__queue_t *queue_of(tide_idle_t *h)
{
    tide_loop_t *loop = h->h.loop;
    switch (h->h.type) {
    case TIDE_HANDLE_IDLE: return &loop->idle_handles;
    case TIDE_HANDLE_PREPARE: return &loop->prepare_handles;
    default: return &loop->check_handles;
    }
}

static int idle_new(tide_loop_t *loop, tide_idle_t **out, int type)
{
    if (!loop || !out) return -EINVAL;
    tide_idle_t *h = tide__pool_get(&loop->handle_pools[type]);
    if (!h) return -ENOMEM;
    memset(h, 0, sizeof *h);
    tide__handle_init(loop, &h->h, type);
    tide__queue_init(&h->node);
    *out = h;
    return 0;
}

int tide_idle_new(tide_loop_t *loop, tide_idle_t **out) { return idle_new(loop, out, TIDE_HANDLE_IDLE); }

int tide_prepare_new(tide_loop_t *loop, tide_prepare_t **out)
{
    return idle_new(loop, out, TIDE_HANDLE_PREPARE);
}

int tide_check_new(tide_loop_t *loop, tide_check_t **out) { return idle_new(loop, out, TIDE_HANDLE_CHECK); }

int tide_idle_start(tide_idle_t *h, tide_idle_cb cb, void *data)
{
    if (!h || !cb) return -EINVAL;
    if (h->h.flags & (TIDE__CLOSING | TIDE__CLOSED)) return -EALREADY;
    h->cb = cb;
    h->h.data = data;
    if (h->h.flags & TIDE__ACTIVE) return 0;
    h->h.context = h->h.loop->context;
    tide__queue_insert_tail(queue_of(h), &h->node);
    tide__handle_start(&h->h);
    return 0;
}

int tide_idle_stop(tide_idle_t *h)
{
    if (!h) return -EINVAL;
    if (h->h.flags & TIDE__CLOSED) return -EALREADY;
    if (!(h->h.flags & TIDE__ACTIVE)) return 0;
    tide__queue_remove(&h->node);
    tide__handle_stop(&h->h);
    return 0;
}

void tide__idle_close(tide_idle_t *h) { tide_idle_stop(h); }

/* The handles started before the phase run in start order, and the queue
 * keeps start order for the next iteration: each is moved aside to a done
 * list before its call, so a callback may stop, start or close any handle,
 * itself included; those started meanwhile land in the live queue, wait for
 * the next iteration, and stay behind the ones that ran (which are put back
 * in front at the end). */
void tide__run_idle_queue(tide_loop_t *loop, tide__queue_t *queue)
{
    if (tide__queue_empty(queue)) return;
    tide__queue_t batch, done;
    tide__queue_move(queue, &batch);
    tide__queue_init(&done);
    while (!tide__queue_empty(&batch)) {
        tide__queue_t *q = tide__queue_head(&batch);
        tide_idle_t *h = tide__container_of(q, tide_idle_t, node);
        tide__queue_remove(q);
        tide__queue_insert_tail(&done, q);
        TIDE__CALLBACK(loop, h->h.context, h->cb(h, h->h.data));
    }
    tide__queue_prepend(queue, &done);
}
