/* async/task_internal.h - async functions as tasks on fibers, and the
 * waiter every awaiting call suspends on. Shared by task.c, scope.c and
 * sync.c. */
#ifndef TIDE_ASYNC_TASK_INTERNAL_H
#define TIDE_ASYNC_TASK_INTERNAL_H

#include "async/promise_internal.h"
#include "tide/scope.h"

typedef struct tide__task tide__task_t;

struct tide__task {
    tide_fiber_t *fiber;
    tide_loop_t *loop;
    tide_promise_t *promise; /* resolved with what fn returns */
    tide_async_fn fn;
    void *arg;
    tide_scope_t *scope;     /* NULL unless started with tide_scope_spawn */
};

/* One suspension of a task. The task's side holds a reference until it has
 * resumed and disarmed; a promise reaction that may outlive it holds one. */
typedef struct tide__waiter {
    tide__task_t *task;      /* may be gone once woken: use loop */
    tide_loop_t *loop;
    uint32_t refs;
    int done;                /* woken: later wake-ups are ignored */
    int rc;
    void *value;
    tide_error_t *error;     /* a reference when rc < 0 */
    tide_abort_signal_t *signals[2]; /* the call's and the scope's */
    int64_t listen_ids[2];
    tide_id_t timer;         /* deadline or sleep */
    int timer_rc;            /* what the timer wakes with */
    tide_id_t immediate;
} tide__waiter_t;

/* The task running now on this thread, NULL outside async functions. */
tide__task_t *tide__task_current(void);

/* A waiter for the current task, or NULL (-ENOMEM). */
tide__waiter_t *tide__waiter_new(tide__task_t *task);

/* Wake the waiter's task from a macrotask or listener: its resume runs as
 * a microtask. Takes over `error`. No-op once woken. */
void tide__waiter_wake_later(tide__waiter_t *w, int rc, void *value, tide_error_t *error);

/* Arm the cancellation of opts and of the task's scope, suspend until
 * woken, disarm, and return the waiter's rc. sleep_ms >= 0 also wakes with
 * 0 after that long. The caller reads the outcome, then releases. */
int tide__waiter_wait(tide__waiter_t *w, const tide_await_opts_t *opts, int64_t sleep_ms);
void tide__waiter_release(tide__waiter_t *w);

/* Start fn on a new task. scope may be NULL. */
int tide__task_start(tide_loop_t *loop, tide_async_fn fn, void *arg, tide_scope_t *scope,
                     tide_promise_t **out);

/* scope.c: the signal a scope's tasks observe. */
tide_abort_signal_t *tide__scope_signal(tide_scope_t *scope);

#endif /* TIDE_ASYNC_TASK_INTERNAL_H */
