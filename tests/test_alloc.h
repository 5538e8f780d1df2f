/* tests/test_alloc.h - a counting allocator for tide's system-call table
 * that can be told to fail: once `alloc_budget` allocations have succeeded,
 * every one fails (as real exhaustion does); -1 means never. It counts the
 * calls, so a test can check that a path allocates nothing, and the blocks
 * still live, so a test can check that a failure leaks nothing. */
#ifndef TIDE_TEST_ALLOC_H
#define TIDE_TEST_ALLOC_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/sys.h"

static long alloc_budget = -1;
static long alloc_calls;
static long alloc_live;

static int alloc_fails(void)
{
    if (alloc_budget < 0) return 0;
    if (alloc_budget == 0) return 1;
    alloc_budget--;
    return 0;
}

static void *counting_malloc(size_t n)
{
    if (alloc_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    alloc_calls++;
    void *p = malloc(n);
    if (p) alloc_live++;
    return p;
}

static void *counting_realloc(void *p, size_t n)
{
    if (alloc_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    alloc_calls++;
    void *q = realloc(p, n);
    if (q && !p) alloc_live++;
    return q;
}

static void counting_free(void *p)
{
    if (p) alloc_live--;
    free(p);
}

/* Put the counting allocator into tide's table. */
static inline void counting_alloc_install(void)
{
    tide__sys.malloc = counting_malloc;
    tide__sys.realloc = counting_realloc;
    tide__sys.free = counting_free;
}

/* Put the system's allocator back. */
static inline void counting_alloc_uninstall(void)
{
    tide__sys.malloc = tide__sys_default.malloc;
    tide__sys.realloc = tide__sys_default.realloc;
    tide__sys.free = tide__sys_default.free;
}

/* The sweep: life(budget) runs a whole life (loop made, used, closed)
 * with alloc_budget set to budget at its start, and returns 1 when the
 * budget was never reached. Lives run with budget 0, 1, 2, ... until one
 * completes; after each, every block tide allocated must be free again.
 * A first life without a budget makes what a process makes once.
 * Returns how many lives failed an allocation. */
static inline long alloc_sweep(int (*life)(long budget))
{
    counting_alloc_install();
    if (!life(-1)) {
        fprintf(stderr, "alloc_sweep: the life without a budget failed\n");
        abort();
    }
    long baseline = alloc_live, budget = 0;
    while (!life(budget)) {
        if (alloc_live != baseline || budget >= 100000) {
            fprintf(stderr, "alloc_sweep: budget %ld left %ld blocks\n", budget, alloc_live - baseline);
            abort();
        }
        budget++;
    }
    if (alloc_live != baseline) abort();
    counting_alloc_uninstall();
    printf("allocation failures survived: %ld\n", budget);
    return budget;
}

#endif /* TIDE_TEST_ALLOC_H */
