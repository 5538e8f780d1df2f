/* timers, tide: three benchmarks in one run, because each phase works on
 * the state the one before left.
 *   timer-start   start N timers (default 1 million) with timeouts of
 *                 1..1000 ms drawn from the shared seeded PRNG; wall ns per
 *                 start. Handles are allocated beforehand, untimed, in every
 *                 C implementation (Node cannot separate the two).
 *   timer-restart restart each armed timer once with its own timeout, the
 *                 idle-timeout pattern of a server pushing a connection's
 *                 deadline back on every request; wall ns per restart.
 *                 Timers are restarted in a seeded random order (the same
 *                 in every implementation): activity reaches connections
 *                 in no particular order, and walking memory in creation
 *                 order would hide every cache miss from the figures.
 *                 tide: tide_timer_refresh(), the call made for this; a
 *                 second pass with tide_timer_start() is printed as a comment.
 *   timer-fire    run the loop until every timer has fired. The phase waits
 *                 about a second for the longest timeout, so wall time says
 *                 nothing; it reports process CPU ns per fired timer. */
#include <tide.h>

#include "../common/bench.h"

static uint64_t fired;

static void on_fire(tide_timer_t *timer, void *data)
{
    (void)timer, (void)data;
    fired++;
}

int main(void)
{
    const size_t n = bench_env("BENCH_TIMERS", 1000000);
    uint32_t *timeout = bench_timeouts(n);
    uint32_t *order = bench_permutation(n);
    tide_timer_t **timers = malloc(n * sizeof *timers);
    tide_loop_t *loop;
    if (!timers || tide_loop_new(&loop) != 0) return 2;
    for (size_t i = 0; i < n; i++)
        if (tide_timer_new(loop, &timers[i]) != 0) return 2;

    uint64_t t0 = bench_wall_ns();
    for (size_t i = 0; i < n; i++) tide_timer_start(timers[i], on_fire, timeout[i], 0, NULL);
    uint64_t t1 = bench_wall_ns();
    bench_result("timer-start", "tide", (double)(t1 - t0) / (double)n, "ns/op");

    t0 = bench_wall_ns();
    for (size_t i = 0; i < n; i++) tide_timer_refresh(timers[order[i]]);
    t1 = bench_wall_ns();
    bench_result("timer-restart", "tide", (double)(t1 - t0) / (double)n, "ns/op");

    t0 = bench_wall_ns();
    for (size_t i = 0; i < n; i++) {
        size_t k = order[i];
        tide_timer_start(timers[k], on_fire, timeout[k], 0, NULL);
    }
    t1 = bench_wall_ns();
    printf("# tide restart by tide_timer_start: %.1f ns/op\n", (double)(t1 - t0) / (double)n);

    uint64_t c0 = bench_cpu_ns();
    t0 = bench_wall_ns();
    tide_run(loop, TIDE_RUN_DEFAULT);
    t1 = bench_wall_ns();
    uint64_t c1 = bench_cpu_ns();
    bench_check(fired == n, "not every timer fired");
    printf("# tide fire phase: %.0f ms wall, %.1f ms cpu\n", (t1 - t0) / 1e6, (c1 - c0) / 1e6);
    bench_result("timer-fire", "tide", (double)(c1 - c0) / (double)n, "ns/op");

    for (size_t i = 0; i < n; i++) tide_close(TIDE_HANDLE(timers[i]), NULL);
    tide_run(loop, TIDE_RUN_DEFAULT);
    tide_loop_close(loop);
    free(timers);
    free(timeout);
    free(order);
    return 0;
}
