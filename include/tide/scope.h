/* tide/scope.h - structured concurrency: a scope (a nursery) owns the async
 * tasks started in it, so no task outlives what it uses.
 *
 * Every awaiting call inside a scope's task also observes the scope's
 * signal: cancelling the scope wakes each of its tasks at its current await
 * with -ECANCELED (and every later await returns it at once). The first
 * task that fails cancels its siblings; its error is the scope's error,
 * reported once, by tide_scope_join. Cancellations that follow from it are
 * not errors of their own. */
#ifndef TIDE_SCOPE_H
#define TIDE_SCOPE_H

#include "tide/async.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tide_scope_s tide_scope_t;

/* A new, empty scope. parent (may be NULL) cancels it when it is cancelled. */
TIDE_API int tide_scope_new(tide_loop_t *loop, tide_scope_t *parent, tide_scope_t **out);

/* Start fn as a task of the scope (it runs now until its first await).
 * *out (may be NULL) receives its promise. -ECANCELED once the scope is
 * cancelled, -EBUSY once it was joined. */
TIDE_API int tide_scope_spawn(tide_scope_t *scope, tide_async_fn fn, void *arg, tide_promise_t **out);

/* Cancel every task of the scope; reason is taken over (NULL: -ECANCELED). */
TIDE_API int tide_scope_cancel(tide_scope_t *scope, tide_error_t *reason);

/* The scope's signal, borrowed: pass it to calls made outside its tasks. */
TIDE_API tide_abort_signal_t *tide_scope_signal(tide_scope_t *scope);

/* Inside an async function: wait until every task of the scope has
 * finished. Returns 0, or the code of the first task's failure (with a
 * reference to its error in *error when not NULL). A scope cancelled from
 * outside with no failing task returns the cancel reason's code. */
TIDE_API int tide_scope_join(tide_scope_t *scope, tide_error_t **error);

/* The same as a promise: fulfils when every task finished, rejects with
 * the first failure. */
TIDE_API int tide_scope_wait(tide_scope_t *scope, tide_promise_t **out);

/* Number of tasks still running. */
TIDE_API size_t tide_scope_active(const tide_scope_t *scope);

/* Free the scope. -EBUSY while it has running tasks: join it first. */
TIDE_API int tide_scope_free(tide_scope_t *scope);

#ifdef __cplusplus
}
#endif

#endif /* TIDE_SCOPE_H */
