/* tide/async.h - async functions: a function run on a fiber that may
 * `await` promises, and returns a promise of its result (Node's async
 * functions, SEMANTICS.md P4, P5).
 *
 * tide_async runs fn synchronously up to its first await, as a call to an
 * async function does. tide_await suspends the fiber and resumes it as a
 * microtask once the promise settles: one turn after a settled promise, as
 * in V8. What fn returns resolves the promise by the promise resolve steps,
 * so returning tide_adopt(p) costs two extra turns, like `return p`.
 *
 * Every awaiting call takes options (NULL for none): an abort signal and an
 * absolute deadline in loop time (tide_now_ns). The task's scope adds its
 * own signal (tide/scope.h). A call that is aborted returns the signal's
 * reason code (-ECANCELED), one past its deadline returns -ETIMEDOUT, and
 * either way it releases what it waited on. */
#ifndef TIDE_ASYNC_H
#define TIDE_ASYNC_H

#include "tide/abort.h"
#include "tide/common.h"
#include "tide/promise.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The body of an async function. Returning tide_fail(e) rejects. */
typedef tide_result_t (*tide_async_fn)(tide_loop_t *loop, void *arg);

typedef struct {
    tide_abort_signal_t *signal; /* NULL: none */
    uint64_t deadline_ns;        /* loop time (tide_now_ns); 0: none */
} tide_await_opts_t;

/* Start fn(loop, arg) on a new fiber (stack size: the loop's default); it
 * runs now until its first await. *out (may be NULL) receives a promise of
 * its result. -ENOMEM when no fiber can be made. */
TIDE_API int tide_async(tide_loop_t *loop, tide_async_fn fn, void *arg, tide_promise_t **out);

/* Inside an async function: wait for the promise. Returns 0 with *value
 * set when it fulfils; when it rejects, returns the error's code and, if
 * error is not NULL, hands over a reference to the error. -EPERM outside
 * an async function. value and error may be NULL. */
TIDE_API int tide_await(tide_promise_t *promise, void **value, tide_error_t **error);
TIDE_API int tide_await_opts(tide_promise_t *promise, const tide_await_opts_t *opts,
                             void **value, tide_error_t **error);
/* `await v` of a plain value: resumes one turn later with v. */
TIDE_API int tide_await_value(void *v, void **value);

/* The awaiting core calls. */
TIDE_API int tide_sleep_await(tide_loop_t *loop, uint64_t ms, const tide_await_opts_t *opts);
/* Resume in the next check phase: `await new Promise(r => setImmediate(r))`. */
TIDE_API int tide_immediate_await(tide_loop_t *loop, const tide_await_opts_t *opts);

/* Promise forms: a promise fulfilled after ms (timers/promises setTimeout),
 * or in the next check phase. An abort of signal (may be NULL) clears the
 * timer and rejects with the signal's reason. */
TIDE_API int tide_sleep(tide_loop_t *loop, uint64_t ms, tide_abort_signal_t *signal,
                        tide_promise_t **out);
TIDE_API int tide_immediate(tide_loop_t *loop, tide_abort_signal_t *signal, tide_promise_t **out);

/* Nonzero inside an async function (a fiber started by tide_async). */
TIDE_API int tide_in_async(void);

#ifdef __cplusplus
}
#endif

#endif /* TIDE_ASYNC_H */
