/* P4: a rejection comes back at the await (as its error code, the C form
 * of a throw) and can be handled there; locals survive the suspension. */
#include "../case.h"

static tide_result_t body(tide_loop_t *loop, void *arg)
{
    const char *local = "kept";
    tide_promise_t *p;
    tide_error_t *e;
    MUST(tide_promise_rejected(loop, tide_error_new(-EIO, "bad"), &p));
    if (tide_await(p, NULL, &e) == -EIO) {
        printf("caught %s, local %s\n", e->message, local);
        tide_error_release(e);
    }
    tide_promise_release(p);
    return tide_ok("recovered");
}

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *p;
    loop = case_loop();
    MUST(tide_async(loop, body, NULL, &p));
    MUST(tide_promise_then(p, print_ok, NULL, "recovered", NULL));
    tide_promise_release(p);
    return case_finish(loop);
}
