/* fiber-switch, tide: the cost of a resume+yield pair, and of a fiber's
 * whole life.
 *   fiber-switch  one fiber yields in a loop; the main program resumes it
 *                 N times (default 10 million). Reported as wall ns per
 *                 pair: resume from the thread's stack into the fiber, yield
 *                 back, one value each way, as a generator's it.next() and
 *                 yield do in node.js.
 *   fiber-spawn   M times (default 1 million): create a fiber, resume it
 *                 until its body returns, free it. Stacks come from the
 *                 loop's pool, so this is the warm path.
 * Peers: Node generators (node.js) and glibc's ucontext (ucontext.c), the
 * portable C way to switch stacks. */
#include <tide.h>

#include "../common/bench.h"

static void *ping(tide_fiber_t *self, void *arg)
{
    (void)self;
    uintptr_t v = (uintptr_t)arg;
    for (;;) {
        void *in;
        tide_fiber_yield((void *)(v + 1), &in);
        v = (uintptr_t)in;
    }
    return NULL;
}

static void *once(tide_fiber_t *self, void *arg)
{
    (void)self;
    return (void *)((uintptr_t)arg + 1);
}

int main(void)
{
    const uint64_t n = bench_env("BENCH_SWITCHES", 10000000);
    const uint64_t m = bench_env("BENCH_SPAWNS", 1000000);
    tide_loop_t *loop;
    tide_fiber_t *f;
    if (tide_loop_new(&loop) != 0 || tide_fiber_new(loop, ping, 0, &f) != 0) return 2;

    /* Each pair feeds the value the fiber returned back into it, so the
     * work cannot be skipped and the count is checked at the end. */
    void *v = NULL;
    for (int i = 0; i < 1000; i++) tide_fiber_resume(f, v, &v); /* warm up */
    v = NULL;
    uint64_t t0 = bench_wall_ns();
    for (uint64_t i = 0; i < n; i++) tide_fiber_resume(f, v, &v);
    uint64_t t1 = bench_wall_ns();
    bench_check((uintptr_t)v == n, "fiber did not run every pair");
    bench_result("fiber-switch", "tide", (double)(t1 - t0) / (double)n, "ns/op");
    tide_fiber_free(f);

    uintptr_t sum = 0;
    t0 = bench_wall_ns();
    for (uint64_t i = 0; i < m; i++) {
        void *out;
        if (tide_fiber_new(loop, once, 0, &f) != 0) return 2;
        if (tide_fiber_resume(f, (void *)(uintptr_t)i, &out) != 1) return 2;
        sum += (uintptr_t)out;
        tide_fiber_free(f);
    }
    t1 = bench_wall_ns();
    bench_check(sum == m * (m + 1) / 2, "a fiber did not run");
    bench_result("fiber-spawn", "tide", (double)(t1 - t0) / (double)m, "ns/op");
    return tide_loop_close(loop) == 0 ? 0 : 1;
}
