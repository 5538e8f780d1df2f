/* tests/core/test_timer_entries.c - the timer layout a restart relies on
 * (internal): timers come 64-byte aligned with what a refresh touches in
 * their first line, the expiry lives in the list entry (due_in finds it
 * among many stale ones), and pending re-arms survive a stop that empties
 * their list, a switch of timeout and a refresh of a fired timer. */
#include <stddef.h>

#include "core/internal.h"
#include "test.h"

#define MS UINT64_C(1000000)

static int fired;
static void on_fire(tide_timer_t *t, void *data) { fired++; }

static void on_timeout(tide_loop_t *loop, void *data) { fired++; }

static void test_layout(void)
{
    /* What a refresh touches fits in the first 64 bytes. */
    ASSERT_LE(offsetof(tide_timer_t, seq) + sizeof(uint64_t), 64);
    ASSERT_LE(offsetof(tide_timer_t, list) + sizeof(void *), 64);
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_timer_t *t[100];
    for (int i = 0; i < 100; i++) {
        ASSERT_OK(tide_timer_new(loop, &t[i]));
        ASSERT_EQ((uintptr_t)t[i] % TIDE__TIMER_ALIGN, 0);
    }
    /* So are the loop's own timers behind tide_set_timeout. */
    int64_t id = tide_set_timeout(loop, on_timeout, NULL, 1);
    ASSERT_GT(id, 0);
    ASSERT_EQ((uintptr_t)tide__ids_get(&loop->timeout_ids, id) % TIDE__TIMER_ALIGN, 0);
    tide_clear_timeout(loop, id);
    for (int i = 0; i < 100; i++) tide_close(TIDE_HANDLE(t[i]), NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_OK(tide_loop_close(loop));
}

static void test_aligned_pool(void)
{
    tide__pool_t pool;
    tide__pool_init_aligned(&pool, 72, 64);
    char *prev = NULL;
    for (int i = 0; i < 200; i++) { /* several chunks */
        char *p = tide__pool_get(&pool);
        ASSERT(p != NULL);
        ASSERT_EQ((uintptr_t)p % 64, 0);
        /* Sized in whole lines: neighbours never overlap. */
        if (prev) ASSERT((p > prev ? p - prev : prev - p) >= 128);
        memset(p, 0xab, 72);
        prev = p;
    }
    tide__pool_destroy(&pool);
}

/* due_in after many refreshes at different times: the valid entry is found
 * among the stale ones of one ring, for every timer of it. */
static void test_due_in_among_stale(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_loop_use_virtual_clock(loop, 0));
    enum { N = 50 };
    tide_timer_t *t[N];
    for (int i = 0; i < N; i++) {
        ASSERT_OK(tide_timer_new(loop, &t[i]));
        ASSERT_OK(tide_timer_start(t[i], on_fire, 100, 0, NULL));
    }
    /* Timer i is last refreshed at i ms: due at 100 + i. */
    for (int ms = 1; ms < N; ms++) {
        ASSERT_OK(tide_clock_advance(loop, MS));
        for (int i = ms; i < N; i++) ASSERT_OK(tide_timer_refresh(t[i]));
    }
    for (int i = 0; i < N; i++) ASSERT_EQ(tide_timer_get_due_in(t[i]), (uint64_t)(100 + i - (N - 1)));
    /* They fire in that order, one per millisecond, none early. */
    fired = 0;
    ASSERT_OK(tide_clock_advance(loop, (100 - (N - 1)) * MS)); /* to 100 ms */
    ASSERT_EQ(fired, 1);
    ASSERT_OK(tide_clock_advance(loop, (N - 1) * MS));
    ASSERT_EQ(fired, N);
    for (int i = 0; i < N; i++) tide_close(TIDE_HANDLE(t[i]), NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_OK(tide_loop_close(loop));
}

/* Pending re-arms (not yet stamped) meet a stop that releases their list's
 * ring, a start with another timeout, and close; ASan/Valgrind check that
 * nothing writes into a released ring. */
static void test_pending_then_release(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_timer_t *a, *b, *c;
    ASSERT_OK(tide_timer_new(loop, &a));
    ASSERT_OK(tide_timer_new(loop, &b));
    ASSERT_OK(tide_timer_new(loop, &c));
    ASSERT_OK(tide_timer_start(a, on_fire, 5000, 0, NULL));
    ASSERT_OK(tide_timer_start(b, on_fire, 7000, 0, NULL));
    ASSERT_OK(tide_timer_start(c, on_fire, 9000, 0, NULL));
    ASSERT_OK(tide_timer_refresh(a));
    ASSERT_OK(tide_timer_refresh(b));
    ASSERT_OK(tide_timer_refresh(c));
    ASSERT_GT(loop->timer_pending_len, 0);
    ASSERT_OK(tide_timer_stop(a)); /* the only timer of its list */
    ASSERT_OK(tide_timer_start(b, on_fire, 1, 0, NULL)); /* leaves its list */
    ASSERT_EQ(loop->timer_pending_len, 0);
    ASSERT_OK(tide_timer_refresh(c));
    ASSERT_OK(tide_close(TIDE_HANDLE(c), NULL)); /* pending, then closed */
    fired = 0;
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(fired, 1); /* b only */
    /* A fired timer's refresh arms it again through the general path. */
    ASSERT_OK(tide_timer_refresh(b));
    ASSERT(tide_is_active(TIDE_HANDLE(b)));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(fired, 2);
    /* Pending at loop close: dropped with the rings, nothing written. */
    ASSERT_OK(tide_timer_start(a, on_fire, 5000, 0, NULL));
    ASSERT_OK(tide_timer_refresh(a));
    ASSERT_GT(loop->timer_pending_len, 0);
    tide_close(TIDE_HANDLE(a), NULL);
    tide_close(TIDE_HANDLE(b), NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_OK(tide_loop_close(loop));
}

/* The flag that lets refresh skip the timeout comparison follows the
 * timer: a repeat in another list, then a refresh, goes back to the
 * timeout it was started with. */
static void test_refresh_after_repeat_list(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_loop_use_virtual_clock(loop, 0));
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    ASSERT_EQ(tide_timer_refresh(t), -EINVAL); /* never started */
    fired = 0;
    ASSERT_OK(tide_timer_start(t, on_fire, 10, 30, NULL));
    ASSERT_EQ(tide_timer_get_due_in(t), 10);
    ASSERT_OK(tide_clock_advance(loop, 10 * MS)); /* fires, re-armed for 30 */
    ASSERT_EQ(fired, 1);
    ASSERT_EQ(tide_timer_get_due_in(t), 30);
    ASSERT_OK(tide_timer_refresh(t)); /* the start's 10, not the repeat */
    ASSERT_EQ(tide_timer_get_due_in(t), 10);
    ASSERT_OK(tide_timer_refresh(t));
    ASSERT_EQ(tide_timer_get_due_in(t), 10);
    ASSERT_OK(tide_clock_advance(loop, 9 * MS));
    ASSERT_EQ(fired, 1);
    ASSERT_OK(tide_clock_advance(loop, 1 * MS));
    ASSERT_EQ(fired, 2);
    tide_close(TIDE_HANDLE(t), NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_OK(tide_loop_close(loop));
}

int main(void)
{
    test_layout();
    test_aligned_pool();
    test_due_in_among_stale();
    test_pending_then_release();
    test_refresh_after_repeat_list();
    return 0;
}
