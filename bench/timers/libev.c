/* timers, libev: timer-start, timer-restart and timer-fire as in tide.c,
 * with the same N timeouts from the same PRNG, and the restarts in the same
 * seeded random order (see tide.c).
 *   start   ev_timer_start() on watchers initialised beforehand (untimed)
 *           in one contiguous array, each with repeat = its timeout.
 *   restart ev_timer_again(), which re-arms the watcher "repeat" seconds
 *           from now in place in libev's 4-ary heap. libev's manual ("Be
 *           smart about timeouts") recommends exactly this for idle
 *           timeouts over ev_timer_stop + ev_timer_set + ev_timer_start.
 *           (Its cleverer strategies - let the timer expire and re-arm it
 *           lazily, or keep one list per timeout - are application-level
 *           designs, not a restart, so they are not used.)
 *   fire    ev_run() until all have fired; process CPU ns per timer.
 *           Before it, untimed, each watcher's repeat is set back to 0 so
 *           it fires once and is simply dropped from the heap, libev's
 *           cheapest expiry (a repeating one would be re-armed, then
 *           stopped by its callback).
 * ev_now_update() refreshes libev's cached time before the restart pass,
 * untimed, as time would have moved on in a real program. */
#include <ev.h>

#include "../common/bench.h"

static uint64_t fired;

static void on_fire(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop, (void)w, (void)revents;
    fired++;
}

int main(void)
{
    const size_t n = bench_env("BENCH_TIMERS", 1000000);
    uint32_t *timeout = bench_timeouts(n);
    uint32_t *order = bench_permutation(n);
    ev_timer *timers = malloc(n * sizeof *timers);
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    if (!timers || !loop) return 2;
    for (size_t i = 0; i < n; i++) {
        ev_tstamp t = timeout[i] / 1000.0;
        ev_timer_init(&timers[i], on_fire, t, t);
    }

    uint64_t t0 = bench_wall_ns();
    for (size_t i = 0; i < n; i++) ev_timer_start(loop, &timers[i]);
    uint64_t t1 = bench_wall_ns();
    bench_result("timer-start", "libev", (double)(t1 - t0) / (double)n, "ns/op");

    ev_now_update(loop);
    t0 = bench_wall_ns();
    for (size_t i = 0; i < n; i++) ev_timer_again(loop, &timers[order[i]]);
    t1 = bench_wall_ns();
    bench_result("timer-restart", "libev", (double)(t1 - t0) / (double)n, "ns/op");

    /* For the record, the stop + set + start restart libev's manual calls
     * slower; printed as a comment, not reported. */
    ev_now_update(loop);
    t0 = bench_wall_ns();
    for (size_t i = 0; i < n; i++) {
        size_t k = order[i];
        ev_tstamp t = timeout[k] / 1000.0;
        ev_timer_stop(loop, &timers[k]);
        ev_timer_set(&timers[k], t, t);
        ev_timer_start(loop, &timers[k]);
    }
    t1 = bench_wall_ns();
    printf("# libev restart by stop+set+start: %.1f ns/op\n", (double)(t1 - t0) / (double)n);

    for (size_t i = 0; i < n; i++) timers[i].repeat = 0.;

    uint64_t c0 = bench_cpu_ns();
    t0 = bench_wall_ns();
    ev_run(loop, 0);
    t1 = bench_wall_ns();
    uint64_t c1 = bench_cpu_ns();
    bench_check(fired == n, "not every timer fired");
    printf("# libev fire phase: %.0f ms wall, %.1f ms cpu\n", (t1 - t0) / 1e6, (c1 - c0) / 1e6);
    bench_result("timer-fire", "libev", (double)(c1 - c0) / (double)n, "ns/op");

    ev_loop_destroy(loop);
    free(timers);
    free(timeout);
    free(order);
    return 0;
}
