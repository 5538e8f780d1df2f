/* tide/fiber.h - stackful coroutines: a function that runs on its own stack
 * and can suspend itself anywhere, then be resumed where it stopped.
 *
 * This is the low-level, generator-shaped layer; most programs use
 * tide_async/tide_await (tide/async.h), which are built on it. A fiber is
 * created suspended; tide_fiber_resume runs it until it calls
 * tide_fiber_yield or returns. Resume and yield pass one pointer each way.
 * Fibers nest: a fiber may resume another fiber, and a yield always returns
 * to whoever made the matching resume.
 *
 * Stacks come from mmap with a guard page below them, are pooled per loop
 * and reused, and only the pages a fiber touches become resident. Running
 * off the end of a stack hits the guard page: the process prints
 * "tide: fiber stack overflow" with the fiber's stack size and aborts,
 * instead of corrupting memory. The switch is hand-written assembly on
 * x86-64 and aarch64, annotated for ASan, TSan and Valgrind.
 *
 * A fiber belongs to its loop's thread: create, resume and free it there.
 * Like a JavaScript generator, it runs in whatever async context its
 * resumer has (tide_context_get); it captures none of its own.
 * docs/FIBERS.md explains stacks, guards, the pool and the costs. */
#ifndef TIDE_FIBER_H
#define TIDE_FIBER_H

#include "tide/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tide_fiber_s tide_fiber_t;

/* The body of a fiber. `arg` is the value given to the first resume; the
 * return value is handed to the resume that sees the fiber finish. */
typedef void *(*tide_fiber_fn)(tide_fiber_t *fiber, void *arg);

/* The default usable stack size, per loop unless changed with
 * tide_loop_set_fiber_stack_size. */
#define TIDE_FIBER_STACK_DEFAULT (64 * 1024)

/* Make a suspended fiber on `loop` that will run fn. stack_size 0 means the
 * loop's default; sizes are rounded up to whole pages, minimum 16 KiB.
 * -EINVAL for a NULL argument, -ENOMEM when no stack can be mapped. */
TIDE_API int tide_fiber_new(tide_loop_t *loop, tide_fiber_fn fn, size_t stack_size,
                            tide_fiber_t **out);

/* Run the fiber until it yields (returns 0, *out = the yielded value) or
 * finishes (returns 1, *out = fn's return value). `in` becomes fn's arg on
 * the first resume and the value tide_fiber_yield hands back later on.
 * -EINVAL when the fiber has finished (or is NULL), -EBUSY when it is
 * running (resuming itself or a fiber up the chain of resumers). out may
 * be NULL. Makes no system call and takes no lock. */
TIDE_API int tide_fiber_resume(tide_fiber_t *fiber, void *in, void **out);

/* Suspend the calling fiber, handing `out` to its resumer. Returns 0 and
 * sets *in (in may be NULL) to the value of the next resume. -EPERM when
 * not called from inside a fiber. */
TIDE_API int tide_fiber_yield(void *out, void **in);

/* The fiber running now on this thread, or NULL on a thread's own stack. */
TIDE_API tide_fiber_t *tide_fiber_current(void);

/* Nonzero once the fiber's function has returned. */
TIDE_API int tide_fiber_finished(const tide_fiber_t *fiber);

/* The loop a fiber belongs to. */
TIDE_API tide_loop_t *tide_fiber_loop(const tide_fiber_t *fiber);

/* A user pointer carried by the fiber. */
TIDE_API void tide_fiber_set_data(tide_fiber_t *fiber, void *data);
TIDE_API void *tide_fiber_data(const tide_fiber_t *fiber);

/* Give the fiber back: its stack returns to the loop's pool. A fiber that
 * has not finished is dropped where it stands (nothing on its stack is
 * unwound). A finished fiber keeps its stack until it is freed, so free
 * fibers once done with them. -EBUSY when it is running, -EINVAL for NULL.
 * tide_loop_close frees the fibers still left, so it must be called from
 * outside them. */
TIDE_API int tide_fiber_free(tide_fiber_t *fiber);

/* Stack size of fibers created with stack_size 0 on this loop, rounded as
 * in tide_fiber_new (default TIDE_FIBER_STACK_DEFAULT). -EINVAL for 0. */
TIDE_API int tide_loop_set_fiber_stack_size(tide_loop_t *loop, size_t size);

/* Statistics of a loop's fibers. */
typedef struct {
    uint64_t live;          /* created and not freed */
    uint64_t stacks_pooled; /* stacks kept for reuse (up to 64 per size) */
    uint64_t stacks_mapped; /* stacks held now: live fibers' plus pooled */
    uint64_t created;       /* fibers created since the loop began */
} tide_fiber_stats_t;
TIDE_API int tide_fiber_stats(tide_loop_t *loop, tide_fiber_stats_t *stats);

#ifdef __cplusplus
}
#endif

#endif /* TIDE_FIBER_H */
