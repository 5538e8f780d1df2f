/* tests/async/test_async.c - async functions beyond the orderings of the
 * conformance cases: await outside a task, cancellation by abort signals,
 * timeouts and deadlines (releasing their timers), the promise forms of
 * sleep, scopes (join, cancel, first failure cancels siblings), the mutex
 * and semaphore (FIFO, cancelled waiters), the seeds' double-spend, and
 * 100,000 tasks each awaiting a timer. Timers run on the virtual clock. */
#include <unistd.h>
#include <valgrind/valgrind.h>

#include "async/sanitize.h"
#include "test.h"

static tide_loop_t *loop;

/* ---- await outside a task ------------------------------------------------ */

static void test_await_outside_task(void)
{
    tide_promise_t *p;
    ASSERT_OK(tide_promise_resolved(loop, NULL, &p));
    ASSERT_EQ(tide_await(p, NULL, NULL), -EPERM);
    ASSERT_EQ(tide_await_value(NULL, NULL), -EPERM);
    ASSERT_EQ(tide_sleep_await(loop, 1, NULL), -EPERM);
    ASSERT_EQ(tide_immediate_await(loop, NULL), -EPERM);
    ASSERT(!tide_in_async());
    tide_promise_release(p);
}

/* ---- cancellation ------------------------------------------------------------ */

typedef struct {
    tide_await_opts_t opts;
    uint64_t ms;
    int rc;
    uint64_t woke_at;
} sleeper_t;

static tide_result_t sleeper(tide_loop_t *l, void *arg)
{
    sleeper_t *s = arg;
    ASSERT(tide_in_async());
    s->rc = tide_sleep_await(l, s->ms, &s->opts);
    s->woke_at = tide_now(l);
    return tide_ok(NULL);
}

static void do_abort(tide_loop_t *l, void *ctrl) { ASSERT_OK(tide_abort(ctrl, NULL)); }

static void test_abort_sleep(void)
{
    tide_abort_controller_t *ctrl;
    ASSERT_OK(tide_abort_controller_new(loop, &ctrl));
    sleeper_t s = {.opts = {.signal = tide_abort_controller_signal(ctrl)}, .ms = 1000};
    uint64_t start = tide_now(loop);
    ASSERT_OK(tide_async(loop, sleeper, &s, NULL));
    ASSERT_GE(tide_set_timeout(loop, do_abort, ctrl, 10), 0);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(s.rc, -ECANCELED);
    ASSERT_EQ(s.woke_at - start, 10); /* and the 1000 ms timer went with it */
    ASSERT_EQ(tide_abort(ctrl, NULL), -EALREADY);
    /* an already aborted signal fails the next wait at once */
    s.rc = 0;
    start = tide_now(loop);
    ASSERT_OK(tide_async(loop, sleeper, &s, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(s.rc, -ECANCELED);
    ASSERT_EQ(s.woke_at, start);
    tide_abort_controller_free(ctrl);
}

static void test_timeout_signal_and_deadline(void)
{
    tide_abort_signal_t *sig;
    ASSERT_OK(tide_abort_signal_timeout(loop, 30, &sig));
    sleeper_t a = {.opts = {.signal = sig}, .ms = 100};
    uint64_t start = tide_now(loop);
    ASSERT_OK(tide_async(loop, sleeper, &a, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(a.rc, -ETIMEDOUT);
    ASSERT_EQ(a.woke_at - start, 30);
    ASSERT_EQ(tide_abort_signal_reason(sig)->code, -ETIMEDOUT);
    tide_abort_signal_release(sig);

    /* An unref'd timeout signal alone does not keep the loop alive. */
    ASSERT_OK(tide_abort_signal_timeout(loop, 50, &sig));
    start = tide_now(loop);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(tide_now(loop), start);
    ASSERT(!tide_abort_signal_aborted(sig));
    tide_abort_signal_release(sig);

    /* A deadline before the sleep's end: -ETIMEDOUT at the deadline. */
    start = tide_now(loop);
    sleeper_t b = {.opts = {.deadline_ns = tide_now_ns(loop) + 20 * 1000000ull}, .ms = 100};
    ASSERT_OK(tide_async(loop, sleeper, &b, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(b.rc, -ETIMEDOUT);
    ASSERT_EQ(b.woke_at - start, 20);
    /* A deadline after it: the sleep ends normally. */
    start = tide_now(loop);
    sleeper_t c = {.opts = {.deadline_ns = tide_now_ns(loop) + 200 * 1000000ull}, .ms = 10};
    ASSERT_OK(tide_async(loop, sleeper, &c, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(c.rc, 0);
    ASSERT_EQ(c.woke_at - start, 10);
}

static void log_abort(tide_abort_signal_t *signal, tide_error_t *reason, void *data)
{
    test_log(&log_, data);
    test_log(&log_, tide_err_name(reason->code));
}

static void test_signal_any_and_listeners(void)
{
    tide_abort_controller_t *a, *b;
    ASSERT_OK(tide_abort_controller_new(loop, &a));
    ASSERT_OK(tide_abort_controller_new(loop, &b));
    tide_abort_signal_t *any;
    tide_abort_signal_t *in[] = {tide_abort_controller_signal(a), tide_abort_controller_signal(b)};
    ASSERT_OK(tide_abort_signal_any(loop, in, 2, &any));
    log_reset();
    int64_t first = tide_abort_signal_on(any, log_abort, "first");
    int64_t gone = tide_abort_signal_on(any, log_abort, "removed");
    ASSERT_OK(tide_abort_signal_on(any, log_abort, "third") > 0 ? 0 : -1);
    ASSERT_GT(first, 0);
    ASSERT_OK(tide_abort_signal_off(any, gone));
    ASSERT_OK(tide_abort(b, tide_error_new(-EPIPE, "b went")));
    ASSERT_STR_EQ(log_.buf, "first EPIPE third EPIPE");
    ASSERT(tide_abort_signal_aborted(any));
    ASSERT_EQ(tide_abort_signal_reason(any)->code, -EPIPE);
    ASSERT_EQ(tide_abort_signal_off(any, 12345), -ENOENT);
    tide_abort_signal_release(any);
    tide_abort_controller_free(a);
    tide_abort_controller_free(b);
}

static tide_result_t ignore_error(tide_loop_t *l, void *data, tide_error_t *e) { return tide_ok(NULL); }

/* tide_sleep: the promise form, rejected by an abort. */
static void test_sleep_promise(void)
{
    tide_abort_controller_t *ctrl;
    ASSERT_OK(tide_abort_controller_new(loop, &ctrl));
    tide_promise_t *p, *q;
    ASSERT_OK(tide_sleep(loop, 10, NULL, &p));
    ASSERT_OK(tide_sleep(loop, 1000, tide_abort_controller_signal(ctrl), &q));
    ASSERT_GE(tide_set_timeout(loop, do_abort, ctrl, 5), 0);
    uint64_t start = tide_now(loop);
    ASSERT_OK(tide_promise_catch(q, ignore_error, NULL, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_FULFILLED);
    ASSERT_EQ(tide_promise_state_of(q), TIDE_PROMISE_REJECTED);
    ASSERT_EQ(tide_promise_error(q)->code, -ECANCELED);
    ASSERT_EQ(tide_now(loop) - start, 10);
    tide_promise_release(p);
    tide_promise_release(q);
    tide_abort_controller_free(ctrl);
}

/* ---- scopes ---------------------------------------------------------------- */

typedef struct {
    uint64_t ms;
    int fail;      /* fail with -EIO after the sleep */
    int rc;
    int finished;
} member_t;

static tide_result_t member(tide_loop_t *l, void *arg)
{
    member_t *m = arg;
    m->rc = tide_sleep_await(l, m->ms, NULL);
    m->finished = 1;
    if (m->rc) return tide_fail(tide_error_new(m->rc, "woken"));
    if (m->fail) return tide_fail(tide_error_new(-EIO, "member failed"));
    return tide_ok(NULL);
}

typedef struct {
    member_t *members;
    int n;
    int join_rc;
    int cancel_after; /* ms; 0: no outside cancel */
    uint64_t joined_at;
} scope_case_t;

static void cancel_scope(tide_loop_t *l, void *scope) { ASSERT_OK(tide_scope_cancel(scope, NULL)); }

static tide_result_t scope_owner(tide_loop_t *l, void *arg)
{
    scope_case_t *c = arg;
    tide_scope_t *scope;
    ASSERT_OK(tide_scope_new(l, NULL, &scope));
    for (int i = 0; i < c->n; i++) ASSERT_OK(tide_scope_spawn(scope, member, &c->members[i], NULL));
    ASSERT_EQ(tide_scope_active(scope), c->n);
    if (c->cancel_after) ASSERT_GE(tide_set_timeout(l, cancel_scope, scope, c->cancel_after), 0);
    tide_error_t *err = NULL;
    c->join_rc = tide_scope_join(scope, &err);
    c->joined_at = tide_now(l);
    ASSERT_EQ(tide_scope_active(scope), 0);
    if (c->join_rc) {
        ASSERT(err != NULL);
        ASSERT_EQ(err->code, c->join_rc);
        tide_error_release(err);
    }
    ASSERT_EQ(tide_scope_spawn(scope, member, &c->members[0], NULL), -EBUSY);
    ASSERT_OK(tide_scope_free(scope));
    return tide_ok(NULL);
}

static void test_scope_join_waits_for_all(void)
{
    member_t m[3] = {{.ms = 30}, {.ms = 10}, {.ms = 20}};
    scope_case_t c = {m, 3, -1, 0, 0};
    uint64_t start = tide_now(loop);
    ASSERT_OK(tide_async(loop, scope_owner, &c, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(c.join_rc, 0);
    ASSERT_EQ(c.joined_at - start, 30);
    for (int i = 0; i < 3; i++) ASSERT(m[i].finished && m[i].rc == 0);
}

static void test_scope_failure_cancels_siblings(void)
{
    member_t m[3] = {{.ms = 100}, {.ms = 10, .fail = 1}, {.ms = 200}};
    scope_case_t c = {m, 3, 0, 0, 0};
    uint64_t start = tide_now(loop);
    ASSERT_OK(tide_async(loop, scope_owner, &c, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(c.join_rc, -EIO); /* the first failure, reported once */
    ASSERT_EQ(c.joined_at - start, 10);
    ASSERT_EQ(m[0].rc, -ECANCELED);
    ASSERT_EQ(m[2].rc, -ECANCELED);
}

static void test_scope_cancelled_from_outside(void)
{
    member_t m[2] = {{.ms = 100}, {.ms = 200}};
    scope_case_t c = {m, 2, 0, 15, 0};
    uint64_t start = tide_now(loop);
    ASSERT_OK(tide_async(loop, scope_owner, &c, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(c.join_rc, -ECANCELED);
    ASSERT_EQ(c.joined_at - start, 15);
    ASSERT_EQ(m[0].rc, -ECANCELED);
    ASSERT_EQ(m[1].rc, -ECANCELED);
}

static tide_result_t nested_owner(tide_loop_t *l, void *arg)
{
    member_t *m = arg;
    tide_scope_t *outer, *inner;
    ASSERT_OK(tide_scope_new(l, NULL, &outer));
    ASSERT_OK(tide_scope_new(l, outer, &inner));
    ASSERT_OK(tide_scope_spawn(inner, member, m, NULL));
    ASSERT_OK(tide_scope_cancel(outer, NULL)); /* reaches the inner scope */
    ASSERT_EQ(tide_scope_spawn(inner, member, m, NULL), -ECANCELED);
    ASSERT_EQ(tide_scope_join(inner, NULL), -ECANCELED);
    ASSERT_OK(tide_scope_free(inner));
    ASSERT_OK(tide_scope_free(outer));
    return tide_ok(NULL);
}

static void test_scope_parent_cancels_child(void)
{
    member_t m = {.ms = 100};
    ASSERT_OK(tide_async(loop, nested_owner, &m, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(m.rc, -ECANCELED);
}

/* ---- mutex and semaphore ------------------------------------------------------ */

/* The seeds' double-spend: two tasks check a balance, await, then debit. */
typedef struct {
    int balance;
    tide_mutex_t *mutex; /* NULL: no lock, the race shows */
} account_t;

static tide_result_t spend(tide_loop_t *l, void *arg)
{
    account_t *a = arg;
    if (a->mutex) ASSERT_OK(tide_mutex_lock(a->mutex, NULL));
    int seen = a->balance;               /* await checkBalance() */
    ASSERT_OK(tide_sleep_await(l, 5, NULL));
    if (seen >= 80) a->balance -= 80;    /* await debit(80) */
    if (a->mutex) ASSERT_OK(tide_mutex_unlock(a->mutex));
    return tide_ok(NULL);
}

static void test_double_spend(void)
{
    account_t racy = {100, NULL};
    ASSERT_OK(tide_async(loop, spend, &racy, NULL));
    ASSERT_OK(tide_async(loop, spend, &racy, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(racy.balance, -60); /* the logical race is real */

    account_t safe = {100, NULL};
    ASSERT_OK(tide_mutex_new(loop, &safe.mutex));
    ASSERT_OK(tide_async(loop, spend, &safe, NULL));
    ASSERT_OK(tide_async(loop, spend, &safe, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(safe.balance, 20);
    ASSERT_OK(tide_mutex_free(safe.mutex));
}

typedef struct {
    tide_mutex_t *mutex;
    const char *name;
    tide_await_opts_t opts;
    int rc;
} locker_t;

static tide_result_t locker(tide_loop_t *l, void *arg)
{
    locker_t *k = arg;
    k->rc = tide_mutex_lock(k->mutex, &k->opts);
    if (k->rc == 0) {
        test_log(&log_, k->name);
        ASSERT_OK(tide_await_value(NULL, NULL));
        ASSERT_OK(tide_mutex_unlock(k->mutex));
    }
    return tide_ok(NULL);
}

static void unlock_later(tide_loop_t *l, void *m) { ASSERT_OK(tide_mutex_unlock(m)); }

static void test_mutex_fifo_and_cancel(void)
{
    tide_mutex_t *m;
    ASSERT_OK(tide_mutex_new(loop, &m));
    ASSERT_EQ(tide_mutex_unlock(m), -EPERM);
    ASSERT_OK(tide_mutex_trylock(m)); /* held by the main program until 10 ms */
    tide_abort_controller_t *ctrl;
    ASSERT_OK(tide_abort_controller_new(loop, &ctrl));
    locker_t k[4] = {{m, "a", {0}, 0},
                     {m, "b", {.signal = tide_abort_controller_signal(ctrl)}, 0},
                     {m, "c", {0}, 0},
                     {m, "d", {.deadline_ns = tide_now_ns(loop) + 5 * 1000000ull}, 0}};
    log_reset();
    for (int i = 0; i < 4; i++) ASSERT_OK(tide_async(loop, locker, &k[i], NULL));
    ASSERT_EQ(tide_mutex_trylock(m), -EBUSY);
    ASSERT_EQ(tide_mutex_free(m), -EBUSY);
    ASSERT_OK(tide_abort(ctrl, NULL)); /* b leaves the queue */
    ASSERT_GE(tide_set_timeout(loop, unlock_later, m, 10), 0);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_STR_EQ(log_.buf, "a c"); /* first come, first served */
    ASSERT_EQ(k[1].rc, -ECANCELED);
    ASSERT_EQ(k[3].rc, -ETIMEDOUT); /* gave up at 5 ms, before the unlock */
    ASSERT(!tide_mutex_locked(m));
    ASSERT_OK(tide_mutex_free(m));
    tide_abort_controller_free(ctrl);
}

typedef struct {
    tide_semaphore_t *sem;
    int *inside, *peak;
} sem_user_t;

static tide_result_t sem_user(tide_loop_t *l, void *arg)
{
    sem_user_t *u = arg;
    ASSERT_OK(tide_semaphore_acquire(u->sem, NULL));
    if (++*u->inside > *u->peak) *u->peak = *u->inside;
    ASSERT_OK(tide_sleep_await(l, 3, NULL));
    --*u->inside;
    ASSERT_OK(tide_semaphore_release(u->sem));
    return tide_ok(NULL);
}

static void test_semaphore_bounds_concurrency(void)
{
    tide_semaphore_t *s;
    ASSERT_OK(tide_semaphore_new(loop, 3, &s));
    int inside = 0, peak = 0;
    sem_user_t u = {s, &inside, &peak};
    for (int i = 0; i < 10; i++) ASSERT_OK(tide_async(loop, sem_user, &u, NULL));
    uint64_t start = tide_now(loop);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(peak, 3);
    ASSERT_EQ(inside, 0);
    ASSERT_EQ(tide_now(loop) - start, 12); /* four rounds of 3 ms */
    ASSERT_EQ(tide_semaphore_available(s), 3);
    ASSERT_OK(tide_semaphore_free(s));
}

/* ---- 100,000 tasks ------------------------------------------------------------ */

static long rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

static int finished;

static tide_result_t timer_waiter(tide_loop_t *l, void *arg)
{
    ASSERT_OK(tide_sleep_await(l, 1 + (uintptr_t)arg % 50, NULL));
    finished++;
    return tide_ok(NULL);
}

static void test_100k_tasks(void)
{
    /* Valgrind's per-stack bookkeeping makes 100,000 take minutes. */
    const long N = RUNNING_ON_VALGRIND ? 2000 : test_madvise_is_lax() ? 20000 : 100000;
    long before = rss_bytes();
    for (uintptr_t i = 0; i < (uintptr_t)N; i++) ASSERT_OK(tide_async(loop, timer_waiter, (void *)i, NULL));
    long during = rss_bytes();
    tide_fiber_stats_t st;
    ASSERT_OK(tide_fiber_stats(loop, &st));
    ASSERT_EQ(st.live, N);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(finished, N);
    long per_task = (during - before) / N;
    printf("%ld tasks awaiting timers: %ld bytes resident per task\n", N, per_task);
    /* A task's touched stack page, its fiber, task, waiter, promise and
     * timer; whole 64 KiB stacks would show. ASan adds shadow memory and,
     * with use-after-return detection, a fake stack per fiber; Valgrind's
     * figure is its own memory. */
#if defined(TIDE__ASAN) || defined(TIDE__TSAN)
    const long bound = 64 * 1024;
#else
    const long bound = 16 * 1024;
#endif
    if (!RUNNING_ON_VALGRIND) ASSERT_LT(per_task, bound);
    ASSERT_OK(tide_fiber_stats(loop, &st));
    ASSERT_LE(st.live, 1); /* the last task's fiber is freed by the next start */
}

/* ---- settled awaits keep Node's turns --------------------------------------- */

/* An await of a settled promise whose resume would be the drain's very
 * next job goes on without switching (task.c, await_settled); these check
 * that the callbacks still run in Node's order. The expected strings are
 * what Node v20 prints for the same program with process.nextTick,
 * queueMicrotask and a for loop of awaits. */
static tide_promise_t *settled_ok, *settled_bad;

static void log_tick(tide_loop_t *l, void *what) { test_log(&log_, what); }

static tide_result_t swallow(tide_loop_t *l, void *data, tide_error_t *err) { return tide_ok(NULL); }

static void log_m0(tide_loop_t *l, void *data)
{
    test_log(&log_, "m0");
    ASSERT_OK(tide_queue_microtask(l, log_tick, "m1"));
}

static tide_result_t awaits_in_a_loop(tide_loop_t *l, void *arg)
{
    for (int i = 0; i < 4; i++) {
        char name[4] = {'t', (char)('0' + i), 0};
        test_log(&log_, name);
        if (i == 1) {
            ASSERT_OK(tide_next_tick(l, log_tick, "tick"));
            ASSERT_OK(tide_queue_microtask(l, log_tick, "q"));
        }
        void *v;
        tide_error_t *err;
        if (i == 2) {
            ASSERT_EQ(tide_await(settled_bad, &v, &err), -EIO);
            ASSERT_EQ(err->code, -EIO);
            tide_error_release(err);
            test_log(&log_, "caught");
            continue;
        }
        ASSERT_OK(tide_await(settled_ok, &v, NULL));
        test_log(&log_, v);
    }
    test_log(&log_, "done");
    return tide_ok(NULL);
}

static tide_result_t awaits_back_to_back(tide_loop_t *l, void *arg)
{
    void *v;
    tide_error_t *err;
    for (int i = 0; i < 1000; i++) ASSERT_OK(tide_await(settled_ok, &v, NULL));
    ASSERT_OK(tide_next_tick(l, log_tick, "tick"));
    ASSERT_EQ(tide_await(settled_bad, &v, &err), -EIO);
    ASSERT(v == NULL);
    tide_error_release(err);
    test_log(&log_, "after-bad");
    ASSERT_OK(tide_await(settled_ok, &v, NULL));
    test_log(&log_, v);
    return tide_ok(NULL);
}

static void test_settled_awaits_keep_turns(void)
{
    ASSERT_OK(tide_promise_resolved(loop, "v7", &settled_ok));
    ASSERT_OK(tide_promise_rejected(loop, tide_error_new(-EIO, "x"), &settled_bad));
    ASSERT_OK(tide_promise_catch(settled_bad, swallow, NULL, NULL));
    log_reset();
    ASSERT_OK(tide_async(loop, awaits_in_a_loop, NULL, NULL));
    ASSERT_OK(tide_queue_microtask(loop, log_m0, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_STR_EQ(log_.buf, "t0 v7 t1 m0 q v7 t2 m1 caught t3 v7 done tick");

    /* Back to back, each await is one callback, as a resume job would be,
     * and a tick queued between them waits for the microtasks to end. */
    log_reset();
    tide_loop_metrics_t before, after;
    ASSERT_OK(tide_async(loop, awaits_back_to_back, NULL, NULL));
    tide_loop_metrics(loop, &before);
    ASSERT_OK(tide_drain(loop));
    tide_loop_metrics(loop, &after);
    ASSERT_EQ(after.callbacks - before.callbacks, 1002 + 1); /* 1002 awaits, 1 tick */
    ASSERT_STR_EQ(log_.buf, "after-bad v7 tick");
    tide_promise_release(settled_ok);
    tide_promise_release(settled_bad);
}

int main(void)
{
    loop = new_virtual_loop();
    test_await_outside_task();
    test_settled_awaits_keep_turns();
    test_abort_sleep();
    test_timeout_signal_and_deadline();
    test_signal_any_and_listeners();
    test_sleep_promise();
    test_scope_join_waits_for_all();
    test_scope_failure_cancels_siblings();
    test_scope_cancelled_from_outside();
    test_scope_parent_cancels_child();
    test_double_spend();
    test_mutex_fifo_and_cancel();
    test_semaphore_bounds_concurrency();
    test_100k_tasks();
    ASSERT_OK(tide_loop_close(loop));
    printf("async tests passed\n");
    return 0;
}
