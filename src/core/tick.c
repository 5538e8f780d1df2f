/* core/tick.c - the nextTick and microtask queues and the drain that runs
 * them after every callback (DESIGN.md section 1, SEMANTICS.md L2). */
#include "core/internal.h"

int tide_next_tick(tide_loop_t *loop, tide_fn cb, void *data)
{
    if (!loop || !cb) return -EINVAL;
    return tide__ring_push(&loop->ticks, cb, data, loop->context);
}

int tide_queue_microtask(tide_loop_t *loop, tide_fn cb, void *data)
{
    if (!loop || !cb) return -EINVAL;
    return tide__ring_push(&loop->microtasks, cb, data, loop->context);
}

/* Pop and run one call. The slot is read before the call because the
 * callback may push, and a push may grow (move) the ring. */
static inline void run_one(tide_loop_t *loop, tide__ring_t *r)
{
    tide__call_t c = r->items[r->head & r->mask];
    r->head++;
    loop->context = c.context;
    loop->callbacks++;
    c.fn(loop, c.data);
}

/* Node's processTicksAndRejections: the whole tick queue, then the whole
 * microtask queue (microtasks queued by microtasks included), and again
 * while a microtask queued a tick; then the end-of-drain hook (unhandled
 * rejections), and again if it queued anything. Each call runs with its own context; the
 * caller's context is put back at the end. */
void tide__drain(tide_loop_t *loop)
{
    if (loop->draining) return;
    loop->draining = 1;
    void *saved = loop->context;
    do {
        while (!tide__ring_empty(&loop->ticks)) run_one(loop, &loop->ticks);
        while (!tide__ring_empty(&loop->microtasks)) run_one(loop, &loop->microtasks);
    } while (!tide__ring_empty(&loop->ticks) || (loop->drain_hook && loop->drain_hook(loop)));
    loop->context = saved;
    loop->draining = 0;
}

int tide_drain(tide_loop_t *loop)
{
    if (!loop) return -EINVAL;
    if (loop->draining) return -EBUSY;
    tide__drain(loop);
    return 0;
}
