/* tide/work.h - the thread pool: run blocking work on worker threads and
 * get its completion back on the loop's thread, as a callback, a promise
 * or an await.
 *
 * One pool serves every loop of the process (threads are a process
 * resource: a pool per loop would multiply them). It starts on the first
 * submission with TIDE_THREADPOOL_SIZE workers (default 4, clamped to
 * 3..256; a value that is not a number is ignored), or the size given to
 * tide_threadpool_set_size before that.
 *
 * Lanes. Work is submitted to a lane: CPU (the default), FILE or DNS. A
 * lane never takes a worker that is the last one free for a lane with
 * nothing running: every lane always has a worker running its work or
 * waiting for it. So slow file reads, however many, cannot hold up a DNS
 * lookup (the classic libuv complaint: four slow reads and every
 * getaddrinfo waits). The price: with 4 workers and the other lanes idle,
 * one lane runs at most 2 jobs at once (4 minus one kept for each idle
 * lane); raise TIDE_THREADPOOL_SIZE for more parallel file I/O.
 *
 * Completions of one loop run in the order the workers finished them, each
 * as its own callback with the drain rule after it. Work in flight keeps
 * the loop alive, and tide_loop_close returns -EBUSY until every
 * completion (also those of cancelled work) has been delivered.
 *
 * fork(): the child starts with an empty pool that starts again on first
 * use. Work queued or running in the parent at the fork never completes in
 * the child, so the child should use new loops, not the parent's. */
#ifndef TIDE_WORK_H
#define TIDE_WORK_H

#include "tide/async.h"
#include "tide/common.h"
#include "tide/promise.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    TIDE_LANE_CPU = 0, /* computation and anything else (the default) */
    TIDE_LANE_FILE,    /* file system calls (tide/fs.h) */
    TIDE_LANE_DNS      /* name lookups (tide/dns.h): short, latency-bound */
} tide_lane_t;
#define TIDE_LANE_COUNT 3

typedef struct tide_work_s tide_work_t;

/* Runs on a worker thread: it must not touch the loop or anything of it.
 * Returns 0 or a positive result, or a negative errno. */
typedef int (*tide_work_fn)(void *data);
/* Runs on the loop's thread with what the work returned, or -ECANCELED
 * when the work was cancelled before it started. */
typedef void (*tide_work_done_fn)(tide_loop_t *loop, int status, void *data);

/* Queue work(data) on lane; done(loop, status, data) follows on the loop.
 * *out (may be NULL) is the request, valid until done begins, for
 * tide_work_cancel. After warm-up this allocates nothing. -EINVAL for a
 * bad lane or a NULL function, -ENOMEM, or the error of creating the
 * loop's wakeup eventfd or the workers (-EMFILE, -EAGAIN). */
TIDE_API int tide_work_submit(tide_loop_t *loop, tide_lane_t lane, tide_work_fn work,
                              tide_work_done_fn done, void *data, tide_work_t **out);

/* Cancel work that has not started: its done gets -ECANCELED, later, from
 * the loop (never from inside this call). -EBUSY when it is running or
 * has finished (done will report its own status); -EINVAL for NULL. */
TIDE_API int tide_work_cancel(tide_work_t *req);

/* Promise form: fulfils with data once work returned >= 0, rejects with
 * an error of the code it returned. An abort of signal (may be NULL)
 * rejects at once with the signal's reason and cancels the work if it has
 * not started; work that already runs cannot be stopped, so it finishes on
 * its worker and then discard(loop, status, data) (may be NULL) runs on
 * the loop to let go of what it made. data must stay valid until then. */
TIDE_API int tide_work_promise(tide_loop_t *loop, tide_lane_t lane, tide_work_fn work,
                               void *data, tide_work_done_fn discard,
                               tide_abort_signal_t *signal, tide_promise_t **out);

/* Awaiting form, inside an async function: returns what work returned, or
 * the abort reason's code (opts' signal or the task's scope) or
 * -ETIMEDOUT at the deadline, with discard as for the promise form. data
 * must not live on the fiber's stack when the call can be aborted: the
 * work may still be writing to it after this returns. -EPERM outside an
 * async function. */
TIDE_API int tide_work_await(tide_loop_t *loop, tide_lane_t lane, tide_work_fn work, void *data,
                             tide_work_done_fn discard, const tide_await_opts_t *opts);

/* Size the pool before it starts (3..256). -EBUSY once it runs,
 * -EINVAL out of range. */
TIDE_API int tide_threadpool_set_size(unsigned workers);
/* The number of workers the pool has or will start with. */
TIDE_API unsigned tide_threadpool_size(void);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_WORK_H */
