/* tests/core/test_timeout.c - set_timeout/set_interval: ids are positive and
 * generation-checked, stale or bogus clears are no-ops, delay 0 is 1 ms, an
 * interval cleared inside stops, refresh/ref/unref/has_ref on live ids. */
#include "test.h"

#define MS UINT64_C(1000000)

/* Logs "<name>@<ms>" with the loop's (virtual) time. */
static void say_at(tide_loop_t *loop, void *name)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s@%" PRIu64, (char *)name, tide_now(loop));
    test_log(&log_, buf);
}

/* ---- ids and clearing ------------------------------------------------------ */

static tide_id_t victim_id;

static void clear_victim(tide_loop_t *loop, void *data)
{
    test_log(&log_, "clearer");
    /* The victim is due in this same timers phase: cleared now, it never
     * runs (T4), and it was still pending. */
    ASSERT_EQ(tide_clear_timeout(loop, victim_id), 1);
}

static void test_ids_and_clear(void)
{
    tide_loop_t *loop = new_virtual_loop();
    ASSERT_EQ(tide_set_timeout(loop, NULL, NULL, 1), -EINVAL);
    ASSERT_EQ(tide_set_interval(loop, NULL, NULL, 1), -EINVAL);
    ASSERT_EQ(tide_set_timeout(NULL, say, NULL, 1), -EINVAL);

    /* Garbage ids clear nothing and do not disturb a live timeout. */
    log_reset();
    tide_id_t live = tide_set_timeout(loop, say, "live", 10);
    ASSERT_GT(live, 0);
    const tide_id_t bogus[] = {0, -1, -live, INT64_MIN, INT64_MAX, live + 1,
                               live ^ (INT64_C(1) << 32), (INT64_C(7) << 32) | 1, 1};
    for (size_t i = 0; i < sizeof bogus / sizeof bogus[0]; i++) {
        if (bogus[i] == live) continue;
        ASSERT_EQ(tide_clear_timeout(loop, bogus[i]), 0);
        ASSERT_EQ(tide_clear_interval(loop, bogus[i]), 0);
        ASSERT_EQ(tide_timeout_refresh(loop, bogus[i]), -ENOENT);
        ASSERT_EQ(tide_timeout_ref(loop, bogus[i]), -ENOENT);
        ASSERT_EQ(tide_timeout_unref(loop, bogus[i]), -ENOENT);
        ASSERT_EQ(tide_timeout_has_ref(loop, bogus[i]), -ENOENT);
    }
    ASSERT_EQ(tide_clear_timeout(NULL, live), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "live");

    /* An id that fired is stale. */
    ASSERT_EQ(tide_clear_timeout(loop, live), 0);
    ASSERT_EQ(tide_timeout_has_ref(loop, live), -ENOENT);
    ASSERT_EQ(tide_timeout_refresh(loop, live), -ENOENT);

    /* Clearing twice: the first clear cancels, the second is a no-op. */
    log_reset();
    tide_id_t a = tide_set_timeout(loop, say, "a", 5);
    ASSERT_GT(a, 0);
    ASSERT_EQ(tide_clear_timeout(loop, a), 1);
    ASSERT_EQ(tide_clear_timeout(loop, a), 0);
    ASSERT_EQ(tide_clear_interval(loop, a), 0);

    /* The freed slot is taken by newer timeouts (ids stay distinct); the
     * stale ids must not reach them. Several, so a slot is surely reused. */
    tide_id_t old[8], fresh[8];
    for (int i = 0; i < 8; i++) {
        old[i] = tide_set_timeout(loop, say, "old", 5);
        ASSERT_GT(old[i], 0);
    }
    for (int i = 0; i < 8; i++) ASSERT_EQ(tide_clear_timeout(loop, old[i]), 1);
    for (int i = 0; i < 8; i++) {
        fresh[i] = tide_set_timeout(loop, say, "new", 5);
        ASSERT_GT(fresh[i], 0);
        ASSERT_NE(fresh[i], a);
        for (int j = 0; j < 8; j++) ASSERT_NE(fresh[i], old[j]);
    }
    for (int i = 0; i < 8; i++) {
        ASSERT_EQ(tide_clear_timeout(loop, old[i]), 0);
        ASSERT_EQ(tide_clear_interval(loop, old[i]), 0);
        ASSERT_EQ(tide_timeout_unref(loop, old[i]), -ENOENT);
    }
    ASSERT_EQ(tide_clear_timeout(loop, a), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "new new new new new new new new");

    /* The same after firing: the slot of a fired timeout is reused. */
    log_reset();
    for (int i = 0; i < 8; i++) {
        old[i] = fresh[i];
        fresh[i] = tide_set_timeout(loop, say, "again", 5);
        ASSERT_GT(fresh[i], 0);
    }
    for (int i = 0; i < 8; i++) ASSERT_EQ(tide_clear_timeout(loop, old[i]), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "again again again again again again again again");

    /* Either clear works on either kind, as in Node. */
    log_reset();
    tide_id_t iv = tide_set_interval(loop, say, "iv", 5);
    tide_id_t to = tide_set_timeout(loop, say, "to", 5);
    ASSERT_EQ(tide_clear_timeout(loop, iv), 1);
    ASSERT_EQ(tide_clear_interval(loop, to), 1);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "");

    /* Clearing a timeout due in the current timers phase. */
    log_reset();
    ASSERT_GT(tide_set_timeout(loop, clear_victim, NULL, 5), 0);
    victim_id = tide_set_timeout(loop, say, "victim", 5);
    ASSERT_GT(victim_id, 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "clearer");
    ASSERT_EQ(tide_clear_timeout(loop, victim_id), 0);

    TEST_CLOSE_LOOP(loop);
}

/* ---- delay 0 ------------------------------------------------------------------ */

static void test_delay_zero(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    /* Node coerces 0 to 1 ms; the coerced timer shares the 1 ms order with
     * a real 1 ms timer created before it (node prints "one zero"). */
    ASSERT_GT(tide_set_timeout(loop, say_at, "one", 1), 0);
    ASSERT_GT(tide_set_timeout(loop, say_at, "zero", 0), 0);
    ASSERT_OK(tide_clock_advance(loop, MS - 1));
    ASSERT_STR_EQ(log_.buf, "");
    ASSERT_OK(tide_clock_advance(loop, 1));
    ASSERT_STR_EQ(log_.buf, "one@1 zero@1");

    /* An interval of 0 fires every millisecond, not in a tight loop. */
    log_reset();
    tide_id_t iv = tide_set_interval(loop, say_at, "iv", 0);
    ASSERT_GT(iv, 0);
    ASSERT_OK(tide_clock_advance(loop, 3 * MS));
    ASSERT_STR_EQ(log_.buf, "iv@2 iv@3 iv@4");
    ASSERT_EQ(tide_clear_interval(loop, iv), 1);
    TEST_CLOSE_LOOP(loop);
}

/* ---- intervals ------------------------------------------------------------------ */

static tide_id_t self_id;
static int self_count;

static void micro_after(tide_loop_t *loop, void *data)
{
    char buf[16];
    snprintf(buf, sizeof buf, "m%d", self_count);
    test_log(&log_, buf);
}

static void interval_clears_itself(tide_loop_t *loop, void *data)
{
    char buf[16];
    snprintf(buf, sizeof buf, "i%d@%" PRIu64, ++self_count, tide_now(loop));
    test_log(&log_, buf);
    /* The firing's microtasks run before the next firing (T5). */
    ASSERT_OK(tide_queue_microtask(loop, micro_after, NULL));
    if (self_count == 3) {
        /* Still armed for its next firing, so it was pending. */
        ASSERT_EQ(tide_clear_interval(loop, self_id), 1);
        ASSERT_EQ(tide_clear_interval(loop, self_id), 0);
        ASSERT_EQ(tide_timeout_has_ref(loop, self_id), -ENOENT);
    }
}

static tide_id_t once_id;

static void timeout_clears_itself(tide_loop_t *loop, void *data)
{
    test_log(&log_, "once");
    /* Safe whatever it returns; afterwards the id is stale. */
    tide_clear_timeout(loop, once_id);
    ASSERT_EQ(tide_clear_timeout(loop, once_id), 0);
    ASSERT_GT(tide_set_timeout(loop, say, "after", 1), 0);
}

static void test_interval(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    self_count = 0;
    self_id = tide_set_interval(loop, interval_clears_itself, NULL, 5);
    ASSERT_GT(self_id, 0);
    /* The loop ends by itself once the interval is cleared (node prints
     * "i1 m1 i2 m2 i3 m3"). */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "i1@5 m1 i2@10 m2 i3@15 m3");
    ASSERT_EQ(tide_now(loop), 15);

    log_reset();
    once_id = tide_set_timeout(loop, timeout_clears_itself, NULL, 1);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "once after");
    TEST_CLOSE_LOOP(loop);
}

/* ---- refresh, ref, unref, has_ref ----------------------------------------------- */

static tide_id_t refresh_id;
static int refresh_count;

static void refreshes_itself(tide_loop_t *loop, void *data)
{
    say_at(loop, "r");
    /* Node's t.refresh() inside the callback re-arms a fired timeout. */
    if (++refresh_count < 4) ASSERT_OK(tide_timeout_refresh(loop, refresh_id));
}

static void test_refresh_ref(void)
{
    tide_loop_t *loop = new_virtual_loop();

    log_reset();
    tide_id_t id = tide_set_timeout(loop, say_at, "t", 100);
    ASSERT_OK(tide_clock_advance(loop, 60 * MS));
    ASSERT_OK(tide_timeout_refresh(loop, id));
    ASSERT_OK(tide_clock_advance(loop, 99 * MS));
    ASSERT_STR_EQ(log_.buf, "");
    ASSERT_OK(tide_clock_advance(loop, 1 * MS));
    ASSERT_STR_EQ(log_.buf, "t@160");
    ASSERT_EQ(tide_timeout_refresh(loop, id), -ENOENT);

    log_reset();
    refresh_count = 0;
    refresh_id = tide_set_timeout(loop, refreshes_itself, NULL, 10);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "r@170 r@180 r@190 r@200");

    /* Unref'd: has_ref says so and it does not keep the loop alive. */
    log_reset();
    id = tide_set_timeout(loop, say_at, "u", 10);
    ASSERT_EQ(tide_timeout_has_ref(loop, id), 1);
    ASSERT_OK(tide_timeout_unref(loop, id));
    ASSERT_OK(tide_timeout_unref(loop, id));
    ASSERT_EQ(tide_timeout_has_ref(loop, id), 0);
    ASSERT_EQ(tide_loop_alive(loop), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "");
    ASSERT_EQ(tide_now(loop), 200);
    /* ref() undoes it. */
    ASSERT_OK(tide_timeout_ref(loop, id));
    ASSERT_EQ(tide_timeout_has_ref(loop, id), 1);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "u@210");

    /* An unref'd interval runs while something else keeps the loop alive
     * (node: the unref'd timer fires as long as the process lives). */
    log_reset();
    tide_id_t iv = tide_set_interval(loop, say_at, "iv", 4);
    ASSERT_OK(tide_timeout_unref(loop, iv));
    ASSERT_GT(tide_set_timeout(loop, say_at, "end", 10), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "iv@214 iv@218 end@220");

    /* The unref'd interval is still pending: the loop drops it at close,
     * as Node drops pending timers at exit. */
    ASSERT_EQ(tide_timeout_has_ref(loop, iv), 0);
    TEST_CLOSE_LOOP(loop);
}

int main(void)
{
    test_ids_and_clear();
    test_delay_zero();
    test_interval();
    test_refresh_ref();
    return 0;
}
