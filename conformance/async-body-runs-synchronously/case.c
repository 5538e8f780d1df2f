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

static tide_result_t resolved(tide_loop_t *loop, void *data, void *value)
{
    printf("resolved %s\n", (char *)value);
    return tide_ok(NULL);
}

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *p, *q;
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(tide_loop_new(&loop));
    MUST(tide_async(loop, f, NULL, &p));
    printf("after call\n");
    MUST(tide_async(loop, g, NULL, &q));
    MUST(tide_promise_catch(q, print_err, "rejected", NULL));
    MUST(tide_promise_then(p, resolved, NULL, NULL, NULL));
    tide_promise_release(p);
    tide_promise_release(q);
    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    MUST(tide_loop_close(loop));
    return 0;
}
