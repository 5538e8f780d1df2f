/* tests/async/test_fiber_fault.c - fiber stacks under injected faults
 * (core/sys.h): a kernel without MADV_GUARD_INSTALL gets one mapping per
 * stack with an mprotect'ed guard; failing mmap, mprotect or malloc make
 * tide_fiber_new return -ENOMEM with the loop intact and nothing leaked. */
#include <sys/mman.h>

#include "core/sys.h"
#include "test.h"
#include "test_alloc.h"

static int guard_install_calls;
static int fail_mmap, fail_mprotect;

static int f_madvise(void *addr, size_t len, int advice)
{
    if (advice == 0x7ffe) { /* nonsense advice, refused as a kernel does */
        errno = EINVAL;
        return -1;
    }
    if (advice == 102) { /* MADV_GUARD_INSTALL, as an old kernel answers it */
        guard_install_calls++;
        errno = EINVAL;
        return -1;
    }
    return tide__sys_default.madvise(addr, len, advice);
}

static void *f_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (fail_mmap) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    return tide__sys_default.mmap(addr, len, prot, flags, fd, off);
}

static int f_mprotect(void *addr, size_t len, int prot)
{
    if (fail_mprotect) {
        errno = ENOMEM; /* what vm.max_map_count gives */
        return -1;
    }
    return tide__sys_default.mprotect(addr, len, prot);
}

/* Inaccessible one-page mappings: what mprotect'ed guards look like in
 * /proc/self/maps (the sanitizers' own mappings are larger). */
static long guard_mappings(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    ASSERT(f != NULL);
    long n = 0;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char perms[5];
        if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && hi - lo == 4096 &&
            strcmp(perms, "---p") == 0)
            n++;
    }
    fclose(f);
    return n;
}

static void *yield_once(tide_fiber_t *self, void *arg)
{
    volatile char page[2048];
    page[0] = 1;
    ASSERT_OK(tide_fiber_yield(NULL, NULL));
    return (void *)(uintptr_t)page[0];
}

static void test_mprotect_fallback(void)
{
    tide__sys.madvise = f_madvise;
    tide__sys.mprotect = f_mprotect;
    tide_loop_t *loop = new_virtual_loop();
    enum { N = 40 };
    tide_fiber_t *f[N];
    long before = guard_mappings();
    for (int i = 0; i < N; i++) {
        ASSERT_OK(tide_fiber_new(loop, yield_once, 0, &f[i]));
        ASSERT_EQ(tide_fiber_resume(f[i], NULL, NULL), 0);
    }
    /* Asked once, then never again: the loop remembers the answer. */
    ASSERT_EQ(guard_install_calls, 1);
    /* A guard mapping per stack. */
    ASSERT_EQ(guard_mappings() - before, N);

    /* At the map limit, mprotect fails: -ENOMEM, and the loop carries on. */
    fail_mprotect = 1;
    tide_fiber_t *g;
    ASSERT_EQ(tide_fiber_new(loop, yield_once, 128 * 1024, &g), -ENOMEM);
    fail_mprotect = 0;

    for (int i = 0; i < N; i++) {
        ASSERT_EQ(tide_fiber_resume(f[i], NULL, NULL), 1);
        ASSERT_OK(tide_fiber_free(f[i]));
    }
    /* Beyond the pool, stacks that have their own mapping are unmapped. */
    for (int i = 0; i < 100; i++) ASSERT_OK(tide_fiber_new(loop, yield_once, 0, &f[i % N]));
    TEST_CLOSE_LOOP(loop);
    ASSERT_EQ(guard_mappings(), before);
    tide__sys = tide__sys_default;
}

/* A madvise that says yes to every advice (an emulator's) is not trusted
 * with guards: the loop falls back to mprotect'ed ones. */
static int lax_madvise(void *addr, size_t len, int advice) { return 0; }

static void test_lax_madvise(void)
{
    tide__sys.madvise = lax_madvise;
    tide_loop_t *loop = new_virtual_loop();
    long before = guard_mappings();
    tide_fiber_t *f[3];
    for (int i = 0; i < 3; i++) {
        ASSERT_OK(tide_fiber_new(loop, yield_once, 0, &f[i]));
        ASSERT_EQ(tide_fiber_resume(f[i], NULL, NULL), 0);
    }
    ASSERT_EQ(guard_mappings() - before, 3);
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(tide_fiber_resume(f[i], NULL, NULL), 1);
        ASSERT_OK(tide_fiber_free(f[i]));
    }
    TEST_CLOSE_LOOP(loop);
    tide__sys = tide__sys_default;
}

static void test_mmap_fails(void)
{
    tide__sys.mmap = f_mmap;
    tide_loop_t *loop = new_virtual_loop();
    tide_fiber_t *f;
    fail_mmap = 1;
    ASSERT_EQ(tide_fiber_new(loop, yield_once, 0, &f), -ENOMEM);
    fail_mmap = 0;
    ASSERT_OK(tide_fiber_new(loop, yield_once, 0, &f));
    ASSERT_EQ(tide_fiber_resume(f, NULL, NULL), 0);
    ASSERT_EQ(tide_fiber_resume(f, NULL, NULL), 1);
    ASSERT_OK(tide_fiber_free(f));
    tide_fiber_stats_t st;
    ASSERT_OK(tide_fiber_stats(loop, &st));
    ASSERT_EQ(st.created, 1);
    TEST_CLOSE_LOOP(loop);
    tide__sys = tide__sys_default;
}

/* Every allocation tide_fiber_new makes on the way fails in turn. */
static void test_malloc_fails(void)
{
    counting_alloc_install();
    for (long b = 0; b < 20; b++) {
        alloc_live = 0;
        tide_loop_t *loop;
        ASSERT_OK(tide_loop_new(&loop));
        alloc_budget = b;
        tide_fiber_t *f;
        int err = tide_fiber_new(loop, yield_once, 0, &f);
        alloc_budget = -1;
        if (err) {
            ASSERT_EQ(err, -ENOMEM);
        } else {
            ASSERT_EQ(tide_fiber_resume(f, NULL, NULL), 0);
            ASSERT_EQ(tide_fiber_resume(f, NULL, NULL), 1);
            ASSERT_OK(tide_fiber_free(f));
        }
        /* Works once memory is back. */
        ASSERT_OK(tide_fiber_new(loop, yield_once, 0, &f));
        ASSERT_EQ(tide_fiber_resume(f, NULL, NULL), 0);
        TEST_CLOSE_LOOP(loop);
        ASSERT_EQ(alloc_live, 0);
    }
    tide__sys = tide__sys_default;
}

int main(void)
{
    test_mprotect_fallback();
    test_lax_madvise();
    test_mmap_fails();
    test_malloc_fails();
    puts("ok");
    return 0;
}
