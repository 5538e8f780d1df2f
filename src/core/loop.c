/* core/loop.c - the loop: creation and teardown, liveness, and tide_run,
 * which reads like DESIGN.md's phase list. */
#include <string.h>

#include "core/internal.h"

__thread tide_loop_t *tide__loop_current __attribute__((tls_model("initial-exec")));

int tide_loop_new(tide_loop_t **out)
{
    if (!out) return -EINVAL;
    const tide__backend_ops_t *backend = tide__backend_pick();
    if (!backend) return -EINVAL;
    tide__allocator_locked = 1;
    tide__signal_ignore_sigpipe();
    tide_loop_t *loop = tide__calloc(1, sizeof *loop);
    if (!loop) return -ENOMEM;
    tide__queue_init(&loop->idle_handles);
    tide__queue_init(&loop->prepare_handles);
    tide__queue_init(&loop->check_handles);
    tide__queue_init(&loop->pending);
    tide__queue_init(&loop->wakeup_handles);
    tide__queue_init(&loop->signal_handles);
    loop->wakeup_io.fd = -1;
    loop->wakeup_io.type = TIDE__IO_WAKEUP;
    loop->signal_io.fd = -1;
    loop->signal_io.type = TIDE__IO_SIGNAL;
    loop->signal_wfd = -1;
    loop->signal_slot = -1;
    tide__pool_init_aligned(&loop->handle_pools[TIDE_HANDLE_TIMER], sizeof(tide_timer_t),
                            TIDE__TIMER_ALIGN);
    tide__pool_init(&loop->handle_pools[TIDE_HANDLE_IDLE], sizeof(tide_idle_t));
    tide__pool_init(&loop->handle_pools[TIDE_HANDLE_PREPARE], sizeof(tide_idle_t));
    tide__pool_init(&loop->handle_pools[TIDE_HANDLE_CHECK], sizeof(tide_idle_t));
    tide__pool_init(&loop->handle_pools[TIDE_HANDLE_POLL], sizeof(tide_poll_t));
    tide__pool_init(&loop->handle_pools[TIDE_HANDLE_WAKEUP], sizeof(tide_wakeup_t));
    tide__pool_init(&loop->handle_pools[TIDE_HANDLE_SIGNAL], sizeof(tide_signal_t));
    tide__pool_init_aligned(&loop->timeout_pool, sizeof(tide__timeout_t), TIDE__TIMER_ALIGN);
    tide__timers_init(loop);
    tide__fastclock_init(loop);
    loop->backend = backend;
    int err = backend->init(loop);
    if (err) {
        tide__free(loop);
        return err;
    }
    tide_update_time(loop);
    tide__loop_current = loop; /* the main program's restarts before tide_run */
    *out = loop;
    return 0;
}

/* Handles the program opened must all be closed (close callbacks run)
 * and requests in flight (thread-pool work) delivered;
 * work the loop owns (timeouts, immediates, queued ticks) is dropped, as
 * Node drops it at exit. */
int tide_loop_close(tide_loop_t *loop)
{
    if (!loop) return -EINVAL;
    if (loop->running || loop->open_handles || loop->closing_head || loop->active_reqs)
        return -EBUSY;
    for (int i = TIDE__SLOT_COUNT - 1; i >= 0; i--)
        if (loop->slots[i].destroy) loop->slots[i].destroy(loop, loop->slots[i].state);
    tide__timeouts_destroy(loop);
    tide__signal_destroy(loop);
    tide__wakeup_destroy(loop);
    loop->backend->destroy(loop);
    tide__timers_destroy(loop);
    tide__immediates_destroy(loop);
    tide__watchers_destroy(loop);
    tide__ring_destroy(&loop->ticks);
    tide__ring_destroy(&loop->microtasks);
    for (size_t i = 0; i < sizeof loop->handle_pools / sizeof loop->handle_pools[0]; i++)
        tide__pool_destroy(&loop->handle_pools[i]);
    if (tide__loop_current == loop) tide__loop_current = NULL;
    tide__free(loop);
    return 0;
}

static inline int loop_alive(const tide_loop_t *loop)
{
    return loop->active_refs || loop->active_reqs || loop->closing_head || loop->immediate_count;
}

int tide_loop_alive(const tide_loop_t *loop) { return loop && loop_alive(loop); }

/* How long poll may block: not at all when something is ready to run,
 * until the nearest timer, or forever (-1). */
static int64_t poll_timeout(tide_loop_t *loop)
{
    if (loop->stop_flag || loop->immediate_count || loop->closing_head ||
        !tide__queue_empty(&loop->idle_handles) || !tide__queue_empty(&loop->pending))
        return 0;
    if (!loop->active_refs && !loop->active_reqs) return 0;
    uint64_t due;
    if (!tide__timers_next_due(loop, &due)) return -1;
    uint64_t now = tide__loop_now(loop);
    return due > now ? (int64_t)(due - now) : 0;
}

/* Poll phase. Waiting is timed (the only clock reads accounting costs), and
 * the reading after the wait becomes the cached time, so I/O callbacks see
 * the time they run at. A virtual loop never sleeps for a timer: it jumps
 * its clock to the timer instead. */
static int poll_phase(tide_loop_t *loop, int64_t timeout)
{
    if (timeout == 0) return loop->backend->poll(loop, 0);
    if (loop->virtual_clock && timeout > 0) {
        uint64_t events = loop->events;
        int n = loop->backend->poll(loop, 0);
        if (n >= 0 && loop->events == events) loop->virtual_now += (uint64_t)timeout;
        loop->time_stale = 1;
        return n;
    }
    uint64_t t0 = tide_hrtime();
    int n = loop->backend->poll(loop, timeout);
    uint64_t t1 = tide__clock_sample(loop);
    loop->idle_ns += t1 - t0;
    if (!loop->virtual_clock) {
        loop->now = t1;
        loop->time_stale = 0;
    }
    return n;
}

/* One iteration, the seven phases in order. */
int tide__loop_iterate(tide_loop_t *loop, tide_run_mode mode)
{
    loop->time_stale = 1;
    tide__run_timers(loop);
    tide__run_pending(loop);
    tide__run_idle_queue(loop, &loop->idle_handles);
    tide__run_idle_queue(loop, &loop->prepare_handles);
    int n = poll_phase(loop, mode == TIDE_RUN_NOWAIT ? 0 : poll_timeout(loop));
    tide__run_idle_queue(loop, &loop->check_handles);
    tide__run_immediates(loop);
    tide__run_closing(loop);
    if (mode == TIDE_RUN_ONCE) {
        /* The wait may have ended for a timer: run it now, so ONCE always
         * makes progress (libuv does the same). */
        loop->time_stale = 1;
        tide__run_timers(loop);
    }
    loop->iterations++;
    return n < 0 ? n : 0;
}

int tide_run(tide_loop_t *loop, tide_run_mode mode)
{
    if (!loop) return -EINVAL;
    if (loop->running) return -EBUSY;
    loop->running = 1;
    tide_loop_t *outer = tide__loop_current; /* a loop run inside another's callback */
    tide__loop_current = loop;
    loop->run_start = tide_hrtime();
    loop->run_idle_base = loop->idle_ns;
    int err = 0;
    tide__timers_settle(loop); /* timers the main program started */
    tide__drain(loop); /* what the main program queued */
    int alive = loop_alive(loop);
    while (alive && !loop->stop_flag) {
        err = tide__loop_iterate(loop, mode);
        alive = loop_alive(loop);
        if (err || mode != TIDE_RUN_DEFAULT) break;
    }
    loop->stop_flag = 0;
    loop->busy_ns += (tide_hrtime() - loop->run_start) - (loop->idle_ns - loop->run_idle_base);
    loop->running = 0;
    tide__loop_current = outer;
    return err ? err : alive;
}

void tide_stop(tide_loop_t *loop)
{
    if (loop) loop->stop_flag = 1;
}

const char *tide_loop_backend(const tide_loop_t *loop) { return loop->backend->name; }

void tide_loop_metrics(const tide_loop_t *loop, tide_loop_metrics_t *out)
{
    out->idle_ns = loop->idle_ns;
    out->busy_ns = loop->busy_ns;
    if (loop->running)
        out->busy_ns += (tide_hrtime() - loop->run_start) - (loop->idle_ns - loop->run_idle_base);
    out->iterations = loop->iterations;
    out->events = loop->events;
    out->callbacks = loop->callbacks;
}

void *tide_context_get(const tide_loop_t *loop) { return loop->context; }
void tide_context_set(tide_loop_t *loop, void *context) { loop->context = context; }
void *tide_loop_data(const tide_loop_t *loop) { return loop->data; }
void tide_loop_set_data(tide_loop_t *loop, void *data) { loop->data = data; }

/* ---- pending phase ------------------------------------------------------- */

void tide__pending_push(tide_loop_t *loop, tide__pending_t *p)
{
    p->context = loop->context;
    tide__queue_insert_tail(&loop->pending, &p->node);
}

void tide__pending_cancel(tide_loop_t *loop, tide__pending_t *p) { tide__queue_remove(&p->node); }

/* Work deferred during the previous iteration; what this phase defers in
 * turn waits for the next one. */
void tide__run_pending(tide_loop_t *loop)
{
    if (tide__queue_empty(&loop->pending)) return;
    tide__queue_t batch;
    tide__queue_move(&loop->pending, &batch);
    while (!tide__queue_empty(&batch)) {
        tide__queue_t *q = tide__queue_head(&batch);
        tide__pending_t *p = tide__container_of(q, tide__pending_t, node);
        tide__queue_remove(q);
        TIDE__CALLBACK(loop, p->context, p->fn(loop, p));
    }
}
