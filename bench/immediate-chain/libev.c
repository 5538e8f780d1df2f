/* immediate-chain, libev: the same chain of N one-per-iteration callbacks.
 *
 * libev's check watchers run right after each poll, the phase Node uses
 * for setImmediate, so the chain is an ev_check watcher that counts one
 * "immediate" per loop iteration. It must keep the loop from blocking, and
 * libev has two ways, both measured here, the faster reported:
 *   idle   - an active ev_idle watcher with an empty callback makes ev_run
 *            poll with a zero timeout (libev's documented idiom for "do
 *            not block"), at one extra callback per iteration;
 *   nowait - ev_run(loop, EVRUN_NOWAIT) in a loop, no idle watcher.
 * An ev_idle watcher alone would also be one callback per iteration, but
 * libev runs idle watchers only when nothing else is pending, so it is not
 * an immediate; an ev_feed_event chain runs every callback in the same
 * iteration without polling, which is nextTick, not setImmediate. Neither
 * is used. Reported as wall ns per immediate. With BENCH_WITH_FD=1 an
 * ev_io watches one fd that never becomes ready (immediate-chain-fd). */
#include <ev.h>

#include "../common/bench.h"

static uint64_t remaining;
static ev_idle idle;
static ev_io io;

static void on_check(struct ev_loop *loop, ev_check *w, int revents)
{
    (void)revents;
    if (--remaining) return;
    ev_check_stop(loop, w);
    ev_idle_stop(loop, &idle); /* both are no-ops on inactive watchers */
    ev_io_stop(loop, &io);
}

static void on_idle(struct ev_loop *loop, ev_idle *w, int revents)
{
    (void)loop, (void)w, (void)revents;
}

static void never(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop, (void)w, (void)revents;
    abort();
}

static double run(uint64_t n, int use_idle, int fd)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    ev_check check;
    if (!loop) abort();
    ev_check_init(&check, on_check);
    ev_idle_init(&idle, on_idle);
    ev_io_init(&io, never, fd, EV_READ);
    if (fd >= 0) ev_io_start(loop, &io);

    remaining = n;
    uint64_t t0 = bench_wall_ns();
    ev_check_start(loop, &check);
    if (use_idle) {
        ev_idle_start(loop, &idle);
        ev_run(loop, 0);
    } else {
        while (remaining) ev_run(loop, EVRUN_NOWAIT);
    }
    uint64_t t1 = bench_wall_ns();
    bench_check(remaining == 0, "libev chain stopped early");
    ev_loop_destroy(loop);
    return (double)(t1 - t0) / (double)n;
}

int main(void)
{
    const uint64_t n = bench_env("BENCH_IMMEDIATES", 10000000);
    const int fd = bench_idle_fd();
    double with_idle = run(n, 1, fd);
    double nowait = run(n, 0, fd);
    printf("# libev idle+check %.2f ns/op, nowait+check %.2f ns/op\n", with_idle, nowait);
    bench_result(fd >= 0 ? "immediate-chain-fd" : "immediate-chain", "libev",
                 with_idle < nowait ? with_idle : nowait, "ns/op");
    return 0;
}
