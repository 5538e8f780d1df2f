/* tests/async/test_fiber_overflow.c - a fiber that runs off its stack dies
 * with SIGABRT and "tide: fiber stack overflow (stack size N bytes)" on
 * stderr; faults that are not overflows behave as they did before tide's
 * handler was installed (the default action, or the program's own handler).
 * Each case runs in a forked child whose stderr the parent reads.
 *
 * Under Valgrind the children are skipped: Valgrind runs the program on its
 * own synthetic CPU and does not honour guard pages it was not told about.
 * Under an emulator whose madvise accepts any advice and does nothing
 * (qemu-user does), MADV_GUARD_INSTALL guards do not exist: the cases that
 * rely on them are skipped, and the overflows run on mprotect'ed guards. */
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "async/sanitize.h"
#include "core/sys.h"
#include "test.h"

/* Run fn in a child; return its wait status and what it wrote to stderr. */
static int in_child(void (*fn)(void), char *err, size_t errlen)
{
    int fds[2];
    ASSERT_OK(pipe(fds));
    fflush(NULL);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none); /* an expected crash needs no core file */
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        fn();
        _exit(0);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t r;
    while ((r = read(fds[0], err + len, errlen - 1 - len)) > 0) len += (size_t)r;
    err[len] = '\0';
    close(fds[0]);
    int status;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    return status;
}

/* Recursion with a frame the compiler cannot shrink or turn into a loop. */
static __attribute__((noinline)) unsigned long deep(unsigned long n)
{
    volatile char pad[200];
    pad[0] = (char)n;
    pad[sizeof pad - 1] = (char)n;
    if (n > 100000000) return n;
    return deep(n + 1) + (unsigned char)pad[0];
}

static void *recursing_body(tide_fiber_t *self, void *arg)
{
    return (void *)deep(0);
}

static size_t child_stack_size;

/* A kernel without MADV_GUARD_INSTALL: guards come from mprotect. */
static int no_guard_install(void *addr, size_t len, int advice)
{
    if (advice == 102) {
        errno = EINVAL;
        return -1;
    }
    return tide__sys_default.madvise(addr, len, advice);
}

/* Set when madvise cannot be believed (see madvise_ignored). */
static int force_mprotect_guards;

static void overflow_child(void)
{
    if (force_mprotect_guards) tide__sys.madvise = no_guard_install;
    tide_loop_t *loop;
    tide_fiber_t *f;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_fiber_new(loop, recursing_body, child_stack_size, &f));
    tide_fiber_resume(f, NULL, NULL);
    fputs("the fiber came back\n", stderr);
}

static void overflow_fallback_child(void)
{
    tide__sys.madvise = no_guard_install;
    overflow_child();
}

static void test_overflow(size_t size, const char *want)
{
    char err[8192];
    child_stack_size = size;
    int status = in_child(overflow_child, err, sizeof err);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT || !strstr(err, want))
        TEST_FAIL("want SIGABRT and \"%s\"; status %#x, stderr:\n%s", want, status, err);
}

/* The same on a thread of its own, which gets its own signal stack. */
static void *overflow_thread(void *arg)
{
    overflow_child();
    return arg;
}

static void thread_overflow_child(void)
{
    pthread_t t;
    ASSERT_OK(pthread_create(&t, NULL, overflow_thread, NULL));
    pthread_join(t, NULL);
}

/* A fault that is no overflow, with a fiber in existence: still SIGSEGV. */
static void wild_child(void)
{
    tide_loop_t *loop;
    tide_fiber_t *f;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_fiber_new(loop, recursing_body, 0, &f));
    volatile uintptr_t wild = 16;
    *(volatile int *)wild = 1;
}

/* The program's own handler, installed before tide's, still gets it. */
static void user_handler(int sig)
{
    static const char msg[] = "user handler\n";
    ssize_t r = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)r;
    _exit(7);
}

static void user_handler_child(void)
{
    signal(SIGSEGV, user_handler);
    wild_child();
}

/* A kernel rejects advice it does not know with EINVAL. qemu-user (7.2)
 * answers 0 to any advice it does not pass through, MADV_GUARD_INSTALL
 * among them, so its guards are never installed. */
static int madvise_ignored(void)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    void *p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT(p != MAP_FAILED);
    int ignored = madvise(p, page, 0x7ead) == 0;
    munmap(p, page);
    return ignored;
}

int main(void)
{
    if (RUNNING_ON_VALGRIND) {
        puts("skipped under valgrind");
        return 0;
    }
    if (madvise_ignored()) {
        puts("madvise accepts unknown advice (an emulator such as qemu-user?): "
             "MADV_GUARD_INSTALL guards are not checked; overflows run on mprotect guards");
        force_mprotect_guards = 1;
    }
    test_overflow(0, "tide: fiber stack overflow (stack size 65536 bytes)\n");
    test_overflow(20000, "tide: fiber stack overflow (stack size 20480 bytes)\n");

    char err[8192];
    child_stack_size = 0;
    int status = in_child(overflow_fallback_child, err, sizeof err);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT ||
        !strstr(err, "tide: fiber stack overflow (stack size 65536 bytes)\n"))
        TEST_FAIL("fallback guard: status %#x, stderr:\n%s", status, err);

    child_stack_size = 32768;
    status = in_child(thread_overflow_child, err, sizeof err);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT ||
        !strstr(err, "tide: fiber stack overflow (stack size 32768 bytes)\n"))
        TEST_FAIL("overflow on a thread: status %#x, stderr:\n%s", status, err);

    status = in_child(wild_child, err, sizeof err);
    ASSERT(!strstr(err, "tide: fiber stack overflow"));
#if defined(TIDE__ASAN) || defined(TIDE__TSAN)
    /* The sanitizer's handler was there before ours: it reports the SEGV. */
    if (!strstr(err, "Sanitizer: SEGV")) TEST_FAIL("no sanitizer report:\n%s", err);
#else
    ASSERT(WIFSIGNALED(status));
    ASSERT_EQ(WTERMSIG(status), SIGSEGV);
#endif

    status = in_child(user_handler_child, err, sizeof err);
    ASSERT(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 7);
    ASSERT_STR_EQ(err, "user handler\n");
    puts("ok");
    return 0;
}
