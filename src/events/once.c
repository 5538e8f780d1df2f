/* events/once.c - Node's events.once(): a promise of an emitter's next
 * event. It listens to the event and, unless that is 'error' itself, to
 * 'error', and whichever comes first settles the promise and removes the
 * other listener, so both are gone when that emit returns (E9).
 *
 * Node's once is an async function returning the promise its listeners
 * settle, so what the caller gets adopts that promise, two turns later;
 * tide hands out the same adopting promise, so reactions to it run on
 * Node's turn. With an abort signal, aborting removes both listeners and
 * rejects with the signal's reason; a signal aborted already rejects at
 * once, as the async function throwing does. */
#include "core/internal.h"
#include "events/events_internal.h"

static void waiter_finish(tide__event_waiter_t *w)
{
    tide__abort_unwatch(&w->abort);
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

/* Take both of w's listeners off its emitter (the error one exists unless
 * the awaited event is 'error' itself). */
static void waiter_unlisten(tide__event_waiter_t *w)
{
    tide_off(w->emitter, w->event, on_event, w);
    if (w->event != TIDE_EVENT_ERROR) tide_off(w->emitter, TIDE_EVENT_ERROR, on_error, w);
}

static void on_abort(tide_abort_signal_t *signal, tide_error_t *reason, void *data)
{
    tide__event_waiter_t *w = data;
    waiter_unlisten(w);
    tide_promise_reject(w->promise, tide_error_ref(reason));
    waiter_finish(w);
}

void tide__event_waiter_cancel(tide__event_waiter_t *w)
{
    tide_promise_reject(w->promise,
                        tide_error_new(-ECANCELED, "the emitter was destroyed before the event"));
    waiter_finish(w);
}

int tide_event_once(tide_emitter_t *em, tide_event_t event, tide_abort_signal_t *signal,
                    tide_promise_t **out)
{
    if (!em || event == TIDE_EVENT_NONE || !out || !tide_emitter_loop(em)) return -EINVAL;
    if (signal && tide_abort_signal_aborted(signal))
        return tide_promise_rejected(tide_emitter_loop(em),
                                     tide_error_ref(tide_abort_signal_reason(signal)), out);
    tide__event_waiter_t *w = tide__malloc(sizeof *w);
    if (!w) return -ENOMEM;
    w->emitter = em;
    w->event = event;
    w->abort.signal = NULL;
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
        waiter_unlisten(w);
        goto fail_linked;
    }
    if ((r = tide__abort_watch(&w->abort, signal, on_abort, w)) != 0) {
        tide_promise_release(outer);
        waiter_unlisten(w);
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
