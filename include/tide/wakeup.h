/* tide/wakeup.h - waking a loop from another thread.
 *
 * tide_wakeup_send is the one call here that may be made from any thread
 * (and from a signal handler). Sends that arrive before the loop gets round
 * to the handle coalesce into one callback, on the loop's thread. */
#ifndef TIDE_WAKEUP_H
#define TIDE_WAKEUP_H

#include "loop.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tide_wakeup_s tide_wakeup_t;
typedef void (*tide_wakeup_cb)(tide_wakeup_t *handle, void *data);

/* Create an active wakeup handle (it keeps the loop alive until unref'd or
 * closed). Returns -ENOMEM, or -EMFILE when the loop's eventfd cannot be
 * created. */
TIDE_API int tide_wakeup_new(tide_loop_t *loop, tide_wakeup_cb cb, void *data,
                             tide_wakeup_t **out);

/* Thread-safe and async-signal-safe. Returns 0, or -EAGAIN only if the
 * eventfd counter is saturated (the loop is awake anyway). */
TIDE_API int tide_wakeup_send(tide_wakeup_t *handle);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_WAKEUP_H */
