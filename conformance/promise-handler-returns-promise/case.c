/* P3: a handler's return value resolves the derived promise by the same
 * steps, so returning a promise costs 2 extra turns. */
#include "../case.h"

static tide_result_t make_promise(tide_loop_t *loop, void *data, void *value)
{
    tide_promise_t *x;
    MUST(tide_promise_resolved(loop, "x", &x));
    return tide_adopt(x);
}

static tide_result_t got(tide_loop_t *loop, void *data, void *value)
{
    printf("got %s\n", (const char *)value);
    return tide_ok(NULL);
}

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *p, *d;
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(tide_loop_new(&loop));
    MUST(tide_promise_resolved(loop, NULL, &p));
    MUST(tide_promise_then(p, make_promise, NULL, NULL, &d));
    MUST(tide_promise_then(d, got, NULL, NULL, NULL));
    tide_promise_release(p);
    tide_promise_release(d);
    turns(loop, 5);
    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    MUST(tide_loop_close(loop));
    return 0;
}
