/* P8: with no unhandled-rejection callback (the default policy), the
 * rejection is printed at the check and the program exits with status 1:
 * ticks and microtasks already queued still run, timers never do. */
#include "../case.h"

static tide_result_t microtask(tide_loop_t *loop, void *data, void *value)
{
    printf("microtask\n");
    MUST(tide_next_tick(loop, print, "tick from microtask"));
    return tide_ok(NULL);
}

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *p, *start;
    loop = case_loop();
    MUST(tide_set_timeout(loop, print, "timer never runs", 0));
    MUST(tide_promise_rejected(loop, tide_error_new(-EIO, "boom"), &p));
    MUST(tide_next_tick(loop, print, "tick"));
    MUST(tide_promise_resolved(loop, NULL, &start));
    MUST(tide_promise_then(start, microtask, NULL, NULL, NULL));
    printf("sync\n");
    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    return 0; /* not reached: the rejection ends the program */
}
