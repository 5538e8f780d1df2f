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

static tide_result_t adopted(tide_loop_t *loop, void *data, void *value)
{
    printf("adopted %s\n", (const char *)value);
    return tide_ok(NULL);
}

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *p;
    static tide_thenable_t thenable = {thenable_then};
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(tide_loop_new(&loop));
    MUST(tide_promise_new(loop, &p));
    MUST(tide_promise_resolve(p, tide_adopt_thenable(&thenable)));
    MUST(tide_promise_then(p, adopted, NULL, NULL, NULL));
    tide_promise_release(p);
    printf("sync\n");
    turns(loop, 3);
    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    MUST(tide_loop_close(loop));
    return 0;
}
