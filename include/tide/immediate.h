/* tide/immediate.h - the check phase: immediates (Node's setImmediate), and
 * the idle, prepare and check handles that libuv users know.
 *
 * The check phase runs the immediates queued before it began, in FIFO order;
 * one queued during the check phase runs in the next iteration. A queued
 * immediate keeps the loop alive and makes poll return at once. */
#ifndef TIDE_IMMEDIATE_H
#define TIDE_IMMEDIATE_H

#include "timer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Queue cb for the check phase. Returns a generation-checked id (> 0), or
 * -ENOMEM / -EINVAL. Allocates nothing once the loop's pool is warm. */
TIDE_API tide_id_t tide_set_immediate(tide_loop_t *loop, tide_fn cb, void *data);

/* Cancel a queued immediate, even from an earlier callback of the same check
 * phase. Returns 1 if it was pending, 0 for an id that ran, was cleared or
 * is invalid. */
TIDE_API int tide_clear_immediate(tide_loop_t *loop, tide_id_t id);

/* Idle handles run every iteration before prepare handles and keep poll
 * from blocking while active. Prepare handles run just before poll; check
 * handles just after it, before the immediates. All three share this API. */
typedef struct tide_idle_s tide_idle_t;
typedef struct tide_idle_s tide_prepare_t;
typedef struct tide_idle_s tide_check_t;
typedef void (*tide_idle_cb)(tide_idle_t *handle, void *data);

TIDE_API int tide_idle_new(tide_loop_t *loop, tide_idle_t **out);
TIDE_API int tide_prepare_new(tide_loop_t *loop, tide_prepare_t **out);
TIDE_API int tide_check_new(tide_loop_t *loop, tide_check_t **out);

/* Start (or change the callback of) an idle, prepare or check handle.
 * Handles run in start order; one started during its phase waits for the
 * next iteration. Returns -EINVAL for a NULL cb, -EALREADY when closing. */
TIDE_API int tide_idle_start(tide_idle_t *handle, tide_idle_cb cb, void *data);
TIDE_API int tide_idle_stop(tide_idle_t *handle);
#define tide_prepare_start tide_idle_start
#define tide_prepare_stop tide_idle_stop
#define tide_check_start tide_idle_start
#define tide_check_stop tide_idle_stop

#ifdef __cplusplus
}
#endif
#endif /* TIDE_IMMEDIATE_H */
