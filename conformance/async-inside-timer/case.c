/* A4: a task started in a timer callback runs its whole microtask chain
 * before the next timer callback. */
#include "../case.h"

static tide_result_t chain(tide_loop_t *loop, void *arg)
{
    printf("%s start\n", (char *)arg);
    MUST(tide_await_value(NULL, NULL));
    printf("%s step 1\n", (char *)arg);
    MUST(tide_await_value(NULL, NULL));
    printf("%s step 2\n", (char *)arg);
    return tide_ok(NULL);
}

static void start(tide_loop_t *loop, void *name) { MUST(tide_async(loop, chain, name, NULL)); }

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();
    MUST(tide_set_timeout(loop, start, "t1", 0));
    MUST(tide_set_timeout(loop, start, "t2", 0));
    return case_finish(loop);
}
