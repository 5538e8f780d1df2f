/* P3: a handler's return value resolves the derived promise by the same
 * steps, so returning a promise costs 2 extra turns. */
#include "../case.h"

static tide_result_t make_promise(tide_loop_t *loop, void *data, void *value)
{
    tide_promise_t *x;
    MUST(tide_promise_resolved(loop, "x", &x));
    return tide_adopt(x);
}

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *p, *d;
    loop = case_loop();
    MUST(tide_promise_resolved(loop, NULL, &p));
    MUST(tide_promise_then(p, make_promise, NULL, NULL, &d));
    MUST(tide_promise_then(d, print_value, NULL, "got", NULL));
    tide_promise_release(p);
    tide_promise_release(d);
    turns(loop, 5);
    return case_finish(loop);
}
