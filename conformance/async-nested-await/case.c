/* P5: each level of awaiting an async function adds one turn to the
 * caller's resumption. */
#include "../case.h"

static tide_result_t leaf(tide_loop_t *loop, void *arg) { return tide_ok("leaf"); }

static tide_result_t mid(tide_loop_t *loop, void *arg)
{
    tide_promise_t *p;
    void *v;
    MUST(tide_async(loop, leaf, NULL, &p));
    MUST(tide_await(p, &v, NULL));
    tide_promise_release(p);
    return tide_ok(v);
}

static tide_result_t caller(tide_loop_t *loop, void *arg)
{
    tide_promise_t *p;
    void *v;
    MUST(tide_async(loop, (tide_async_fn)arg, NULL, &p));
    MUST(tide_await(p, &v, NULL));
    tide_promise_release(p);
    printf("%s got %s\n", arg == (void *)mid ? "top" : "direct", (char *)v);
    return tide_ok(NULL);
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();
    MUST(tide_async(loop, caller, (void *)mid, NULL));
    MUST(tide_async(loop, caller, (void *)leaf, NULL));
    turns(loop, 4);
    return case_finish(loop);
}
