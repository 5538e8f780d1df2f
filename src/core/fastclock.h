/* core/fastclock.h - the inline half of fastclock.c: reading the CPU's
 * constant-rate counter and turning it into loop-clock nanoseconds, kept
 * inline because a timer restart is a handful of instructions around it. */
#ifndef TIDE_CORE_FASTCLOCK_H
#define TIDE_CORE_FASTCLOCK_H

#include "core/internal.h"

#define TIDE__FASTCLOCK_SLACK_NS 200u

#if defined(__x86_64__)
#include <x86intrin.h>
static inline uint64_t tide__counter_read(void) { return __rdtsc(); }
static inline uint64_t tide__counter_read_ordered(void)
{
    _mm_lfence();
    return __rdtsc();
}
#define TIDE__HAVE_COUNTER 1
#elif defined(__aarch64__)
static inline uint64_t tide__counter_read(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, cntvct_el0" : "=r"(v));
    return v;
}
static inline uint64_t tide__counter_read_ordered(void)
{
    uint64_t v;
    __asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v)::"memory");
    return v;
}
#define TIDE__HAVE_COUNTER 1
#else
#define TIDE__HAVE_COUNTER 0
#endif

/* A "now" never earlier than the true time, from the counter: 1 on
 * success, 0 when only a real clock reading will do (no trusted counter,
 * rate not yet calibrated, or too long since the last anchor). */
static inline int tide__clock_estimate(const tide_loop_t *loop, uint64_t *out)
{
#if TIDE__HAVE_COUNTER
    const tide__fastclock_t *fc = &loop->fastclock;
    if (TIDE__LIKELY(fc->mult)) {
        /* Unsigned: a counter behind the anchor wraps to huge and fails. */
        uint64_t d = tide__counter_read() - fc->anchor_counter;
        if (TIDE__LIKELY(d < fc->max_ticks)) {
            uint64_t ns = (uint64_t)(((unsigned __int128)d * fc->mult) >> 32);
            *out = fc->anchor_ns + ns + (ns >> 9) + TIDE__FASTCLOCK_SLACK_NS;
            return 1;
        }
    }
#endif
    (void)loop, (void)out;
    return 0;
}

#endif /* TIDE_CORE_FASTCLOCK_H */
