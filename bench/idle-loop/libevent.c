/* idle-loop, libevent: the base's only event is a read event on a pipe that
 * nothing writes, for BENCH_IDLE_SECONDS; see idle.h for what is measured.
 * A pipe is libevent's plain way to be woken from another thread; its own
 * cross-thread event_active() needs the separate libevent_pthreads
 * library, and would add a lock to every operation. */
#include <event2/event.h>
#include <unistd.h>

#include "idle.h"

static int fds[2];

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    event_del(arg);
}

static void fire(void *unused)
{
    (void)unused;
    if (write(fds[1], "x", 1) != 1) abort();
}

int main(void)
{
    idle_bench_t b;
    struct event_base *base = event_base_new();
    if (!base || pipe(fds) != 0) return 2;
    struct event *ev = event_new(base, fds[0], EV_READ | EV_PERSIST, on_read, event_self_cbarg());
    event_add(ev, NULL);
    idle_begin(&b, fire, NULL);
    event_base_dispatch(base);
    idle_end(&b, "libevent");
    event_free(ev);
    event_base_free(base);
    return 0;
}
