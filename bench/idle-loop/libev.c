/* idle-loop, libev: the loop's only watcher is an ev_async that nothing
 * sends, for BENCH_IDLE_SECONDS; see idle.h for what is measured. */
#include <ev.h>

#include "idle.h"

static struct ev_loop *loop;

static void on_async(struct ev_loop *l, ev_async *w, int revents)
{
    (void)revents;
    ev_async_stop(l, w);
}

static void fire(void *w) { ev_async_send(loop, w); }

int main(void)
{
    ev_async a;
    idle_bench_t b;
    loop = ev_loop_new(EVFLAG_AUTO);
    if (!loop) return 2;
    ev_async_init(&a, on_async);
    ev_async_start(loop, &a);
    idle_begin(&b, fire, &a);
    ev_run(loop, 0);
    idle_end(&b, "libev");
    ev_loop_destroy(loop);
    return 0;
}
