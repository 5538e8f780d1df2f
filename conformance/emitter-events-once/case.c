/* E9: tide_event_once (events.once) is a promise of the next emit. Its
 * listeners are gone when that emit returns; the promise settles in
 * microtasks the emit queues (Node's once is an async function, so its
 * promise adopts the inner one: two turns); 'error' emitted first rejects
 * it. */
#include "../case.h"

int main(void)
{
    tide_loop_t *loop = case_loop();
    tide_emitter_t e;
    tide_promise_t *ready, *other, *p;
    tide_event_t READY = tide_event("ready"), OTHER = tide_event("other");
    tide_emitter_init(&e, loop);
    MUST(tide_event_once(&e, READY, NULL, &ready));
    MUST(tide_promise_then(ready, print_value, NULL, "resolved with", NULL));
    printf("listeners before %zu %zu\n", tide_listener_count(&e, READY),
           tide_listener_count(&e, TIDE_EVENT_ERROR));
    MUST(tide_emit(&e, READY, "value"));
    printf("listeners after %zu %zu\n", tide_listener_count(&e, READY),
           tide_listener_count(&e, TIDE_EVENT_ERROR));
    MUST(tide_promise_resolved(loop, NULL, &p));
    MUST(tide_promise_then(p, print_ok, NULL, "microtask queued after the emit", NULL));
    MUST(tide_event_once(&e, OTHER, NULL, &other));
    MUST(tide_promise_catch(other, print_err, "rejected with", NULL));
    tide_error_t *err = tide_error_new(-EIO, "failed first");
    MUST(tide_emit(&e, TIDE_EVENT_ERROR, err));
    tide_error_release(err);
    printf("sync done\n");
    tide_promise_release(ready);
    tide_promise_release(other);
    tide_promise_release(p);
    int status = case_finish(loop);
    tide_emitter_destroy(&e);
    return status;
}
