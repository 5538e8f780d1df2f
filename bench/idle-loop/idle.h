/* bench/idle-loop/idle.h - what the idle-loop programs share: the stopper
 * thread and the per-thread accounting.
 *
 * Each program runs a loop whose only referenced handle is a cross-thread
 * wakeup that nothing sends, and no timers, for BENCH_IDLE_SECONDS (10 by
 * default). A second thread sleeps that long and then fires the handle once;
 * its callback closes it and the loop returns. Only the loop's own thread
 * is measured (getrusage RUSAGE_THREAD, before and after the run), so the
 * stopper costs nothing in the figures:
 *   idle-loop          CPU time (user + system) the loop used, in ms;
 *   idle-loop-wakeups  voluntary context switches of the loop thread, i.e.
 *                      how often it went to sleep in the kernel and was
 *                      woken. An ideal idle loop sleeps once: 1, the stop. */
#ifndef TIDE_BENCH_IDLE_H
#define TIDE_BENCH_IDLE_H

#include <pthread.h>
#include <sys/resource.h>

#include "../common/bench.h"

typedef struct {
    uint64_t seconds;
    void (*fire)(void *arg);
    void *arg;
    pthread_t thread;
    struct rusage before;
    uint64_t wall0;
} idle_bench_t;

static void *idle_stopper(void *p)
{
    idle_bench_t *b = p;
    struct timespec ts = {(time_t)b->seconds, 0};
    while (nanosleep(&ts, &ts) != 0) {}
    b->fire(b->arg);
    return NULL;
}

/* Start the stopper, then take the "before" reading last of all. */
static inline void idle_begin(idle_bench_t *b, void (*fire)(void *), void *arg)
{
    b->seconds = bench_env("BENCH_IDLE_SECONDS", 10);
    b->fire = fire;
    b->arg = arg;
    if (pthread_create(&b->thread, NULL, idle_stopper, b) != 0) exit(2);
    b->wall0 = bench_wall_ns();
    getrusage(RUSAGE_THREAD, &b->before);
}

static inline uint64_t idle_tv_us(struct timeval tv)
{
    return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

static inline void idle_end(idle_bench_t *b, const char *impl)
{
    struct rusage after;
    getrusage(RUSAGE_THREAD, &after);
    uint64_t wall1 = bench_wall_ns();
    pthread_join(b->thread, NULL);
    uint64_t cpu_us = idle_tv_us(after.ru_utime) - idle_tv_us(b->before.ru_utime) +
                      idle_tv_us(after.ru_stime) - idle_tv_us(b->before.ru_stime);
    /* The loop must really have waited the whole time, not returned early. */
    bench_check(wall1 - b->wall0 >= b->seconds * 1000000000u - 50000000u,
                "the loop returned before it was stopped");
    printf("# %s idle %.2f s wall, %ld involuntary switches\n", impl, (wall1 - b->wall0) / 1e9,
           after.ru_nivcsw - b->before.ru_nivcsw);
    bench_result("idle-loop", impl, cpu_us / 1000.0, "ms");
    bench_result_count("idle-loop-wakeups", impl,
                       (uint64_t)(after.ru_nvcsw - b->before.ru_nvcsw), "wakeups");
}

#endif /* TIDE_BENCH_IDLE_H */
