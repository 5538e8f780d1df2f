/* E8: more listeners than the limit (10 by default) gives one warning per
 * event, delivered from a nextTick after the code that added them, before
 * ticks queued later and before microtasks. set_max_listeners(n) changes
 * the limit, 0 turns it off. */
#include "../case.h"

static void on_warning(tide_loop_t *loop, const tide_warning_t *w, void *data)
{
    printf("warning %s %s %zu\n", w->name, tide_event_name(w->event), w->count);
}

static int nothing(tide_emitter_t *em, tide_event_t ev, void *arg, void *data) { return 0; }

int main(void)
{
    tide_loop_t *loop = case_loop();
    tide_emitter_t e;
    tide_promise_t *p;
    MUST(tide_on_warning(loop, on_warning, NULL));
    tide_emitter_init(&e, loop);
    for (int i = 0; i < 11; i++) MUST(tide_on(&e, TIDE_EVENT_DATA, nothing, NULL));
    printf("added 11 data listeners\n");
    for (int i = 0; i < 5; i++) MUST(tide_on(&e, TIDE_EVENT_DATA, nothing, NULL));
    MUST(tide_emitter_set_max_listeners(&e, 1));
    MUST(tide_on(&e, TIDE_EVENT_END, nothing, NULL));
    MUST(tide_on(&e, TIDE_EVENT_END, nothing, NULL));
    MUST(tide_emitter_set_max_listeners(&e, 0));
    for (int i = 0; i < 20; i++) MUST(tide_on(&e, TIDE_EVENT_CLOSE, nothing, NULL));
    MUST(tide_promise_resolved(loop, NULL, &p));
    MUST(tide_promise_then(p, print_ok, NULL, "microtask", NULL));
    tide_promise_release(p);
    MUST(tide_next_tick(loop, print, "tick"));
    printf("sync done\n");
    int status = case_finish(loop);
    tide_emitter_destroy(&e);
    return status;
}
