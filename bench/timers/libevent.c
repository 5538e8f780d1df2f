/* timers, libevent: timer-start, timer-restart and timer-fire as in
 * tide.c, with the same N timeouts from the same PRNG.
 *   start   evtimer_add() on events assigned beforehand (untimed) with
 *           event_assign() in one contiguous block, sized by
 *           event_get_struct_event_size() as libevent asks.
 *   restart evtimer_add() again with the same timeout; libevent moves a
 *           pending timer within its min-heap in place.
 *   fire    event_base_dispatch() until all have fired; process CPU ns per
 *           timer.
 * libevent's "common timeouts" (a queue per duration instead of the heap)
 * would suit this load, but a base holds at most 256 of them and the load
 * has 1000 distinct durations, so the plain heap is libevent's way here.
 * event_base_update_cache_time() refreshes the cached time before the
 * restart pass, untimed, as time would have moved on in a real program. */
#include <event2/event.h>

#include "../common/bench.h"

static uint64_t fired;

static void on_fire(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
    fired++;
}

int main(void)
{
    const size_t n = bench_env("BENCH_TIMERS", 1000000);
    uint32_t *timeout = bench_timeouts(n);
    uint32_t *order = bench_permutation(n);
    struct event_config *cfg = event_config_new();
    if (!cfg) return 2;
    /* Single-threaded: do not pay for locks the program never needs. */
    event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
    struct event_base *base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    const size_t size = event_get_struct_event_size();
    char *block = malloc(n * size);
    struct timeval *tv = malloc(n * sizeof *tv);
    if (!base || !block || !tv) return 2;
#define EV_AT(i) ((struct event *)(block + (i) * size))
    for (size_t i = 0; i < n; i++) {
        event_assign(EV_AT(i), base, -1, 0, on_fire, NULL);
        tv[i].tv_sec = timeout[i] / 1000;
        tv[i].tv_usec = (timeout[i] % 1000) * 1000;
    }

    uint64_t t0 = bench_wall_ns();
    for (size_t i = 0; i < n; i++) evtimer_add(EV_AT(i), &tv[i]);
    uint64_t t1 = bench_wall_ns();
    bench_result("timer-start", "libevent", (double)(t1 - t0) / (double)n, "ns/op");

    event_base_update_cache_time(base);
    t0 = bench_wall_ns();
    for (size_t i = 0; i < n; i++) evtimer_add(EV_AT(order[i]), &tv[order[i]]);
    t1 = bench_wall_ns();
    bench_result("timer-restart", "libevent", (double)(t1 - t0) / (double)n, "ns/op");

    uint64_t c0 = bench_cpu_ns();
    t0 = bench_wall_ns();
    event_base_dispatch(base);
    t1 = bench_wall_ns();
    uint64_t c1 = bench_cpu_ns();
    bench_check(fired == n, "not every timer fired");
    printf("# libevent fire phase: %.0f ms wall, %.1f ms cpu\n", (t1 - t0) / 1e6,
           (c1 - c0) / 1e6);
    bench_result("timer-fire", "libevent", (double)(c1 - c0) / (double)n, "ns/op");

    event_base_free(base);
    free(block);
    free(tv);
    free(timeout);
    free(order);
    return 0;
}
