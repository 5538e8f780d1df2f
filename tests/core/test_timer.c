/* tests/core/test_timer.c - timer handles on the virtual clock: one-shot,
 * repeat, stop, refresh, again, due_in, (expiry, start) order, the phase
 * snapshot, unref, idle-timeout restarts; on the real clock: never early. */
#include "test.h"

#define MS UINT64_C(1000000)

/* Logs "<name>@<ms>" (or "@<ms>.<frac>" off a millisecond boundary) so the
 * log records when each timer fired on the virtual clock. */
static void on_log_time(tide_timer_t *t, void *name)
{
    tide_loop_t *loop = tide_handle_loop(TIDE_HANDLE(t));
    uint64_t ns = tide_now_ns(loop);
    char buf[64];
    if (ns % MS)
        snprintf(buf, sizeof buf, "%s@%" PRIu64 ".%06" PRIu64, (char *)name, ns / MS, ns % MS);
    else
        snprintf(buf, sizeof buf, "%s@%" PRIu64, (char *)name, ns / MS);
    test_log(&log_, buf);
}

static tide_timer_t *new_timer(tide_loop_t *loop)
{
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    ASSERT_EQ(tide_handle_get_type(TIDE_HANDLE(t)), TIDE_HANDLE_TIMER);
    return t;
}

/* ---- the virtual clock's own rules ------------------------------------- */

static int clock_checked;

static void on_clock_calls(tide_timer_t *t, void *data)
{
    tide_loop_t *loop = tide_handle_loop(TIDE_HANDLE(t));
    /* The clock only moves from outside the loop. */
    ASSERT_EQ(tide_clock_advance(loop, MS), -EINVAL);
    ASSERT_NE(tide_loop_use_virtual_clock(loop, 0), 0);
    clock_checked = 1;
}

static void test_virtual_clock_rules(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_EQ(tide_clock_advance(loop, MS), -EINVAL); /* not virtual */
    tide_timer_t *t = new_timer(loop);
    ASSERT_OK(tide_timer_start(t, on_log_time, 1000, 0, "never"));
    /* Expiries computed on the real clock would mean nothing on it. */
    ASSERT_EQ(tide_loop_use_virtual_clock(loop, 0), -EBUSY);
    ASSERT_OK(tide_timer_stop(t));
    ASSERT_OK(tide_loop_use_virtual_clock(loop, 5 * MS));
    ASSERT_EQ(tide_now(loop), 5);
    ASSERT_EQ(tide_now_ns(loop), 5 * MS);
    ASSERT_OK(tide_clock_advance(loop, 0));
    ASSERT_OK(tide_clock_advance(loop, 3 * MS));
    ASSERT_EQ(tide_now_ns(loop), 8 * MS);
    ASSERT_EQ(tide_clock_advance(loop, UINT64_MAX), -EINVAL); /* would wrap */
    clock_checked = 0;
    ASSERT_OK(tide_timer_start(t, on_clock_calls, 1, 0, NULL));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT(clock_checked);
    ASSERT_EQ(tide_now(loop), 9);
    tide_close(TIDE_HANDLE(t), NULL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- one-shot, repeating, stop ---------------------------------------- */

static tide_timer_t *victim;

static void on_stop_other(tide_timer_t *t, void *data)
{
    on_log_time(t, "a");
    /* victim is due in this same timers phase; stopped now, it must not
     * run (T4). */
    ASSERT_OK(tide_timer_stop(victim));
}

static void on_close_other(tide_timer_t *t, void *data)
{
    on_log_time(t, "b");
    /* The same for a close: a closed handle gets no more callbacks. */
    ASSERT_OK(tide_close(TIDE_HANDLE(victim), NULL));
}

static int repeat_left;

static void on_repeat_stop_self(tide_timer_t *t, void *name)
{
    on_log_time(t, name);
    if (--repeat_left == 0) ASSERT_OK(tide_timer_stop(t));
}

static void test_one_shot_and_repeat(void)
{
    tide_loop_t *loop = new_virtual_loop();
    tide_timer_t *t = new_timer(loop);
    ASSERT_EQ(tide_timer_start(t, NULL, 10, 0, NULL), -EINVAL);
    ASSERT_EQ(tide_is_active(TIDE_HANDLE(t)), 0);

    /* One-shot: fires once, exactly when its timeout has elapsed. */
    log_reset();
    ASSERT_OK(tide_timer_start(t, on_log_time, 10, 0, "t"));
    ASSERT_EQ(tide_is_active(TIDE_HANDLE(t)), 1);
    ASSERT_OK(tide_clock_advance(loop, 10 * MS - 1));
    ASSERT_STR_EQ(log_.buf, "");
    ASSERT_OK(tide_clock_advance(loop, 1));
    ASSERT_STR_EQ(log_.buf, "t@10");
    ASSERT_EQ(tide_is_active(TIDE_HANDLE(t)), 0);
    ASSERT_OK(tide_clock_advance(loop, 100 * MS));
    ASSERT_STR_EQ(log_.buf, "t@10");

    /* Nanosecond timeouts are honoured to the nanosecond. */
    log_reset();
    ASSERT_OK(tide_timer_start_ns(t, on_log_time, 1500000, 0, "ns"));
    ASSERT_OK(tide_clock_advance(loop, 2 * MS));
    ASSERT_STR_EQ(log_.buf, "ns@111.500000");

    /* Repeating: first after timeout, then every repeat. */
    log_reset();
    ASSERT_OK(tide_timer_start(t, on_log_time, 10, 5, "r"));
    ASSERT_EQ(tide_timer_get_repeat(t), 5);
    ASSERT_OK(tide_clock_advance(loop, 30 * MS));
    ASSERT_STR_EQ(log_.buf, "r@122 r@127 r@132 r@137 r@142");
    ASSERT_EQ(tide_is_active(TIDE_HANDLE(t)), 1);
    ASSERT_OK(tide_timer_stop(t));
    ASSERT_OK(tide_timer_stop(t)); /* idempotent */
    ASSERT_EQ(tide_is_active(TIDE_HANDLE(t)), 0);
    ASSERT_EQ(tide_loop_alive(loop), 0);
    ASSERT_OK(tide_clock_advance(loop, 30 * MS));
    ASSERT_STR_EQ(log_.buf, "r@122 r@127 r@132 r@137 r@142");

    /* A repeating timer stopping itself from its callback stays stopped. */
    log_reset();
    repeat_left = 2;
    ASSERT_OK(tide_timer_start(t, on_repeat_stop_self, 1, 1, "s"));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "s@173 s@174");

    /* Restarting an armed timer re-arms it from now. */
    log_reset();
    ASSERT_OK(tide_timer_start(t, on_log_time, 10, 0, "re"));
    ASSERT_OK(tide_clock_advance(loop, 6 * MS));
    ASSERT_OK(tide_timer_start(t, on_log_time, 10, 0, "re"));
    ASSERT_OK(tide_clock_advance(loop, 20 * MS));
    ASSERT_STR_EQ(log_.buf, "re@190");

    /* Stopping a timer that is due in the current phase. */
    log_reset();
    tide_timer_t *a = new_timer(loop);
    victim = new_timer(loop);
    ASSERT_OK(tide_timer_start(a, on_stop_other, 5, 0, NULL));
    ASSERT_OK(tide_timer_start(victim, on_log_time, 5, 0, "victim"));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "a@205");
    log_reset();
    ASSERT_OK(tide_timer_start(a, on_close_other, 5, 0, NULL));
    ASSERT_OK(tide_timer_start(victim, on_log_time, 5, 0, "victim"));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "b@210");

    tide_close(TIDE_HANDLE(a), NULL);
    tide_close(TIDE_HANDLE(t), NULL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- refresh ------------------------------------------------------------ */

static int refresh_left;

static void on_refresh_self(tide_timer_t *t, void *name)
{
    on_log_time(t, name);
    /* Node's t.refresh() from inside the callback re-arms a fired timer. */
    if (--refresh_left > 0) ASSERT_OK(tide_timer_refresh(t));
}

static void test_refresh(void)
{
    tide_loop_t *loop = new_virtual_loop();
    tide_timer_t *t = new_timer(loop);
    ASSERT_EQ(tide_timer_refresh(t), -EINVAL); /* never started */

    /* Armed: pushed back to now + timeout. */
    log_reset();
    ASSERT_OK(tide_timer_start(t, on_log_time, 50, 0, "a"));
    ASSERT_OK(tide_clock_advance(loop, 30 * MS));
    ASSERT_OK(tide_timer_refresh(t));
    ASSERT_EQ(tide_timer_get_due_in(t), 50);
    ASSERT_OK(tide_clock_advance(loop, 49 * MS));
    ASSERT_STR_EQ(log_.buf, "");
    ASSERT_OK(tide_clock_advance(loop, 1 * MS));
    ASSERT_STR_EQ(log_.buf, "a@80");

    /* Fired: armed again with the same timeout. */
    ASSERT_OK(tide_clock_advance(loop, 20 * MS));
    ASSERT_OK(tide_timer_refresh(t));
    ASSERT_EQ(tide_is_active(TIDE_HANDLE(t)), 1);
    ASSERT_OK(tide_clock_advance(loop, 100 * MS));
    ASSERT_STR_EQ(log_.buf, "a@80 a@150");

    /* Stopped: armed again too. */
    log_reset();
    ASSERT_OK(tide_timer_start(t, on_log_time, 10, 0, "s"));
    ASSERT_OK(tide_timer_stop(t));
    ASSERT_OK(tide_clock_advance(loop, 5 * MS));
    ASSERT_OK(tide_timer_refresh(t));
    ASSERT_OK(tide_clock_advance(loop, 20 * MS));
    ASSERT_STR_EQ(log_.buf, "s@215");

    /* From inside its own callback (Node: fires 4 times with n < 4). */
    log_reset();
    refresh_left = 4;
    ASSERT_OK(tide_timer_start(t, on_refresh_self, 10, 0, "r"));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "r@235 r@245 r@255 r@265");

    /* A repeating timer refreshed re-arms with its timeout, and keeps its
     * repeat for the firings after. */
    log_reset();
    ASSERT_OK(tide_timer_start(t, on_log_time, 20, 7, "p"));
    ASSERT_OK(tide_clock_advance(loop, 5 * MS));
    ASSERT_OK(tide_timer_refresh(t));
    ASSERT_OK(tide_clock_advance(loop, 40 * MS));
    ASSERT_STR_EQ(log_.buf, "p@290 p@297 p@304");
    /* Once it has fired (and been re-armed with its repeat), refresh still
     * uses the timeout it was started with, not the repeat. */
    log_reset();
    ASSERT_OK(tide_timer_refresh(t));
    ASSERT_EQ(tide_timer_get_due_in(t), 20);
    ASSERT_OK(tide_clock_advance(loop, 25 * MS));
    ASSERT_STR_EQ(log_.buf, "p@330");
    ASSERT_OK(tide_timer_stop(t));

    ASSERT_OK(tide_close(TIDE_HANDLE(t), NULL));
    ASSERT_EQ(tide_timer_refresh(t), -EALREADY);
    TEST_CLOSE_LOOP(loop);
}

/* ---- again / set_repeat ------------------------------------------------ */

static int change_calls;

static void on_change_repeat(tide_timer_t *t, void *name)
{
    on_log_time(t, name);
    /* As in libuv, the next firing was already scheduled with the old
     * repeat before this callback; the new one applies after it. */
    if (++change_calls == 1) tide_timer_set_repeat(t, 30);
    if (change_calls == 3) ASSERT_OK(tide_timer_stop(t));
}

static void test_again_and_set_repeat(void)
{
    tide_loop_t *loop = new_virtual_loop();
    tide_timer_t *t = new_timer(loop);
    ASSERT_EQ(tide_timer_again(t), -EINVAL); /* never started */

    /* again() with no repeat just stops. */
    log_reset();
    ASSERT_OK(tide_timer_start(t, on_log_time, 100, 0, "x"));
    ASSERT_OK(tide_timer_again(t));
    ASSERT_EQ(tide_is_active(TIDE_HANDLE(t)), 0);
    ASSERT_OK(tide_clock_advance(loop, 200 * MS));
    ASSERT_STR_EQ(log_.buf, "");

    /* With a repeat, again() restarts the timer with the repeat as both
     * timeout and period, counted from now. */
    tide_timer_set_repeat(t, 20);
    ASSERT_EQ(tide_timer_get_repeat(t), 20);
    ASSERT_OK(tide_timer_again(t));
    ASSERT_EQ(tide_is_active(TIDE_HANDLE(t)), 1);
    ASSERT_EQ(tide_timer_get_due_in(t), 20);
    ASSERT_OK(tide_clock_advance(loop, 45 * MS));
    ASSERT_STR_EQ(log_.buf, "x@220 x@240");
    /* again() on an armed repeating timer pushes it back a full period. */
    ASSERT_OK(tide_timer_again(t));
    ASSERT_OK(tide_clock_advance(loop, 19 * MS));
    ASSERT_STR_EQ(log_.buf, "x@220 x@240");
    ASSERT_OK(tide_clock_advance(loop, 1 * MS));
    ASSERT_STR_EQ(log_.buf, "x@220 x@240 x@265");
    ASSERT_OK(tide_timer_stop(t));

    /* set_repeat from the callback takes effect after the next firing. */
    log_reset();
    change_calls = 0;
    ASSERT_OK(tide_timer_start(t, on_change_repeat, 10, 10, "c"));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "c@275 c@285 c@315");

    /* set_repeat(0) turns a repeating timer into a one-shot after its
     * next firing. */
    log_reset();
    ASSERT_OK(tide_timer_start(t, on_log_time, 5, 5, "o"));
    tide_timer_set_repeat(t, 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "o@320");

    ASSERT_OK(tide_close(TIDE_HANDLE(t), NULL));
    ASSERT_EQ(tide_timer_again(t), -EALREADY);
    TEST_CLOSE_LOOP(loop);
}

/* ---- due_in --------------------------------------------------------------- */

static void test_due_in(void)
{
    tide_loop_t *loop = new_virtual_loop();
    tide_timer_t *t = new_timer(loop);
    ASSERT_EQ(tide_timer_get_due_in(t), 0); /* never started */
    ASSERT_OK(tide_timer_start(t, on_log_time, 10, 0, "d"));
    ASSERT_EQ(tide_timer_get_due_in(t), 10);
    ASSERT_OK(tide_clock_advance(loop, 3 * MS));
    ASSERT_EQ(tide_timer_get_due_in(t), 7);
    /* Rounded up: 6.5 ms left reads as 7, never as "already due". */
    ASSERT_OK(tide_clock_advance(loop, MS / 2));
    ASSERT_EQ(tide_timer_get_due_in(t), 7);
    ASSERT_OK(tide_clock_advance(loop, 6 * MS));
    ASSERT_EQ(tide_timer_get_due_in(t), 1);
    ASSERT_OK(tide_timer_stop(t));
    ASSERT_EQ(tide_timer_get_due_in(t), 0);
    ASSERT_OK(tide_timer_start_ns(t, on_log_time, 1, 0, "d"));
    ASSERT_EQ(tide_timer_get_due_in(t), 1);
    ASSERT_OK(tide_clock_advance(loop, 1));
    ASSERT_EQ(tide_timer_get_due_in(t), 0); /* fired */
    tide_close(TIDE_HANDLE(t), NULL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- order of equal expiries ---------------------------------------------- */

static void test_equal_expiry_order(void)
{
    tide_loop_t *loop = new_virtual_loop();
    tide_timer_t *t[6];
    for (int i = 0; i < 6; i++) t[i] = new_timer(loop);

    /* Same duration, same start time: start order. */
    log_reset();
    ASSERT_OK(tide_timer_start(t[0], on_log_time, 10, 0, "a"));
    ASSERT_OK(tide_timer_start(t[1], on_log_time, 10, 0, "b"));
    ASSERT_OK(tide_timer_start(t[2], on_log_time, 10, 0, "c"));
    /* Restarting moves a timer to the back of its start order. */
    ASSERT_OK(tide_timer_start(t[0], on_log_time, 10, 0, "a"));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "b@10 c@10 a@10");

    /* Different durations due at the same instant: a 10 ms timer started
     * at t=0 and a 5 ms timer started at t=5 are both due at 10; the one
     * started first fires first. */
    log_reset();
    ASSERT_OK(tide_timer_start(t[0], on_log_time, 10, 0, "ten"));
    ASSERT_OK(tide_clock_advance(loop, 5 * MS));
    ASSERT_OK(tide_timer_start(t[1], on_log_time, 5, 0, "five"));
    ASSERT_OK(tide_clock_advance(loop, 5 * MS));
    ASSERT_STR_EQ(log_.buf, "ten@20 five@20");

    /* Start order wins even against a duration whose list is older: the
     * 5 ms timers (a, then c) exist before the 9 ms timer b starts, and d
     * and f (5 ms given in ns) start after b; b, d and f are all due at 30. */
    log_reset();
    ASSERT_OK(tide_timer_start(t[0], on_log_time, 5, 0, "a"));  /* due 25 */
    ASSERT_OK(tide_clock_advance(loop, 1 * MS));
    ASSERT_OK(tide_timer_start(t[1], on_log_time, 9, 0, "b"));  /* due 30 */
    ASSERT_OK(tide_clock_advance(loop, 3 * MS));
    ASSERT_OK(tide_timer_start(t[2], on_log_time, 5, 0, "c"));  /* due 29 */
    ASSERT_OK(tide_clock_advance(loop, 1 * MS));                  /* a fires */
    ASSERT_OK(tide_timer_start(t[3], on_log_time, 5, 0, "d"));  /* due 30 */
    ASSERT_OK(tide_timer_start(t[4], on_log_time, 10, 0, "e")); /* due 35 */
    ASSERT_OK(tide_timer_start_ns(t[5], on_log_time, 5 * MS, 0, "f")); /* due 30 */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "a@25 c@29 b@30 d@30 f@30 e@35");

    for (int i = 0; i < 6; i++) tide_close(TIDE_HANDLE(t[i]), NULL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- the timers phase snapshot ------------------------------------------- */

static tide_timer_t *late;
static int rezero_count;

static void on_start_late(tide_timer_t *t, void *data)
{
    on_log_time(t, "first");
    /* Due at once (0 ms), but started during the timers phase: it waits
     * for the next iteration, after this iteration's immediates. */
    ASSERT_OK(tide_timer_start(late, on_log_time, 0, 0, "late"));
    ASSERT(tide_set_immediate(tide_handle_loop(TIDE_HANDLE(t)), say, "imm") > 0);
}

static void on_rezero(tide_timer_t *t, void *data)
{
    /* A timer re-arming itself with 0 ms runs once per iteration, so it
     * cannot starve the rest of the loop. */
    rezero_count++;
    ASSERT_OK(tide_timer_start(t, on_rezero, 0, 0, NULL));
}

static void test_started_during_phase(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    tide_timer_t *t = new_timer(loop);
    late = new_timer(loop);
    ASSERT_OK(tide_timer_start(t, on_start_late, 0, 0, NULL));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_STR_EQ(log_.buf, "first@0 imm");
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 0);
    ASSERT_STR_EQ(log_.buf, "first@0 imm late@0");

    /* The same holds for a repeating timer with a zero period. */
    rezero_count = 0;
    ASSERT_OK(tide_timer_start(t, on_rezero, 0, 0, NULL));
    for (int i = 1; i <= 3; i++) {
        ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
        ASSERT_EQ(rezero_count, i);
    }
    tide_timer_t *r = new_timer(loop);
    ASSERT_OK(tide_timer_start_ns(r, on_log_time, 0, 1, "rep"));
    log_reset();
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(rezero_count, 5);
    /* Its next firing is 1 ns away, and NOWAIT does not move the clock. */
    ASSERT_STR_EQ(log_.buf, "rep@0");
    tide_close(TIDE_HANDLE(r), NULL);

    tide_close(TIDE_HANDLE(t), NULL);
    tide_close(TIDE_HANDLE(late), NULL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- unref ---------------------------------------------------------------- */

static void test_unref(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    tide_timer_t *u = new_timer(loop);
    ASSERT_OK(tide_timer_start(u, on_log_time, 10, 0, "u"));
    tide_unref(TIDE_HANDLE(u));
    /* Alone, an unref'd timer neither keeps the loop running nor fires. */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(tide_now(loop), 0);
    ASSERT_STR_EQ(log_.buf, "");

    /* While something referenced keeps the loop alive, it fires as usual;
     * an unref'd interval fires until the loop runs out of other work. */
    tide_timer_t *iv = new_timer(loop);
    ASSERT_OK(tide_timer_start(iv, on_log_time, 3, 3, "iv"));
    tide_unref(TIDE_HANDLE(iv));
    tide_timer_t *ref = new_timer(loop);
    ASSERT_OK(tide_timer_start(ref, on_log_time, 10, 0, "ref"));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "iv@3 iv@6 iv@9 u@10 ref@10");
    ASSERT_EQ(tide_is_active(TIDE_HANDLE(iv)), 1);
    ASSERT_EQ(tide_has_ref(TIDE_HANDLE(iv)), 0);

    /* Re-referencing makes it keep the loop alive again. */
    log_reset();
    ASSERT_OK(tide_timer_start(u, on_log_time, 4, 0, "u"));
    tide_ref(TIDE_HANDLE(u));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "iv@12 u@14");

    tide_close(TIDE_HANDLE(u), NULL);
    tide_close(TIDE_HANDLE(iv), NULL);
    tide_close(TIDE_HANDLE(ref), NULL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- the idle-timeout restart pattern ------------------------------------- */

static int idle_fired;
static uint64_t idle_fired_at;
static tide_timer_t *idle_timeout;
static int requests_left;
static uint64_t last_request_at;

static void on_idle_timeout(tide_timer_t *t, void *data)
{
    idle_fired++;
    idle_fired_at = tide_now_ns(tide_handle_loop(TIDE_HANDLE(t)));
}

static void on_request(tide_timer_t *t, void *data)
{
    /* Each "request" pushes the connection's idle timeout back. */
    ASSERT_OK(tide_timer_refresh(idle_timeout));
    last_request_at = tide_now_ns(tide_handle_loop(TIDE_HANDLE(t)));
    if (--requests_left == 0) ASSERT_OK(tide_timer_stop(t));
}

static void test_idle_timeout_restart(void)
{
    tide_loop_t *loop = new_virtual_loop();
    idle_timeout = new_timer(loop);

    /* From the main program: 1000 restarts, alternating start and refresh,
     * 10 ms apart, with a 100 ms timeout. */
    idle_fired = 0;
    ASSERT_OK(tide_timer_start(idle_timeout, on_idle_timeout, 100, 0, NULL));
    for (int i = 0; i < 1000; i++) {
        ASSERT_OK(tide_clock_advance(loop, 10 * MS));
        if (i % 2)
            ASSERT_OK(tide_timer_refresh(idle_timeout));
        else
            ASSERT_OK(tide_timer_start(idle_timeout, on_idle_timeout, 100, 0, NULL));
    }
    ASSERT_EQ(idle_fired, 0);
    uint64_t last = tide_now_ns(loop);
    ASSERT_EQ(last, 10000 * MS);
    ASSERT_OK(tide_clock_advance(loop, 100 * MS - 1));
    ASSERT_EQ(idle_fired, 0);
    ASSERT_OK(tide_clock_advance(loop, 1));
    ASSERT_EQ(idle_fired, 1);
    ASSERT_EQ(idle_fired_at, last + 100 * MS);
    ASSERT_OK(tide_clock_advance(loop, 1000 * MS));
    ASSERT_EQ(idle_fired, 1);

    /* From callbacks, as a server does it: requests every 7 ms refresh a
     * 50 ms timeout; it fires once, 50 ms after the last request. */
    idle_fired = 0;
    requests_left = 200;
    tide_timer_t *req = new_timer(loop);
    ASSERT_OK(tide_timer_start(idle_timeout, on_idle_timeout, 50, 0, NULL));
    ASSERT_OK(tide_timer_start(req, on_request, 7, 7, NULL));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(requests_left, 0);
    ASSERT_EQ(idle_fired, 1);
    ASSERT_EQ(idle_fired_at, last_request_at + 50 * MS);

    tide_close(TIDE_HANDLE(req), NULL);
    tide_close(TIDE_HANDLE(idle_timeout), NULL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- huge timeouts --------------------------------------------------------- */

static void test_huge_timeout(void)
{
    /* An expiry past the end of the clock must saturate, not wrap around
     * into the past and fire at once. */
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_loop_use_virtual_clock(loop, 1000 * MS));
    log_reset();
    tide_timer_t *a = new_timer(loop);
    tide_timer_t *b = new_timer(loop);
    ASSERT_OK(tide_timer_start_ns(a, on_log_time, UINT64_MAX, 0, "a"));
    ASSERT_OK(tide_timer_start(b, on_log_time, UINT64_MAX / MS, 0, "b"));
    ASSERT_EQ(tide_timer_start(b, on_log_time, UINT64_MAX / MS + 1, 0, "b"), -EINVAL);
    tide_unref(TIDE_HANDLE(a));
    tide_unref(TIDE_HANDLE(b));
    ASSERT_OK(tide_clock_advance(loop, 1000 * MS));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 0);
    ASSERT_STR_EQ(log_.buf, "");
    ASSERT_GT(tide_timer_get_due_in(a), UINT64_C(1) << 40);
    tide_close(TIDE_HANDLE(a), NULL);
    tide_close(TIDE_HANDLE(b), NULL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- real clock: never early ----------------------------------------------- */

typedef struct {
    uint64_t started; /* tide_hrtime() just before the start call */
    uint64_t timeout_ns;
    uint64_t fired;
} real_timer_t;

static void on_real(tide_timer_t *t, void *data)
{
    real_timer_t *r = data;
    r->fired = tide_hrtime();
    ASSERT_GE(r->fired - r->started, r->timeout_ns);
}

static real_timer_t spin_rec;

static void on_spin_then_start(tide_timer_t *t, void *data)
{
    /* Time spent earlier in a callback counts (T2): the start time is a
     * fresh reading, not the loop time cached when the phase began. */
    uint64_t t0 = tide_hrtime();
    while (tide_hrtime() - t0 < 2 * MS) {
    }
    tide_timer_t *next = data;
    spin_rec.timeout_ns = 1 * MS;
    spin_rec.fired = 0;
    spin_rec.started = tide_hrtime();
    ASSERT_OK(tide_timer_start(next, on_real, 1, 0, &spin_rec));
}

static void test_never_early_real_clock(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_timer_t *t[5];
    for (int i = 0; i < 5; i++) t[i] = new_timer(loop);
    real_timer_t rec[5];

    /* One at a time, 1..5 ms, a few rounds. The reading is taken before the
     * start call, so it is no later than the timer's own start time. */
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 5; i++) {
            rec[i].timeout_ns = (uint64_t)(i + 1) * MS;
            rec[i].fired = 0;
            rec[i].started = tide_hrtime();
            ASSERT_OK(tide_timer_start(t[i], on_real, (uint64_t)i + 1, 0, &rec[i]));
            ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
            ASSERT_NE(rec[i].fired, 0);
        }
    }

    /* All together, and sub-millisecond nanosecond timeouts. */
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 5; i++) {
            rec[i].timeout_ns = (uint64_t)(5 - i) * 250000 + (uint64_t)round * 1000;
            rec[i].fired = 0;
            rec[i].started = tide_hrtime();
            ASSERT_OK(tide_timer_start_ns(t[i], on_real, rec[i].timeout_ns, 0, &rec[i]));
        }
        ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
        for (int i = 0; i < 5; i++) ASSERT_NE(rec[i].fired, 0);
    }

    /* Re-armed in bulk, more at once than share one deferred clock reading:
     * each counts from no earlier than its own refresh call. */
    {
        enum { BULK = 100 };
        tide_timer_t *b[BULK];
        real_timer_t brec[BULK];
        for (int i = 0; i < BULK; i++) {
            b[i] = new_timer(loop);
            brec[i].timeout_ns = (uint64_t)(1 + i % 3) * MS;
            brec[i].fired = 0;
            brec[i].started = tide_hrtime();
            ASSERT_OK(tide_timer_start(b[i], on_real, 1 + i % 3, 0, &brec[i]));
        }
        for (int i = BULK; i-- > 0;) {
            brec[i].started = tide_hrtime();
            ASSERT_OK(tide_timer_refresh(b[i]));
        }
        ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
        for (int i = 0; i < BULK; i++) {
            ASSERT_NE(brec[i].fired, 0);
            tide_close(TIDE_HANDLE(b[i]), NULL);
        }
    }

    /* Started from a callback after it spent 2 ms busy. */
    ASSERT_OK(tide_timer_start(t[0], on_spin_then_start, 0, 0, t[1]));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_NE(spin_rec.fired, 0);

    for (int i = 0; i < 5; i++) tide_close(TIDE_HANDLE(t[i]), NULL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- many timers ------------------------------------------------------------ */

#define MANY 100000

typedef struct {
    tide_timer_t *t;
    uint64_t due; /* ns on the virtual clock */
    uint64_t seq; /* order of the (last) start call */
    int armed;
    int fired;
} many_t;

static many_t many[MANY];
static uint64_t many_seq, last_due, last_seq, many_fired;
static int any_fired;
static uint32_t rng = 12345;

static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static void on_many(tide_timer_t *t, void *data)
{
    many_t *m = data;
    uint64_t now = tide_now_ns(tide_handle_loop(TIDE_HANDLE(t)));
    ASSERT(m->armed);
    ASSERT(!m->fired);
    /* The clock stops at each expiry, so a timer fires exactly at its due
     * time, and the sequence of firings is sorted by (due, start order). */
    ASSERT_EQ(now, m->due);
    if (any_fired) ASSERT(m->due > last_due || (m->due == last_due && m->seq > last_seq));
    any_fired = 1;
    last_due = m->due;
    last_seq = m->seq;
    m->fired = 1;
    m->armed = 0;
    many_fired++;
    ASSERT_OK(tide_close(TIDE_HANDLE(t), NULL));
}

static void many_start(tide_loop_t *loop, many_t *m)
{
    uint64_t timeout = next_rand() % 1000;
    m->due = tide_now_ns(loop) + timeout * MS;
    m->seq = many_seq++;
    m->armed = 1;
    ASSERT_OK(tide_timer_start(m->t, on_many, timeout, 0, m));
}

static void test_many_timers(void)
{
    tide_loop_t *loop = new_virtual_loop();
    unsigned stopped = 0;
    any_fired = 0;
    /* Ten batches, with the clock moving (and firing some) in between, a
     * tenth of the earlier timers restarted and some stopped. */
    for (int batch = 0; batch < 10; batch++) {
        for (int i = batch * (MANY / 10); i < (batch + 1) * (MANY / 10); i++) {
            ASSERT_OK(tide_timer_new(loop, &many[i].t));
            many_start(loop, &many[i]);
        }
        for (int i = 0; i < batch * (MANY / 10); i++) {
            if (!many[i].armed) continue;
            if (i % 10 == 3) many_start(loop, &many[i]);
            if (i % 97 == 5) {
                ASSERT_OK(tide_timer_stop(many[i].t));
                many[i].armed = 0;
                stopped++;
            }
        }
        ASSERT_OK(tide_clock_advance(loop, (next_rand() % 200) * MS));
    }
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(many_fired + stopped, MANY);
    for (int i = 0; i < MANY; i++) {
        ASSERT(!many[i].armed);
        if (!many[i].fired) ASSERT_OK(tide_close(TIDE_HANDLE(many[i].t), NULL));
    }
    TEST_CLOSE_LOOP(loop);
}

int main(void)
{
    test_virtual_clock_rules();
    test_one_shot_and_repeat();
    test_refresh();
    test_again_and_set_repeat();
    test_due_in();
    test_equal_expiry_order();
    test_started_during_phase();
    test_unref();
    test_idle_timeout_restart();
    test_huge_timeout();
    test_never_early_real_clock();
    test_many_timers();
    return 0;
}
