/* P3: a promise resolved with itself rejects with a chaining-cycle error. */
#include "../case.h"

static tide_promise_t *p;

static tide_result_t return_self(tide_loop_t *loop, void *data, void *value)
{
    return tide_adopt(tide_promise_ref(p));
}

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *start;
    loop = case_loop();
    MUST(tide_promise_resolved(loop, NULL, &start));
    MUST(tide_promise_then(start, return_self, NULL, NULL, &p));
    MUST(tide_promise_catch(p, print_err, "rejected:", NULL));
    tide_promise_release(start);
    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    tide_promise_release(p);
    MUST(tide_loop_close(loop));
    return 0;
}
