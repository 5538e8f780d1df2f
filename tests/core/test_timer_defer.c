/* tests/core/test_timer_defer.c - buffered timer restarts (internal): a
 * restart is only recorded, and its sequence, entry and expiry are written
 * at the flush. Each case proves it behaves exactly as an immediate
 * restart would: twice in one batch, then stopped, closed, started again,
 * at loop close, across two loops, and when memory runs out at a flush. */
#include "core/internal.h"
#include "test.h"
#include "test_alloc.h"

#define MS UINT64_C(1000000)

static char order[64];
static int fired;

static void on_fire(tide_timer_t *t, void *data)
{
    (void)t;
    order[fired++] = *(const char *)data;
    order[fired] = 0;
}

static tide_loop_t *virtual_loop(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_loop_use_virtual_clock(loop, 0));
    fired = 0;
    order[0] = 0;
    return loop;
}

static void close_all(tide_loop_t *loop, tide_timer_t **t, int n)
{
    for (int i = 0; i < n; i++) tide_close(TIDE_HANDLE(t[i]), NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_OK(tide_loop_close(loop));
}

/* a, b, a in one batch: one firing each, from the last restart, b first
 * (Node moves a refreshed timer to the end of its list). */
static void test_twice_in_one_batch(void)
{
    tide_loop_t *loop = virtual_loop();
    tide_timer_t *t[2];
    for (int i = 0; i < 2; i++) ASSERT_OK(tide_timer_new(loop, &t[i]));
    ASSERT_OK(tide_timer_start(t[0], on_fire, 100, 0, "a"));
    ASSERT_OK(tide_timer_start(t[1], on_fire, 100, 0, "b"));
    ASSERT_OK(tide_clock_advance(loop, 50 * MS));
    ASSERT_OK(tide_timer_refresh(t[0]));
    ASSERT_OK(tide_timer_refresh(t[1]));
    ASSERT_OK(tide_timer_refresh(t[0]));
    ASSERT_EQ(loop->timer_pending_len, 3);
    ASSERT_EQ(tide_timer_get_due_in(t[0]), 100); /* flushes */
    ASSERT_EQ(loop->timer_pending_len, 0);
    ASSERT_OK(tide_clock_advance(loop, 99 * MS));
    ASSERT_EQ(fired, 0);
    ASSERT_OK(tide_clock_advance(loop, 1 * MS));
    ASSERT_STR_EQ(order, "ba");
    close_all(loop, t, 2);
}

static int closed;
static void on_close(tide_handle_t *h, void *data) { (void)h, (void)data, closed++; }

/* Buffered, then stopped, started with another timeout or callback,
 * re-armed by again, closed: each as if the restart had been done. */
static void test_buffered_then_changed(void)
{
    tide_loop_t *loop = virtual_loop();
    tide_timer_t *t[5];
    static const char *const name[5] = {"a", "b", "c", "d", "e"};
    for (int i = 0; i < 5; i++) {
        ASSERT_OK(tide_timer_new(loop, &t[i]));
        ASSERT_OK(tide_timer_start(t[i], on_fire, 100, 0, (void *)name[i]));
    }
    for (int i = 0; i < 5; i++) ASSERT_OK(tide_timer_refresh(t[i]));
    ASSERT_EQ(loop->timer_pending_len, 5);
    ASSERT_OK(tide_timer_stop(t[0]));
    ASSERT_EQ(loop->timer_pending_len, 0);
    ASSERT(!tide_is_active(TIDE_HANDLE(t[0])));

    ASSERT_OK(tide_timer_refresh(t[1]));
    ASSERT_OK(tide_timer_start(t[1], on_fire, 30, 0, "b")); /* another list */
    ASSERT_OK(tide_timer_refresh(t[2]));
    ASSERT_OK(tide_timer_start(t[2], on_fire, 100, 0, "c")); /* same list: buffered */
    ASSERT_EQ(loop->timer_pending_len, 2);
    ASSERT_OK(tide_timer_refresh(t[3]));
    tide_timer_set_repeat(t[3], 60);
    ASSERT_OK(tide_timer_again(t[3])); /* moves it to 60 ms */
    ASSERT_OK(tide_timer_start(t[4], on_fire, 100, 0, "e"));
    ASSERT_OK(tide_timer_refresh(t[4]));
    closed = 0;
    ASSERT_OK(tide_close(TIDE_HANDLE(t[4]), on_close));
    ASSERT_OK(tide_clock_advance(loop, 30 * MS));
    ASSERT_STR_EQ(order, "b");
    ASSERT_EQ(closed, 1);
    ASSERT_OK(tide_clock_advance(loop, 30 * MS));
    ASSERT_STR_EQ(order, "bd");
    ASSERT_OK(tide_timer_stop(t[3])); /* a 60 ms interval now */
    ASSERT_OK(tide_clock_advance(loop, 40 * MS));
    ASSERT_STR_EQ(order, "bdc");
    ASSERT_OK(tide_clock_advance(loop, 1000 * MS));
    ASSERT_STR_EQ(order, "bdc"); /* the stopped and closed never fire */
    close_all(loop, t, 4);
}

static void on_timeout(tide_loop_t *loop, void *data) { (*(int *)data)++; }

/* Restarts still buffered when the loop closes (the loop's own timeouts,
 * dropped at close) leave nothing allocated and write nowhere. */
static void test_buffered_at_loop_close(void)
{
    long live = alloc_live;
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int n = 0;
    tide_id_t id[3];
    for (int i = 0; i < 3; i++) ASSERT_GT(id[i] = tide_set_timeout(loop, on_timeout, &n, 1000), 0);
    for (int i = 0; i < 3; i++) ASSERT_OK(tide_timeout_refresh(loop, id[i]));
    ASSERT_EQ(loop->timer_pending_len, 3);
    ASSERT_OK(tide_loop_close(loop));
    ASSERT_EQ(alloc_live, live);
    ASSERT_EQ(n, 0);
}

static void check_current(tide_loop_t *loop, void *data)
{
    tide_loop_t **inner = data;
    ASSERT(tide__loop_current == loop);
    ASSERT_EQ(tide_run(inner[0], TIDE_RUN_NOWAIT), 0);
    ASSERT(tide__loop_current == loop); /* restored after the inner run */
}

static void mark_current(tide_loop_t *loop, void *data)
{
    ASSERT(tide__loop_current == loop);
    (*(int *)data)++;
}

/* A timer of a loop that is not the thread's current one is restarted
 * through its own loop; a loop run inside another's callback is current
 * while it runs, and the outer one again after. */
static void test_two_loops(void)
{
    tide_loop_t *a = virtual_loop(), *b = virtual_loop();
    ASSERT(tide__loop_current == b); /* the last created */
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(a, &t));
    ASSERT_OK(tide_timer_start(t, on_fire, 10, 0, "a"));
    ASSERT_OK(tide_timer_refresh(t));
    ASSERT_EQ(a->timer_pending_len, 1);
    ASSERT_EQ(b->timer_pending_len, 0);
    int ran = 0;
    tide_loop_t *inner[1] = {b};
    ASSERT_GT(tide_set_immediate(b, mark_current, &ran), 0);
    ASSERT_GT(tide_set_immediate(a, check_current, inner), 0);
    ASSERT_OK(tide_clock_advance(a, 0));
    ASSERT_EQ(ran, 1);
    ASSERT(tide__loop_current == b); /* restored after advancing a */
    ASSERT_OK(tide_clock_advance(a, 10 * MS));
    ASSERT_STR_EQ(order, "a");
    tide_close(TIDE_HANDLE(t), NULL);
    ASSERT_OK(tide_run(a, TIDE_RUN_DEFAULT));
    ASSERT_OK(tide_loop_close(a));
    ASSERT_OK(tide_loop_close(b));
    ASSERT(tide__loop_current == NULL); /* never left pointing at a closed loop */
}

/* A flush whose ring cannot grow: the buffered restarts still fit (the
 * ring kept room for a full buffer), the list is marked short, and while
 * it is, restarts go the direct way and report -ENOMEM when the ring is
 * full, leaving that timer armed as it was. Memory back, a direct restart
 * restores the room and restarts are buffered again. No timer is lost or
 * fires early or late. */
static void test_no_memory_at_flush(void)
{
    tide_loop_t *loop = virtual_loop();
    enum { N = 2 * TIDE__TIMER_PENDING_MAX - 1 - TIDE__TIMER_PENDING_MAX };
    tide_timer_t *t[N + 1];
    for (int i = 0; i <= N; i++) ASSERT_OK(tide_timer_new(loop, &t[i]));
    /* A new list's ring is twice the buffer: N entries leave room for one
     * buffer and one more entry. */
    for (int i = 0; i < N; i++) ASSERT_OK(tide_timer_start(t[i], on_fire, 10, 0, "x"));
    ASSERT_OK(tide_timer_start(t[N], on_fire, 40, 0, "y")); /* another list */
    ASSERT_OK(tide_clock_advance(loop, 5 * MS));

    alloc_budget = 0;
    for (int i = 0; i < TIDE__TIMER_PENDING_MAX; i++) ASSERT_OK(tide_timer_refresh(t[i % N]));
    ASSERT_EQ(loop->timer_pending_len, 0); /* flushed when full */
    ASSERT_EQ(loop->timer_short, 1);
    ASSERT_OK(tide_timer_refresh(t[N])); /* a short list anywhere: direct */
    ASSERT_EQ(loop->timer_pending_len, 0);
    ASSERT_OK(tide_timer_refresh(t[1])); /* takes the ring's last entry */
    ASSERT_EQ(tide_timer_refresh(t[2]), -ENOMEM);
    ASSERT(tide_is_active(TIDE_HANDLE(t[2])));
    alloc_budget = -1;

    ASSERT_OK(tide_clock_advance(loop, 10 * MS - 1)); /* 15 ms - 1 ns */
    ASSERT_EQ(fired, 0);
    ASSERT_OK(tide_clock_advance(loop, 1));
    ASSERT_EQ(fired, N); /* t[2]'s failed restart kept its expiry of 15 ms */

    /* Memory is back; the list went with its timers. */
    ASSERT_EQ(loop->timer_short, 0);
    ASSERT_OK(tide_timer_refresh(t[N]));
    ASSERT_EQ(loop->timer_pending_len, 1);
    ASSERT_OK(tide_clock_advance(loop, 40 * MS));
    ASSERT_EQ(fired, N + 1);
    close_all(loop, t, N + 1);
}

/* The other way back: memory returns while the short list still has
 * timers, and the next direct restart grows its ring. */
static void test_short_list_recovers(void)
{
    tide_loop_t *loop = virtual_loop();
    enum { N = TIDE__TIMER_PENDING_MAX - 1 };
    tide_timer_t *t[N];
    for (int i = 0; i < N; i++) {
        ASSERT_OK(tide_timer_new(loop, &t[i]));
        ASSERT_OK(tide_timer_start(t[i], on_fire, 10, 0, "x"));
    }
    alloc_budget = 0;
    for (int i = 0; i < TIDE__TIMER_PENDING_MAX; i++) ASSERT_OK(tide_timer_refresh(t[i % N]));
    ASSERT_EQ(loop->timer_short, 1);
    alloc_budget = -1;
    ASSERT_OK(tide_timer_refresh(t[0])); /* direct, and the ring grows */
    ASSERT_EQ(loop->timer_short, 0);
    ASSERT_OK(tide_timer_refresh(t[0]));
    ASSERT_EQ(loop->timer_pending_len, 1);
    ASSERT_OK(tide_clock_advance(loop, 10 * MS));
    ASSERT_EQ(fired, N);
    close_all(loop, t, N);
}

/* A restart by start with the same timeout is buffered too, and the new
 * callback and data are the ones called. */
static void test_start_same_timeout(void)
{
    tide_loop_t *loop = virtual_loop();
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    ASSERT_OK(tide_timer_start(t, on_fire, 20, 0, "a"));
    ASSERT_OK(tide_clock_advance(loop, 10 * MS));
    ASSERT_OK(tide_timer_start(t, on_fire, 20, 0, "b"));
    ASSERT_EQ(loop->timer_pending_len, 1);
    ASSERT_OK(tide_clock_advance(loop, 20 * MS - 1));
    ASSERT_EQ(fired, 0);
    ASSERT_OK(tide_clock_advance(loop, 1));
    ASSERT_STR_EQ(order, "b");
    close_all(loop, &t, 1);
}

int main(void)
{
    counting_alloc_install();
    test_twice_in_one_batch();
    test_buffered_then_changed();
    test_buffered_at_loop_close();
    test_two_loops();
    test_no_memory_at_flush();
    test_short_list_recovers();
    test_start_same_timeout();
    return 0;
}
