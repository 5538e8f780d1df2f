/* async/task.c - async functions: a task is a fiber plus the promise of
 * its result. Awaiting suspends the fiber on a waiter; whatever wakes it
 * (a promise reaction, an abort, a deadline, a timer) resumes it from a
 * microtask, which is where Node resumes an async function too. */
#include "async/fiber_internal.h"
#include "async/task_internal.h"

static void *task_main(tide_fiber_t *fiber, void *arg);

/* The running fiber is a task when it runs task_main (a plain fiber
 * started inside a task is not the task); its data is the task. */
tide__task_t *tide__task_current(void)
{
    tide_fiber_t *f = tide__fiber_running;
    return f && f->fn == task_main ? f->data : NULL;
}

int tide_in_async(void) { return tide__task_current() != NULL; }

/* ---- pools -------------------------------------------------------------- */

typedef struct {
    tide__pool_t tasks;
    tide__pool_t waiters;
    /* The last task that finished: its fiber cannot free the stack it
     * runs on, so whoever comes next does (see task_main). */
    tide__task_t *finished;
} task_pools_t;

/* Tasks and waiters live in the loop's tasks slot, destroyed after the
 * fibers slot and before the promises they settle. */
static task_pools_t *pools(tide_loop_t *loop);

static void task_pools_destroy(tide_loop_t *loop, void *state)
{
    task_pools_t *p = state;
    /* the fibers slot, destroyed before this one, freed its fiber */
    p->finished = NULL;
    tide__pool_destroy(&p->tasks);
    tide__pool_destroy(&p->waiters);
    tide__free(p);
}

static TIDE__NOINLINE task_pools_t *pools_create(tide_loop_t *loop)
{
    task_pools_t *p = tide__calloc(1, sizeof *p);
    if (!p) return NULL;
    tide__pool_init(&p->tasks, sizeof(tide__task_t));
    tide__pool_init(&p->waiters, sizeof(tide__waiter_t));
    loop->slots[TIDE__SLOT_TASKS].state = p;
    loop->slots[TIDE__SLOT_TASKS].destroy = task_pools_destroy;
    return p;
}

static inline task_pools_t *pools(tide_loop_t *loop)
{
    task_pools_t *p = loop->slots[TIDE__SLOT_TASKS].state;
    return TIDE__LIKELY(p != NULL) ? p : pools_create(loop);
}

/* ---- running tasks --------------------------------------------------------- */

static void reap(task_pools_t *pp)
{
    tide__task_t *t = pp->finished;
    if (!t) return;
    pp->finished = NULL;
    tide_fiber_free(t->fiber);
    tide__pool_put(&pp->tasks, t);
}

/* The task's whole life on its fiber: run the body, settle the promise,
 * and leave itself to be freed by the next one. Nothing is left for the
 * resumer to do, so resuming is a tail call from the microtask job into
 * the switch: no return on the loop's side goes through a frame that the
 * other stack's calls have displaced, which saves mispredicted returns. */
static void *task_main(tide_fiber_t *fiber, void *arg)
{
    tide__task_t *t = arg;
    tide_result_t result = t->fn(t->loop, t->arg);
    tide_promise_resolve(t->promise, result);
    tide_promise_release(t->promise);
    task_pools_t *pp = pools(t->loop);
    reap(pp);
    pp->finished = t;
    return NULL;
}

/* Run the task until it awaits or returns. */
static void task_resume(tide__task_t *t) { tide_fiber_resume(t->fiber, t, NULL); }

int tide__task_start(tide_loop_t *loop, tide_async_fn fn, void *arg, tide_scope_t *scope,
                     tide_promise_t **out)
{
    task_pools_t *pp = pools(loop);
    if (!pp) return -ENOMEM;
    tide__task_t *t = tide__pool_get(&pp->tasks);
    if (!t) return -ENOMEM;
    t->promise = tide__promise_alloc(loop);
    if (!t->promise) {
        tide__pool_put(&pp->tasks, t);
        return -ENOMEM;
    }
    int rc = tide_fiber_new(loop, task_main, 0, &t->fiber);
    if (rc) {
        tide_promise_release(t->promise);
        tide__pool_put(&pp->tasks, t);
        return rc;
    }
    tide_fiber_set_data(t->fiber, t);
    t->loop = loop;
    t->fn = fn;
    t->arg = arg;
    t->scope = scope;
    if (out) *out = tide_promise_ref(t->promise);
    task_resume(t);
    reap(pp); /* it may have finished already */
    return 0;
}

int tide_async(tide_loop_t *loop, tide_async_fn fn, void *arg, tide_promise_t **out)
{
    if (!loop || !fn) return -EINVAL;
    return tide__task_start(loop, fn, arg, NULL, out);
}

/* ---- waiters ----------------------------------------------------------------- */

tide__waiter_t *tide__waiter_new(tide__task_t *task)
{
    tide__waiter_t *w = tide__pool_get(&pools(task->loop)->waiters);
    if (!w) return NULL;
    w->task = task;
    w->loop = task->loop;
    w->refs = 1;
    w->done = 0;
    w->rc = 0;
    w->value = NULL;
    w->error = NULL;
    w->signals[0] = w->signals[1] = NULL;
    w->timer = 0;
    w->immediate = 0;
    return w;
}

void tide__waiter_release(tide__waiter_t *w)
{
    if (--w->refs == 0) {
        tide_error_release(w->error);
        tide__pool_put(&pools(w->loop)->waiters, w);
    }
}

/* The microtask that resumes an awaiting task. Its resume is a tail call,
 * so when the task suspends again the switch returns straight to the
 * drain's microtask loop; the fiber knows it was resumed this way. */
static void resume_job(tide_loop_t *loop, void *data)
{
    tide__task_t *t = data;
    tide__fiber_resume_job(t->fiber, t);
}

void tide__waiter_wake_later(tide__waiter_t *w, int rc, void *value, tide_error_t *error)
{
    if (w->done) {
        tide_error_release(error);
        return;
    }
    w->done = 1;
    w->rc = rc;
    w->value = value;
    w->error = error;
    if (tide_queue_microtask(w->task->loop, resume_job, w->task) != 0) {
        /* The ring cannot grow: resume now rather than never. */
        task_resume(w->task);
    }
}

static void on_abort(tide_abort_signal_t *signal, tide_error_t *reason, void *data)
{
    tide__waiter_wake_later(data, reason->code, NULL, tide_error_ref(reason));
}

static void on_timer(tide_loop_t *loop, void *data)
{
    tide__waiter_t *w = data;
    w->timer = 0;
    tide__waiter_wake_later(w, w->timer_rc, NULL,
                            w->timer_rc ? tide_error_new(-ETIMEDOUT, "deadline passed") : NULL);
}

/* Listen on a signal; an aborted one wakes the waiter at once (still
 * resuming from a microtask). */
static void arm_signal(tide__waiter_t *w, int slot, tide_abort_signal_t *s)
{
    if (!s) return;
    if (tide_abort_signal_aborted(s)) {
        tide_error_t *reason = tide_abort_signal_reason(s);
        tide__waiter_wake_later(w, reason->code, NULL, tide_error_ref(reason));
        return;
    }
    int64_t id = tide_abort_signal_on(s, on_abort, w);
    if (id < 0) {
        tide__waiter_wake_later(w, (int)id, NULL, tide_error_new((int)id, "cannot watch the signal"));
        return;
    }
    w->signals[slot] = tide_abort_signal_ref(s);
    w->listen_ids[slot] = id;
}

int tide__waiter_wait(tide__waiter_t *w, const tide_await_opts_t *opts, int64_t sleep_ms)
{
    tide__task_t *t = w->task;
    tide_loop_t *loop = t->loop;
    if (opts) arm_signal(w, 0, opts->signal);
    if (t->scope) arm_signal(w, 1, tide__scope_signal(t->scope));

    /* One timer serves a sleep and a deadline: whichever comes first. */
    int64_t ms = sleep_ms;
    w->timer_rc = 0;
    if (opts && opts->deadline_ns) {
        uint64_t now = tide_now_ns(loop);
        uint64_t left = opts->deadline_ns > now ? opts->deadline_ns - now : 0;
        int64_t deadline_ms = (int64_t)((left + TIDE__NS_PER_MS - 1) / TIDE__NS_PER_MS);
        if (ms < 0 || deadline_ms < ms) {
            ms = deadline_ms;
            w->timer_rc = -ETIMEDOUT;
        }
    }
    if (!w->done && ms >= 0) {
        /* A delay of 0 still waits for the timers phase, as a 0 ms sleep
         * in Node does (set_timeout coerces it to 1 ms). */
        tide_id_t id = tide_set_timeout(loop, on_timer, w, (uint64_t)ms);
        if (id < 0) tide__waiter_wake_later(w, (int)id, NULL, tide_error_new((int)id, NULL));
        else w->timer = id;
    }

    tide_fiber_yield(NULL, NULL);

    for (int i = 0; i < 2; i++)
        if (w->signals[i]) {
            tide_abort_signal_off(w->signals[i], w->listen_ids[i]);
            tide_abort_signal_release(w->signals[i]);
        }
    if (w->timer) tide_clear_timeout(loop, w->timer);
    if (w->immediate) tide_clear_immediate(loop, w->immediate);
    return w->rc;
}

/* ---- await ----------------------------------------------------------------------- */

static tide_result_t await_ok(tide_loop_t *loop, void *data, void *value)
{
    tide__waiter_t *w = data;
    if (!w->done) {
        w->done = 1;
        w->value = value;
        task_resume(w->task); /* this job is the await's microtask turn */
    }
    tide__waiter_release(w);
    return tide_ok(NULL);
}

static tide_result_t await_err(tide_loop_t *loop, void *data, tide_error_t *error)
{
    tide__waiter_t *w = data;
    if (!w->done) {
        w->done = 1;
        w->rc = error->code;
        w->error = tide_error_ref(error);
        task_resume(w->task);
    }
    tide__waiter_release(w);
    return tide_ok(NULL);
}

static void await_drop(void *data) { tide__waiter_release(data); }

/* The outcome of a settled promise, as await hands it out. */
static inline int settled_outcome(tide_promise_t *p, void **value, tide_error_t **error)
{
    if (TIDE__LIKELY(p->state == TIDE__P_FULFILLED)) {
        if (value) *value = p->value;
        if (error) *error = NULL;
        return 0;
    }
    if (value) *value = NULL;
    if (error) *error = tide_error_ref(p->error);
    return p->error->code;
}

/* The resume job this await would queue would be the next thing the
 * drain runs: see await_settled. */
static inline int resume_is_next(const tide__task_t *t)
{
    return t->fiber->by_job && tide__ring_empty(&t->loop->microtasks);
}

/* await_settled in general: the task goes on at once if its resume would
 * be next, else it queues the resume and yields. */
static TIDE__NOINLINE int await_settled_general(tide__task_t *t, tide_promise_t *p, void **value,
                                                tide_error_t **error)
{
    tide_loop_t *loop = t->loop;
    if (resume_is_next(t)) {
        tide__promise_mark_handled(p);
        loop->callbacks++;
        return settled_outcome(p, value, error);
    }
    int rc = tide__ring_push(&loop->microtasks, resume_job, t, loop->context);
    if (TIDE__UNLIKELY(rc)) return rc;
    if (TIDE__UNLIKELY(!(p->flags & TIDE__PF_HANDLED))) tide__promise_mark_handled(p);
    p->refs++;
    tide_fiber_yield(NULL, NULL);
    rc = settled_outcome(p, value, error);
    /* p cannot reach zero here unless the caller dropped it meanwhile */
    if (TIDE__LIKELY(p->refs > 1)) p->refs--;
    else tide_promise_release(p);
    return rc;
}

/* await of a settled promise that nothing can cancel: its reaction job
 * would only resume us, so the resume itself is the job; the outcome is
 * read from the promise, which cannot change any more.
 *
 * When this run of the task began with its resume job (the fiber's
 * by_job) and the microtask ring is empty, the job this await would queue
 * is the very next thing the drain runs: the task would suspend, the
 * switch would return to the drain's microtask loop (resume_job's resume
 * is a tail call), and the drain would pop the new job and resume the
 * task, with nothing else in between. So the task goes on at once, and
 * the turn is counted as the drain would count it; every callback runs in
 * the order the switch would give. Inline here: a fulfilled promise that
 * already has a handler; the rest in await_settled_general. */
static inline int await_settled(tide__task_t *t, tide_promise_t *p, void **value,
                                tide_error_t **error)
{
    if (TIDE__UNLIKELY(!resume_is_next(t) || p->state != TIDE__P_FULFILLED ||
                       !(p->flags & TIDE__PF_HANDLED)))
        return await_settled_general(t, p, value, error);
    t->loop->callbacks++;
    if (value) *value = p->value;
    if (error) *error = NULL;
    return 0;
}

/* await on a waiter: a pending promise, or anything that can cancel. */
static TIDE__NOINLINE int await_waiting(tide__task_t *t, tide_promise_t *p,
                                        const tide_await_opts_t *opts, void **value,
                                        tide_error_t **error)
{
    tide__waiter_t *w = tide__waiter_new(t);
    if (!w) return -ENOMEM;
    int rc;
    tide_promise_ref(p); /* awaited promises stay alive */
    if (p->state != TIDE__P_PENDING) {
        /* Settled: the reaction job would be queued right now, and all it
         * would do is resume us; queue the resume itself (same turn). */
        tide__promise_mark_handled(p);
        rc = p->state == TIDE__P_FULFILLED ? 0 : p->error->code;
        tide__waiter_wake_later(w, rc, p->state == TIDE__P_FULFILLED ? p->value : NULL,
                                rc ? tide_error_ref(p->error) : NULL);
    } else {
        w->refs++; /* the reaction's */
        if (tide__promise_watch(p, await_ok, await_err, w, await_drop) != 0) {
            tide_promise_release(p);
            w->refs -= 2;
            tide__pool_put(&pools(t->loop)->waiters, w);
            return -ENOMEM;
        }
    }
    rc = tide__waiter_wait(w, opts, -1);
    void *v = w->value;
    tide_error_t *e = NULL;
    if (rc < 0) {
        e = w->error;
        w->error = NULL;
    }
    tide__waiter_release(w);
    /* Dropping p may free it with our reaction still attached (it never
     * settled): that releases the reaction's reference to w. */
    tide_promise_release(p);
    if (value) *value = rc == 0 ? v : NULL;
    if (error) *error = e;
    else tide_error_release(e);
    return rc;
}

static inline int await_with(tide_promise_t *p, const tide_await_opts_t *opts, void **value,
                             tide_error_t **error)
{
    tide__task_t *t = tide__task_current();
    if (!t) return -EPERM;
    if (!p || p->loop != t->loop || (p->flags & TIDE__PF_RESOLVER)) return -EINVAL;
    if (p->state != TIDE__P_PENDING && !t->scope &&
        (!opts || (!opts->signal && !opts->deadline_ns)))
        return await_settled(t, p, value, error);
    return await_waiting(t, p, opts, value, error);
}

int tide_await_opts(tide_promise_t *p, const tide_await_opts_t *opts, void **value,
                    tide_error_t **error)
{
    return await_with(p, opts, value, error);
}

int tide_await(tide_promise_t *p, void **value, tide_error_t **error)
{
    return await_with(p, NULL, value, error);
}

int tide_await_value(void *v, void **value)
{
    tide__task_t *t = tide__task_current();
    if (!t) return -EPERM;
    int rc = tide_queue_microtask(t->loop, resume_job, t);
    if (rc) return rc;
    tide_fiber_yield(NULL, NULL);
    if (value) *value = v;
    return 0;
}

/* ---- the awaiting core calls ------------------------------------------------------ */

int tide_sleep_await(tide_loop_t *loop, uint64_t ms, const tide_await_opts_t *opts)
{
    tide__task_t *t = tide__task_current();
    if (!t) return -EPERM;
    if (loop != t->loop) return -EINVAL;
    tide__waiter_t *w = tide__waiter_new(t);
    if (!w) return -ENOMEM;
    if (ms > INT64_MAX) ms = INT64_MAX;
    int rc = tide__waiter_wait(w, opts, (int64_t)ms);
    tide__waiter_release(w);
    return rc;
}

static void on_immediate(tide_loop_t *loop, void *data)
{
    tide__waiter_t *w = data;
    w->immediate = 0;
    tide__waiter_wake_later(w, 0, NULL, NULL);
}

int tide_immediate_await(tide_loop_t *loop, const tide_await_opts_t *opts)
{
    tide__task_t *t = tide__task_current();
    if (!t) return -EPERM;
    if (loop != t->loop) return -EINVAL;
    tide__waiter_t *w = tide__waiter_new(t);
    if (!w) return -ENOMEM;
    tide_id_t id = tide_set_immediate(loop, on_immediate, w);
    if (id < 0) tide__waiter_wake_later(w, (int)id, NULL, tide_error_new((int)id, NULL));
    else w->immediate = id;
    int rc = tide__waiter_wait(w, opts, -1);
    tide__waiter_release(w);
    return rc;
}
