/* tests/core/test_tick.c - the drain rule: every nextTick (new ones too) then
 * every microtask, until both queues are empty, after every callback of
 * every phase; tide_drain by hand, -EBUSY from inside a drain. */
#include "test.h"

/* ---- the order within one drain ----------------------------------------- */

static void t1(tide_loop_t *loop, void *data)
{
    test_log(&log_, "t1");
    ASSERT_OK(tide_queue_microtask(loop, say, "m-from-t1"));
    ASSERT_OK(tide_next_tick(loop, say, "t3"));
}

static void m1(tide_loop_t *loop, void *data)
{
    test_log(&log_, "m1");
    ASSERT_OK(tide_next_tick(loop, say, "t-from-m1"));
    ASSERT_OK(tide_queue_microtask(loop, say, "m2"));
}

static void test_drain_order(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    ASSERT_EQ(tide_next_tick(loop, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_queue_microtask(loop, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_next_tick(NULL, say, NULL), -EINVAL);
    ASSERT_EQ(tide_queue_microtask(NULL, say, NULL), -EINVAL);

    /* node, from the main script:
     *   process.nextTick(t1); queueMicrotask(m1); process.nextTick(t2);
     * prints t1 t2 t3 m1 m-from-t1 m2 t-from-m1: a tick added by a tick
     * joins the running tick queue; a microtask added by a tick waits for
     * the tick queue to empty; a tick added by a microtask waits for the
     * microtask queue to empty (L2). */
    ASSERT_OK(tide_next_tick(loop, t1, NULL));
    ASSERT_OK(tide_queue_microtask(loop, m1, NULL));
    ASSERT_OK(tide_next_tick(loop, say, "t2"));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "t1 t2 t3 m1 m-from-t1 m2 t-from-m1");
    TEST_CLOSE_LOOP(loop);
}

/* ---- ping-pong and starvation ------------------------------------------- */

static int rounds;

static void pong(tide_loop_t *loop, void *data);

static void ping(tide_loop_t *loop, void *data)
{
    rounds++;
    if (rounds < 1000) ASSERT_OK(tide_queue_microtask(loop, pong, NULL));
}

static void pong(tide_loop_t *loop, void *data)
{
    rounds++;
    if (rounds < 1000) ASSERT_OK(tide_next_tick(loop, ping, NULL));
}

static int recursion;

static void recurse_tick(tide_loop_t *loop, void *data)
{
    /* Recursion through nextTick runs to the end before any phase. */
    if (++recursion < 5000) ASSERT_OK(tide_next_tick(loop, recurse_tick, NULL));
}

static void check_rounds(tide_loop_t *loop, void *data)
{
    ASSERT_EQ(rounds, 1000);
    ASSERT_EQ(recursion, 5000);
    test_log(&log_, data);
}

static void timer_check_rounds(tide_timer_t *t, void *data)
{
    check_rounds(tide_handle_loop(TIDE_HANDLE(t)), data);
}

static void test_pingpong_and_starvation(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    rounds = 0;
    recursion = 0;
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    ASSERT_OK(tide_timer_start(t, timer_check_rounds, 0, 0, "timer"));
    ASSERT_GT(tide_set_immediate(loop, check_rounds, "imm"), 0);
    ASSERT_OK(tide_next_tick(loop, ping, NULL));
    ASSERT_OK(tide_next_tick(loop, recurse_tick, NULL));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "timer imm");
    tide_close(TIDE_HANDLE(t), NULL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- many, in order -------------------------------------------------------- */

#define MANY 20000
static int tick_next, micro_next;

static void many_micro(tide_loop_t *loop, void *data)
{
    /* Every tick ran before the first microtask. */
    ASSERT_EQ(tick_next, MANY);
    ASSERT_EQ((intptr_t)data, micro_next);
    micro_next++;
}

static void many_tick(tide_loop_t *loop, void *data)
{
    ASSERT_EQ((intptr_t)data, tick_next);
    tick_next++;
    ASSERT_OK(tide_queue_microtask(loop, many_micro, data));
    /* The first half queues the second half while the queue drains. */
    if ((intptr_t)data < MANY / 2)
        ASSERT_OK(tide_next_tick(loop, many_tick, (void *)((intptr_t)data + MANY / 2)));
}

static void test_many_in_order(void)
{
    tide_loop_t *loop = new_virtual_loop();
    tick_next = micro_next = 0;
    /* Interleaved: i and i + MANY/2 would both be queued by now, so the
     * first half goes in the queue first, the rest as it drains. */
    for (intptr_t i = 0; i < MANY / 2; i++) ASSERT_OK(tide_next_tick(loop, many_tick, (void *)i));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(tick_next, MANY);
    ASSERT_EQ(micro_next, MANY);
    TEST_CLOSE_LOOP(loop);
}

/* ---- a drain after every callback of every phase --------------------------- */

/* In each phase two callbacks run; the first queues a microtask and then a
 * tick, which must both run before the second (tick first). */
static void queue_both(tide_loop_t *loop, const char *who)
{
    test_log(&log_, who);
    /* The strings must outlive this call. */
    static char arena[64][32];
    static int used;
    char *m = arena[used++ % 64], *t = arena[used++ % 64];
    snprintf(m, 32, "%s.micro", who);
    snprintf(t, 32, "%s.tick", who);
    ASSERT_OK(tide_queue_microtask(loop, say, m));
    ASSERT_OK(tide_next_tick(loop, say, t));
}

static void timer_first(tide_timer_t *t, void *who)
{
    queue_both(tide_handle_loop(TIDE_HANDLE(t)), who);
}

static void timer_second(tide_timer_t *t, void *who) { test_log(&log_, who); }

static void idle_first(tide_idle_t *h, void *who)
{
    queue_both(tide_handle_loop(TIDE_HANDLE(h)), who);
    ASSERT_OK(tide_idle_stop(h));
}

static void idle_second(tide_idle_t *h, void *who)
{
    test_log(&log_, who);
    ASSERT_OK(tide_idle_stop(h));
}

static void imm_first(tide_loop_t *loop, void *who) { queue_both(loop, who); }

static void close_first(tide_handle_t *h, void *who) { queue_both(tide_handle_loop(h), who); }

static void close_second(tide_handle_t *h, void *who) { test_log(&log_, who); }

static void test_drain_per_callback(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();

    /* Two timers that expire together (node prints A A.tick A.micro B). */
    tide_timer_t *ta, *tb;
    ASSERT_OK(tide_timer_new(loop, &ta));
    ASSERT_OK(tide_timer_new(loop, &tb));
    ASSERT_OK(tide_timer_start(ta, timer_first, 5, 0, "A"));
    ASSERT_OK(tide_timer_start(tb, timer_second, 5, 0, "B"));

    tide_idle_t *h[8];
    void (*starts[4])(tide_idle_t *, void *) = {idle_first, idle_second, idle_first, idle_second};
    const char *names[8] = {"idle1", "idle2", "prep1", "prep2", "check1", "check2", "c1", "c2"};
    ASSERT_OK(tide_idle_new(loop, &h[0]));
    ASSERT_OK(tide_idle_new(loop, &h[1]));
    ASSERT_OK(tide_prepare_new(loop, &h[2]));
    ASSERT_OK(tide_prepare_new(loop, &h[3]));
    ASSERT_OK(tide_check_new(loop, &h[4]));
    ASSERT_OK(tide_check_new(loop, &h[5]));
    ASSERT_OK(tide_idle_new(loop, &h[6]));
    ASSERT_OK(tide_idle_new(loop, &h[7]));
    for (int i = 0; i < 6; i++) ASSERT_OK(tide_idle_start(h[i], starts[i % 2], (void *)names[i]));
    ASSERT_GT(tide_set_immediate(loop, imm_first, "imm1"), 0);
    ASSERT_GT(tide_set_immediate(loop, say, "imm2"), 0);
    tide_handle_set_data(TIDE_HANDLE(h[6]), (void *)names[6]);
    tide_handle_set_data(TIDE_HANDLE(h[7]), (void *)names[7]);
    ASSERT_OK(tide_close(TIDE_HANDLE(h[6]), close_first));
    ASSERT_OK(tide_close(TIDE_HANDLE(h[7]), close_second));

    /* The timers are 5 ms away, so the first iteration has every phase
     * but timers; the next one waits for them. */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_STR_EQ(log_.buf,
                  "idle1 idle1.tick idle1.micro idle2 "
                  "prep1 prep1.tick prep1.micro prep2 "
                  "check1 check1.tick check1.micro check2 "
                  "imm1 imm1.tick imm1.micro imm2 "
                  "c1 c1.tick c1.micro c2");
    log_reset();
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "A A.tick A.micro B");

    for (int i = 0; i < 6; i++) tide_close(TIDE_HANDLE(h[i]), NULL);
    tide_close(TIDE_HANDLE(ta), NULL);
    tide_close(TIDE_HANDLE(tb), NULL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- tide_drain ------------------------------------------------------------ */

static int nested_result = 1;

static void tick_tries_drain(tide_loop_t *loop, void *data)
{
    test_log(&log_, "tick");
    /* Already draining: refused, and the queued microtask is not run from
     * here but by the drain that is running. */
    ASSERT_OK(tide_queue_microtask(loop, say, "micro"));
    nested_result = tide_drain(loop);
    ASSERT_EQ(nested_result, -EBUSY);
    test_log(&log_, "tick-end");
}

static void micro_tries_drain(tide_loop_t *loop, void *data)
{
    test_log(&log_, "m");
    ASSERT_EQ(tide_drain(loop), -EBUSY);
}

static void timer_drains(tide_timer_t *t, void *data)
{
    tide_loop_t *loop = tide_handle_loop(TIDE_HANDLE(t));
    /* In a callback (not inside a drain), tide_drain runs the queues now. */
    ASSERT_OK(tide_queue_microtask(loop, say, "micro"));
    ASSERT_OK(tide_next_tick(loop, say, "tick"));
    test_log(&log_, "before");
    ASSERT_OK(tide_drain(loop));
    test_log(&log_, "after");
    ASSERT_OK(tide_next_tick(loop, say, "tick2"));
}

static void test_tide_drain(void)
{
    tide_loop_t *loop = new_virtual_loop();
    ASSERT_EQ(tide_drain(NULL), -EINVAL);

    /* Outside tide_run: runs what the program queued, in drain order. */
    log_reset();
    ASSERT_OK(tide_drain(loop)); /* nothing queued */
    ASSERT_OK(tide_queue_microtask(loop, say, "micro"));
    ASSERT_OK(tide_next_tick(loop, say, "tick"));
    ASSERT_OK(tide_drain(loop));
    ASSERT_STR_EQ(log_.buf, "tick micro");

    /* From inside a drain: -EBUSY, and nothing runs out of order. */
    log_reset();
    ASSERT_OK(tide_next_tick(loop, tick_tries_drain, NULL));
    ASSERT_OK(tide_next_tick(loop, say, "tick2"));
    ASSERT_OK(tide_queue_microtask(loop, micro_tries_drain, NULL));
    ASSERT_OK(tide_drain(loop));
    ASSERT_EQ(nested_result, -EBUSY);
    ASSERT_STR_EQ(log_.buf, "tick tick-end tick2 m micro");

    /* From a callback of the loop. */
    log_reset();
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    ASSERT_OK(tide_timer_start(t, timer_drains, 0, 0, NULL));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "before tick micro after tick2");
    tide_close(TIDE_HANDLE(t), NULL);
    TEST_CLOSE_LOOP(loop);
}

int main(void)
{
    test_drain_order();
    test_pingpong_and_starvation();
    test_many_in_order();
    test_drain_per_callback();
    test_tide_drain();
    return 0;
}
