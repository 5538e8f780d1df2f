/* immediate-chain, libevent: the same chain of N one-per-iteration callbacks.
 *
 * libevent has no check phase. It has two honest ways to say "run this on
 * the next loop iteration, after polling for I/O"; both are measured here
 * and the faster is reported:
 *   active - event_active() on a plain event from its own callback, with
 *            the base configured by event_config_set_max_dispatch_interval
 *            to run one callback before it polls again. Without that limit
 *            libevent runs a callback activated during the active-queue
 *            pass in the same pass, all N without ever polling, which is
 *            nextTick, not setImmediate.
 *   timer  - a timer event re-added from its callback with a zero timeout;
 *            it is due at once, so the next iteration polls with a zero
 *            timeout and runs it.
 * event_base_once() with a zero timeout allocates an event per call and is
 * activated at once like "active", so it can only be slower; not used.
 * Reported as wall ns per immediate. With BENCH_WITH_FD=1 a read event
 * watches one fd that never becomes ready (immediate-chain-fd). */
#include <event2/event.h>

#include "../common/bench.h"

static uint64_t remaining;
static const struct timeval zero_tv = {0, 0};
static struct event *io;

static void on_active(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    if (--remaining)
        event_active(arg, EV_TIMEOUT, 1);
    else if (io)
        event_del(io);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    if (--remaining)
        evtimer_add((struct event *)arg, &zero_tv);
    else if (io)
        event_del(io);
}

static void never(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
    abort();
}

static double run(uint64_t n, int use_active, int fd)
{
    struct event_config *cfg = event_config_new();
    if (!cfg) abort();
    /* Single-threaded: do not pay for locks the program never needs. */
    event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
    if (use_active) event_config_set_max_dispatch_interval(cfg, NULL, 1, 0);
    struct event_base *base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    if (!base) abort();
    io = NULL;
    if (fd >= 0) {
        io = event_new(base, fd, EV_READ | EV_PERSIST, never, NULL);
        event_add(io, NULL);
    }

    struct event *ev =
        event_new(base, -1, 0, use_active ? on_active : on_timer, event_self_cbarg());
    remaining = n;
    uint64_t t0 = bench_wall_ns();
    if (use_active)
        event_active(ev, EV_TIMEOUT, 1);
    else
        evtimer_add(ev, &zero_tv);
    event_base_dispatch(base);
    uint64_t t1 = bench_wall_ns();
    bench_check(remaining == 0, "libevent chain stopped early");
    event_free(ev);
    if (io) event_free(io);
    event_base_free(base);
    return (double)(t1 - t0) / (double)n;
}

int main(void)
{
    const uint64_t n = bench_env("BENCH_IMMEDIATES", 10000000);
    const int fd = bench_idle_fd();
    double active = run(n, 1, fd);
    double timer = run(n, 0, fd);
    printf("# libevent active %.2f ns/op, zero-timer %.2f ns/op\n", active, timer);
    bench_result(fd >= 0 ? "immediate-chain-fd" : "immediate-chain", "libevent",
                 active < timer ? active : timer, "ns/op");
    return 0;
}
