/* P4: await of a plain value or of a settled promise resumes one turn
 * later; await of a foreign thenable (through a promise resolved with it,
 * which is what PromiseResolve does) resumes after 2 turns. */
#include "../case.h"

static tide_result_t await_value(tide_loop_t *loop, void *arg)
{
    MUST(tide_await_value((void *)1, NULL));
    printf("after await value\n");
    return tide_ok(NULL);
}

static tide_result_t await_promise(tide_loop_t *loop, void *arg)
{
    tide_promise_t *p;
    MUST(tide_promise_resolved(loop, NULL, &p));
    MUST(tide_await(p, NULL, NULL));
    tide_promise_release(p);
    printf("after await promise\n");
    return tide_ok(NULL);
}

static int then_resolves(tide_loop_t *loop, tide_thenable_t *self, tide_promise_t *to)
{
    MUST(tide_promise_fulfil(to, NULL));
    tide_promise_release(to);
    return 0;
}

static tide_result_t await_thenable(tide_loop_t *loop, void *arg)
{
    static tide_thenable_t thenable = {then_resolves};
    tide_promise_t *p;
    MUST(tide_promise_new(loop, &p));
    MUST(tide_promise_resolve(p, tide_adopt_thenable(&thenable)));
    MUST(tide_await(p, NULL, NULL));
    tide_promise_release(p);
    printf("after await thenable\n");
    return tide_ok(NULL);
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();
    MUST(tide_async(loop, await_value, NULL, NULL));
    MUST(tide_async(loop, await_promise, NULL, NULL));
    MUST(tide_async(loop, await_thenable, NULL, NULL));
    printf("sync\n");
    turns(loop, 3);
    return case_finish(loop);
}
