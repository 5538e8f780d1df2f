/* tests/core/test_errors.c - tide_err_name/tide_strerror for every code of
 * the error map and for unknown ones, the version, and a counting allocator
 * that sees the loop's allocations, all freed again by tide_loop_close. */
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include "test.h"

/* ---- counting allocator ---------------------------------------------------- */

static long live_blocks; /* allocated and not yet freed */
static long n_malloc, n_realloc, n_free;

static void *count_malloc(size_t size)
{
    void *p = malloc(size);
    if (p) live_blocks++;
    n_malloc++;
    return p;
}

static void *count_realloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size);
    n_realloc++;
    if (!ptr && p) live_blocks++;
    return p;
}

static void count_free(void *ptr)
{
    if (ptr) live_blocks--;
    n_free++;
    free(ptr);
}

static void nop(tide_loop_t *loop, void *data) {}

static void nop_timer(tide_timer_t *t, void *data) {}

static void nop_idle(tide_idle_t *h, void *data) { ASSERT_OK(tide_idle_stop(h)); }

static void nop_poll(tide_poll_t *w, int status, int events, void *data)
{
    ASSERT_OK(tide_poll_stop(w));
}

static void requeue_tick(tide_loop_t *loop, void *data)
{
    intptr_t n = (intptr_t)data;
    if (n > 0) ASSERT_OK(tide_next_tick(loop, requeue_tick, (void *)(n - 1)));
    ASSERT_OK(tide_queue_microtask(loop, nop, NULL));
}

/* Use every core structure that allocates, past its first growth. */
static void exercise(tide_loop_t *loop)
{
    enum { N = 1000 };
    static tide_timer_t *timers[N];
    ASSERT_OK(tide_loop_use_virtual_clock(loop, 0)); /* timers without waiting */
    for (int i = 0; i < N; i++) {
        ASSERT_OK(tide_timer_new(loop, &timers[i]));
        /* Many distinct durations as well as shared ones. */
        ASSERT_OK(tide_timer_start(timers[i], nop_timer, (uint64_t)(i % 300), 0, NULL));
    }
    for (int i = 0; i < N; i++) ASSERT_GT(tide_set_timeout(loop, nop, NULL, (uint64_t)(i % 50)), 0);
    tide_id_t iv = tide_set_interval(loop, nop, NULL, 1);
    ASSERT_GT(iv, 0);
    /* An unref'd timeout still pending when the loop closes is dropped,
     * and must be freed with it. */
    tide_id_t pending = tide_set_timeout(loop, nop, NULL, 1000000);
    ASSERT_OK(tide_timeout_unref(loop, pending));
    for (int i = 0; i < N; i++) ASSERT_GT(tide_set_immediate(loop, nop, NULL), 0);
    for (int i = 0; i < N; i++) ASSERT_OK(tide_next_tick(loop, requeue_tick, (void *)(intptr_t)3));
    tide_idle_t *h[3];
    ASSERT_OK(tide_idle_new(loop, &h[0]));
    ASSERT_OK(tide_prepare_new(loop, &h[1]));
    ASSERT_OK(tide_check_new(loop, &h[2]));
    for (int i = 0; i < 3; i++) ASSERT_OK(tide_idle_start(h[i], nop_idle, NULL));

    /* An fd watcher on a high descriptor number grows the watcher table. */
    int fds[2];
    ASSERT_OK(pipe2(fds, O_CLOEXEC));
    int high = fcntl(fds[1], F_DUPFD_CLOEXEC, 200);
    ASSERT_GE(high, 200);
    tide_poll_t *w;
    ASSERT_OK(tide_poll_new(loop, high, &w));
    ASSERT_OK(tide_poll_start(w, TIDE_WRITABLE, nop_poll, NULL));

    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(tide_clear_interval(loop, iv), 1);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);

    for (int i = 0; i < N; i++) ASSERT_OK(tide_close(TIDE_HANDLE(timers[i]), NULL));
    for (int i = 0; i < 3; i++) ASSERT_OK(tide_close(TIDE_HANDLE(h[i]), NULL));
    ASSERT_OK(tide_close(TIDE_HANDLE(w), NULL));
    TEST_CLOSE_LOOP(loop);
    close(high);
    close(fds[0]);
    close(fds[1]);
}

/* Must run before any loop exists in this process. */
static void test_allocator(void)
{
    ASSERT_EQ(tide_set_allocator(NULL, count_realloc, count_free), -EINVAL);
    ASSERT_EQ(tide_set_allocator(count_malloc, NULL, count_free), -EINVAL);
    ASSERT_EQ(tide_set_allocator(count_malloc, count_realloc, NULL), -EINVAL);
    ASSERT_OK(tide_set_allocator(count_malloc, count_realloc, count_free));

    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_GT(n_malloc + n_realloc, 0);
    ASSERT_GT(live_blocks, 0);
    /* Too late once a loop exists: its memory came from the first one. */
    ASSERT_EQ(tide_set_allocator(malloc, realloc, free), -EBUSY);
    exercise(loop);
    ASSERT_EQ(live_blocks, 0);
    ASSERT_GT(n_free, 0);

    /* Two loops at once, closed in the other order. */
    tide_loop_t *a, *b;
    long before = n_malloc + n_realloc;
    ASSERT_OK(tide_loop_new(&a));
    ASSERT_OK(tide_loop_new(&b));
    ASSERT_GT(n_malloc + n_realloc, before);
    exercise(b);
    exercise(a);
    ASSERT_EQ(live_blocks, 0);
    ASSERT_EQ(tide_set_allocator(malloc, realloc, free), -EBUSY);
}

/* ---- names and messages ------------------------------------------------------ */

static void test_error_names(void)
{
    int count = 0;
#define CHECK_CODE(code, msg)                                                  \
    do {                                                                       \
        ASSERT_STR_EQ(tide_err_name(-code), #code);                            \
        ASSERT_STR_EQ(tide_err_name(code), #code);                             \
        ASSERT_STR_EQ(tide_strerror(-code), msg);                              \
        ASSERT_STR_EQ(tide_strerror(code), msg);                               \
        count++;                                                               \
    } while (0);
    TIDE_ERRNO_MAP(CHECK_CODE)
#undef CHECK_CODE
    ASSERT_GT(count, 50);

    /* Spot checks against the table, so a broken macro cannot pass. */
    ASSERT_STR_EQ(tide_err_name(-EINVAL), "EINVAL");
    ASSERT_STR_EQ(tide_strerror(-EINVAL), "invalid argument");
    ASSERT_STR_EQ(tide_err_name(-ECONNRESET), "ECONNRESET");
    ASSERT_STR_EQ(tide_strerror(-ENOMEM), "not enough memory");

    /* Codes outside the table, 0 and the int extremes included: a fixed
     * answer, never NULL, never a crash (or signed overflow). */
    const int unknown[] = {9999, -9999, 4095, -4095, 1000000, INT_MAX, -INT_MAX, INT_MIN};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        ASSERT_STR_EQ(tide_err_name(unknown[i]), "UNKNOWN");
        ASSERT(tide_strerror(unknown[i]) != NULL);
        ASSERT_STR_EQ(tide_strerror(unknown[i]), tide_strerror(9999));
    }
    ASSERT_STR_EQ(tide_err_name(0), "UNKNOWN");
    ASSERT(tide_strerror(0) != NULL);
    ASSERT(strcmp(tide_strerror(0), tide_strerror(9999)) != 0); /* 0 is not an error */
}

static void test_version(void)
{
    ASSERT_EQ(tide_version(),
              (TIDE_VERSION_MAJOR << 16) | (TIDE_VERSION_MINOR << 8) | TIDE_VERSION_PATCH);
    ASSERT_STR_EQ(tide_version_string(), TIDE_VERSION_STRING);
    char buf[32];
    snprintf(buf, sizeof buf, "%d.%d.%d", TIDE_VERSION_MAJOR, TIDE_VERSION_MINOR,
             TIDE_VERSION_PATCH);
    ASSERT_STR_EQ(tide_version_string(), buf);
}

int main(void)
{
    test_allocator(); /* first: the allocator can only be set before any loop */
    test_error_names();
    test_version();
    return 0;
}
