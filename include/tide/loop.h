/* tide/loop.h - the event loop: creation, the run modes, the loop clock,
 * accounting of busy and waiting time, the async-context pointer, and the
 * operations every handle shares (ref/unref, close).
 *
 * One iteration runs, in this order: update the clock; timers; pending I/O
 * callbacks; idle, then prepare handles; poll for I/O; check (immediates);
 * close callbacks. After the main program (tide_run drains first) and after
 * every single callback, the nextTick queue and then the microtask queue are
 * drained until both are empty (the drain rule, see tide/tick.h). */
#ifndef TIDE_LOOP_H
#define TIDE_LOOP_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    TIDE_RUN_DEFAULT = 0, /* until the loop is no longer alive or stopped */
    TIDE_RUN_ONCE,        /* one iteration, blocking in poll if needed */
    TIDE_RUN_NOWAIT       /* one iteration, never blocking */
} tide_run_mode;

/* Create a loop. The backend is epoll unless TIDE_BACKEND names another one
 * that this build has. Returns 0, -ENOMEM, -EMFILE or the backend's error. */
TIDE_API int tide_loop_new(tide_loop_t **out);

/* Release a loop. Returns -EBUSY (and keeps the loop) while any handle is
 * open or its close callback has not run yet, or while requests (thread-pool
 * work, also cancelled work) wait to be delivered: close everything and run the
 * loop until then so close callbacks can run, then call this again. Work the
 * loop owns (queued immediates, ticks, microtasks, set_timeout/set_interval
 * timers) is dropped without being called, as when a Node process exits. */
TIDE_API int tide_loop_close(tide_loop_t *loop);

/* Run the loop. Starts by draining ticks and microtasks queued by the main
 * program. Returns 1 when the loop is still alive (stopped, or ONCE/NOWAIT
 * with work left), 0 when it ran out of work, -EBUSY when called from inside
 * one of its own callbacks (nested runs are refused). */
TIDE_API int tide_run(tide_loop_t *loop, tide_run_mode mode);

/* Make the current tide_run return after the iteration in progress. */
TIDE_API void tide_stop(tide_loop_t *loop);

/* 1 while the loop has active referenced handles, requests in flight,
 * handles being closed or queued immediates; 0 otherwise. */
TIDE_API int tide_loop_alive(const tide_loop_t *loop);

/* Name of the backend in use ("epoll"). */
TIDE_API const char *tide_loop_backend(const tide_loop_t *loop);

/* ---- time ---------------------------------------------------------- */

/* The loop's cached monotonic time, read once per iteration, in ms and ns. */
TIDE_API uint64_t tide_now(const tide_loop_t *loop);
TIDE_API uint64_t tide_now_ns(const tide_loop_t *loop);

/* Refresh the cached time from the clock (the virtual clock in test mode). */
TIDE_API void tide_update_time(tide_loop_t *loop);

/* A fresh reading of the monotonic clock in ns; not cached, not virtual. */
TIDE_API uint64_t tide_hrtime(void);

/* Test clock. After tide_loop_use_virtual_clock(loop, start_ns) the loop's
 * time moves only when the program moves it, so timer tests never wait in
 * real time. tide_clock_advance() moves it forward by delta_ns, stopping at
 * each timer expiry on the way and running one non-blocking iteration
 * there, so due timers (intervals included) run exactly as they would in
 * real time. While a virtual loop runs with nothing to do but wait for a
 * timer, its clock jumps to that timer instead of sleeping.
 * tide_loop_use_virtual_clock returns -EBUSY while the loop runs or has a
 * timer armed (expiries on the real clock would mean nothing).
 * tide_clock_advance returns -EINVAL if the clock is not virtual, from
 * inside a callback of the loop, or past the end of the clock's range. */
TIDE_API int tide_loop_use_virtual_clock(tide_loop_t *loop, uint64_t start_ns);
TIDE_API int tide_clock_advance(tide_loop_t *loop, uint64_t delta_ns);

/* ---- accounting ---------------------------------------------------- */

typedef struct {
    uint64_t busy_ns;      /* time inside tide_run not spent waiting */
    uint64_t idle_ns;      /* time spent blocked in the backend's wait */
    uint64_t iterations;   /* completed loop iterations */
    uint64_t events;       /* I/O events dispatched */
    uint64_t callbacks;    /* callbacks run, ticks and microtasks included */
} tide_loop_metrics_t;

/* Fill *out with the loop's totals since it was created. Waiting is timed
 * only around blocking polls, so the accounting costs nothing per callback. */
TIDE_API void tide_loop_metrics(const tide_loop_t *loop, tide_loop_metrics_t *out);

/* ---- async context --------------------------------------------------- */

/* The current async-context pointer. Every scheduled item (timer, immediate,
 * tick, microtask, I/O watcher) captures the pointer current when it was
 * scheduled and restores it while its callback runs, then puts back the
 * previous one. It is what async-local storage and correlation ids build on. */
TIDE_API void *tide_context_get(const tide_loop_t *loop);
TIDE_API void tide_context_set(tide_loop_t *loop, void *context);

/* ---- user data ----------------------------------------------------- */
TIDE_API void *tide_loop_data(const tide_loop_t *loop);
TIDE_API void tide_loop_set_data(tide_loop_t *loop, void *data);

/* ---- handles ------------------------------------------------------- */

/* Every handle type (timer, idle, prepare, check, poll, wakeup, signal,
 * later sockets) is an opaque tide_handle_t underneath; pass it to these
 * calls with TIDE_HANDLE(h). Handles come from per-loop pools. */
typedef struct tide_handle_s tide_handle_t;
#define TIDE_HANDLE(h) ((tide_handle_t *)(h))

typedef enum {
    TIDE_HANDLE_TIMER = 1,
    TIDE_HANDLE_IDLE,
    TIDE_HANDLE_PREPARE,
    TIDE_HANDLE_CHECK,
    TIDE_HANDLE_POLL,
    TIDE_HANDLE_WAKEUP,
    TIDE_HANDLE_SIGNAL,
    TIDE_HANDLE_UDP,
    TIDE_HANDLE_FS_WATCH
} tide_handle_type;

typedef void (*tide_close_cb)(tide_handle_t *handle, void *data);

/* Stop the handle and hand it back to the loop. close_cb (may be NULL) runs
 * in the close phase and is the last callback the handle ever gets; the
 * pointer is invalid after it. Closing inside the handle's own callback is
 * legal. Returns -EALREADY if the handle is already closing or closed. */
TIDE_API int tide_close(tide_handle_t *handle, tide_close_cb close_cb);

/* An unreferenced handle does not keep the loop alive. Both are idempotent. */
TIDE_API void tide_ref(tide_handle_t *handle);
TIDE_API void tide_unref(tide_handle_t *handle);
TIDE_API int tide_has_ref(const tide_handle_t *handle);
TIDE_API int tide_is_active(const tide_handle_t *handle);
TIDE_API int tide_is_closing(const tide_handle_t *handle);
TIDE_API tide_handle_type tide_handle_get_type(const tide_handle_t *handle);
TIDE_API tide_loop_t *tide_handle_loop(const tide_handle_t *handle);
TIDE_API void *tide_handle_data(const tide_handle_t *handle);
TIDE_API void tide_handle_set_data(tide_handle_t *handle, void *data);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_LOOP_H */
