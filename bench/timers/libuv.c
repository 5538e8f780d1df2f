/* timers, libuv: timer-start, timer-restart and timer-fire as in tide.c,
 * with the same N timeouts from the same PRNG, and the restarts in the same
 * seeded random order (see tide.c).
 *   start   uv_timer_start() on uv_timer_t handles initialised beforehand
 *           (untimed) in one contiguous array.
 *   restart uv_timer_start() again with the same timeout. uv_timer_again()
 *           is not an option: it only re-arms timers that have a repeat
 *           interval, and these are one-shot. libuv keeps timers in a
 *           binary heap, so a restart is a heap removal plus an insertion.
 *   fire    uv_run() until all have fired; process CPU ns per timer.
 * libuv starts timers from its cached loop time; the cache is refreshed
 * with uv_update_time() before the restart pass, as time would have moved
 * on in a real program, and that is untimed. */
#include <uv.h>

#include "../common/bench.h"

static uint64_t fired;

static void on_fire(uv_timer_t *timer)
{
    (void)timer;
    fired++;
}

int main(void)
{
    const size_t n = bench_env("BENCH_TIMERS", 1000000);
    uint32_t *timeout = bench_timeouts(n);
    uint32_t *order = bench_permutation(n);
    uv_timer_t *timers = malloc(n * sizeof *timers);
    uv_loop_t loop;
    if (!timers || uv_loop_init(&loop) != 0) return 2;
    for (size_t i = 0; i < n; i++) uv_timer_init(&loop, &timers[i]);

    uint64_t t0 = bench_wall_ns();
    for (size_t i = 0; i < n; i++) uv_timer_start(&timers[i], on_fire, timeout[i], 0);
    uint64_t t1 = bench_wall_ns();
    bench_result("timer-start", "libuv", (double)(t1 - t0) / (double)n, "ns/op");

    uv_update_time(&loop);
    t0 = bench_wall_ns();
    for (size_t i = 0; i < n; i++) {
        size_t k = order[i];
        uv_timer_start(&timers[k], on_fire, timeout[k], 0);
    }
    t1 = bench_wall_ns();
    bench_result("timer-restart", "libuv", (double)(t1 - t0) / (double)n, "ns/op");

    uint64_t c0 = bench_cpu_ns();
    t0 = bench_wall_ns();
    uv_run(&loop, UV_RUN_DEFAULT);
    t1 = bench_wall_ns();
    uint64_t c1 = bench_cpu_ns();
    bench_check(fired == n, "not every timer fired");
    printf("# libuv fire phase: %.0f ms wall, %.1f ms cpu\n", (t1 - t0) / 1e6, (c1 - c0) / 1e6);
    bench_result("timer-fire", "libuv", (double)(c1 - c0) / (double)n, "ns/op");

    for (size_t i = 0; i < n; i++) uv_close((uv_handle_t *)&timers[i], NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    free(timers);
    free(timeout);
    free(order);
    return 0;
}
