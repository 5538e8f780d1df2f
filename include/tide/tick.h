/* tide/tick.h - the two queues drained after every callback: nextTick and
 * microtasks.
 *
 * The drain rule: after the main program (tide_run starts with it) and after
 * every callback of every phase, run the whole nextTick queue (ticks added
 * meanwhile included), then the whole microtask queue, and repeat until both
 * are empty. So a tick queued from a microtask waits for the microtask queue
 * to empty, and a microtask always runs before any timer or immediate. Once
 * both are empty, promises rejected without a handler are reported
 * (tide/promise.h), and the drain goes on if that queued anything. Promise
 * reactions and await resumptions are microtasks. */
#ifndef TIDE_TICK_H
#define TIDE_TICK_H

#include "loop.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Node's process.nextTick. Returns 0 or -ENOMEM. */
TIDE_API int tide_next_tick(tide_loop_t *loop, tide_fn cb, void *data);

/* Node's queueMicrotask; promise reactions use the same FIFO queue. */
TIDE_API int tide_queue_microtask(tide_loop_t *loop, tide_fn cb, void *data);

/* Run the drain now (it also runs by itself after every callback). Useful
 * for a program that queued work outside tide_run and wants it done. Returns
 * -EBUSY when a drain is already running on this loop. */
TIDE_API int tide_drain(tide_loop_t *loop);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_TICK_H */
