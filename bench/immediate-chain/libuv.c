/* immediate-chain, libuv: the same chain of N one-per-iteration callbacks.
 *
 * libuv has no immediate queue; its check phase is where Node runs
 * setImmediate, so the chain is a check handle whose callback counts one
 * "immediate" per loop iteration. The loop must not block in poll while
 * the chain runs, and libuv offers two ways to get that:
 *   idle   - an active idle handle with an empty callback (what Node does
 *            while immediates are queued): uv_run(UV_RUN_DEFAULT) then
 *            polls with a zero timeout, at the price of one idle callback
 *            per iteration;
 *   nowait - no idle handle; the program calls uv_run(UV_RUN_NOWAIT) in a
 *            loop, which polls with a zero timeout and returns after one
 *            iteration.
 * Both are measured in the same run and the faster is reported, so libuv
 * is credited with its best formulation; both are printed as a comment.
 * Reported as wall ns per immediate. With BENCH_WITH_FD=1 a uv_poll_t
 * watches one fd that never becomes ready (immediate-chain-fd). */
#include <uv.h>

#include "../common/bench.h"

static uint64_t remaining;
static int idle_fd;

typedef struct {
    uv_check_t check;
    uv_idle_t idle;
    uv_poll_t poll;
    int use_idle;
} chain_t;

static void on_check(uv_check_t *check)
{
    if (--remaining) return;
    /* The chain is over: stop everything so uv_run() finds no work left. */
    chain_t *c = (chain_t *)check;
    uv_check_stop(&c->check);
    if (c->use_idle) uv_idle_stop(&c->idle);
    if (idle_fd >= 0) uv_poll_stop(&c->poll);
}

static void on_idle(uv_idle_t *idle) { (void)idle; }

static void never(uv_poll_t *p, int status, int events)
{
    (void)p, (void)status, (void)events;
    abort();
}

static double run(uint64_t n, int use_idle)
{
    uv_loop_t loop;
    chain_t c;
    c.use_idle = use_idle;
    uv_loop_init(&loop);
    uv_check_init(&loop, &c.check);
    uv_idle_init(&loop, &c.idle);
    if (idle_fd >= 0) {
        uv_poll_init(&loop, &c.poll, idle_fd);
        uv_poll_start(&c.poll, UV_READABLE, never);
    }

    remaining = n;
    uint64_t t0 = bench_wall_ns();
    uv_check_start(&c.check, on_check);
    if (use_idle) {
        uv_idle_start(&c.idle, on_idle);
        uv_run(&loop, UV_RUN_DEFAULT);
    } else {
        while (remaining) uv_run(&loop, UV_RUN_NOWAIT);
    }
    uint64_t t1 = bench_wall_ns();
    bench_check(remaining == 0, "libuv chain stopped early");

    uv_close((uv_handle_t *)&c.check, NULL);
    uv_close((uv_handle_t *)&c.idle, NULL);
    if (idle_fd >= 0) uv_close((uv_handle_t *)&c.poll, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) != 0) abort();
    return (double)(t1 - t0) / (double)n;
}

int main(void)
{
    const uint64_t n = bench_env("BENCH_IMMEDIATES", 10000000);
    idle_fd = bench_idle_fd();
    double idle = run(n, 1);
    double nowait = run(n, 0);
    printf("# libuv idle+check %.2f ns/op, nowait+check %.2f ns/op\n", idle, nowait);
    bench_result(idle_fd >= 0 ? "immediate-chain-fd" : "immediate-chain", "libuv",
                 idle < nowait ? idle : nowait, "ns/op");
    return 0;
}
