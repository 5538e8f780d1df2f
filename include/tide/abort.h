/* tide/abort.h - cancellation: abort controllers and their signals, as
 * Node's AbortController and AbortSignal.
 *
 * A controller aborts; its signal is what you hand to the calls that should
 * stop: every awaiting call, tide_sleep, and the I/O calls of later layers.
 * Aborting runs the signal's listeners synchronously, in the order they
 * were added, and each call that holds the signal rejects with the
 * signal's reason (-ECANCELED "aborted" unless another was given) and
 * releases what it held (a timer, a queued lock request, ...).
 *
 * Signals and controllers belong to their loop: release them before the
 * loop is closed. */
#ifndef TIDE_ABORT_H
#define TIDE_ABORT_H

#include "tide/common.h"
#include "tide/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tide_abort_signal_s tide_abort_signal_t;
typedef struct tide_abort_controller_s tide_abort_controller_t;
typedef void (*tide_abort_cb)(tide_abort_signal_t *signal, tide_error_t *reason, void *data);

TIDE_API int tide_abort_controller_new(tide_loop_t *loop, tide_abort_controller_t **out);
/* The controller's signal, borrowed (it lives as long as the controller;
 * take a reference to keep it longer). */
TIDE_API tide_abort_signal_t *tide_abort_controller_signal(tide_abort_controller_t *ctrl);
/* Abort with reason (taken over; NULL means -ECANCELED "aborted"). Only the
 * first abort counts: later ones return -EALREADY. */
TIDE_API int tide_abort(tide_abort_controller_t *ctrl, tide_error_t *reason);
TIDE_API void tide_abort_controller_free(tide_abort_controller_t *ctrl);

/* AbortSignal.timeout(ms): a signal that aborts with -ETIMEDOUT after ms.
 * Its timer does not keep the loop alive, as in Node. */
TIDE_API int tide_abort_signal_timeout(tide_loop_t *loop, uint64_t ms, tide_abort_signal_t **out);
/* AbortSignal.any(signals): aborts when the first of them does, with its
 * reason. Already aborted inputs abort it at once. */
TIDE_API int tide_abort_signal_any(tide_loop_t *loop, tide_abort_signal_t *const *signals,
                                   size_t n, tide_abort_signal_t **out);

TIDE_API int tide_abort_signal_aborted(const tide_abort_signal_t *signal);
/* The reason once aborted (borrowed), else NULL. */
TIDE_API tide_error_t *tide_abort_signal_reason(const tide_abort_signal_t *signal);

/* Listen for the abort. Returns a positive listener id for
 * tide_abort_signal_off, or a negative error. A listener added after the
 * abort is never called (as in Node); check tide_abort_signal_aborted. */
TIDE_API int64_t tide_abort_signal_on(tide_abort_signal_t *signal, tide_abort_cb cb, void *data);
TIDE_API int tide_abort_signal_off(tide_abort_signal_t *signal, int64_t id);

TIDE_API tide_abort_signal_t *tide_abort_signal_ref(tide_abort_signal_t *signal);
TIDE_API void tide_abort_signal_release(tide_abort_signal_t *signal);

#ifdef __cplusplus
}
#endif

#endif /* TIDE_ABORT_H */
