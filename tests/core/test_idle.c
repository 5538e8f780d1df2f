/* tests/core/test_idle.c - idle, prepare and check handles run once per
 * iteration in their phase and in start order; stop/start; started in their
 * own phase they wait an iteration; an active idle handle stops poll blocking. */
#include "test.h"

static void say_idle(tide_idle_t *h, void *text) { test_log(&log_, text); }

static void timer_say(tide_timer_t *t, void *text) { test_log(&log_, text); }

/* ---- every iteration, in phase order ------------------------------------ */

static void test_every_iteration(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    tide_idle_t *i1, *i2;
    tide_prepare_t *p1;
    tide_check_t *c1;
    /* Created and started in an order unlike the phases'. */
    ASSERT_OK(tide_check_new(loop, &c1));
    ASSERT_OK(tide_prepare_new(loop, &p1));
    ASSERT_OK(tide_idle_new(loop, &i2));
    ASSERT_OK(tide_idle_new(loop, &i1));
    ASSERT_EQ(tide_handle_get_type(TIDE_HANDLE(i1)), TIDE_HANDLE_IDLE);
    ASSERT_EQ(tide_handle_get_type(TIDE_HANDLE(p1)), TIDE_HANDLE_PREPARE);
    ASSERT_EQ(tide_handle_get_type(TIDE_HANDLE(c1)), TIDE_HANDLE_CHECK);
    ASSERT_OK(tide_check_start(c1, say_idle, "C1"));
    ASSERT_OK(tide_prepare_start(p1, say_idle, "P1"));
    ASSERT_OK(tide_idle_start(i1, say_idle, "I1"));
    ASSERT_OK(tide_idle_start(i2, say_idle, "I2"));
    for (int i = 0; i < 3; i++) ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_STR_EQ(log_.buf, "I1 I2 P1 C1 I1 I2 P1 C1 I1 I2 P1 C1");

    /* Starting an active handle again only changes its callback/data; it
     * keeps its place. */
    log_reset();
    ASSERT_OK(tide_idle_start(i1, say_idle, "i1"));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_STR_EQ(log_.buf, "i1 I2 P1 C1");

    /* Stopped handles do not run; restarted, a handle goes behind the ones
     * already started. Stop is idempotent. */
    log_reset();
    ASSERT_OK(tide_idle_stop(i1));
    ASSERT_OK(tide_idle_stop(i1));
    ASSERT_EQ(tide_is_active(TIDE_HANDLE(i1)), 0);
    ASSERT_OK(tide_prepare_stop(p1));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_STR_EQ(log_.buf, "I2 C1");
    log_reset();
    ASSERT_OK(tide_idle_start(i1, say_idle, "I1"));
    ASSERT_OK(tide_prepare_start(p1, say_idle, "P1"));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_STR_EQ(log_.buf, "I2 I1 P1 C1");

    ASSERT_EQ(tide_idle_start(i1, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_is_active(TIDE_HANDLE(i1)), 1); /* a refused start changes nothing */
    ASSERT_EQ(tide_idle_start(NULL, say_idle, NULL), -EINVAL);
    ASSERT_EQ(tide_idle_new(loop, NULL), -EINVAL);

    tide_close(TIDE_HANDLE(i1), NULL);
    tide_close(TIDE_HANDLE(i2), NULL);
    tide_close(TIDE_HANDLE(p1), NULL);
    tide_close(TIDE_HANDLE(c1), NULL);
    ASSERT_EQ(tide_idle_start(i1, say_idle, "I1"), -EALREADY);
    TEST_CLOSE_LOOP(loop);
}

/* ---- changes made from inside the phase ------------------------------------ */

static tide_idle_t *first, *second, *third;
static int first_calls;

static void on_first(tide_idle_t *h, void *data)
{
    test_log(&log_, "first");
    first_calls++;
    if (first_calls == 1) {
        /* Started in its own phase: waits for the next iteration. */
        ASSERT_OK(tide_idle_start(third, say_idle, "third"));
        /* Stopped before its turn in this phase: does not run. */
        ASSERT_OK(tide_idle_stop(second));
    } else if (first_calls == 2) {
        ASSERT_OK(tide_idle_start(second, say_idle, "second"));
        /* A handle may stop itself and close itself in its callback. */
        ASSERT_OK(tide_idle_stop(h));
        ASSERT_OK(tide_close(TIDE_HANDLE(h), NULL));
    }
}

static void on_timer_starts_idle(tide_timer_t *t, void *data)
{
    test_log(&log_, "timer");
    /* Started from an earlier phase of the same iteration: they run in it. */
    ASSERT_OK(tide_idle_start(first, on_first, NULL));
    ASSERT_OK(tide_idle_start(second, say_idle, "second"));
}

static void test_changes_inside_phase(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    first_calls = 0;
    ASSERT_OK(tide_idle_new(loop, &first));
    ASSERT_OK(tide_idle_new(loop, &second));
    ASSERT_OK(tide_idle_new(loop, &third));
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    ASSERT_OK(tide_timer_start(t, on_timer_starts_idle, 0, 0, NULL));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_STR_EQ(log_.buf, "timer first");
    log_reset();
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_STR_EQ(log_.buf, "first third");
    log_reset();
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_STR_EQ(log_.buf, "third second");

    tide_close(TIDE_HANDLE(second), NULL);
    tide_close(TIDE_HANDLE(third), NULL);
    tide_close(TIDE_HANDLE(t), NULL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- idle handles keep poll from blocking --------------------------------- */

static int idle_count;

static void count_idle(tide_idle_t *h, void *data) { idle_count++; }

static void test_idle_keeps_poll_from_blocking(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    ASSERT_OK(tide_timer_start(t, timer_say, 1000, 0, "timer"));

    /* With an active idle handle, ONCE does not wait for the timer: the
     * virtual clock, which jumps whenever poll would block, stays put. */
    tide_idle_t *idle;
    ASSERT_OK(tide_idle_new(loop, &idle));
    ASSERT_OK(tide_idle_start(idle, count_idle, NULL));
    idle_count = 0;
    for (int i = 0; i < 5; i++) ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(idle_count, 5);
    ASSERT_EQ(tide_now(loop), 0);
    ASSERT_STR_EQ(log_.buf, "");

    /* Even unref'd: the handle still runs, so poll must not sleep. */
    tide_unref(TIDE_HANDLE(idle));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(idle_count, 6);
    ASSERT_EQ(tide_now(loop), 0);

    /* Prepare and check handles do not: ONCE waits for the timer. */
    ASSERT_OK(tide_idle_stop(idle));
    tide_prepare_t *p;
    tide_check_t *c;
    ASSERT_OK(tide_prepare_new(loop, &p));
    ASSERT_OK(tide_check_new(loop, &c));
    ASSERT_OK(tide_prepare_start(p, count_idle, NULL));
    ASSERT_OK(tide_check_start(c, count_idle, NULL));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(tide_now(loop), 1000);
    ASSERT_STR_EQ(log_.buf, "timer");
    ASSERT_EQ(idle_count, 8);

    tide_close(TIDE_HANDLE(p), NULL);
    tide_close(TIDE_HANDLE(c), NULL);
    tide_close(TIDE_HANDLE(idle), NULL);
    tide_close(TIDE_HANDLE(t), NULL);
    TEST_CLOSE_LOOP(loop);
}

int main(void)
{
    test_every_iteration();
    test_changes_inside_phase();
    test_idle_keeps_poll_from_blocking();
    return 0;
}
