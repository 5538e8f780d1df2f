/* tide/signal.h - POSIX signals delivered as loop callbacks.
 *
 * Any number of handles, on any number of loops, may watch the same signal;
 * each gets one callback per delivery observed (deliveries that arrive while
 * the loop is busy may coalesce, as signals do). The handler installed for a
 * signal is removed when its last handle stops. Creating a loop makes SIGPIPE
 * ignored if it still has its default action, so a write to a closed socket
 * is an EPIPE error and not a dead process. */
#ifndef TIDE_SIGNAL_H
#define TIDE_SIGNAL_H

#include "loop.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tide_signal_s tide_signal_t;
typedef void (*tide_signal_cb)(tide_signal_t *handle, int signum, void *data);

TIDE_API int tide_signal_new(tide_loop_t *loop, tide_signal_t **out);

/* Start watching signum (1..64, not SIGKILL or SIGSTOP: -EINVAL). Starting
 * again with another signal moves the handle. */
TIDE_API int tide_signal_start(tide_signal_t *handle, tide_signal_cb cb, int signum,
                               void *data);

/* Like start, but the handle stops itself before its first callback. */
TIDE_API int tide_signal_start_oneshot(tide_signal_t *handle, tide_signal_cb cb,
                                       int signum, void *data);
TIDE_API int tide_signal_stop(tide_signal_t *handle);
TIDE_API int tide_signal_get_signum(const tide_signal_t *handle);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_SIGNAL_H */
