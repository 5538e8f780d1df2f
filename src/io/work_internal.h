/* io/work_internal.h - what the process-wide pool (threadpool.c) and the
 * per-loop side of work requests (work.c) share: the request record and
 * the calls that move it between the loop, the lane queues and a worker. */
#ifndef TIDE_IO_WORK_INTERNAL_H
#define TIDE_IO_WORK_INTERNAL_H

#include <pthread.h>

#include "async/abort_watch.h"
#include "core/internal.h"
#include "tide/work.h"

/* Where a request is; guarded by the pool's mutex while queued or running. */
enum { TIDE__WORK_QUEUED = 1, TIDE__WORK_RUNNING, TIDE__WORK_DONE };

/* Per-loop state (slot TIDE__SLOT_WORK): the request pool, the wakeup the
 * workers send, and the finished requests waiting for the loop. */
typedef struct tide__work_loop {
    tide_loop_t *loop;
    tide__pool_t requests;
    tide_wakeup_t *wakeup;
    pthread_mutex_t lock; /* guards done */
    tide__queue_t done;
} tide__work_loop_t;

struct tide_work_s {
    tide__queue_t node; /* first: the pool's free-list link overlays it */
    tide__work_loop_t *owner;
    tide_work_fn work;
    tide_work_done_fn done;
    void *data;
    void *context;
    int status;
    uint8_t lane;
    uint8_t state;
};

/* threadpool.c: queue on the request's lane, starting the pool on first
 * use (0, or the error of starting a worker when none could start). */
int tide__threadpool_queue(tide_work_t *req);
/* Take a queued request off its lane: 0, or -EBUSY once it has started. */
int tide__threadpool_dequeue(tide_work_t *req);
/* work.c: hand a finished (or dequeued) request back to its loop. Called
 * from any thread. */
void tide__work_finished(tide_work_t *req);

#endif /* TIDE_IO_WORK_INTERNAL_H */
