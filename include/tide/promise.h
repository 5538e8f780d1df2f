/* tide/promise.h - promises with the ordering of ECMAScript and Node.
 *
 * A promise is pending, fulfilled with a void * value, or rejected with a
 * tide_error_t. Reactions (then/catch/finally) run as microtasks, in the
 * order they were registered, with the drain rule of tide/tick.h. Resolving
 * a promise with another promise or a thenable adopts its outcome, taking
 * the same number of microtask turns as in Node (SEMANTICS.md P3).
 *
 * Ownership: a promise is reference-counted. Every call that hands out a
 * promise (an `out` parameter) gives the caller one reference, dropped with
 * tide_promise_release. Passing NULL for `out` asks for no reference: the
 * promise still exists and settles, it is just not yours to touch. Calls
 * that take a promise as input borrow it. A tide_result_t takes over the
 * references it carries.
 *
 * A rejection with no handler by the end of a drain is an unhandled
 * rejection (SEMANTICS.md P8): see tide_on_unhandled_rejection. Promises and
 * reactions come from per-loop pools: after warm-up, creating, chaining and
 * settling allocate nothing. */
#ifndef TIDE_PROMISE_H
#define TIDE_PROMISE_H

#include "tide/common.h"
#include "tide/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tide_promise_s tide_promise_t;

/* An object whose `then` adopts like a JS thenable: embed this first in your
 * own struct and resolve with tide_adopt_thenable(&obj->thenable). `then`
 * is called from a microtask job, never synchronously; it settles the
 * promise it is given (once: later calls are ignored) and releases it when
 * done. A nonzero return before settling rejects with that code. */
typedef struct tide_thenable_s tide_thenable_t;
struct tide_thenable_s {
    int (*then)(tide_loop_t *loop, tide_thenable_t *self, tide_promise_t *resolve_to);
};

/* What a handler (or an async function) gives back; it resolves the derived
 * promise. Build one with the helpers below. */
typedef struct {
    uintptr_t kind;
    void *ptr;
} tide_result_t;

enum { TIDE_RESULT_VALUE, TIDE_RESULT_ERROR, TIDE_RESULT_PROMISE, TIDE_RESULT_THENABLE };

/* Builds a result; written without compound literals so the header is
 * also valid C++. */
static inline tide_result_t tide__result(uintptr_t kind, void *ptr)
{
    tide_result_t r;
    r.kind = kind;
    r.ptr = ptr;
    return r;
}

/* Fulfil with a value. */
static inline tide_result_t tide_ok(void *value) { return tide__result(TIDE_RESULT_VALUE, value); }
/* Reject with error, taking over the caller's reference ("throw"). */
static inline tide_result_t tide_fail(tide_error_t *error) { return tide__result(TIDE_RESULT_ERROR, error); }
/* Reject with a new reference to error ("rethrow" in a rejection handler). */
static inline tide_result_t tide_rethrow(tide_error_t *error) { return tide_fail(tide_error_ref(error)); }
/* Adopt another promise's outcome, taking over the caller's reference. */
static inline tide_result_t tide_adopt(tide_promise_t *promise)
{
    return tide__result(TIDE_RESULT_PROMISE, promise);
}
/* Adopt a thenable's outcome; the thenable must live until its then runs. */
static inline tide_result_t tide_adopt_thenable(tide_thenable_t *t)
{
    return tide__result(TIDE_RESULT_THENABLE, t);
}

/* Reaction handlers. `value` belongs to the settled promise; `error` is
 * borrowed (use tide_rethrow to pass it on). */
typedef tide_result_t (*tide_on_fulfilled)(tide_loop_t *loop, void *data, void *value);
typedef tide_result_t (*tide_on_rejected)(tide_loop_t *loop, void *data, tide_error_t *error);
/* A finally handler: no arguments beyond data, and what it returns only
 * matters when it is an error or a promise (which is waited for). */
typedef tide_result_t (*tide_on_settled)(tide_loop_t *loop, void *data);

/* ---- making and settling ---------------------------------------------- */

/* A pending promise; settle it with tide_promise_resolve/fulfil/reject. */
TIDE_API int tide_promise_new(tide_loop_t *loop, tide_promise_t **out);
/* Promises that are born settled (Promise.resolve(v), Promise.reject(e)).
 * tide_promise_rejected takes over the reference to error. */
TIDE_API int tide_promise_resolved(tide_loop_t *loop, void *value, tide_promise_t **out);
TIDE_API int tide_promise_rejected(tide_loop_t *loop, tide_error_t *error, tide_promise_t **out);

/* Resolve with a result: a value fulfils; an error rejects; a promise or
 * thenable is adopted; the promise itself rejects with -EINVAL "Chaining
 * cycle detected for promise". Only the first resolve or reject of a
 * promise counts: later ones return -EALREADY and drop the result. */
TIDE_API int tide_promise_resolve(tide_promise_t *promise, tide_result_t result);
TIDE_API int tide_promise_fulfil(tide_promise_t *promise, void *value);
TIDE_API int tide_promise_reject(tide_promise_t *promise, tide_error_t *error);
/* Fulfil with a value the promise owns: free_fn(value) runs when the last
 * promise that can hand it out (this one or one it passed through) is freed. */
TIDE_API int tide_promise_fulfil_owned(tide_promise_t *promise, void *value, void (*free_fn)(void *));

/* ---- reactions -------------------------------------------------------- */

/* p.then(on_ok, on_err). Either handler may be NULL: the outcome passes
 * through (still one microtask turn). data goes to both. */
TIDE_API int tide_promise_then(tide_promise_t *promise, tide_on_fulfilled on_ok,
                               tide_on_rejected on_err, void *data, tide_promise_t **out);
/* p.catch(on_err) */
TIDE_API int tide_promise_catch(tide_promise_t *promise, tide_on_rejected on_err, void *data,
                                tide_promise_t **out);
/* p.finally(fn): fn runs either way; the outcome passes through unless fn
 * fails or returns a promise that rejects; a promise it returns is awaited. */
TIDE_API int tide_promise_finally(tide_promise_t *promise, tide_on_settled fn, void *data,
                                  tide_promise_t **out);

/* ---- combinators ------------------------------------------------------ */

/* The result of tide_promise_all_settled: one entry per input. */
typedef struct {
    int fulfilled;        /* 1: value is set; 0: error is set */
    void *value;
    tide_error_t *error;  /* owned by the result */
} tide_settled_t;

/* Promise.all: fulfils with a void *[n] array of the values in input order
 * (owned by the result promise), or rejects with the first rejection.
 * n == 0 fulfils at once. */
TIDE_API int tide_promise_all(tide_loop_t *loop, tide_promise_t *const *inputs, size_t n,
                              tide_promise_t **out);
/* Promise.allSettled: fulfils with a tide_settled_t[n] array; never rejects. */
TIDE_API int tide_promise_all_settled(tide_loop_t *loop, tide_promise_t *const *inputs, size_t n,
                                      tide_promise_t **out);
/* Promise.race: settles like the first input to settle; n == 0 never settles. */
TIDE_API int tide_promise_race(tide_loop_t *loop, tide_promise_t *const *inputs, size_t n,
                               tide_promise_t **out);
/* Promise.any: the first fulfilment, or a TIDE_EAGGREGATE error holding
 * every rejection in input order ("All promises were rejected"). */
TIDE_API int tide_promise_any(tide_loop_t *loop, tide_promise_t *const *inputs, size_t n,
                              tide_promise_t **out);

/* ---- inspecting and owning -------------------------------------------- */

typedef enum { TIDE_PROMISE_PENDING, TIDE_PROMISE_FULFILLED, TIDE_PROMISE_REJECTED } tide_promise_state;
TIDE_API tide_promise_state tide_promise_state_of(const tide_promise_t *promise);
/* The value of a fulfilled promise (NULL otherwise). */
TIDE_API void *tide_promise_value(const tide_promise_t *promise);
/* The error of a rejected promise, borrowed (NULL otherwise). Reading it
 * does not count as handling the rejection. */
TIDE_API tide_error_t *tide_promise_error(const tide_promise_t *promise);
TIDE_API tide_loop_t *tide_promise_loop(const tide_promise_t *promise);
TIDE_API tide_promise_t *tide_promise_ref(tide_promise_t *promise);
TIDE_API void tide_promise_release(tide_promise_t *promise);

/* ---- unhandled rejections (SEMANTICS.md P8) --------------------------- */

typedef void (*tide_rejection_cb)(tide_loop_t *loop, tide_promise_t *promise,
                                  tide_error_t *error, void *data);
/* Called at the end of a drain for each promise rejected in it that still
 * has no handler (Node's 'unhandledRejection'). Installing a callback
 * replaces the default policy. NULL restores the default. */
TIDE_API int tide_on_unhandled_rejection(tide_loop_t *loop, tide_rejection_cb cb, void *data);
/* Called at a later check when a handler was attached to a promise that
 * was reported ('rejectionHandled'). */
TIDE_API int tide_on_rejection_handled(tide_loop_t *loop, tide_rejection_cb cb, void *data);

/* What happens to an unhandled rejection when no callback is installed. */
typedef enum {
    TIDE_UNHANDLED_THROW, /* default, Node >= 15: print it, exit(1) */
    TIDE_UNHANDLED_WARN,  /* print it and carry on */
    TIDE_UNHANDLED_NONE   /* ignore it */
} tide_unhandled_mode;
TIDE_API int tide_set_unhandled_rejections(tide_loop_t *loop, tide_unhandled_mode mode);

#ifdef __cplusplus
}
#endif

#endif /* TIDE_PROMISE_H */
