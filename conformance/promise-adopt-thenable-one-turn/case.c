/* P3: a thenable whose then resolves synchronously settles the promise
 * 1 turn late (its then is called from a job, never synchronously). */
#include "../case.h"

static int thenable_then(tide_loop_t *loop, tide_thenable_t *self, tide_promise_t *resolve_to)
{
    printf("then called\n");
    MUST(tide_promise_fulfil(resolve_to, "t"));
    tide_promise_release(resolve_to);
    return 0;
}

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *p;
    static tide_thenable_t thenable = {thenable_then};
    loop = case_loop();
    MUST(tide_promise_new(loop, &p));
    MUST(tide_promise_resolve(p, tide_adopt_thenable(&thenable)));
    MUST(tide_promise_then(p, print_value, NULL, "adopted", NULL));
    tide_promise_release(p);
    printf("sync\n");
    turns(loop, 3);
    return case_finish(loop);
}
