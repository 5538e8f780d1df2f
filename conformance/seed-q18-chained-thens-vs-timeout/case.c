/* Seed 000 Q18: chained thens all run before a 0 ms timer, because each
 * reaction queues the next one and the microtask queue is drained to empty
 * before the loop's first phase (L1, L2). The second then's job is queued
 * when the first one's derived promise settles. */
#include "../case.h"

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *p, *p1;
    loop = case_loop();

    printf("start\n");
    MUST(tide_set_timeout(loop, print, "timeout", 0));
    MUST(tide_promise_resolved(loop, NULL, &p));
    MUST(tide_promise_then(p, print_ok, NULL, "promise 1", &p1));
    MUST(tide_promise_then(p1, print_ok, NULL, "promise 2", NULL));
    tide_promise_release(p);
    tide_promise_release(p1);
    printf("end\n");

    return case_finish(loop);
}
