/* P5: a returned value resolves at once; returning a promise
 * (tide_adopt) costs 2 extra turns; returning an awaited one costs 1. */
#include "../case.h"

static tide_result_t return_value(tide_loop_t *loop, void *arg) { return tide_ok("value"); }

static tide_result_t return_promise(tide_loop_t *loop, void *arg)
{
    tide_promise_t *p;
    MUST(tide_promise_resolved(loop, NULL, &p));
    return tide_adopt(p);
}

static tide_result_t return_await_promise(tide_loop_t *loop, void *arg)
{
    tide_promise_t *p;
    void *v;
    MUST(tide_promise_resolved(loop, NULL, &p));
    MUST(tide_await(p, &v, NULL));
    tide_promise_release(p);
    return tide_ok(v);
}

static void start(tide_loop_t *loop, tide_async_fn fn, const char *label)
{
    tide_promise_t *p;
    MUST(tide_async(loop, fn, NULL, &p));
    MUST(tide_promise_then(p, print_ok, NULL, (void *)label, NULL));
    tide_promise_release(p);
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();
    start(loop, return_value, "return value");
    start(loop, return_promise, "return promise");
    start(loop, return_await_promise, "return await promise");
    turns(loop, 5);
    return case_finish(loop);
}
