/* L2: ticks queued by ticks run before anything else, so recursion through
 * nextTick holds back the microtask queued before it and every phase of
 * the loop (the immediate) until the recursion ends. */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static int depth = 0;
static void recurse(tide_loop_t *loop, void *data)
{
    printf("tick depth %d\n", depth);
    if (++depth < 5) MUST(tide_next_tick(loop, recurse, NULL));
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    MUST(tide_set_immediate(loop, print, "immediate"));
    MUST(tide_queue_microtask(loop, print, "microtask"));
    MUST(tide_next_tick(loop, recurse, NULL));
    printf("main done\n");

    return case_finish(loop);
}
