/* tests/async/test_fiber.c - fibers through the public API: values in and
 * out of resume and yield, nesting, the error returns, stacks reused from
 * the pool, deep stack use, stack sizes, floating-point control state kept
 * per fiber, and a loop closed with fibers still suspended. */
#include <pthread.h>
#if defined(__x86_64__)
#include <xmmintrin.h> /* _mm_getcsr, for the x86-64 FP control test */
#endif

#include "async/sanitize.h"
#include "test.h"

/* ---- values through resume and yield ----------------------------------- */

static void *counter_body(tide_fiber_t *self, void *arg)
{
    ASSERT(tide_fiber_current() == self);
    uintptr_t n = (uintptr_t)arg;
    for (int i = 0; i < 3; i++) {
        void *in = (void *)1;
        ASSERT_OK(tide_fiber_yield((void *)(n * 10), &in));
        n = (uintptr_t)in;
    }
    return (void *)(n + 1000);
}

static void test_round_trip(void)
{
    tide_loop_t *loop = new_virtual_loop();
    tide_fiber_t *f;
    ASSERT_OK(tide_fiber_new(loop, counter_body, 0, &f));
    ASSERT(tide_fiber_loop(f) == loop);
    ASSERT(!tide_fiber_finished(f));
    ASSERT(tide_fiber_current() == NULL);
    tide_fiber_set_data(f, &log_);
    ASSERT(tide_fiber_data(f) == &log_);

    void *out = NULL;
    ASSERT_EQ(tide_fiber_resume(f, (void *)1, &out), 0); /* arg 1 */
    ASSERT_EQ((uintptr_t)out, 10);
    ASSERT_EQ(tide_fiber_resume(f, (void *)2, &out), 0);
    ASSERT_EQ((uintptr_t)out, 20);
    ASSERT_EQ(tide_fiber_resume(f, (void *)3, NULL), 0); /* out may be NULL */
    ASSERT(tide_fiber_current() == NULL);
    ASSERT_EQ(tide_fiber_resume(f, (void *)4, &out), 1); /* finished */
    ASSERT_EQ((uintptr_t)out, 1004);
    ASSERT(tide_fiber_finished(f));
    ASSERT_EQ(tide_fiber_resume(f, NULL, &out), -EINVAL);
    ASSERT_OK(tide_fiber_free(f));
    TEST_CLOSE_LOOP(loop);
}

/* A yield whose *in is NULL, and a body that returns at once. */
static void *quiet_body(tide_fiber_t *self, void *arg)
{
    ASSERT_OK(tide_fiber_yield(NULL, NULL));
    return arg;
}

static void *at_once_body(tide_fiber_t *self, void *arg) { return arg; }

static void test_null_values(void)
{
    tide_loop_t *loop = new_virtual_loop();
    tide_fiber_t *f, *g;
    ASSERT_OK(tide_fiber_new(loop, quiet_body, 0, &f));
    ASSERT_OK(tide_fiber_new(loop, at_once_body, 0, &g));
    void *out = (void *)7;
    ASSERT_EQ(tide_fiber_resume(f, (void *)5, &out), 0);
    ASSERT(out == NULL);
    ASSERT_EQ(tide_fiber_resume(f, (void *)6, &out), 1);
    ASSERT_EQ((uintptr_t)out, 5);
    ASSERT_EQ(tide_fiber_resume(g, (void *)9, &out), 1);
    ASSERT_EQ((uintptr_t)out, 9);
    ASSERT_OK(tide_fiber_free(f));
    ASSERT_OK(tide_fiber_free(g));
    TEST_CLOSE_LOOP(loop);
}

/* ---- nesting and the error returns -------------------------------------- */

static tide_fiber_t *fa, *fb, *fc;

static void *c_body(tide_fiber_t *self, void *arg)
{
    test_log(&log_, "c1");
    /* Everything up the chain is running. */
    ASSERT_EQ(tide_fiber_resume(fa, NULL, NULL), -EBUSY);
    ASSERT_EQ(tide_fiber_resume(fb, NULL, NULL), -EBUSY);
    ASSERT_EQ(tide_fiber_resume(self, NULL, NULL), -EBUSY);
    ASSERT_EQ(tide_fiber_free(self), -EBUSY);
    ASSERT_EQ(tide_fiber_free(fa), -EBUSY);
    void *in;
    ASSERT_OK(tide_fiber_yield("from-c", &in)); /* back to b, not to main */
    test_log(&log_, in);
    return "c-done";
}

static void *b_body(tide_fiber_t *self, void *arg)
{
    test_log(&log_, "b1");
    void *out;
    ASSERT_EQ(tide_fiber_resume(fc, "to-c", &out), 0);
    ASSERT(tide_fiber_current() == self);
    test_log(&log_, out);
    ASSERT_OK(tide_fiber_yield("from-b", NULL)); /* back to a */
    test_log(&log_, "b2");
    ASSERT_EQ(tide_fiber_resume(fc, "c-again", &out), 1);
    test_log(&log_, out);
    return "b-done";
}

static void *a_body(tide_fiber_t *self, void *arg)
{
    test_log(&log_, "a1");
    void *out;
    ASSERT_EQ(tide_fiber_resume(fb, NULL, &out), 0);
    ASSERT(tide_fiber_current() == self);
    test_log(&log_, out);
    ASSERT_OK(tide_fiber_yield("from-a", NULL)); /* back to main */
    test_log(&log_, "a2");
    ASSERT_EQ(tide_fiber_resume(fb, NULL, &out), 1);
    test_log(&log_, out);
    return "a-done";
}

static void test_nesting(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    ASSERT_OK(tide_fiber_new(loop, a_body, 0, &fa));
    ASSERT_OK(tide_fiber_new(loop, b_body, 0, &fb));
    ASSERT_OK(tide_fiber_new(loop, c_body, 0, &fc));
    void *out;
    ASSERT_EQ(tide_fiber_resume(fa, NULL, &out), 0);
    test_log(&log_, out);
    ASSERT(tide_fiber_current() == NULL);
    /* Suspended fibers down the old chain may be resumed by anyone. */
    ASSERT_EQ(tide_fiber_resume(fa, NULL, &out), 1);
    test_log(&log_, out);
    ASSERT_STR_EQ(log_.buf, "a1 b1 c1 from-c from-b from-a a2 b2 c-again c-done b-done a-done");
    ASSERT_OK(tide_fiber_free(fa));
    ASSERT_OK(tide_fiber_free(fb));
    ASSERT_OK(tide_fiber_free(fc));
    TEST_CLOSE_LOOP(loop);
}

static void test_errors(void)
{
    tide_loop_t *loop = new_virtual_loop();
    tide_fiber_t *f;
    void *in;
    ASSERT_EQ(tide_fiber_yield(NULL, &in), -EPERM);
    ASSERT_EQ(tide_fiber_new(NULL, at_once_body, 0, &f), -EINVAL);
    ASSERT_EQ(tide_fiber_new(loop, NULL, 0, &f), -EINVAL);
    ASSERT_EQ(tide_fiber_new(loop, at_once_body, 0, NULL), -EINVAL);
    ASSERT_EQ(tide_fiber_resume(NULL, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_fiber_free(NULL), -EINVAL);
    ASSERT_EQ(tide_loop_set_fiber_stack_size(loop, 0), -EINVAL);
    ASSERT_EQ(tide_loop_set_fiber_stack_size(NULL, 65536), -EINVAL);
    ASSERT_EQ(tide_fiber_new(loop, at_once_body, SIZE_MAX, &f), -ENOMEM);
    tide_fiber_stats_t st;
    ASSERT_EQ(tide_fiber_stats(loop, NULL), -EINVAL);
    ASSERT_OK(tide_fiber_stats(loop, &st));
    ASSERT_EQ(st.live, 0);
    TEST_CLOSE_LOOP(loop);
}

/* ---- stacks --------------------------------------------------------------- */

static void test_pool_reuse(void)
{
    tide_loop_t *loop = new_virtual_loop();
    tide_fiber_stats_t st;
    ASSERT_OK(tide_fiber_stats(loop, &st));
    ASSERT_EQ(st.created, 0);
    ASSERT_EQ(st.stacks_mapped, 0);

    tide_fiber_t *f;
    ASSERT_OK(tide_fiber_new(loop, at_once_body, 0, &f));
    ASSERT_EQ(tide_fiber_resume(f, NULL, NULL), 1);
    ASSERT_OK(tide_fiber_stats(loop, &st));
    ASSERT_EQ(st.live, 1);
    ASSERT_EQ(st.stacks_mapped, 1);
    ASSERT_EQ(st.stacks_pooled, 0);
    ASSERT_OK(tide_fiber_free(f));
    ASSERT_OK(tide_fiber_stats(loop, &st));
    ASSERT_EQ(st.live, 0);
    ASSERT_EQ(st.stacks_pooled, 1);
    ASSERT_EQ(st.stacks_mapped, 1);

    /* The next fiber takes the pooled stack: nothing new is mapped. */
    for (int i = 0; i < 1000; i++) {
        ASSERT_OK(tide_fiber_new(loop, counter_body, 0, &f));
        ASSERT_EQ(tide_fiber_resume(f, NULL, NULL), 0);
        ASSERT_OK(tide_fiber_free(f)); /* dropped mid-body */
    }
    ASSERT_OK(tide_fiber_stats(loop, &st));
    ASSERT_EQ(st.created, 1001);
    ASSERT_EQ(st.stacks_mapped, 1);
    ASSERT_EQ(st.stacks_pooled, 1);

    /* Many at once: the pool keeps a bounded number for reuse. */
    enum { N = 300 };
    static tide_fiber_t *many[N];
    for (int i = 0; i < N; i++) ASSERT_OK(tide_fiber_new(loop, at_once_body, 0, &many[i]));
    ASSERT_OK(tide_fiber_stats(loop, &st));
    ASSERT_EQ(st.live, N);
    ASSERT_EQ(st.stacks_mapped, N);
    ASSERT_EQ(st.stacks_pooled, 0);
    for (int i = 0; i < N; i++) ASSERT_OK(tide_fiber_free(many[i]));
    ASSERT_OK(tide_fiber_stats(loop, &st));
    ASSERT_EQ(st.live, 0);
    ASSERT_GT(st.stacks_pooled, 0);
    ASSERT_LT(st.stacks_pooled, N);
    ASSERT_EQ(st.stacks_mapped, st.stacks_pooled);
    /* And trimmed stacks can be handed out again. */
    for (int i = 0; i < N; i++) ASSERT_OK(tide_fiber_new(loop, at_once_body, 0, &many[i]));
    for (int i = 0; i < N; i++) ASSERT_EQ(tide_fiber_resume(many[i], (void *)(intptr_t)i, NULL), 1);
    for (int i = 0; i < N; i++) ASSERT_OK(tide_fiber_free(many[i]));
    TEST_CLOSE_LOOP(loop);
}

/* Writes every byte of a large local array, reads it back after a yield. */
static void *big_frame_body(tide_fiber_t *self, void *arg)
{
    size_t n = (size_t)arg;
    volatile unsigned char *buf = __builtin_alloca(n);
    for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)(i * 7);
    ASSERT_OK(tide_fiber_yield(NULL, NULL));
    uintptr_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        ASSERT_EQ(buf[i], (unsigned char)(i * 7));
        sum += buf[i];
    }
    return (void *)sum;
}

static void run_big_frame(tide_loop_t *loop, size_t stack_size, size_t frame)
{
    tide_fiber_t *f;
    ASSERT_OK(tide_fiber_new(loop, big_frame_body, stack_size, &f));
    ASSERT_EQ(tide_fiber_resume(f, (void *)frame, NULL), 0);
    void *sum;
    ASSERT_EQ(tide_fiber_resume(f, NULL, &sum), 1);
    uintptr_t want = 0;
    for (size_t i = 0; i < frame; i++) want += (unsigned char)(i * 7);
    ASSERT_EQ((uintptr_t)sum, want);
    ASSERT_OK(tide_fiber_free(f));
}

static void test_large_frames(void)
{
    tide_loop_t *loop = new_virtual_loop();
    /* 40 KiB of the default 64 KiB, twice, so the second run reuses the
     * pooled stack whose pages the first one touched. */
    run_big_frame(loop, 0, 40 * 1024);
    run_big_frame(loop, 0, 40 * 1024);
    /* A bigger default for fibers created with size 0. */
    ASSERT_OK(tide_loop_set_fiber_stack_size(loop, 300 * 1024));
    run_big_frame(loop, 0, 256 * 1024);
    /* An explicit size wins over the default; tiny sizes round up to 16 KiB. */
    run_big_frame(loop, 1, 8 * 1024);
    run_big_frame(loop, 20000, 12 * 1024);
    TEST_CLOSE_LOOP(loop);
}

/* ---- per-fiber floating-point control state (x86-64) ------------------- */

#if defined(__x86_64__)
/* The x87 control word and MXCSR, read and written directly (no libm). */
static unsigned x87_cw(void)
{
    unsigned short cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    return cw;
}

static void set_x87_cw(unsigned cw)
{
    unsigned short v = (unsigned short)cw;
    __asm__ volatile("fldcw %0" : : "m"(v));
}

#define X87_ROUND 0x0c00u   /* rounding control: 01 = down */
#define SSE_ROUND 0x6000u   /* 01 = down */
/* Flush-to-zero too, except under Valgrind, whose CPU does not keep it. */
#define SSE_FTZ (RUNNING_ON_VALGRIND ? 0u : 0x8000u)

static void *rounding_body(tide_fiber_t *self, void *arg)
{
    unsigned cw = x87_cw(), csr = _mm_getcsr();
    ASSERT_EQ(cw & X87_ROUND, 0); /* the creator's modes: to nearest */
    ASSERT_EQ(csr & SSE_ROUND, 0);
    set_x87_cw((cw & ~X87_ROUND) | 0x0400);
    _mm_setcsr((csr & ~SSE_ROUND) | 0x2000 | SSE_FTZ);
    ASSERT_OK(tide_fiber_yield(NULL, NULL));
    ASSERT_EQ(x87_cw() & X87_ROUND, 0x0400);
    ASSERT_EQ(_mm_getcsr() & (SSE_ROUND | SSE_FTZ), 0x2000 | SSE_FTZ);
    set_x87_cw(cw);
    _mm_setcsr(csr);
    return NULL;
}

static void test_fp_control(void)
{
    tide_loop_t *loop = new_virtual_loop();
    tide_fiber_t *f;
    unsigned csr = _mm_getcsr(), cw = x87_cw();
    ASSERT_OK(tide_fiber_new(loop, rounding_body, 0, &f));
    ASSERT_EQ(tide_fiber_resume(f, NULL, NULL), 0);
    /* The fiber's modes stayed on its side of the switch. */
    ASSERT_EQ(x87_cw(), cw);
    ASSERT_EQ(_mm_getcsr(), csr);
    ASSERT_EQ(tide_fiber_resume(f, NULL, NULL), 1);
    ASSERT_OK(tide_fiber_free(f));
    TEST_CLOSE_LOOP(loop);
}
#endif

/* ---- fibers resumed from loop callbacks, and a loop closed with fibers left */

static void resume_cb(tide_loop_t *loop, void *fiber)
{
    void *out;
    int r = tide_fiber_resume(fiber, NULL, &out);
    ASSERT_GE(r, 0);
    test_log(&log_, out);
    if (r == 0) tide_set_immediate(loop, resume_cb, fiber);
}

static void *stepper_body(tide_fiber_t *self, void *arg)
{
    ASSERT_OK(tide_fiber_yield("step1", NULL));
    ASSERT_OK(tide_fiber_yield("step2", NULL));
    return "done";
}

static void test_from_callbacks(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    tide_fiber_t *f;
    ASSERT_OK(tide_fiber_new(loop, stepper_body, 0, &f));
    tide_set_immediate(loop, resume_cb, f);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "step1 step2 done");
    ASSERT_OK(tide_fiber_free(f));
    TEST_CLOSE_LOOP(loop);
}

static void test_close_with_suspended(void)
{
    tide_loop_t *loop = new_virtual_loop();
    tide_fiber_t *f;
    for (int i = 0; i < 100; i++) {
        ASSERT_OK(tide_fiber_new(loop, i % 3 ? counter_body : at_once_body, 0, &f));
        if (i % 5) ASSERT_GE(tide_fiber_resume(f, NULL, NULL), 0); /* some never start */
        if (i == 50) ASSERT_OK(tide_fiber_free(f));
    }
    tide_fiber_stats_t st;
    ASSERT_OK(tide_fiber_stats(loop, &st));
    ASSERT_EQ(st.live, 99);
    /* A second loop's fibers are its own. */
    tide_loop_t *other = new_virtual_loop();
    ASSERT_OK(tide_fiber_new(other, counter_body, 0, &f));
    ASSERT_EQ(tide_fiber_resume(f, NULL, NULL), 0);
    TEST_CLOSE_LOOP(loop); /* frees the 99 */
    ASSERT_EQ(tide_fiber_resume(f, NULL, NULL), 0);
    TEST_CLOSE_LOOP(other);
}

/* Loops on two threads at once, each with its own fibers: the current
 * fiber is per thread, and a thread's signal stack goes when it exits. */
static void *thread_main(void *arg)
{
    tide_loop_t *loop = new_virtual_loop();
    uintptr_t total = 0;
    for (int round = 0; round < 200; round++) {
        tide_fiber_t *f;
        ASSERT_OK(tide_fiber_new(loop, counter_body, 0, &f));
        void *out;
        ASSERT_EQ(tide_fiber_resume(f, arg, &out), 0);
        ASSERT(tide_fiber_current() == NULL);
        for (int i = 0; i < 3; i++) ASSERT_GE(tide_fiber_resume(f, arg, &out), 0);
        total += (uintptr_t)out;
        ASSERT_OK(tide_fiber_free(f));
    }
    TEST_CLOSE_LOOP(loop);
    return (void *)total;
}

static void test_threads(void)
{
    pthread_t t[2];
    for (uintptr_t i = 0; i < 2; i++)
        ASSERT_OK(pthread_create(&t[i], NULL, thread_main, (void *)(i + 1)));
    for (uintptr_t i = 0; i < 2; i++) {
        void *total;
        ASSERT_OK(pthread_join(t[i], &total));
        ASSERT_EQ((uintptr_t)total, 200 * (i + 1 + 1000));
    }
}

int main(void)
{
    test_round_trip();
    test_null_values();
    test_nesting();
    test_errors();
    test_pool_reuse();
    test_large_frames();
#if defined(__x86_64__)
    test_fp_control();
#endif
    test_from_callbacks();
    test_close_with_suspended();
    test_threads();
    puts("ok");
    return 0;
}
