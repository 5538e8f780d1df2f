/* E6: 'error' with a listener is an ordinary event, errorMonitor listeners
 * seeing it first. With none, errorMonitor still sees it, then it goes to
 * the loop's uncaught-error hook, whose default ends the process with
 * status 1 before anything queued runs. */
#include "../case.h"

static int monitor(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("monitor saw %s\n", ((tide_error_t *)arg)->message);
    return 0;
}

static int handler(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("handled %s\n", ((tide_error_t *)arg)->message);
    return 0;
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    tide_emitter_t e;
    tide_emitter_init(&e, loop);
    MUST(tide_on(&e, TIDE_EVENT_ERROR_MONITOR, monitor, NULL));
    MUST(tide_on(&e, TIDE_EVENT_ERROR, handler, NULL));
    tide_error_t *first = tide_error_new(-EIO, "first");
    int r = (int)MUST(tide_emit(&e, TIDE_EVENT_ERROR, first));
    tide_error_release(first);
    printf("emit returned %s\n", r ? "true" : "false");
    MUST(tide_off(&e, TIDE_EVENT_ERROR, handler, NULL));
    MUST(tide_next_tick(loop, print, "tick never runs"));
    MUST(tide_set_timeout(loop, print, "timer never runs", 0));
    printf("emitting with no listener\n");
    tide_emit(&e, TIDE_EVENT_ERROR, tide_error_new(-EIO, "second"));
    printf("not reached\n");
    return 0;
}
