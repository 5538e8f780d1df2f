/* P5: tide_async runs the body up to the first await at once; a failure
 * before any await rejects the promise instead of escaping at the call. */
#include "../case.h"

static tide_result_t f(tide_loop_t *loop, void *arg)
{
    printf("body starts\n");
    MUST(tide_await_value(NULL, NULL));
    printf("body resumes\n");
    return tide_ok("done");
}

static tide_result_t g(tide_loop_t *loop, void *arg)
{
    return tide_fail(tide_error_new(-EIO, "early"));
}

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *p, *q;
    loop = case_loop();
    MUST(tide_async(loop, f, NULL, &p));
    printf("after call\n");
    MUST(tide_async(loop, g, NULL, &q));
    MUST(tide_promise_catch(q, print_err, "rejected", NULL));
    MUST(tide_promise_then(p, print_value, NULL, "resolved", NULL));
    tide_promise_release(p);
    tide_promise_release(q);
    return case_finish(loop);
}
