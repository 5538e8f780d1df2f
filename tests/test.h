/* tests/test.h - the assertions every tide test uses. They stay on in
 * release builds, print both sides on failure and abort, so ctest reports
 * the failing line. Each test program ends with a clean loop: every handle
 * closed and tide_loop_close() returning 0 (see TEST_CLOSE_LOOP). */
#ifndef TIDE_TEST_H
#define TIDE_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "tide.h"

#define TEST_FAIL(...)                                                         \
    do {                                                                       \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                        \
        fprintf(stderr, __VA_ARGS__);                                          \
        fputc('\n', stderr);                                                   \
        abort();                                                               \
    } while (0)

#define ASSERT(cond)                                                           \
    do {                                                                       \
        if (!(cond)) TEST_FAIL("assertion failed: %s", #cond);                 \
    } while (0)

#define ASSERT_CMP(a, op, b)                                                   \
    do {                                                                       \
        int64_t a_ = (int64_t)(a), b_ = (int64_t)(b);                          \
        if (!(a_ op b_))                                                       \
            TEST_FAIL("%s %s %s: %" PRId64 " vs %" PRId64, #a, #op, #b, a_, b_); \
    } while (0)

#define ASSERT_EQ(a, b) ASSERT_CMP(a, ==, b)
#define ASSERT_NE(a, b) ASSERT_CMP(a, !=, b)
#define ASSERT_LT(a, b) ASSERT_CMP(a, <, b)
#define ASSERT_LE(a, b) ASSERT_CMP(a, <=, b)
#define ASSERT_GT(a, b) ASSERT_CMP(a, >, b)
#define ASSERT_GE(a, b) ASSERT_CMP(a, >=, b)
#define ASSERT_OK(expr) ASSERT_EQ((expr), 0)

#define ASSERT_STR_EQ(a, b)                                                    \
    do {                                                                       \
        const char *a_ = (a), *b_ = (b);                                       \
        if (strcmp(a_, b_) != 0) TEST_FAIL("%s == %s: \"%s\" vs \"%s\"", #a, #b, a_, b_); \
    } while (0)

/* A log the callbacks append to, compared as one string at the end. */
typedef struct {
    char buf[8192];
    size_t len;
} test_log_t;

static inline void test_log(test_log_t *log, const char *s)
{
    size_t n = strlen(s);
    if (log->len + n + 2 >= sizeof log->buf) TEST_FAIL("test log overflow");
    if (log->len) log->buf[log->len++] = ' ';
    memcpy(log->buf + log->len, s, n);
    log->len += n;
    log->buf[log->len] = '\0';
}

/* The log most tests keep, and the callbacks and loops they share. */
static test_log_t log_ __attribute__((unused));

static inline void log_reset(void)
{
    log_.len = 0;
    log_.buf[0] = '\0';
}

/* A tide_fn that logs its data, a string. */
static inline void say(tide_loop_t *loop, void *text)
{
    (void)loop;
    test_log(&log_, text);
}

/* A loop on the virtual clock at 0, for tests that must not wait. */
static inline tide_loop_t *new_virtual_loop(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_loop_use_virtual_clock(loop, 0));
    return loop;
}

/* Nonzero when madvise accepts advice no kernel defines (qemu-user): tide
 * then guards fiber stacks with mprotect, one mapping each, and a test must
 * stay well under the process's map limit. */
static inline int test_madvise_is_lax(void)
{
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 0;
    int lax = madvise(p, 4096, 0x7ffe) == 0;
    munmap(p, 4096);
    return lax;
}

#define TEST_CLOSE_LOOP(loop)                                                  \
    do {                                                                       \
        ASSERT_EQ(tide_run((loop), TIDE_RUN_DEFAULT), 0);                      \
        ASSERT_EQ(tide_loop_close(loop), 0);                                   \
    } while (0)

#endif /* TIDE_TEST_H */
