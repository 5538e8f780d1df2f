/* idle-loop, tide: a loop with one referenced wakeup handle and nothing else
 * sits idle for BENCH_IDLE_SECONDS; see idle.h for what is measured. An idle
 * loop should cost no CPU and never wake: no housekeeping timers, no
 * periodic polls. */
#include <tide.h>

#include "idle.h"

static void on_wakeup(tide_wakeup_t *w, void *data)
{
    (void)data;
    tide_close(TIDE_HANDLE(w), NULL);
}

static void fire(void *w) { tide_wakeup_send(w); }

int main(void)
{
    tide_loop_t *loop;
    tide_wakeup_t *w;
    idle_bench_t b;
    if (tide_loop_new(&loop) != 0 || tide_wakeup_new(loop, on_wakeup, NULL, &w) != 0) return 2;
    idle_begin(&b, fire, w);
    tide_run(loop, TIDE_RUN_DEFAULT);
    idle_end(&b, "tide");
    tide_loop_metrics_t m;
    tide_loop_metrics(loop, &m);
    printf("# tide idle loop iterations: %llu\n", (unsigned long long)m.iterations);
    tide_loop_close(loop);
    return 0;
}
