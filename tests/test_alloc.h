/* tests/test_alloc.h - a counting allocator for tide's system-call table
 * that can be told to fail: once `alloc_budget` allocations have succeeded,
 * every one fails (as real exhaustion does); -1 means never. It counts the
 * calls, so a test can check that a path allocates nothing, and the blocks
 * still live, so a test can check that a failure leaks nothing. */
#ifndef TIDE_TEST_ALLOC_H
#define TIDE_TEST_ALLOC_H

#include <errno.h>
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

#endif /* TIDE_TEST_ALLOC_H */
