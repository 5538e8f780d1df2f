/* emitter, tide: emit-3-listeners - N emits (default 10 million) of one
 * event with one argument to three listeners, each adding the argument to
 * its own counter; wall ns per emit. The event is a name interned once, as
 * a program keeps its ids. A warm-up round runs first, untimed, as V8 gets
 * its compilation done in Node's. */
#include <tide.h>

#include "../common/bench.h"

typedef struct {
    uint64_t sum;
} counter_t;

static int add_a(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    ((counter_t *)data)->sum += (uintptr_t)arg;
    return 0;
}

static int add_b(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    ((counter_t *)data)->sum += (uintptr_t)arg;
    return 0;
}

static int add_c(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    ((counter_t *)data)->sum += (uintptr_t)arg;
    return 0;
}

int main(void)
{
    const size_t n = bench_env("BENCH_EMITS", 10000000);
    tide_loop_t *loop;
    if (tide_loop_new(&loop) != 0) return 2;
    tide_emitter_t em;
    tide_emitter_init(&em, loop);
    counter_t a = {0}, b = {0}, c = {0};
    tide_event_t tick = tide_event("tick");
    if (tide_on(&em, tick, add_a, &a) || tide_on(&em, tick, add_b, &b) ||
        tide_on(&em, tick, add_c, &c))
        return 2;

    for (size_t i = 0; i < n / 10; i++) tide_emit(&em, tick, (void *)(uintptr_t)1);
    uint64_t t0 = bench_wall_ns();
    for (size_t i = 0; i < n; i++) tide_emit(&em, tick, (void *)(uintptr_t)1);
    uint64_t t1 = bench_wall_ns();
    bench_check(a.sum + b.sum + c.sum == 3 * (n + n / 10), "listeners missed emits");
    bench_result("emit-3-listeners", "tide", (double)(t1 - t0) / (double)n, "ns/op");

    tide_emitter_destroy(&em);
    tide_loop_close(loop);
    return 0;
}
