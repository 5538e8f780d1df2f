/* bench/common/bench.h - what every C benchmark shares: clocks, the seeded
 * PRNG that gives every implementation the same timeout sequence, sizes
 * taken from the environment, and the RESULT line of DESIGN section 7.
 *
 * Header-only on purpose: each benchmark is one small file per
 * implementation, and a static inline helper costs the same in all of them,
 * so no peer pays for a helper another peer does not. */
#ifndef TIDE_BENCH_H
#define TIDE_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

/* Monotonic wall clock in ns. */
static inline uint64_t bench_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of the whole process in ns: what the timer-fire phase reports,
 * because that phase mostly sleeps until the timers are due. */
static inline uint64_t bench_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift32 (Marsaglia). Chosen because it is exact in JavaScript with
 * 32-bit integer operators, so node.js draws the identical sequence. */
#define BENCH_SEED UINT32_C(0x9E3779B9)

static inline uint32_t bench_xorshift32(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* The n timeouts, 1..1000 ms, that every timer benchmark uses, in order. */
static inline uint32_t *bench_timeouts(size_t n)
{
    uint32_t *t = malloc(n * sizeof *t);
    uint32_t state = BENCH_SEED;
    if (!t) {
        perror("malloc");
        exit(2);
    }
    for (size_t i = 0; i < n; i++) t[i] = 1 + bench_xorshift32(&state) % 1000;
    return t;
}

/* A seeded random permutation of 0..n-1 (Fisher-Yates, same draws as
 * bench.js): the order the timer benchmarks restart their timers in. In a
 * server, activity arrives on connections in no particular order, so the
 * restarts must not walk memory in the order the timers were created,
 * which would let the prefetcher hide every cache miss. */
#define BENCH_ORDER_SEED UINT32_C(0x2545F491)

static inline uint32_t *bench_permutation(size_t n)
{
    uint32_t *p = malloc(n * sizeof *p);
    uint32_t state = BENCH_ORDER_SEED;
    if (!p) {
        perror("malloc");
        exit(2);
    }
    for (size_t i = 0; i < n; i++) p[i] = (uint32_t)i;
    for (size_t i = n; i > 1; i--) {
        uint32_t j = bench_xorshift32(&state) % (uint32_t)i;
        uint32_t x = p[i - 1];
        p[i - 1] = p[j];
        p[j] = x;
    }
    return p;
}

/* A size from the environment (so a quick smoke run can shrink it), else
 * the default the documentation quotes. */
static inline uint64_t bench_env(const char *name, uint64_t def)
{
    const char *s = getenv(name);
    if (!s || !*s) return def;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || v == 0) {
        fprintf(stderr, "%s=%s: want a positive integer\n", name, s);
        exit(2);
    }
    return (uint64_t)v;
}

static inline void bench_result(const char *bench, const char *impl, double value,
                                const char *unit)
{
    /* Three significant figures or so, never an exponent, so scripts can
     * compare lines with a plain number parse. */
    const char *fmt = value >= 100 ? "RESULT %s %s %.0f %s\n"
                    : value >= 10  ? "RESULT %s %s %.1f %s\n"
                                   : "RESULT %s %s %.2f %s\n";
    printf(fmt, bench, impl, value, unit);
    fflush(stdout);
}

/* A count (wake-ups, iterations) printed as the integer it is. */
static inline void bench_result_count(const char *bench, const char *impl, uint64_t value,
                                      const char *unit)
{
    printf("RESULT %s %s %llu %s\n", bench, impl, (unsigned long long)value, unit);
    fflush(stdout);
}

/* immediate-chain-fd: the immediate-chain programs also run with one idle
 * fd watched (BENCH_WITH_FD=1), the read end of a pipe nothing writes to.
 * Returns that fd, or -1 when the plain benchmark is wanted. */
static inline int bench_idle_fd(void)
{
    const char *s = getenv("BENCH_WITH_FD");
    int fds[2];
    if (!s || strcmp(s, "1") != 0) return -1;
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
        perror("pipe2");
        exit(2);
    }
    return fds[0]; /* the write end stays open, so it never reads EOF */
}

/* Exit loudly if a run did not do the work it claims to have timed. */
static inline void bench_check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "benchmark invalid: %s\n", what);
        exit(1);
    }
}

#endif /* TIDE_BENCH_H */
