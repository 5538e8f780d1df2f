/* immediate-chain, tide: N immediates (default 10 million), each queued by
 * the callback of the one before, so each runs in its own loop iteration
 * (an immediate queued during the check phase waits for the next one).
 *
 * Measures the cost of one setImmediate round trip: queue an immediate,
 * finish the iteration, go round the loop (timers, idle, prepare, a poll
 * that must not block, check), run it. Peers do the same with their own
 * check-phase primitive; see their files. Reported as wall ns per immediate.
 *
 * With BENCH_WITH_FD=1 the loop also watches one fd that never becomes
 * ready (immediate-chain-fd): a real program always has one, and then the
 * poll of every iteration must really ask the kernel. */
#include <tide.h>

#include "../common/bench.h"

static uint64_t remaining;
static tide_poll_t *idle_watcher;

static void step(tide_loop_t *loop, void *data)
{
    if (--remaining == 0) {
        if (idle_watcher) tide_poll_stop(idle_watcher);
        return;
    }
    if (tide_set_immediate(loop, step, data) <= 0) abort();
}

static void never(tide_poll_t *w, int status, int events, void *data)
{
    (void)w, (void)status, (void)events, (void)data;
    abort();
}

int main(void)
{
    const uint64_t n = bench_env("BENCH_IMMEDIATES", 10000000);
    const int fd = bench_idle_fd();
    tide_loop_t *loop;
    if (tide_loop_new(&loop) != 0) return 2;
    if (fd >= 0 && (tide_poll_new(loop, fd, &idle_watcher) != 0 ||
                    tide_poll_start(idle_watcher, TIDE_READABLE, never, NULL) != 0))
        return 2;

    remaining = n;
    tide_loop_metrics_t before, after;
    tide_loop_metrics(loop, &before);
    uint64_t t0 = bench_wall_ns();
    if (tide_set_immediate(loop, step, NULL) <= 0) return 2;
    tide_run(loop, TIDE_RUN_DEFAULT);
    uint64_t t1 = bench_wall_ns();
    tide_loop_metrics(loop, &after);

    bench_check(remaining == 0, "not every immediate ran");
    /* One immediate per iteration, as setImmediate's contract says. */
    bench_check(after.iterations - before.iterations >= n, "immediates shared an iteration");
    bench_result(fd >= 0 ? "immediate-chain-fd" : "immediate-chain", "tide",
                 (double)(t1 - t0) / (double)n, "ns/op");
    if (idle_watcher) {
        tide_close(TIDE_HANDLE(idle_watcher), NULL);
        tide_run(loop, TIDE_RUN_DEFAULT);
    }
    tide_loop_close(loop);
    return 0;
}
