/* P3: resolving with a native promise that has already settled queues a
 * resolve-thenable job, whose then queues one more job: 2 turns late. */
#include "../case.h"

static tide_result_t adopted(tide_loop_t *loop, void *data, void *value)
{
    printf("adopted %s\n", (const char *)value);
    return tide_ok(NULL);
}

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *inner, *p;
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(tide_loop_new(&loop));
    MUST(tide_promise_resolved(loop, "v", &inner));
    MUST(tide_promise_new(loop, &p));
    MUST(tide_promise_resolve(p, tide_adopt(inner))); /* takes inner's reference */
    MUST(tide_promise_then(p, adopted, NULL, NULL, NULL));
    tide_promise_release(p);
    turns(loop, 4);
    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    MUST(tide_loop_close(loop));
    return 0;
}
