/* tests/async/test_fiber_many.c - 100,000 fibers suspended at once: each
 * is resumed once so it parks mid-body, then each is resumed to the end.
 * Prints the resident memory each suspended fiber costs and checks a sane
 * bound: a stack's untouched pages must not become resident, and slabs must
 * keep the process under vm.max_map_count (65530 here), which one mapping
 * per stack plus a guard could not. Under Valgrind, which looks stacks up
 * in a list on every switch, and TSan, which gives each fiber one of its
 * 8128 thread slots, the count is smaller. */
#include <unistd.h>

#include "async/sanitize.h"
#include "test.h"

static long resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    ASSERT(f != NULL);
    long size, resident;
    ASSERT_EQ(fscanf(f, "%ld %ld", &size, &resident), 2);
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

static long map_count(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    ASSERT(f != NULL);
    long n = 0;
    for (int c; (c = fgetc(f)) != EOF;) n += c == '\n';
    fclose(f);
    return n;
}

/* Parks once with a value on its stack, then checks it survived. */
static void *parked_body(tide_fiber_t *self, void *arg)
{
    volatile uintptr_t mark = (uintptr_t)arg * 3;
    ASSERT_OK(tide_fiber_yield(NULL, NULL));
    ASSERT_EQ(mark, (uintptr_t)arg * 3);
    return (void *)(mark + 1);
}

int main(void)
{
#ifdef TIDE__TSAN
    const size_t n = 2000;
#else
    const size_t n = RUNNING_ON_VALGRIND ? 2000 : test_madvise_is_lax() ? 20000 : 100000;
#endif
    tide_loop_t *loop = new_virtual_loop();
    tide_fiber_t **fibers = calloc(n, sizeof *fibers);
    ASSERT(fibers != NULL);

    /* Warm up the fiber machinery (per-loop state, signal stack) so the
     * measurement is of the fibers. */
    tide_fiber_t *warm;
    ASSERT_OK(tide_fiber_new(loop, parked_body, 0, &warm));
    ASSERT_OK(tide_fiber_free(warm));

    long before = resident_bytes();
    for (size_t i = 0; i < n; i++) {
        ASSERT_OK(tide_fiber_new(loop, parked_body, 0, &fibers[i]));
        ASSERT_EQ(tide_fiber_resume(fibers[i], (void *)i, NULL), 0);
    }
    long after = resident_bytes();
    long maps = map_count();
    double per_fiber = (double)(after - before) / (double)n;
    printf("%zu suspended fibers: %.0f bytes resident per fiber (%ld KiB total), "
           "%ld mappings\n", n, per_fiber, (after - before) / 1024, maps);

    tide_fiber_stats_t st;
    ASSERT_OK(tide_fiber_stats(loop, &st));
    ASSERT_EQ(st.live, n);
    ASSERT_GE(st.stacks_mapped, n);
    /* One touched page of stack and the fiber object; 64 KiB would mean
     * whole stacks. ASan adds the stack's shadow, bigger frames and, with
     * detect_stack_use_after_return, a fake stack per fiber. Under Valgrind
     * and TSan (hundreds of KiB of state per fiber) the figure is the tool's
     * own memory, so it is not checked. */
#if defined(TIDE__TSAN)
    const double bound = 1e12;
#elif defined(TIDE__ASAN)
    const double bound = 32 * 1024;
#else
    const double bound = 16 * 1024;
#endif
    if (!RUNNING_ON_VALGRIND) ASSERT_LT(per_fiber, bound);
    ASSERT_LT(maps, 65530);

    for (size_t i = 0; i < n; i++) {
        void *out;
        ASSERT_EQ(tide_fiber_resume(fibers[i], NULL, &out), 1);
        ASSERT_EQ((uintptr_t)out, i * 3 + 1);
    }
    for (size_t i = 0; i < n; i++) ASSERT_OK(tide_fiber_free(fibers[i]));
    ASSERT_OK(tide_fiber_stats(loop, &st));
    ASSERT_EQ(st.live, 0);
    ASSERT_LE(st.stacks_pooled, 64);
    printf("after freeing: %ld KiB resident above the start, %llu stacks kept\n",
           (resident_bytes() - before) / 1024, (unsigned long long)st.stacks_mapped);
    free(fibers);
    TEST_CLOSE_LOOP(loop);
    return 0;
}
