/* E2 and the seeds' "does emit run listeners on the next tick?": no. emit
 * calls every listener now, in registration order, before it returns; what
 * the listeners queue runs after the emitting code, ticks before
 * microtasks; an emit from inside a listener finishes first. */
#include "../case.h"

static tide_event_t GREET, NOBODY;
static int nested;

static int listener1(tide_emitter_t *e, tide_event_t ev, void *who, void *data)
{
    tide_loop_t *loop = tide_emitter_loop(e);
    tide_promise_t *p;
    printf("listener 1 %s\n", (const char *)who);
    MUST(tide_next_tick(loop, print, "tick from listener"));
    MUST(tide_promise_resolved(loop, NULL, &p));
    MUST(tide_promise_then(p, print_ok, NULL, "microtask from listener", NULL));
    tide_promise_release(p);
    if (!nested) {
        nested = 1;
        MUST(tide_emit(e, GREET, "nested"));
        printf("nested emit done\n");
    }
    return 0;
}

static int listener2(tide_emitter_t *e, tide_event_t ev, void *who, void *data)
{
    printf("listener 2 %s\n", (const char *)who);
    return 0;
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    tide_emitter_t e;
    GREET = tide_event("greet");
    NOBODY = tide_event("nobody");
    tide_emitter_init(&e, loop);
    MUST(tide_on(&e, GREET, listener1, NULL));
    MUST(tide_on(&e, GREET, listener2, NULL));
    printf("before emit\n");
    int r = (int)MUST(tide_emit(&e, GREET, "world"));
    printf("emit returned %s\n", r ? "true" : "false");
    r = (int)MUST(tide_emit(&e, NOBODY, NULL));
    printf("emit with no listener returned %s\n", r ? "true" : "false");
    printf("after emit\n");
    int status = case_finish(loop);
    tide_emitter_destroy(&e);
    return status;
}
