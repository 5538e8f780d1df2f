/* tests/core/test_metrics.c - loop accounting: iterations, callbacks and I/O
 * events counted exactly; idle_ns grows while the loop waits on a real timer,
 * busy_ns while a callback works, neither beyond the wall-clock time. */
#include <fcntl.h>
#include <unistd.h>

#include "test.h"

#define MS UINT64_C(1000000)

static tide_loop_metrics_t metrics(tide_loop_t *loop)
{
    tide_loop_metrics_t m;
    memset(&m, 0xff, sizeof m); /* so an unfilled field shows */
    tide_loop_metrics(loop, &m);
    return m;
}

static void nop(tide_loop_t *loop, void *data) {}

static void nop_timer(tide_timer_t *t, void *data) {}

static void nop_close(tide_handle_t *h, void *data) {}

static void idle_stops(tide_idle_t *h, void *data) { ASSERT_OK(tide_idle_stop(h)); }

static void idle_counts(tide_idle_t *h, void *data) {}

/* ---- counters ------------------------------------------------------------ */

static int rfd = -1, wfd = -1;

static void on_readable(tide_poll_t *w, int status, int events, void *data)
{
    char c;
    ASSERT_EQ(read(rfd, &c, 1), 1);
}

static void test_counters(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_loop_use_virtual_clock(loop, 0));
    tide_loop_metrics_t m = metrics(loop);
    ASSERT_EQ(m.iterations, 0);
    ASSERT_EQ(m.events, 0);
    ASSERT_EQ(m.callbacks, 0);
    ASSERT_EQ(m.idle_ns, 0);
    ASSERT_EQ(m.busy_ns, 0);

    /* Nothing alive: no iteration runs. */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(metrics(loop).iterations, 0);
    ASSERT_EQ(metrics(loop).callbacks, 0);

    /* One of each kind of callback, all in one iteration: tick,
     * microtask, timer, idle, immediate, close. */
    tide_timer_t *t;
    tide_idle_t *idle, *closing;
    ASSERT_OK(tide_timer_new(loop, &t));
    ASSERT_OK(tide_idle_new(loop, &idle));
    ASSERT_OK(tide_idle_new(loop, &closing));
    ASSERT_OK(tide_next_tick(loop, nop, NULL));
    ASSERT_OK(tide_queue_microtask(loop, nop, NULL));
    ASSERT_OK(tide_timer_start(t, nop_timer, 0, 0, NULL));
    ASSERT_OK(tide_idle_start(idle, idle_stops, NULL));
    ASSERT_GT(tide_set_immediate(loop, nop, NULL), 0);
    ASSERT_OK(tide_close(TIDE_HANDLE(closing), nop_close));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    m = metrics(loop);
    ASSERT_EQ(m.iterations, 1);
    ASSERT_EQ(m.callbacks, 6);
    ASSERT_EQ(m.events, 0);

    /* One iteration per NOWAIT and per ONCE run. */
    ASSERT_OK(tide_idle_start(idle, idle_counts, NULL));
    for (int i = 0; i < 3; i++) ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    m = metrics(loop);
    ASSERT_EQ(m.iterations, 5);
    ASSERT_EQ(m.callbacks, 10);
    ASSERT_OK(tide_idle_stop(idle));

    /* I/O events: one per readiness dispatched. */
    int fds[2];
    ASSERT_OK(pipe2(fds, O_CLOEXEC | O_NONBLOCK));
    rfd = fds[0];
    wfd = fds[1];
    tide_poll_t *w;
    ASSERT_OK(tide_poll_new(loop, rfd, &w));
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_readable, NULL));
    for (int i = 1; i <= 3; i++) {
        ASSERT_EQ(write(wfd, "x", 1), 1);
        ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
        m = metrics(loop);
        ASSERT_EQ(m.events, (uint64_t)i);
        ASSERT_EQ(m.callbacks, 10 + (uint64_t)i);
        ASSERT_EQ(m.iterations, 5 + (uint64_t)i);
    }

    tide_close(TIDE_HANDLE(w), NULL);
    tide_close(TIDE_HANDLE(t), NULL);
    tide_close(TIDE_HANDLE(idle), NULL);
    TEST_CLOSE_LOOP(loop);
    close(rfd);
    close(wfd);
}

/* ---- time ------------------------------------------------------------------ */

static uint64_t spin_busy_seen;

static void spin_1ms(tide_loop_t *loop, void *data)
{
    uint64_t before = metrics(loop).busy_ns;
    uint64_t t0 = tide_hrtime();
    while (tide_hrtime() - t0 < 1 * MS) {
    }
    /* Read from inside the run, the totals include the run so far. */
    spin_busy_seen = metrics(loop).busy_ns;
    ASSERT_GE(spin_busy_seen - before, 1 * MS);
}

static void test_busy_and_idle(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));

    /* Waiting for a real 2 ms timer: idle grows, and busy + idle (the time
     * of the run) fits in the wall-clock time measured around it. The loop
     * may be preempted between the timer's start and its wait, so one of a
     * few tries must show most of the 2 ms as idle. */
    int waited = 0;
    for (int attempt = 0; attempt < 5 && !waited; attempt++) {
        tide_loop_metrics_t m0 = metrics(loop);
        uint64_t t0 = tide_hrtime();
        ASSERT_OK(tide_timer_start(t, nop_timer, 2, 0, NULL));
        ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
        uint64_t wall = tide_hrtime() - t0;
        tide_loop_metrics_t m1 = metrics(loop);
        uint64_t idle = m1.idle_ns - m0.idle_ns, busy = m1.busy_ns - m0.busy_ns;
        ASSERT_GE(m1.idle_ns, m0.idle_ns);
        ASSERT_GE(m1.busy_ns, m0.busy_ns);
        ASSERT_LE(idle + busy, wall);
        ASSERT_GE(wall, 2 * MS); /* the timer never fires early */
        if (idle >= 1 * MS) waited = 1;
    }
    ASSERT(waited);

    /* A callback that works for 1 ms: busy grows by at least that, and
     * idle does not grow, since the loop never had to wait. */
    tide_loop_metrics_t m0 = metrics(loop);
    uint64_t t0 = tide_hrtime();
    ASSERT_GT(tide_set_immediate(loop, spin_1ms, NULL), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    uint64_t wall = tide_hrtime() - t0;
    tide_loop_metrics_t m1 = metrics(loop);
    ASSERT_GE(m1.busy_ns - m0.busy_ns, 1 * MS);
    ASSERT_LE(m1.busy_ns - m0.busy_ns, wall);
    ASSERT_GE(m1.busy_ns, spin_busy_seen);
    ASSERT_EQ(m1.idle_ns, m0.idle_ns);

    tide_close(TIDE_HANDLE(t), NULL);
    TEST_CLOSE_LOOP(loop);
}

int main(void)
{
    test_counters();
    test_busy_and_idle();
    return 0;
}
