/* A3: starting async functions without awaiting them returns at once;
 * their bodies finish after the code that follows. */
#include "../case.h"

static tide_result_t item(tide_loop_t *loop, void *arg)
{
    MUST(tide_await_value(NULL, NULL));
    printf("item %d\n", (int)(intptr_t)arg);
    return tide_ok(NULL);
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();
    for (intptr_t x = 1; x <= 3; x++) MUST(tide_async(loop, item, (void *)x, NULL));
    printf("after forEach\n");
    return case_finish(loop);
}
