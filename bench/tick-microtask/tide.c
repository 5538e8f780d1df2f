/* tick-microtask, tide: N callbacks (default 10 million) through the two
 * queues drained after every callback: N/2 nextTicks, each queued by the
 * tick before it, then N/2 microtasks, each queued by the microtask before
 * it. Chains rather than one big batch, because that is how the queues are
 * used (a callback schedules the continuation of its own work) and because
 * a batch would mostly measure growing the queue. Node does the same with
 * process.nextTick and queueMicrotask; libuv, libev and libevent have no
 * such queues, so Node is the only peer. Reported as wall ns per callback
 * over both chains; each chain is also printed as a comment. */
#include <tide.h>

#include "../common/bench.h"

static uint64_t remaining;

static void tick(tide_loop_t *loop, void *data)
{
    if (--remaining) tide_next_tick(loop, tick, data);
}

static void microtask(tide_loop_t *loop, void *data)
{
    if (--remaining) tide_queue_microtask(loop, microtask, data);
}

static uint64_t chain(tide_loop_t *loop, uint64_t n, int use_tick)
{
    remaining = n;
    uint64_t t0 = bench_wall_ns();
    /* tide_run() starts by draining what the main program queued; with no
     * handle open it then finds the loop empty and returns. */
    if (use_tick)
        tide_next_tick(loop, tick, NULL);
    else
        tide_queue_microtask(loop, microtask, NULL);
    tide_run(loop, TIDE_RUN_DEFAULT);
    uint64_t t1 = bench_wall_ns();
    bench_check(remaining == 0, "chain stopped early");
    return t1 - t0;
}

int main(void)
{
    const uint64_t n = bench_env("BENCH_TICKS", 10000000);
    tide_loop_t *loop;
    if (tide_loop_new(&loop) != 0) return 2;
    uint64_t ticks = chain(loop, n / 2, 1);
    uint64_t micro = chain(loop, n - n / 2, 0);
    printf("# tide nextTick %.2f ns/op, microtask %.2f ns/op\n",
           (double)ticks / (double)(n / 2), (double)micro / (double)(n - n / 2));
    bench_result("tick-microtask", "tide", (double)(ticks + micro) / (double)n, "ns/op");
    tide_loop_close(loop);
    return 0;
}
