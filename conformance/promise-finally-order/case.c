/* P6: finally passes the outcome through and waits for what its callback
 * returns; its exact turn count follows from then + PromiseResolve. */
#include "../case.h"

static tide_result_t say(tide_loop_t *loop, void *data)
{
    printf("%s\n", (const char *)data);
    return tide_ok(NULL);
}

static tide_result_t fail(tide_loop_t *loop, void *data)
{
    return tide_fail(tide_error_new(-EIO, "override"));
}

static tide_result_t after(tide_loop_t *loop, void *data, void *value)
{
    printf("after finally %s\n", (const char *)value);
    return tide_ok(NULL);
}

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *p, *f;
    loop = case_loop();

    MUST(tide_promise_resolved(loop, "v", &p));
    MUST(tide_promise_finally(p, say, "finally 1", &f));
    MUST(tide_promise_then(f, after, NULL, NULL, NULL));
    tide_promise_release(p);
    tide_promise_release(f);

    MUST(tide_promise_rejected(loop, tide_error_new(-EIO, "e"), &p));
    MUST(tide_promise_finally(p, say, "finally 2", &f));
    MUST(tide_promise_catch(f, print_err, "caught", NULL));
    tide_promise_release(p);
    tide_promise_release(f);

    MUST(tide_promise_resolved(loop, "v", &p));
    MUST(tide_promise_finally(p, fail, NULL, &f));
    MUST(tide_promise_catch(f, print_err, "overridden", NULL));
    tide_promise_release(p);
    tide_promise_release(f);

    turns(loop, 6);
    return case_finish(loop);
}
