/* emitter, minimal: emit-3-listeners with no emitter at all - the three
 * listeners in a plain array of function pointers, called in order by an
 * out-of-line loop that stops at the first failure. No lookup by name, no
 * snapshot, no once or removal during the emit: the floor under any
 * emitter's emit on this machine, measured as tide.c measures. */
#include <stdint.h>

#include "../common/bench.h"

typedef int (*listener_fn)(void *em, uint32_t event, void *arg, void *data);

typedef struct {
    listener_fn fn;
    void *data;
} listener_t;

typedef struct {
    uint64_t sum;
} counter_t;

static int add_a(void *em, uint32_t ev, void *arg, void *data)
{
    (void)em, (void)ev;
    ((counter_t *)data)->sum += (uintptr_t)arg;
    return 0;
}

static int add_b(void *em, uint32_t ev, void *arg, void *data)
{
    (void)em, (void)ev;
    ((counter_t *)data)->sum += (uintptr_t)arg;
    return 0;
}

static int add_c(void *em, uint32_t ev, void *arg, void *data)
{
    (void)em, (void)ev;
    ((counter_t *)data)->sum += (uintptr_t)arg;
    return 0;
}

static __attribute__((noinline)) int emit(const listener_t *l, uint32_t n, uint32_t event,
                                          void *arg)
{
    for (uint32_t i = 0; i < n; i++) {
        int r = l[i].fn((void *)l, event, arg, l[i].data);
        if (r < 0) return r;
    }
    return n > 0;
}

int main(void)
{
    const size_t n = bench_env("BENCH_EMITS", 10000000);
    counter_t a = {0}, b = {0}, c = {0};
    listener_t listeners[3] = {{add_a, &a}, {add_b, &b}, {add_c, &c}};
    /* The compiler must not see through the array to the three calls. */
    listener_t *volatile lp = listeners;

    for (size_t i = 0; i < n / 10; i++) emit(lp, 3, 1, (void *)(uintptr_t)1);
    uint64_t t0 = bench_wall_ns();
    for (size_t i = 0; i < n; i++) emit(lp, 3, 1, (void *)(uintptr_t)1);
    uint64_t t1 = bench_wall_ns();
    bench_check(a.sum + b.sum + c.sum == 3 * (n + n / 10), "listeners missed emits");
    bench_result("emit-3-listeners", "minimal", (double)(t1 - t0) / (double)n, "ns/op");
    return 0;
}
