/* tests/core/test_context.c - the async context current when a callback is
 * scheduled (timeouts, timers, immediates, ticks, microtasks, idle, close)
 * is current inside it, and the context outside is put back afterwards. */
#include "test.h"

#define MS UINT64_C(1000000)

static int ctx[8]; /* distinct addresses to use as contexts */
static int main_ctx;
static int seen;   /* callbacks that checked their context */

/* Every callback gets the context it expects as its data. */
static void expect(tide_loop_t *loop, void *want)
{
    ASSERT(tide_context_get(loop) == want);
    seen++;
}

static void fn_expect(tide_loop_t *loop, void *want)
{
    expect(loop, want);
    /* A callback that changes the context and does not put it back must
     * not leak it to the next callback or to the program. */
    tide_context_set(loop, &ctx[7]);
}

static void timer_expect(tide_timer_t *t, void *want)
{
    expect(tide_handle_loop(TIDE_HANDLE(t)), want);
    tide_context_set(tide_handle_loop(TIDE_HANDLE(t)), &ctx[7]);
}

static void idle_expect(tide_idle_t *h, void *want)
{
    expect(tide_handle_loop(TIDE_HANDLE(h)), want);
    ASSERT_OK(tide_idle_stop(h));
}

static void close_expect(tide_handle_t *h, void *want)
{
    expect(tide_handle_loop(h), want);
}

/* ---- each kind of scheduled callback ------------------------------------- */

static void test_each_kind(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_loop_use_virtual_clock(loop, 0));
    ASSERT(tide_context_get(loop) == NULL); /* a new loop has none */
    seen = 0;

    /* Each item scheduled under its own context; the next set_context
     * must not change what an earlier item captured. */
    tide_context_set(loop, &ctx[0]);
    ASSERT(tide_context_get(loop) == &ctx[0]);
    ASSERT_GT(tide_set_timeout(loop, fn_expect, &ctx[0], 1), 0);
    tide_context_set(loop, &ctx[1]);
    tide_id_t iv = tide_set_interval(loop, fn_expect, &ctx[1], 2);
    ASSERT_GT(iv, 0);
    tide_context_set(loop, &ctx[2]);
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    ASSERT_OK(tide_timer_start(t, timer_expect, 3, 3, &ctx[2]));
    tide_context_set(loop, &ctx[3]);
    ASSERT_GT(tide_set_immediate(loop, fn_expect, &ctx[3]), 0);
    tide_context_set(loop, &ctx[4]);
    ASSERT_OK(tide_next_tick(loop, fn_expect, &ctx[4]));
    tide_context_set(loop, &ctx[5]);
    ASSERT_OK(tide_queue_microtask(loop, fn_expect, &ctx[5]));
    tide_context_set(loop, &ctx[6]);
    tide_idle_t *idle;
    ASSERT_OK(tide_idle_new(loop, &idle));
    ASSERT_OK(tide_idle_start(idle, idle_expect, &ctx[6]));
    tide_context_set(loop, NULL);
    ASSERT_GT(tide_set_immediate(loop, fn_expect, NULL), 0);

    tide_context_set(loop, &main_ctx);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT(tide_context_get(loop) == &main_ctx);
    /* tick, microtask, idle, two immediates. */
    ASSERT_EQ(seen, 5);

    /* Timers and the interval, several firings each: every firing gets the
     * context captured at its start. */
    ASSERT_OK(tide_clock_advance(loop, 6 * MS));
    ASSERT(tide_context_get(loop) == &main_ctx);
    ASSERT_EQ(seen, 5 + 1 + 3 + 2); /* timeout, interval 2/4/6, timer 3/6 */
    ASSERT_EQ(tide_clear_interval(loop, iv), 1);
    ASSERT_OK(tide_timer_stop(t));

    /* Close callbacks get the context current at tide_close. */
    tide_context_set(loop, &ctx[0]);
    tide_handle_set_data(TIDE_HANDLE(t), &ctx[0]);
    ASSERT_OK(tide_close(TIDE_HANDLE(t), close_expect));
    tide_context_set(loop, &ctx[1]);
    tide_handle_set_data(TIDE_HANDLE(idle), &ctx[1]);
    ASSERT_OK(tide_close(TIDE_HANDLE(idle), close_expect));
    tide_context_set(loop, &main_ctx);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT(tide_context_get(loop) == &main_ctx);
    ASSERT_EQ(seen, 13);
    ASSERT_EQ(tide_loop_close(loop), 0);
}

/* ---- scheduling from inside callbacks ------------------------------------- */

static void inherit(tide_loop_t *loop, void *want)
{
    expect(loop, want);
    /* Without a set, what a callback schedules inherits its context... */
    ASSERT_OK(tide_next_tick(loop, expect, want));
    ASSERT_GT(tide_set_immediate(loop, expect, want), 0);
    /* ...and with one, the new context; the callback's own context is
     * unaffected for what follows in the loop. */
    tide_context_set(loop, &ctx[5]);
    ASSERT_OK(tide_queue_microtask(loop, expect, &ctx[5]));
    ASSERT_GT(tide_set_timeout(loop, expect, &ctx[5], 1), 0);
}

static void drains_by_hand(tide_loop_t *loop, void *want)
{
    expect(loop, want);
    tide_context_set(loop, &ctx[6]);
    ASSERT_OK(tide_next_tick(loop, expect, &ctx[6]));
    tide_context_set(loop, want);
    /* The drain switches to each item's context and back to ours. */
    ASSERT_OK(tide_drain(loop));
    ASSERT(tide_context_get(loop) == want);
}

static void test_from_callbacks(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_loop_use_virtual_clock(loop, 0));
    seen = 0;
    tide_context_set(loop, &ctx[1]);
    ASSERT_GT(tide_set_immediate(loop, inherit, &ctx[1]), 0);
    tide_context_set(loop, &ctx[2]);
    ASSERT_OK(tide_next_tick(loop, inherit, &ctx[2]));
    tide_context_set(loop, &ctx[3]);
    ASSERT_GT(tide_set_immediate(loop, drains_by_hand, &ctx[3]), 0);
    tide_context_set(loop, &main_ctx);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT(tide_context_get(loop) == &main_ctx);
    ASSERT_EQ(seen, 2 * 5 + 2);

    /* tide_drain from the program restores the program's context too. */
    tide_context_set(loop, &ctx[4]);
    ASSERT_OK(tide_next_tick(loop, fn_expect, &ctx[4]));
    tide_context_set(loop, &main_ctx);
    ASSERT_OK(tide_drain(loop));
    ASSERT(tide_context_get(loop) == &main_ctx);
    ASSERT_EQ(seen, 2 * 5 + 3);
    TEST_CLOSE_LOOP(loop);
}

int main(void)
{
    test_each_kind();
    test_from_callbacks();
    return 0;
}
