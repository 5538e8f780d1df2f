/* P8: a rejection handled within the same drain is never reported; one
 * still unhandled is reported at the end of the drain; a handler attached
 * later produces rejectionHandled at the next check, after its job ran. */
#include "../case.h"

static tide_promise_t *lost, *p2, *p3;

static tide_result_t caught_late(tide_loop_t *loop, void *data, tide_error_t *e)
{
    printf("caught late\n");
    return tide_ok(NULL);
}

static void late_catch(tide_loop_t *loop, void *data)
{
    printf("late catch\n");
    MUST(tide_promise_catch(lost, caught_late, NULL, NULL));
}

static void on_unhandled(tide_loop_t *loop, tide_promise_t *p, tide_error_t *e, void *data)
{
    printf("unhandled %s\n", e->message);
    MUST(tide_set_timeout(loop, late_catch, NULL, 1));
}

static void on_handled(tide_loop_t *loop, tide_promise_t *p, tide_error_t *e, void *data)
{
    printf("rejectionHandled\n");
}

static tide_result_t quiet(tide_loop_t *loop, void *data, tide_error_t *e)
{
    printf("%s\n", (char *)data);
    return tide_ok(NULL);
}

static void catch_p2(tide_loop_t *loop, void *data) { MUST(tide_promise_catch(p2, quiet, "handled in tick", NULL)); }

static tide_result_t catch_p3(tide_loop_t *loop, void *data, void *value)
{
    MUST(tide_promise_catch(p3, quiet, "handled in microtask", NULL));
    return tide_ok(NULL);
}

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *start;
    loop = case_loop();
    MUST(tide_on_unhandled_rejection(loop, on_unhandled, NULL));
    MUST(tide_on_rejection_handled(loop, on_handled, NULL));
    MUST(tide_promise_rejected(loop, tide_error_new(-EIO, "lost"), &lost));
    MUST(tide_promise_rejected(loop, tide_error_new(-EIO, "tick"), &p2));
    MUST(tide_next_tick(loop, catch_p2, NULL));
    MUST(tide_promise_rejected(loop, tide_error_new(-EIO, "micro"), &p3));
    MUST(tide_promise_resolved(loop, NULL, &start));
    MUST(tide_promise_then(start, catch_p3, NULL, NULL, NULL));
    printf("sync\n");
    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    tide_promise_release(start);
    tide_promise_release(lost);
    tide_promise_release(p2);
    tide_promise_release(p3);
    MUST(tide_loop_close(loop));
    return 0;
}
