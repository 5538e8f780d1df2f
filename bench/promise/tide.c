/* promise, tide: the costs of the async layer, as Node's are measured by
 * node.js next to it.
 *   promise-then-chain  N reactions in chains of 1000: each then() is
 *                       registered on the pending promise before it, the
 *                       head is resolved, and the drain runs the chain.
 *   promise-then-batch  N reactions on an already settled promise, 1000
 *                       registered at a time and then drained.
 *   await-loop          one async function awaiting a settled promise N
 *                       times (each await suspends and resumes a fiber).
 *   async-spawn         start an async function that returns at once, and
 *                       drop its promise: fiber, stack, promise and two
 *                       switches.
 * Each reported as wall ns per operation, N = 10 million by default. */
#include <tide.h>

#include "../common/bench.h"

enum { CHUNK = 1000 };
static uint64_t count;

static tide_result_t inc(tide_loop_t *loop, void *data, void *value)
{
    count++;
    return tide_ok(value);
}

static double then_chain(tide_loop_t *loop, uint64_t n)
{
    count = 0;
    uint64_t t0 = bench_wall_ns();
    for (uint64_t done = 0; done < n; done += CHUNK) {
        tide_promise_t *head, *p, *next;
        tide_promise_new(loop, &head);
        p = tide_promise_ref(head);
        for (int i = 0; i < CHUNK; i++) {
            tide_promise_then(p, inc, NULL, NULL, &next);
            tide_promise_release(p);
            p = next;
        }
        tide_promise_release(p);
        tide_promise_fulfil(head, NULL);
        tide_promise_release(head);
        tide_drain(loop);
    }
    uint64_t t1 = bench_wall_ns();
    bench_check(count == n, "chain lost reactions");
    return (double)(t1 - t0) / (double)n;
}

static double then_batch(tide_loop_t *loop, uint64_t n)
{
    tide_promise_t *settled;
    tide_promise_resolved(loop, NULL, &settled);
    count = 0;
    uint64_t t0 = bench_wall_ns();
    for (uint64_t done = 0; done < n; done += CHUNK) {
        for (int i = 0; i < CHUNK; i++) tide_promise_then(settled, inc, NULL, NULL, NULL);
        tide_drain(loop);
    }
    uint64_t t1 = bench_wall_ns();
    bench_check(count == n, "batch lost reactions");
    tide_promise_release(settled);
    return (double)(t1 - t0) / (double)n;
}

static uint64_t awaits;

static tide_result_t await_loop(tide_loop_t *loop, void *arg)
{
    tide_promise_t *settled;
    tide_promise_resolved(loop, (void *)1, &settled);
    for (uint64_t i = 0; i < awaits; i++) {
        void *v;
        if (tide_await(settled, &v, NULL) != 0) break;
        count += (uintptr_t)v;
    }
    tide_promise_release(settled);
    return tide_ok(NULL);
}

static double await_bench(tide_loop_t *loop, uint64_t n)
{
    awaits = n;
    count = 0;
    uint64_t t0 = bench_wall_ns();
    tide_async(loop, await_loop, NULL, NULL);
    tide_run(loop, TIDE_RUN_DEFAULT);
    uint64_t t1 = bench_wall_ns();
    bench_check(count == n, "awaits missing");
    return (double)(t1 - t0) / (double)n;
}

static tide_result_t returns_at_once(tide_loop_t *loop, void *arg)
{
    count++;
    return tide_ok(arg);
}

static double spawn_bench(tide_loop_t *loop, uint64_t n)
{
    count = 0;
    uint64_t t0 = bench_wall_ns();
    for (uint64_t i = 0; i < n; i++) {
        tide_promise_t *p;
        tide_async(loop, returns_at_once, NULL, &p);
        tide_promise_release(p);
    }
    tide_drain(loop);
    uint64_t t1 = bench_wall_ns();
    bench_check(count == n, "tasks missing");
    return (double)(t1 - t0) / (double)n;
}

int main(void)
{
    const uint64_t n = bench_env("BENCH_PROMISES", 10000000) / CHUNK * CHUNK;
    tide_loop_t *loop;
    if (tide_loop_new(&loop) != 0 || n == 0) return 2;
    then_chain(loop, n / 10); /* warm the pools */
    bench_result("promise-then-chain", "tide", then_chain(loop, n), "ns/op");
    bench_result("promise-then-batch", "tide", then_batch(loop, n), "ns/op");
    bench_result("await-loop", "tide", await_bench(loop, n), "ns/op");
    spawn_bench(loop, n / 10);
    bench_result("async-spawn", "tide", spawn_bench(loop, n), "ns/op");
    tide_loop_close(loop);
    return 0;
}
