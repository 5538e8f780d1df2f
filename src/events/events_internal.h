/* events/events_internal.h - what the events layer's files share: the
 * max-listeners warning (hooks.c) and the records of tide_event_once
 * promises, which an emitter's destroy must settle (once.c). */
#ifndef TIDE_EVENTS_INTERNAL_H
#define TIDE_EVENTS_INTERNAL_H

#include "async/abort_watch.h"
#include "tide/emitter.h"

/* Queue the MaxListenersExceededWarning for event (tick-delivered). */
void tide__warn_max_listeners(tide_loop_t *loop, const tide_emitter_t *em, tide_event_t event,
                              size_t count, unsigned max);

/* A pending tide_event_once promise, linked into its emitter's state. */
typedef struct tide__event_waiter tide__event_waiter_t;
struct tide__event_waiter {
    tide__event_waiter_t *next, *prev;
    tide_emitter_t *emitter;
    tide_promise_t *promise;
    tide_event_t event;
    tide__abort_watch_t abort;
};

/* Link and unlink a waiter in em's state (which must exist). */
int tide__emitter_add_waiter(tide_emitter_t *em, tide__event_waiter_t *w);
void tide__emitter_remove_waiter(tide_emitter_t *em, tide__event_waiter_t *w);
/* The emitter is being destroyed: reject w's promise and free it. */
void tide__event_waiter_cancel(tide__event_waiter_t *w);

#endif /* TIDE_EVENTS_INTERNAL_H */
