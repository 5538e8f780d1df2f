/* async/overflow.c - turning a fiber's stack overflow into a clear death.
 * Running off a fiber stack touches the guard page below it; the SIGSEGV
 * (or SIGBUS) handler here, running on an alternate signal stack because
 * the fiber has none left, sees the fault address in a running fiber's
 * guard, writes "tide: fiber stack overflow (stack size N bytes)" and
 * aborts. Any other fault goes to whatever handled it before, so a program
 * (or ASan) that had a handler keeps it, and one that had none still dies
 * of SIGSEGV. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "async/fiber_internal.h"

__thread int tide__overflow_armed __attribute__((tls_model("initial-exec")));

/* Our handler is tiny, but a chained one (ASan's report) is not. */
#define ALTSTACK_SIZE ((size_t)64 * 1024)

static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_err;
static struct sigaction prev_segv, prev_bus;
static pthread_key_t altstack_key;

/* ---- the handler (async-signal-safe code only) -------------------------- */

static void report_overflow(size_t stack_size)
{
    char msg[96];
    static const char head[] = "tide: fiber stack overflow (stack size ";
    static const char tail[] = " bytes)\n";
    char digits[24];
    size_t nd = 0, len = 0;
    do {
        digits[nd++] = (char)('0' + stack_size % 10);
        stack_size /= 10;
    } while (stack_size);
    memcpy(msg, head, sizeof head - 1);
    len = sizeof head - 1;
    while (nd) msg[len++] = digits[--nd];
    memcpy(msg + len, tail, sizeof tail - 1);
    len += sizeof tail - 1;
    /* The real write(2), not the injectable table: a test may have swapped
     * it, and the message must get out. */
    ssize_t r = write(STDERR_FILENO, msg, len);
    (void)r;
    abort();
}

/* Hand a fault that is not ours to what was there before: call its
 * handler, or restore the default (or ignore) action and let the faulting
 * instruction fault again, which kills the process as if we were never
 * here. A signal sent with kill() does not repeat, so raise it. */
static void chain(int sig, siginfo_t *info, void *uctx)
{
    const struct sigaction *prev = sig == SIGBUS ? &prev_bus : &prev_segv;
    if (prev->sa_handler == SIG_DFL || prev->sa_handler == SIG_IGN) {
        sigaction(sig, prev, NULL);
        if (info->si_code <= 0) raise(sig);
        return;
    }
    if (prev->sa_flags & SA_SIGINFO)
        prev->sa_sigaction(sig, info, uctx);
    else
        prev->sa_handler(sig);
}

static void on_fault(int sig, siginfo_t *info, void *uctx)
{
    int saved_errno = errno;
    size_t page = tide__page_size();
    /* Only stacks in this thread's chain of running fibers can be growing;
     * the whole chain is checked because a resumer's stack is still in use
     * for a few instructions after the fiber it resumes became current. */
    if (info->si_code > 0)
        for (tide_fiber_t *f = tide__fiber_running; f; f = f->resumer)
            if (f->stack && tide__stack_guard_hit(f->stack, info->si_addr, page))
                report_overflow(f->stack->size);
    chain(sig, info, uctx);
    errno = saved_errno;
}

/* ---- installation --------------------------------------------------------- */

static void drop_altstack(void *mem)
{
    stack_t off = {.ss_flags = SS_DISABLE};
    sigaltstack(&off, NULL);
    tide__sys.munmap(mem, ALTSTACK_SIZE);
}

static void install(void)
{
    (void)tide__page_size(); /* computed now, never inside the handler */
    if (pthread_key_create(&altstack_key, drop_altstack) != 0) {
        install_err = -ENOMEM;
        return;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    if (sigaction(SIGSEGV, &sa, &prev_segv) != 0 || sigaction(SIGBUS, &sa, &prev_bus) != 0)
        install_err = -errno;
}

/* Once per thread: the process's handler, and an alternate signal stack for
 * this thread unless it has one already (ASan gives threads one). Threads
 * that tide gave one take it back when they exit. */
int tide__overflow_arm_slow(void)
{
    pthread_once(&install_once, install);
    if (install_err) return install_err;
    stack_t cur;
    if (sigaltstack(NULL, &cur) != 0) return -errno;
    if (cur.ss_flags & SS_DISABLE) {
        void *mem = tide__sys.mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (mem == MAP_FAILED) return -ENOMEM;
        stack_t ss = {.ss_sp = mem, .ss_size = ALTSTACK_SIZE, .ss_flags = 0};
        if (sigaltstack(&ss, NULL) != 0) {
            int err = -errno;
            tide__sys.munmap(mem, ALTSTACK_SIZE);
            return err;
        }
        pthread_setspecific(altstack_key, mem);
    }
    tide__overflow_armed = 1;
    return 0;
}
