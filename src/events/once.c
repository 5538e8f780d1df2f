/* events/once.c - Node's events.once(): a promise of an emitter's next
 * event. It listens to the event and, unless that is 'error' itself, to
 * 'error', and whichever comes first settles the promise and removes the
 * other listener, so both are gone when that emit returns (E9).
 *
 * Node's once is an async function returning the promise its listeners
 * settle, so what the caller gets adopts that promise, two turns later;
 * tide hands out the same adopting promise, so reactions to it run on
 * Node's turn. */
#include "core/internal.h"
#include "events/events_internal.h"

static void waiter_finish(tide__event_waiter_t *w)
{
    tide__emitter_remove_waiter(w->emitter, w);
    tide_promise_release(w->promise);
    tide__free(w);
}

static int on_error(tide_emitter_t *em, tide_event_t event, void *arg, void *data);

static int on_event(tide_emitter_t *em, tide_event_t event, void *arg, void *data)
{
    tide__event_waiter_t *w = data;
    int r = 0;
    if (event != TIDE_EVENT_ERROR) r = tide_off(em, TIDE_EVENT_ERROR, on_error, w);
    tide_promise_fulfil(w->promise, arg);
    waiter_finish(w);
    return r == -ENOENT ? 0 : r;
}

static int on_error(tide_emitter_t *em, tide_event_t event, void *arg, void *data)
{
    tide__event_waiter_t *w = data;
    int r = tide_off(em, w->event, on_event, w);
    tide_error_t *err = arg ? tide_error_ref(arg)
                            : tide_error_new(TIDE_EUNHANDLED, "Unhandled error. (undefined)");
    tide_promise_reject(w->promise, err);
    waiter_finish(w);
    return r == -ENOENT ? 0 : r;
}

void tide__event_waiter_cancel(tide__event_waiter_t *w)
{
    tide_promise_reject(w->promise,
                        tide_error_new(-ECANCELED, "the emitter was destroyed before the event"));
    waiter_finish(w);
}

int tide_event_once(tide_emitter_t *em, tide_event_t event, tide_promise_t **out)
{
    if (!em || event == TIDE_EVENT_NONE || !out || !tide_emitter_loop(em)) return -EINVAL;
    tide__event_waiter_t *w = tide__malloc(sizeof *w);
    if (!w) return -ENOMEM;
    w->emitter = em;
    w->event = event;
    int r = tide_promise_new(tide_emitter_loop(em), &w->promise);
    if (r) {
        tide__free(w);
        return r;
    }
    if ((r = tide__emitter_add_waiter(em, w)) != 0) goto fail_promise;
    if ((r = tide_once(em, event, on_event, w)) != 0) goto fail_linked;
    if (event != TIDE_EVENT_ERROR && (r = tide_once(em, TIDE_EVENT_ERROR, on_error, w)) != 0) {
        tide_off(em, event, on_event, w);
        goto fail_linked;
    }
    tide_promise_t *outer;
    if ((r = tide_promise_new(tide_emitter_loop(em), &outer)) != 0) {
        tide_off(em, event, on_event, w);
        if (event != TIDE_EVENT_ERROR) tide_off(em, TIDE_EVENT_ERROR, on_error, w);
        goto fail_linked;
    }
    tide_promise_resolve(outer, tide_adopt(tide_promise_ref(w->promise)));
    *out = outer;
    return 0;

fail_linked:
    tide__emitter_remove_waiter(em, w);
fail_promise:
    tide_promise_release(w->promise);
    tide__free(w);
    return r;
}
