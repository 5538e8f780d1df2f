/* A2: tasks that yield with an immediate take turns, one step per loop
 * iteration. */
#include "../case.h"

static tide_result_t worker(tide_loop_t *loop, void *arg)
{
    for (int i = 1; i <= 3; i++) {
        printf("%s %d\n", (char *)arg, i);
        MUST(tide_immediate_await(loop, NULL));
    }
    return tide_ok(NULL);
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();
    MUST(tide_async(loop, worker, "a", NULL));
    MUST(tide_async(loop, worker, "b", NULL));
    return case_finish(loop);
}
