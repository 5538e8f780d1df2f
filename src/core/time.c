/* core/time.c - the loop clock: real monotonic time, or the virtual clock
 * that tests advance by hand so timer tests never wait in real time. */
#include <time.h>

#include "core/internal.h"

uint64_t tide_hrtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t tide__clock(tide_loop_t *loop)
{
    return TIDE__UNLIKELY(loop->virtual_clock) ? loop->virtual_now : tide__clock_sample(loop);
}

/* The cached time is read lazily, at its first use in an iteration, so an
 * iteration that has no timers and no reader pays for no clock call. The
 * value is still one reading per iteration, as DESIGN.md asks. */
uint64_t tide_now_ns(const tide_loop_t *loop) { return tide__loop_now((tide_loop_t *)loop); }

uint64_t tide_now(const tide_loop_t *loop) { return tide_now_ns(loop) / TIDE__NS_PER_MS; }

void tide_update_time(tide_loop_t *loop)
{
    loop->now = tide__clock(loop);
    loop->time_stale = 0;
}

int tide_loop_use_virtual_clock(tide_loop_t *loop, uint64_t start_ns)
{
    if (!loop) return -EINVAL;
    /* Expiries already computed on the real clock would mean nothing. */
    if (loop->running || loop->timer_count) return -EBUSY;
    loop->virtual_clock = 1;
    loop->virtual_now = start_ns;
    tide_update_time(loop);
    return 0;
}

/* Step to each timer expiry on the way to the target, one non-blocking
 * iteration at each, so intervals fire as many times as in real time and
 * everything between two expiries (immediates, ticks) runs in between. */
int tide_clock_advance(tide_loop_t *loop, uint64_t delta_ns)
{
    if (!loop || !loop->virtual_clock || loop->running) return -EINVAL;
    uint64_t target = loop->virtual_now + delta_ns;
    if (target < loop->virtual_now) return -EINVAL;
    uint64_t due;
    /* Iterate even when nothing keeps the loop alive: an unref'd timer
     * still fires when its time comes while the test holds the clock. */
    loop->running = 1;
    tide_loop_t *outer = tide__loop_current; /* callbacks run as in tide_run */
    tide__loop_current = loop;
    tide__drain(loop);
    int err = 0;
    while (!err && tide__timers_next_due(loop, &due) && due <= target) {
        if (due > loop->virtual_now) loop->virtual_now = due;
        err = tide__loop_iterate(loop, TIDE_RUN_NOWAIT);
    }
    if (!err) {
        loop->virtual_now = target;
        err = tide__loop_iterate(loop, TIDE_RUN_NOWAIT);
    }
    loop->running = 0;
    tide__loop_current = outer;
    return err;
}
