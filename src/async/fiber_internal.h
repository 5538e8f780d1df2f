/* async/fiber_internal.h - the private layout of a fiber, shared by
 * fiber.c (create, resume, yield, free) and overflow.c (the fault handler
 * that reads which stacks are running). */
#ifndef TIDE_ASYNC_FIBER_INTERNAL_H
#define TIDE_ASYNC_FIBER_INTERNAL_H

#include "async/sanitize.h"
#include "async/stack.h"
#include "core/internal.h"

/* NEW and SUSPENDED are the states a resume accepts; NEW is entered with
 * tide__switch_start. RUNNING covers every fiber up the chain of resumers. */
enum { TIDE__FIBER_NEW, TIDE__FIBER_SUSPENDED, TIDE__FIBER_RUNNING, TIDE__FIBER_FINISHED };

struct tide_fiber_s {
    /* what resume and yield touch, together */
    void *sp;                /* parked stack pointer while not running */
    void **resumer_sp;       /* where the resumer's stack pointer is parked */
    tide_fiber_t *resumer;   /* the fiber that resumed this one; NULL: the thread */
    void **out;              /* where the resumer wants the yielded value */
    void **in;               /* where the parked fiber wants the resumed value */
    int state;
    int by_job;              /* this run began with tide__fiber_resume_job */
    tide__stack_t *stack;    /* NULL once given back */
    void *first_in;          /* the first resume's value: fn's arg */

    tide_fiber_fn fn;
    tide_loop_t *loop;
    void *data;
    tide__queue_t node; /* in the loop's fibers, for tide_loop_close */
#ifdef TIDE__ASAN
    void *asan_fake_stack;    /* this fiber's use-after-return frames while parked */
    const void *asan_from_lo; /* the resumer's stack, to switch back to */
    size_t asan_from_size;
#endif
#ifdef TIDE__TSAN
    void *tsan_fiber;
    void *tsan_from; /* the resumer's TSan fiber */
#endif
};

/* The fiber running on this thread, NULL on the thread's own stack. The
 * initial-exec model keeps each access one instruction in the shared
 * library too (a dynamic TLS access is a call), and is safe to read from a
 * signal handler. */
extern __thread tide_fiber_t *tide__fiber_running __attribute__((tls_model("initial-exec")));

/* tide_fiber_resume for the microtask that resumes an awaiting task: the
 * fiber knows, until it next suspends, that its resumer is that job, which
 * returns straight to the drain (task.c, await_settled). */
int tide__fiber_resume_job(tide_fiber_t *f, void *in);

/* Overflow detection (overflow.c): install the process's SIGSEGV/SIGBUS
 * handler once and give this thread an alternate signal stack once, so the
 * handler can run when a fiber has no stack left. 0 or -ENOMEM. */
int tide__overflow_arm_slow(void);
extern __thread int tide__overflow_armed __attribute__((tls_model("initial-exec")));

static inline int tide__overflow_arm(void)
{
    return TIDE__LIKELY(tide__overflow_armed) ? 0 : tide__overflow_arm_slow();
}

#endif /* TIDE_ASYNC_FIBER_INTERNAL_H */
