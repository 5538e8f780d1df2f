/* async/abort_watch.h - what every call that takes an abort signal keeps
 * while it waits: its listener on the signal and a reference to the signal,
 * taken together and given back together. */
#ifndef TIDE_ASYNC_ABORT_WATCH_H
#define TIDE_ASYNC_ABORT_WATCH_H

#include <stdint.h>

#include "tide/abort.h"

typedef struct {
    tide_abort_signal_t *signal; /* NULL: not listening */
    int64_t id;
} tide__abort_watch_t;

/* Listen on signal (NULL: nothing to listen to, 0) and hold it. 0, or the
 * negative error of the registration (the watch is then left empty). */
int tide__abort_watch(tide__abort_watch_t *w, tide_abort_signal_t *signal, tide_abort_cb cb,
                      void *data);
/* Stop listening and let the signal go; an empty watch is left as it is. */
void tide__abort_unwatch(tide__abort_watch_t *w);

#endif /* TIDE_ASYNC_ABORT_WATCH_H */
