/* tide/timer.h - timers: handles that call back once or repeatedly after a
 * delay, and the Node-style set_timeout/set_interval convenience layer.
 *
 * A timer never fires before its full timeout has elapsed: its start time is
 * a fresh clock reading (not the cached loop time), and the timers phase only
 * runs timers due at or before the time read when the phase began. Timers
 * that expire at the same instant fire in the order they were started. */
#ifndef TIDE_TIMER_H
#define TIDE_TIMER_H

#include "loop.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tide_timer_s tide_timer_t;
typedef void (*tide_timer_cb)(tide_timer_t *timer, void *data);

/* Allocate a stopped timer from the loop's pool. Close it with tide_close. */
TIDE_API int tide_timer_new(tide_loop_t *loop, tide_timer_t **out);

/* Arm the timer: cb runs after timeout_ms, then every repeat_ms if repeat_ms
 * is not 0. Restarting an armed timer re-arms it from now. Returns -EINVAL
 * for a NULL cb, -EALREADY on a closing handle. */
TIDE_API int tide_timer_start(tide_timer_t *timer, tide_timer_cb cb, uint64_t timeout_ms,
                              uint64_t repeat_ms, void *data);

/* Nanosecond form of tide_timer_start. */
TIDE_API int tide_timer_start_ns(tide_timer_t *timer, tide_timer_cb cb, uint64_t timeout_ns,
                                 uint64_t repeat_ns, void *data);

/* Disarm. A stopped timer never fires, even if it was due in the current
 * timers phase. Idempotent. */
TIDE_API int tide_timer_stop(tide_timer_t *timer);

/* Node's refresh(): re-arm with the timeout it was last started with,
 * counted from now, whether it is armed, stopped or has fired. Returns
 * -EINVAL if the timer was never started. This is the call a server makes on
 * every request to push an idle timeout back; it is O(1). */
TIDE_API int tide_timer_refresh(tide_timer_t *timer);

/* libuv's again(): stop, and restart with the repeat interval if there is
 * one. Returns -EINVAL if the timer was never started. */
TIDE_API int tide_timer_again(tide_timer_t *timer);

TIDE_API void tide_timer_set_repeat(tide_timer_t *timer, uint64_t repeat_ms);
TIDE_API uint64_t tide_timer_get_repeat(const tide_timer_t *timer);

/* Milliseconds until the timer fires (rounded up), 0 if it is not armed. */
TIDE_API uint64_t tide_timer_get_due_in(const tide_timer_t *timer);

/* ---- Node-style convenience layer ----------------------------------- */

/* Ids are generation-checked: clearing an id that has fired, been cleared,
 * or whose slot was reused is a safe no-op. Valid ids are > 0. */
typedef int64_t tide_id_t;

/* Call cb once after delay_ms. As in Node a delay of 0, or one above
 * TIDE_TIMEOUT_MAX (2^31 - 1 ms, about 24.8 days), is treated as 1 ms; a
 * tide_timer_t takes any delay. Returns the id (> 0) or -ENOMEM / -EINVAL. */
#define TIDE_TIMEOUT_MAX INT64_C(2147483647)
TIDE_API tide_id_t tide_set_timeout(tide_loop_t *loop, tide_fn cb, void *data, uint64_t delay_ms);

/* Call cb every delay_ms (0 is treated as 1 ms) until cleared. */
TIDE_API tide_id_t tide_set_interval(tide_loop_t *loop, tide_fn cb, void *data, uint64_t delay_ms);

/* Cancel a timeout or an interval (either clear works on either kind, as in
 * Node). Returns 1 if it was pending, 0 if the id was stale or invalid. */
TIDE_API int tide_clear_timeout(tide_loop_t *loop, tide_id_t id);
TIDE_API int tide_clear_interval(tide_loop_t *loop, tide_id_t id);

/* Node's Timeout methods on an id: refresh, ref, unref, hasRef. Each returns
 * -ENOENT for a stale id. An id goes stale once its timeout has fired (the
 * loop takes the memory back then), so unlike Node's refresh(), refreshing
 * a fired timeout does not revive it: keep a tide_timer_t for that. */
TIDE_API int tide_timeout_refresh(tide_loop_t *loop, tide_id_t id);
TIDE_API int tide_timeout_ref(tide_loop_t *loop, tide_id_t id);
TIDE_API int tide_timeout_unref(tide_loop_t *loop, tide_id_t id);
TIDE_API int tide_timeout_has_ref(tide_loop_t *loop, tide_id_t id);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_TIMER_H */
