/* io/work.c - the loop's side of the thread pool: requests from a per-loop
 * pool, submission and cancellation, and the delivery of completions on
 * the loop's thread through its wakeup eventfd; the promise and awaiting
 * forms on top. */
#include <string.h>

#include "async/promise_internal.h"
#include "io/work_internal.h"

/* A promise-form request: what the promise needs besides the request. */
typedef struct {
    tide_promise_t *promise;
    tide_work_fn work;
    void *data;
    tide_work_done_fn discard;
    tide__abort_watch_t abort;
    tide_work_t *req; /* until its completion runs */
} work_promise_t;

typedef struct {
    tide__work_loop_t base;
    tide__pool_t promises;
} work_state_t;

static void work_state_destroy(tide_loop_t *loop, void *state)
{
    work_state_t *st = state;
    /* tide_loop_close refuses while requests are in flight, so no worker
     * can touch this any more. The wakeup handle's memory goes with the
     * loop's handle pools. */
    if (st->base.wakeup) tide__wakeup_close(st->base.wakeup);
    pthread_mutex_destroy(&st->base.lock);
    tide__pool_destroy(&st->base.requests);
    tide__pool_destroy(&st->promises);
    tide__free(st);
    loop->slots[TIDE__SLOT_WORK].state = NULL;
}

static void deliver(tide_wakeup_t *w, void *data);

static TIDE__NOINLINE work_state_t *state_create(tide_loop_t *loop)
{
    work_state_t *st = tide__calloc(1, sizeof *st);
    if (!st) return NULL;
    if (pthread_mutex_init(&st->base.lock, NULL) != 0) {
        tide__free(st);
        return NULL;
    }
    st->base.loop = loop;
    tide__queue_init(&st->base.done);
    tide__pool_init(&st->base.requests, sizeof(tide_work_t));
    tide__pool_init(&st->promises, sizeof(work_promise_t));
    loop->slots[TIDE__SLOT_WORK].state = st;
    loop->slots[TIDE__SLOT_WORK].destroy = work_state_destroy;
    return st;
}

/* The state with its wakeup, made on first use. The wakeup is the loop's
 * own: unreferenced (requests keep the loop alive, not it) and not counted
 * as an open handle. */
static int state_get(tide_loop_t *loop, work_state_t **out)
{
    work_state_t *st = loop->slots[TIDE__SLOT_WORK].state;
    if (TIDE__UNLIKELY(!st) && !(st = state_create(loop))) return -ENOMEM;
    if (TIDE__UNLIKELY(!st->base.wakeup)) {
        int rc = tide_wakeup_new(loop, deliver, st, &st->base.wakeup);
        if (rc) return rc;
        tide_unref(TIDE_HANDLE(st->base.wakeup));
        TIDE_HANDLE(st->base.wakeup)->flags |= TIDE__INTERNAL;
        loop->open_handles--;
    }
    *out = st;
    return 0;
}

void tide__work_finished(tide_work_t *req)
{
    tide__work_loop_t *owner = req->owner;
    /* The send happens under the lock: once the loop has taken req, the
     * worker is done with the loop, which may then be closed. */
    pthread_mutex_lock(&owner->lock);
    tide__queue_insert_tail(&owner->done, &req->node);
    tide_wakeup_send(owner->wakeup);
    pthread_mutex_unlock(&owner->lock);
}

/* The wakeup's callback: run the completions in the order they came. */
static void deliver(tide_wakeup_t *w, void *data)
{
    work_state_t *st = data;
    tide_loop_t *loop = st->base.loop;
    tide__queue_t batch;
    pthread_mutex_lock(&st->base.lock);
    tide__queue_move(&st->base.done, &batch);
    pthread_mutex_unlock(&st->base.lock);
    while (!tide__queue_empty(&batch)) {
        tide_work_t *req = tide__container_of(tide__queue_head(&batch), tide_work_t, node);
        tide__queue_remove(&req->node);
        loop->active_reqs--;
        TIDE__CALLBACK(loop, req->context, req->done(loop, req->status, req->data));
        tide__pool_put(&st->base.requests, req);
    }
}

int tide_work_submit(tide_loop_t *loop, tide_lane_t lane, tide_work_fn work,
                     tide_work_done_fn done, void *data, tide_work_t **out)
{
    if (!loop || !work || !done || (unsigned)lane >= TIDE_LANE_COUNT) return -EINVAL;
    work_state_t *st;
    int rc = state_get(loop, &st);
    if (rc) return rc;
    tide_work_t *req = tide__pool_get(&st->base.requests);
    if (!req) return -ENOMEM;
    req->owner = &st->base;
    req->work = work;
    req->done = done;
    req->data = data;
    req->context = loop->context;
    req->status = 0;
    req->lane = (uint8_t)lane;
    rc = tide__threadpool_queue(req);
    if (rc) {
        tide__pool_put(&st->base.requests, req);
        return rc;
    }
    loop->active_reqs++;
    if (out) *out = req;
    return 0;
}

int tide_work_cancel(tide_work_t *req)
{
    if (!req) return -EINVAL;
    int rc = tide__threadpool_dequeue(req);
    if (rc) return rc;
    req->status = -ECANCELED;
    tide__work_finished(req);
    return 0;
}

/* ---- promise and awaiting forms ---------------------------------------- */

static int promise_run(void *data)
{
    work_promise_t *wp = data;
    return wp->work(wp->data);
}

static void promise_done(tide_loop_t *loop, int status, void *data)
{
    work_promise_t *wp = data;
    wp->req = NULL;
    tide__abort_unwatch(&wp->abort);
    if (tide_promise_state_of(wp->promise) == TIDE_PROMISE_PENDING) {
        if (status >= 0) tide_promise_fulfil(wp->promise, (void *)(intptr_t)status);
        else tide_promise_reject(wp->promise, tide_error_new(status, NULL));
    } else if (wp->discard) {
        wp->discard(loop, status, wp->data);
    }
    tide_promise_release(wp->promise);
    work_state_t *st = loop->slots[TIDE__SLOT_WORK].state;
    tide__pool_put(&st->promises, wp);
}

static void promise_abort(tide_abort_signal_t *signal, tide_error_t *reason, void *data)
{
    work_promise_t *wp = data;
    tide_promise_reject(wp->promise, tide_error_ref(reason));
    /* Not started: its completion comes with -ECANCELED; started: it
     * finishes on its worker and is discarded. Either way promise_done
     * gives the record back. */
    tide_work_cancel(wp->req);
}

static int start_promise(tide_loop_t *loop, tide_lane_t lane, tide_work_fn work, void *data,
                         tide_work_done_fn discard, tide_abort_signal_t *signal,
                         tide_promise_t **out, work_promise_t **record)
{
    if (!loop || !work || !out || (unsigned)lane >= TIDE_LANE_COUNT) return -EINVAL;
    *record = NULL;
    tide_promise_t *p;
    int rc = tide_promise_new(loop, &p);
    if (rc) return rc;
    if (signal && tide_abort_signal_aborted(signal)) {
        tide_promise_reject(p, tide_error_ref(tide_abort_signal_reason(signal)));
        *out = p;
        return 0;
    }
    work_state_t *st;
    rc = state_get(loop, &st);
    work_promise_t *wp = rc ? NULL : tide__pool_get(&st->promises);
    if (!wp) {
        tide_promise_release(p);
        return rc ? rc : -ENOMEM;
    }
    memset(wp, 0, sizeof *wp);
    wp->promise = tide_promise_ref(p);
    wp->work = work;
    wp->data = data;
    wp->discard = discard;
    if ((rc = tide__abort_watch(&wp->abort, signal, promise_abort, wp)) != 0) goto fail;
    rc = tide_work_submit(loop, lane, promise_run, promise_done, wp, &wp->req);
    if (rc) {
        tide__abort_unwatch(&wp->abort);
        goto fail;
    }
    *out = p;
    *record = wp;
    return 0;
fail:
    tide_promise_release(p);
    tide_promise_release(p);
    tide__pool_put(&st->promises, wp);
    return rc;
}

int tide_work_promise(tide_loop_t *loop, tide_lane_t lane, tide_work_fn work, void *data,
                      tide_work_done_fn discard, tide_abort_signal_t *signal,
                      tide_promise_t **out)
{
    work_promise_t *wp;
    return start_promise(loop, lane, work, data, discard, signal, out, &wp);
}

int tide_work_await(tide_loop_t *loop, tide_lane_t lane, tide_work_fn work, void *data,
                    tide_work_done_fn discard, const tide_await_opts_t *opts)
{
    if (!tide_in_async()) return -EPERM;
    tide_promise_t *p;
    work_promise_t *wp;
    int rc = start_promise(loop, lane, work, data, discard, opts ? opts->signal : NULL, &p, &wp);
    if (rc) return rc;
    void *value;
    rc = tide_await_opts(p, opts, &value, NULL);
    if (rc < 0 && tide_promise_state_of(p) == TIDE_PROMISE_PENDING) {
        /* Woken by the deadline or the scope: the work is abandoned as an
         * abort of the call's own signal would abandon it. */
        tide_promise_reject(p, tide_error_new(rc, NULL));
        tide_work_cancel(wp->req);
    }
    tide_promise_release(p);
    return rc < 0 ? rc : (int)(intptr_t)value;
}
