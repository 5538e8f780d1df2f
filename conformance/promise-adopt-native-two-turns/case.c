/* P3: resolving with a native promise that has already settled queues a
 * resolve-thenable job, whose then queues one more job: 2 turns late. */
#include "../case.h"

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *inner, *p;
    loop = case_loop();
    MUST(tide_promise_resolved(loop, "v", &inner));
    MUST(tide_promise_new(loop, &p));
    MUST(tide_promise_resolve(p, tide_adopt(inner))); /* takes inner's reference */
    MUST(tide_promise_then(p, print_value, NULL, "adopted", NULL));
    tide_promise_release(p);
    turns(loop, 4);
    return case_finish(loop);
}
