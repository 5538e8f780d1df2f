/* tests/core/test_immediate.c - immediates run in the check phase in queue
 * order, ones queued during it wait an iteration, clear works from earlier
 * immediates of the phase, ids are generation-checked, drain after each. */
#include "test.h"

#define MS UINT64_C(1000000)

static void say_handle(tide_idle_t *h, void *text) { test_log(&log_, text); }

static void close_say(tide_handle_t *h, void *text) { test_log(&log_, text); }

static void timer_say(tide_timer_t *t, void *text) { test_log(&log_, text); }

/* An unref'd prepare handle marks the start of each iteration's poll
 * without keeping the loop alive. */
static tide_prepare_t *new_marker(tide_loop_t *loop)
{
    tide_prepare_t *p;
    ASSERT_OK(tide_prepare_new(loop, &p));
    ASSERT_OK(tide_prepare_start(p, say_handle, "prep"));
    tide_unref(TIDE_HANDLE(p));
    return p;
}

/* ---- check phase and queue order ----------------------------------------- */

static void test_check_phase_order(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    ASSERT_EQ(tide_set_immediate(loop, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_set_immediate(NULL, say, NULL), -EINVAL);

    /* Queued first, but they run after the timers, prepare and poll
     * phases, after the check handles, and before the close phase. */
    tide_id_t ids[3];
    ids[0] = tide_set_immediate(loop, say, "A");
    ids[1] = tide_set_immediate(loop, say, "B");
    ids[2] = tide_set_immediate(loop, say, "C");
    for (int i = 0; i < 3; i++) {
        ASSERT_GT(ids[i], 0);
        for (int j = 0; j < i; j++) ASSERT_NE(ids[i], ids[j]);
    }
    tide_check_t *check;
    ASSERT_OK(tide_check_new(loop, &check));
    ASSERT_OK(tide_check_start(check, say_handle, "check"));
    tide_unref(TIDE_HANDLE(check));
    tide_prepare_t *prep = new_marker(loop);
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    ASSERT_OK(tide_timer_start(t, timer_say, 0, 0, "timer"));
    tide_idle_t *spare;
    ASSERT_OK(tide_idle_new(loop, &spare));
    tide_handle_set_data(TIDE_HANDLE(spare), "close");
    ASSERT_OK(tide_close(TIDE_HANDLE(spare), close_say));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "timer prep check A B C close");

    tide_close(TIDE_HANDLE(check), NULL);
    tide_close(TIDE_HANDLE(prep), NULL);
    tide_close(TIDE_HANDLE(t), NULL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- queued during the check phase ------------------------------------------- */

static tide_timer_t *zero_timer;
static tide_idle_t *to_close;

static void queue_more(tide_loop_t *loop, void *data)
{
    test_log(&log_, "A");
    /* D waits for the next iteration: after this phase's other immediates,
     * after this iteration's close phase (L4c) and after the next
     * iteration's timers (L4d). */
    ASSERT_GT(tide_set_immediate(loop, say, "D"), 0);
    ASSERT_OK(tide_close(TIDE_HANDLE(to_close), close_say));
    ASSERT_OK(tide_timer_start(zero_timer, timer_say, 0, 0, "T"));
}

static void test_queued_during_phase(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    tide_prepare_t *prep = new_marker(loop);
    ASSERT_OK(tide_timer_new(loop, &zero_timer));
    ASSERT_OK(tide_idle_new(loop, &to_close));
    tide_handle_set_data(TIDE_HANDLE(to_close), "close");
    ASSERT_GT(tide_set_immediate(loop, queue_more, NULL), 0);
    ASSERT_GT(tide_set_immediate(loop, say, "B"), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "prep A B close T prep D");

    tide_close(TIDE_HANDLE(prep), NULL);
    tide_close(TIDE_HANDLE(zero_timer), NULL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- a pending immediate makes poll not block ------------------------------- */

static void test_poll_does_not_block(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    ASSERT_OK(tide_timer_start(t, timer_say, 1000, 0, "timer"));
    ASSERT_GT(tide_set_immediate(loop, say, "imm"), 0);
    /* Had poll waited for the timer, the virtual clock would have jumped
     * to 1000 and ONCE would have run the timer too. */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_STR_EQ(log_.buf, "imm");
    ASSERT_EQ(tide_now(loop), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 0);
    ASSERT_STR_EQ(log_.buf, "imm timer");
    tide_close(TIDE_HANDLE(t), NULL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- clear_immediate ---------------------------------------------------------- */

static tide_id_t later_id, next_iter_id;

static void clears_later(tide_loop_t *loop, void *data)
{
    test_log(&log_, "A");
    /* Queued before the phase, behind this one: still pending (I2). */
    ASSERT_EQ(tide_clear_immediate(loop, later_id), 1);
    ASSERT_EQ(tide_clear_immediate(loop, later_id), 0);
    next_iter_id = tide_set_immediate(loop, say, "D");
    ASSERT_GT(next_iter_id, 0);
}

static void clears_next_iteration(tide_loop_t *loop, void *data)
{
    test_log(&log_, "C");
    /* Queued during this phase by an earlier immediate, for the next
     * iteration: clearing it works too. */
    ASSERT_EQ(tide_clear_immediate(loop, next_iter_id), 1);
}

static void test_clear(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();

    /* Cleared before the loop runs. */
    tide_id_t x = tide_set_immediate(loop, say, "x");
    ASSERT_EQ(tide_clear_immediate(loop, x), 1);
    ASSERT_EQ(tide_clear_immediate(loop, x), 0);
    ASSERT_EQ(tide_loop_alive(loop), 0);

    ASSERT_GT(tide_set_immediate(loop, clears_later, NULL), 0);
    later_id = tide_set_immediate(loop, say, "B");
    ASSERT_GT(tide_set_immediate(loop, clears_next_iteration, NULL), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "A C");
    TEST_CLOSE_LOOP(loop);
}

/* ---- generation-checked ids ---------------------------------------------------- */

static tide_id_t running_id;

static void clears_itself(tide_loop_t *loop, void *data)
{
    test_log(&log_, "self");
    /* Running, so no longer pending. */
    ASSERT_EQ(tide_clear_immediate(loop, running_id), 0);
}

static void test_ids(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    const tide_id_t bogus[] = {0, -1, INT64_MIN, INT64_MAX, 1, (INT64_C(1) << 32) | 1000000,
                               (INT64_C(0x7fffffff) << 32) | 1};
    tide_id_t live = tide_set_immediate(loop, say, "live");
    for (size_t i = 0; i < sizeof bogus / sizeof bogus[0]; i++)
        if (bogus[i] != live) ASSERT_EQ(tide_clear_immediate(loop, bogus[i]), 0);
    ASSERT_EQ(tide_clear_immediate(NULL, live), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "live");
    ASSERT_EQ(tide_clear_immediate(loop, live), 0); /* ran */

    /* Ids of immediates that ran or were cleared must not reach the newer
     * immediates that reuse their slots. */
    log_reset();
    tide_id_t old[16], fresh[16];
    for (int i = 0; i < 16; i++) old[i] = tide_set_immediate(loop, say, "o");
    for (int i = 0; i < 8; i++) ASSERT_EQ(tide_clear_immediate(loop, old[i]), 1);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "o o o o o o o o");
    log_reset();
    for (int i = 0; i < 16; i++) {
        fresh[i] = tide_set_immediate(loop, say, "n");
        ASSERT_GT(fresh[i], 0);
        for (int j = 0; j < 16; j++) ASSERT_NE(fresh[i], old[j]);
    }
    for (int i = 0; i < 16; i++) ASSERT_EQ(tide_clear_immediate(loop, old[i]), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "n n n n n n n n n n n n n n n n");

    log_reset();
    running_id = tide_set_immediate(loop, clears_itself, NULL);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "self");
    TEST_CLOSE_LOOP(loop);
}

/* ---- the drain after each immediate ------------------------------------------- */

static void queues_tick_and_micro(tide_loop_t *loop, void *data)
{
    test_log(&log_, "A");
    ASSERT_OK(tide_queue_microtask(loop, say, "microA"));
    ASSERT_OK(tide_next_tick(loop, say, "tickA"));
}

static void test_drain_per_immediate(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    ASSERT_GT(tide_set_immediate(loop, queues_tick_and_micro, NULL), 0);
    ASSERT_GT(tide_set_immediate(loop, say, "B"), 0);
    /* node: setImmediate(A); setImmediate(B) prints A tickA microA B. */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "A tickA microA B");
    TEST_CLOSE_LOOP(loop);
}

/* ---- many, growing during the phase ------------------------------------------- */

#define MANY 5000
static int many_next[2]; /* next expected index, per generation */

static void many_cb(tide_loop_t *loop, void *data)
{
    intptr_t v = (intptr_t)data;
    int gen = (int)(v / MANY), idx = (int)(v % MANY);
    ASSERT_EQ(idx, many_next[gen]);
    many_next[gen]++;
    if (gen == 0) {
        /* The second generation must all wait for the next phase. */
        ASSERT_EQ(many_next[1], 0);
        ASSERT_GT(tide_set_immediate(loop, many_cb, (void *)(intptr_t)(MANY + idx)), 0);
    }
}

static void test_many(void)
{
    tide_loop_t *loop = new_virtual_loop();
    many_next[0] = many_next[1] = 0;
    for (intptr_t i = 0; i < MANY; i++) ASSERT_GT(tide_set_immediate(loop, many_cb, (void *)i), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(many_next[0], MANY);
    ASSERT_EQ(many_next[1], 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 0);
    ASSERT_EQ(many_next[1], MANY);
    TEST_CLOSE_LOOP(loop);
}

int main(void)
{
    test_check_phase_order();
    test_queued_during_phase();
    test_poll_does_not_block();
    test_clear();
    test_ids();
    test_drain_per_immediate();
    test_many();
    return 0;
}
