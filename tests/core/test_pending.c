/* tests/core/test_pending.c - the pending phase (internal): work the I/O
 * layer defers runs in the next iteration's pending phase, after timers and
 * before idle/prepare, with the drain after each item, its captured context
 * restored, and work deferred during the phase waiting one more iteration. */
#include "core/internal.h"
#include "test.h"

static tide__pending_t first, second, late;
static int ctx_a;

static void on_late(tide_loop_t *loop, tide__pending_t *p) { test_log(&log_, "late"); }

static void on_first(tide_loop_t *loop, tide__pending_t *p)
{
    ASSERT(tide_context_get(loop) == &ctx_a);
    test_log(&log_, "first");
    tide_next_tick(loop, say, "tick");
    /* Deferred from inside the phase: must wait for the next iteration. */
    tide__pending_push(loop, &late);
}

static void on_second(tide_loop_t *loop, tide__pending_t *p) { test_log(&log_, "second"); }

static void on_timer(tide_timer_t *t, void *data) { test_log(&log_, "timer"); }

static void on_idle(tide_idle_t *h, void *data)
{
    test_log(&log_, "idle");
    tide_close(TIDE_HANDLE(h), NULL);
}

static void test_pending_phase(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_loop_use_virtual_clock(loop, 0));
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    /* Repeating, so the loop stays alive for the second iteration. */
    ASSERT_OK(tide_timer_start_ns(t, on_timer, 0, 1000000000, NULL));
    tide_idle_t *idle;
    ASSERT_OK(tide_idle_new(loop, &idle));
    ASSERT_OK(tide_idle_start(idle, on_idle, NULL));

    first.fn = on_first;
    second.fn = on_second;
    late.fn = on_late;
    tide_context_set(loop, &ctx_a);
    tide__pending_push(loop, &first);
    tide_context_set(loop, NULL);
    tide__pending_push(loop, &second);
    tide__pending_cancel(loop, &second); /* a cancelled item never runs */

    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_STR_EQ(log_.buf, "timer first tick idle");
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_STR_EQ(log_.buf, "timer first tick idle late");
    tide_close(TIDE_HANDLE(t), NULL);
    TEST_CLOSE_LOOP(loop);
}

int main(void)
{
    test_pending_phase();
    return 0;
}
