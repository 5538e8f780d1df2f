/* core/fastclock.c - the clock a timer start reads.
 *
 * A timer must never fire early, so a start cannot use the cached loop time
 * (a callback may have run for a while since it was read): it needs the time
 * now. clock_gettime() gives it in ~25 ns, but the vDSO orders its counter
 * read behind a fence, which waits for every earlier load to complete. A
 * server restarting idle timeouts touches a cold timer each time, so the
 * fence makes every restart wait for the previous restart's cache miss;
 * measured here, that tripled the cost of a restart.
 *
 * So a start reads the CPU's constant-rate counter without a fence (TSC on
 * x86-64, the generic timer on aarch64) and converts it with a rate
 * calibrated against CLOCK_MONOTONIC from the loop's own clock readings. The
 * estimate is biased late, never early: the anchor's counter is read before
 * the clock, and the conversion adds 0.2% of the time since the anchor and
 * a fixed slack (see the error budget below). Without a
 * trusted counter, before the rate is known or long after the last reading,
 * it falls back to clock_gettime(). */
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "core/fastclock.h"


/* Error budget. An anchor pair spans at most ANCHOR_MAX_GAP_NS, so over
 * CALIBRATE_MIN_NS the rate is off by less than 1e-3 even with both ends
 * at their worst; NTP slewing adds at most 5e-4. The estimate adds 2e-3 of
 * the elapsed time (ns >> 9) plus TIDE__FASTCLOCK_SLACK_NS, so it stays
 * late. The gap is checked in ticks, so it is converted once per process:
 * the TSC runs at 1 GHz or more, so 1000 ticks are at most 1 us; the
 * aarch64 generic timer runs anywhere from 1 MHz (often 24-100 MHz) to
 * 1 GHz and says so in CNTFRQ_EL0. A fixed 1000 ticks there would be 40 us
 * at 25 MHz: pairs split by an interrupt would pass, and a rate off by 2%
 * would make estimates early. */
#define CALIBRATE_MIN_NS 2000000u /* rate measured over 2 ms at least */
#define ANCHOR_MAX_GAP_NS 1000u

#if TIDE__HAVE_COUNTER
#if defined(__aarch64__)
/* The smallest step the counter takes, in ticks; 0 when it does not move.
 * CNTFRQ_EL0 is the average rate, but a counter may advance in steps of
 * several ticks (ARMv8.6 allows scaled increments at a lower rate, and
 * qemu-user's moves once per microsecond). An estimate can be early by up
 * to one step, which the slack must cover. Three steps, so one stretched
 * by an interrupt does not count; bounded, in case the counter stands. */
static uint64_t counter_step(void)
{
    uint64_t best = UINT64_MAX, prev = tide__counter_read_ordered();
    unsigned spins = 0;
    for (int steps = -1; steps < 3 && spins < (1u << 22); spins++) {
        uint64_t c = tide__counter_read_ordered();
        if (c == prev) continue;
        /* The first change ends a step that began before the loop. */
        if (steps >= 0 && c - prev < best) best = c - prev;
        steps++;
        prev = c;
    }
    return best == UINT64_MAX ? 0 : best;
}
#endif

/* The counter is trusted where the kernel itself builds CLOCK_MONOTONIC on
 * it: on x86-64 that means the TSC clocksource (invariant, synchronised
 * across CPUs, or the kernel would have switched away); aarch64's generic
 * timer always qualifies, as long as its steps are finer than half the
 * slack. Decided once per process. */
static int counter_trusted(void)
{
    static int trusted = -1; /* racing first loops compute the same answer */
    int t = __atomic_load_n(&trusted, __ATOMIC_RELAXED);
    if (t >= 0) return t;
#if defined(__x86_64__)
    char buf[16] = {0};
    int fd = open("/sys/devices/system/clocksource/clocksource0/current_clocksource",
                  O_RDONLY | O_CLOEXEC);
    t = 0;
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        t = n >= 3 && memcmp(buf, "tsc", 3) == 0 && (n == 3 || buf[3] == '\n');
    }
#else
    uint64_t freq, step = counter_step();
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
    t = step && freq &&
        (unsigned __int128)step * 1000000000u <= (unsigned __int128)freq * (TIDE__FASTCLOCK_SLACK_NS / 2);
#endif
    __atomic_store_n(&trusted, t, __ATOMIC_RELAXED);
    return t;
}
#endif

#if TIDE__HAVE_COUNTER
/* ANCHOR_MAX_GAP_NS in ticks; 0 when the rate cannot be known. */
static uint64_t anchor_max_gap(void)
{
#if defined(__x86_64__)
    return ANCHOR_MAX_GAP_NS; /* a tick is 1 ns or less */
#else
    uint64_t freq;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
    if (!freq) return 0; /* firmware left it unset: no trustworthy rate */
    uint64_t gap = freq / (1000000000u / ANCHOR_MAX_GAP_NS);
    return gap ? gap : 1;
#endif
}
#endif

void tide__fastclock_init(tide_loop_t *loop)
{
    memset(&loop->fastclock, 0, sizeof loop->fastclock);
#if TIDE__HAVE_COUNTER
    loop->fastclock.max_gap = anchor_max_gap();
    loop->fastclock.enabled = loop->fastclock.max_gap && counter_trusted();
#endif
}

/* A real clock reading that also anchors the counter. */
uint64_t tide__clock_sample(tide_loop_t *loop)
{
#if TIDE__HAVE_COUNTER
    tide__fastclock_t *fc = &loop->fastclock;
    if (fc->enabled) {
        uint64_t c0 = tide__counter_read_ordered();
        uint64_t ns = tide_hrtime();
        uint64_t c1 = tide__counter_read_ordered();
        /* A pair split by an interrupt would skew the rate: skip it. */
        if (c1 - c0 > fc->max_gap) return ns;
        fc->anchor_counter = c0;
        fc->anchor_ns = ns;
        if (!fc->base_counter) {
            fc->base_counter = c0;
            fc->base_ns = ns;
            return ns;
        }
        /* Recalibrate when the span has doubled since the last time, so the
         * rate sharpens as the loop lives on and divisions stay rare. */
        uint64_t span = ns - fc->base_ns;
        if (span >= CALIBRATE_MIN_NS && span >= 2 * fc->calibrated_span) {
            uint64_t ticks = c0 - fc->base_counter;
            if (ticks) {
                fc->mult = (uint64_t)(((unsigned __int128)span << 32) / ticks);
                /* Trust an anchor for one second's worth of ticks. */
                fc->max_ticks = (uint64_t)(((unsigned __int128)ticks * 1000000000u) / span);
                fc->calibrated_span = span;
            }
        }
        return ns;
    }
#endif
    return tide_hrtime();
}

uint64_t tide__clock_start(tide_loop_t *loop)
{
    if (TIDE__UNLIKELY(loop->virtual_clock)) return loop->virtual_now;
    uint64_t ns;
    if (tide__clock_estimate(loop, &ns)) return ns;
    return tide__clock_sample(loop);
}
