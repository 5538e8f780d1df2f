/* tests/async/test_promise.c - promises beyond the orderings the
 * conformance cases check: lifetimes and references, pools that stop
 * allocating, owned values, long chains, thenables that fail, bad
 * arguments, out-of-memory paths, the rejection policies and error
 * objects. */
#include <unistd.h>

#include "async/promise_internal.h"
#include "test.h"
#include "test_alloc.h"

/* Promises not yet freed: what the pool has handed out. */
static uint64_t live(tide_loop_t *loop) { return tide__pool_in_use(&tide__promises(loop)->promises); }

static tide_result_t count_ok(tide_loop_t *loop, void *data, void *value)
{
    (*(int *)data)++;
    return tide_ok(value);
}

static tide_result_t count_err(tide_loop_t *loop, void *data, tide_error_t *e)
{
    (*(int *)data)++;
    return tide_ok(NULL);
}

static void chain_and_run(tide_loop_t *loop, int n, int *count)
{
    tide_promise_t *head, *p, *next;
    ASSERT_OK(tide_promise_new(loop, &head));
    p = tide_promise_ref(head);
    for (int i = 0; i < n; i++) {
        ASSERT_OK(tide_promise_then(p, count_ok, NULL, count, &next));
        tide_promise_release(p);
        p = next;
    }
    tide_promise_release(p);
    ASSERT_OK(tide_promise_fulfil(head, NULL));
    tide_promise_release(head);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
}

/* After warm-up, chaining and settling allocate nothing. */
static void test_no_allocation_after_warmup(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int count = 0;
    chain_and_run(loop, 5000, &count);
    ASSERT_EQ(count, 5000);
    long before = alloc_calls;
    chain_and_run(loop, 5000, &count);
    ASSERT_EQ(count, 10000);
    ASSERT_EQ(alloc_calls, before);
    ASSERT_EQ(live(loop), 0);
    ASSERT_OK(tide_loop_close(loop));
}

/* Dropping a long pending chain frees it without recursion. */
static void test_long_chain_dropped(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_promise_t *head, *p, *next;
    ASSERT_OK(tide_promise_new(loop, &head));
    p = tide_promise_ref(head);
    int count = 0;
    for (int i = 0; i < 1000000; i++) {
        ASSERT_OK(tide_promise_then(p, count_ok, NULL, &count, &next));
        tide_promise_release(p);
        p = next;
    }
    tide_promise_release(p);
    ASSERT_EQ(live(loop), 1000001);
    tide_promise_release(head); /* nobody can settle it: everything goes */
    ASSERT_EQ(live(loop), 0);
    ASSERT_EQ(count, 0);
    ASSERT_OK(tide_loop_close(loop));
}

static int freed;
static void count_free(void *v) { freed++; }

static tide_result_t check_value(tide_loop_t *loop, void *data, void *value)
{
    ASSERT(value == data);
    ASSERT_EQ(freed, 0);
    return tide_ok(value);
}

/* An owned value lives as long as any promise that hands it out. */
static void test_owned_value(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    static int payload;
    tide_promise_t *p, *a, *b;
    ASSERT_OK(tide_promise_new(loop, &p));
    ASSERT_OK(tide_promise_then(p, NULL, NULL, NULL, &a));          /* pass-through */
    ASSERT_OK(tide_promise_then(a, check_value, NULL, &payload, &b)); /* returns it */
    ASSERT_OK(tide_promise_fulfil_owned(p, &payload, count_free));
    ASSERT_EQ(tide_promise_fulfil_owned(p, &payload, count_free), -EALREADY);
    tide_promise_release(p);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT(tide_promise_value(b) == &payload);
    tide_promise_release(a);
    ASSERT_EQ(freed, 0); /* b still hands it out */
    tide_promise_release(b);
    ASSERT_EQ(freed, 1);
    ASSERT_OK(tide_loop_close(loop));
}

static int fail_then(tide_loop_t *loop, tide_thenable_t *self, tide_promise_t *to)
{
    tide_promise_release(to);
    return -EIO;
}

static int settle_then_fail(tide_loop_t *loop, tide_thenable_t *self, tide_promise_t *to)
{
    ASSERT_OK(tide_promise_fulfil(to, "ok"));
    ASSERT_EQ(tide_promise_fulfil(to, "again"), -EALREADY);
    tide_promise_release(to);
    return -EIO; /* a throw after resolving is ignored */
}

static void test_thenables(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    static tide_thenable_t bad = {fail_then}, late = {settle_then_fail}, none = {NULL};
    tide_promise_t *p, *q, *r;
    ASSERT_OK(tide_promise_new(loop, &p));
    ASSERT_OK(tide_promise_resolve(p, tide_adopt_thenable(&bad)));
    ASSERT_OK(tide_promise_new(loop, &q));
    ASSERT_OK(tide_promise_resolve(q, tide_adopt_thenable(&late)));
    ASSERT_OK(tide_promise_new(loop, &r));
    ASSERT_OK(tide_promise_resolve(r, tide_adopt_thenable(&none)));
    int handled = 0;
    ASSERT_OK(tide_promise_catch(p, count_err, &handled, NULL));
    ASSERT_OK(tide_promise_catch(r, count_err, &handled, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_REJECTED);
    ASSERT_EQ(tide_promise_error(p)->code, -EIO);
    ASSERT_EQ(tide_promise_state_of(q), TIDE_PROMISE_FULFILLED);
    ASSERT_STR_EQ(tide_promise_value(q), "ok");
    ASSERT_EQ(tide_promise_error(r)->code, -EINVAL);
    ASSERT_EQ(handled, 2);
    tide_promise_release(p);
    tide_promise_release(q);
    tide_promise_release(r);
    ASSERT_EQ(live(loop), 0);
    ASSERT_OK(tide_loop_close(loop));
}

/* Bad arguments are error returns, and what they carried is dropped. */
static void test_bad_arguments(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_promise_t *p, *out;
    ASSERT_EQ(tide_promise_new(NULL, &p), -EINVAL);
    ASSERT_EQ(tide_promise_resolve(NULL, tide_fail(tide_error_new(-EIO, NULL))), -EINVAL);
    ASSERT_EQ(tide_promise_then(NULL, NULL, NULL, NULL, &out), -EINVAL);
    ASSERT_EQ(tide_promise_all(loop, NULL, 2, &out), -EINVAL);
    ASSERT_OK(tide_promise_new(loop, &p));
    ASSERT_OK(tide_promise_resolve(p, tide_adopt(NULL)));
    ASSERT_EQ(tide_promise_error(p)->code, -EINVAL);
    int handled = 0;
    ASSERT_OK(tide_promise_catch(p, count_err, &handled, NULL));
    tide_loop_t *other;
    ASSERT_OK(tide_loop_new(&other));
    tide_promise_t *foreign;
    ASSERT_OK(tide_promise_resolved(other, NULL, &foreign));
    ASSERT_EQ(tide_promise_race(loop, (tide_promise_t *[]){p, foreign}, 2, &out), -EINVAL);
    tide_promise_release(foreign);
    ASSERT_OK(tide_loop_close(other));
    tide_promise_release(p);
    TEST_CLOSE_LOOP(loop);
    ASSERT_EQ(handled, 1);
}

/* Promise.race([]) never settles, and a pending promise does not keep the
 * loop alive (L5). */
static void test_race_empty_never_settles(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_promise_t *r;
    ASSERT_OK(tide_promise_race(loop, NULL, 0, &r));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(tide_promise_state_of(r), TIDE_PROMISE_PENDING);
    tide_promise_release(r);
    ASSERT_OK(tide_loop_close(loop));
}

static tide_result_t any_errors(tide_loop_t *loop, void *data, tide_error_t *e)
{
    ASSERT_EQ(e->code, TIDE_EAGGREGATE);
    ASSERT_EQ(e->nerrors, 3);
    ASSERT_EQ(e->errors[0]->code, -EIO);
    ASSERT_EQ(e->errors[1]->code, -EPIPE);
    ASSERT_EQ(e->errors[2]->code, -ENOENT);
    (*(int *)data)++;
    return tide_ok(NULL);
}

static void reject_later(tide_loop_t *loop, void *data)
{
    tide_promise_t *p = data;
    ASSERT_OK(tide_promise_reject(p, tide_error_new(-EIO, "first input, rejected last")));
    tide_promise_release(p);
}

/* any() keeps the errors in input order, whatever order they came in. */
static void test_any_error_order(void)
{
    tide_loop_t *loop = new_virtual_loop();
    tide_promise_t *a, *b, *c, *r;
    ASSERT_OK(tide_promise_new(loop, &a));
    ASSERT_OK(tide_promise_rejected(loop, tide_error_new(-EPIPE, NULL), &b));
    ASSERT_OK(tide_promise_rejected(loop, tide_error_new(-ENOENT, NULL), &c));
    ASSERT_OK(tide_promise_any(loop, (tide_promise_t *[]){a, b, c}, 3, &r));
    int seen = 0;
    ASSERT_OK(tide_promise_catch(r, any_errors, &seen, NULL));
    ASSERT_GE(tide_set_timeout(loop, reject_later, a, 5), 0);
    tide_promise_release(b);
    tide_promise_release(c);
    tide_promise_release(r);
    TEST_CLOSE_LOOP(loop);
    ASSERT_EQ(seen, 1);
}

/* When the microtask ring cannot grow, reactions wait and still run, all
 * of them, in one drain. */
static void test_ring_growth_fails(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    enum { N = 1000 };
    tide_promise_t *p;
    int count = 0;
    ASSERT_OK(tide_promise_new(loop, &p));
    for (int i = 0; i < N; i++) ASSERT_OK(tide_promise_then(p, count_ok, NULL, &count, NULL));
    alloc_budget = 0; /* every allocation from here fails */
    ASSERT_OK(tide_promise_fulfil(p, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    alloc_budget = -1;
    ASSERT_EQ(count, N);
    tide_promise_release(p);
    ASSERT_EQ(live(loop), 0);
    ASSERT_OK(tide_loop_close(loop));
}

/* Exhausted memory makes then() fail cleanly; nothing leaks. */
static void test_then_enomem(void)
{
    for (long b = 0; b < 12; b++) {
        tide_loop_t *loop;
        ASSERT_OK(tide_loop_new(&loop));
        tide_promise_t *p = NULL, *d = NULL;
        alloc_budget = b;
        int rc = tide_promise_new(loop, &p);
        if (rc == 0) rc = tide_promise_then(p, NULL, NULL, NULL, &d);
        alloc_budget = -1;
        ASSERT(rc == 0 || rc == -ENOMEM);
        tide_promise_release(d);
        tide_promise_release(p);
        ASSERT_OK(tide_loop_close(loop));
    }
}

static int reported;
static void on_unhandled(tide_loop_t *loop, tide_promise_t *p, tide_error_t *e, void *data)
{
    reported++;
}

/* WARN prints and carries on; NONE is silent; a callback replaces both. */
static void test_rejection_policies(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_EQ(tide_set_unhandled_rejections(loop, 7), -EINVAL);
    ASSERT_OK(tide_set_unhandled_rejections(loop, TIDE_UNHANDLED_WARN));
    tide_promise_t *p;
    ASSERT_OK(tide_promise_rejected(loop, tide_error_new(-EIO, "printed, not fatal"), &p));
    tide_promise_release(p);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_OK(tide_set_unhandled_rejections(loop, TIDE_UNHANDLED_NONE));
    ASSERT_OK(tide_promise_rejected(loop, tide_error_new(-EIO, "silent"), &p));
    tide_promise_release(p);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_OK(tide_on_unhandled_rejection(loop, on_unhandled, NULL));
    ASSERT_OK(tide_promise_rejected(loop, tide_error_new(-EIO, "to the callback"), &p));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(reported, 1);
    tide_promise_release(p);
    ASSERT_OK(tide_loop_close(loop));
}

static tide_promise_t *never_settled;

static tide_result_t return_never(tide_loop_t *loop, void *data)
{
    return tide_adopt(tide_promise_ref(never_settled));
}

/* finally reactions that never run give back what they own: the record of
 * the callback (no pool growth over many rounds) and, while a finally
 * waits on a promise its callback returned, the original error (no leak
 * under ASan and Valgrind). */
static void test_dropped_finally(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    long before = 0;
    for (int round = 0; round < 3; round++) {
        if (round == 1) before = alloc_calls;
        for (int i = 0; i < 100; i++) {
            tide_promise_t *p, *f;
            ASSERT_OK(tide_promise_new(loop, &p));
            ASSERT_OK(tide_promise_finally(p, return_never, NULL, &f));
            tide_promise_release(f);
            tide_promise_release(p); /* pending, unreachable: dropped */
        }
    }
    ASSERT_EQ(alloc_calls, before);

    ASSERT_OK(tide_promise_new(loop, &never_settled));
    tide_promise_t *r, *f;
    ASSERT_OK(tide_promise_rejected(loop, tide_error_new(-EIO, "kept by finally"), &r));
    ASSERT_OK(tide_promise_finally(r, return_never, NULL, &f));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT)); /* f now waits on never_settled */
    ASSERT_EQ(tide_promise_state_of(f), TIDE_PROMISE_PENDING);
    tide_promise_release(f);
    tide_promise_release(r);
    tide_promise_release(never_settled); /* and the error goes with it */
    ASSERT_EQ(live(loop), 0);
    ASSERT_OK(tide_loop_close(loop));
}

static tide_result_t fail_handler(tide_loop_t *loop, void *data, void *value)
{
    return tide_fail(tide_error_new(-EPIPE, "handler failed"));
}

static tide_result_t adopt_rejected(tide_loop_t *loop, void *data, void *value)
{
    tide_promise_t *r;
    ASSERT_OK(tide_promise_rejected(loop, tide_error_new(-ECONNRESET, NULL), &r));
    return tide_adopt(r);
}

static int codes[4], ncodes;
static void record_code(tide_loop_t *loop, tide_promise_t *p, tide_error_t *e, void *data)
{
    ASSERT_LT(ncodes, 4);
    codes[ncodes++] = e->code;
}

/* A then() whose derived promise the caller did not take still reports a
 * failing handler, and an adopted rejection, as unhandled. */
static void test_untaken_derived_still_reports(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_on_unhandled_rejection(loop, record_code, NULL));
    tide_promise_t *p;
    int count = 0;
    ASSERT_OK(tide_promise_resolved(loop, NULL, &p));
    ASSERT_OK(tide_promise_then(p, count_ok, NULL, &count, NULL)); /* fulfilled: unseen */
    ASSERT_OK(tide_promise_then(p, fail_handler, NULL, NULL, NULL));
    ASSERT_OK(tide_promise_then(p, adopt_rejected, NULL, NULL, NULL));
    tide_promise_release(p);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(count, 1);
    ASSERT_EQ(ncodes, 2);
    ASSERT_EQ(codes[0], -EPIPE);
    ASSERT_EQ(codes[1], -ECONNRESET);
    ASSERT_EQ(live(loop), 0);
    ASSERT_OK(tide_loop_close(loop));
}

static void *ctx_seen;
static tide_result_t record_context(tide_loop_t *loop, void *data, void *value)
{
    ctx_seen = tide_context_get(loop);
    return tide_ok(NULL);
}

/* A reaction runs in the async context that was current at then(). */
static void test_context_follows_then(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    static int ctx;
    tide_promise_t *p;
    ASSERT_OK(tide_promise_new(loop, &p));
    tide_context_set(loop, &ctx);
    ASSERT_OK(tide_promise_then(p, record_context, NULL, NULL, NULL));
    tide_context_set(loop, NULL);
    ASSERT_OK(tide_promise_fulfil(p, NULL));
    tide_promise_release(p);
    TEST_CLOSE_LOOP(loop);
    ASSERT(ctx_seen == &ctx);
}

static void test_error_objects(void)
{
    tide_error_t *e = tide_error_new(-ENOENT, "no %s", "file");
    ASSERT_EQ(e->code, -ENOENT);
    ASSERT_STR_EQ(e->message, "no file");
    ASSERT(strstr(e->file, "test_promise.c") != NULL);
    char buf[256];
    tide_error_format(e, buf, sizeof buf);
    ASSERT(strncmp(buf, "ENOENT: no file (at ", 20) == 0);
    tide_error_t *d = tide_error_new(-EIO, NULL);
    ASSERT_STR_EQ(d->message, "i/o error");
    tide_error_t *bad = tide_error_new(5, NULL);
    ASSERT_EQ(bad->code, -EINVAL);
    tide_error_t *agg = tide_error_aggregate(NULL, ((tide_error_t *[]){e, d}), 2);
    ASSERT_EQ(agg->code, TIDE_EAGGREGATE);
    ASSERT_STR_EQ(tide_err_name(agg->code), "EAGGREGATE");
    tide_error_release(e); /* the aggregate keeps its own references */
    tide_error_release(d);
    ASSERT_STR_EQ(agg->errors[0]->message, "no file");
    int n = tide_error_format(agg, buf, 4); /* truncated, says the full length */
    ASSERT_EQ(strlen(buf), 3);
    char full[512];
    ASSERT_EQ(tide_error_format(agg, full, sizeof full), n);
    ASSERT(strncmp(full, "EAGGREGATE: All promises were rejected (at ", 43) == 0);
    tide_error_release(agg);
    tide_error_release(bad);
    tide_error_release(NULL);
}

/* A job that settles a promise with one reaction while the ring is empty
 * runs that reaction's job at once (promise.c, reaction_job). The order is
 * still Node's: this is what Node v20 prints for the same program (a
 * chain of four thens on a pending head, a second chain started after the
 * head is resolved, a microtask and a tick queued by the second link). */
static void log_call(tide_loop_t *loop, void *what) { test_log(&log_, what); }

static tide_result_t log_value(tide_loop_t *loop, void *what, void *value)
{
    test_log(&log_, what);
    return tide_ok(value);
}

static tide_result_t chain_step(tide_loop_t *loop, void *data, void *value)
{
    static const char *names[] = {"a0", "a1", "a2", "a3"};
    int i = (int)(intptr_t)data;
    test_log(&log_, names[i]);
    if (i == 1) {
        ASSERT_OK(tide_queue_microtask(loop, log_call, "m"));
        ASSERT_OK(tide_next_tick(loop, log_call, "tick"));
    }
    return tide_ok(value);
}

static void test_chain_keeps_turns(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    log_reset();
    tide_promise_t *head, *p, *next, *o;
    ASSERT_OK(tide_promise_new(loop, &head));
    p = tide_promise_ref(head);
    for (int i = 0; i < 4; i++) {
        ASSERT_OK(tide_promise_then(p, chain_step, NULL, (void *)(intptr_t)i, &next));
        tide_promise_release(p);
        p = next;
    }
    tide_promise_release(p);
    ASSERT_OK(tide_promise_fulfil(head, NULL));
    tide_promise_release(head);
    ASSERT_OK(tide_promise_resolved(loop, NULL, &p));
    ASSERT_OK(tide_promise_then(p, log_value, NULL, "o1", &o));
    ASSERT_OK(tide_promise_then(o, log_value, NULL, "o2", NULL));
    tide_promise_release(o);
    tide_promise_release(p);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_STR_EQ(log_.buf, "a0 o1 a1 o2 m a2 a3 tick");
    ASSERT_EQ(live(loop), 0);
    ASSERT_OK(tide_loop_close(loop));

    /* Jobs run from the spill list (the ring could not grow) queue behind
     * the spilled jobs still waiting, never ahead of them. */
    ASSERT_OK(tide_loop_new(&loop));
    log_reset();
    static const char *firsts[] = {"r0", "r1", "r2"}, *seconds[] = {"c0", "c1", "c2"};
    ASSERT_OK(tide_promise_new(loop, &head));
    for (int i = 0; i < 3; i++) {
        ASSERT_OK(tide_promise_then(head, log_value, NULL, (void *)firsts[i], &next));
        ASSERT_OK(tide_promise_then(next, log_value, NULL, (void *)seconds[i], NULL));
        tide_promise_release(next);
    }
    alloc_budget = 0; /* the ring was never grown: every job spills */
    ASSERT_OK(tide_promise_fulfil(head, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    alloc_budget = -1;
    ASSERT_STR_EQ(log_.buf, "r0 r1 r2 c0 c1 c2");
    tide_promise_release(head);
    ASSERT_EQ(live(loop), 0);
    ASSERT_OK(tide_loop_close(loop));
}

int main(void)
{
    counting_alloc_install();
    test_no_allocation_after_warmup();
    test_long_chain_dropped();
    test_owned_value();
    test_thenables();
    test_bad_arguments();
    test_race_empty_never_settles();
    test_any_error_order();
    test_ring_growth_fails();
    test_chain_keeps_turns();
    test_then_enomem();
    test_rejection_policies();
    test_context_follows_then();
    test_untaken_derived_still_reports();
    test_dropped_finally();
    test_error_objects();
    printf("promise tests passed\n");
    return 0;
}
