/* L2: a microtask queued from a tick waits until the whole tick queue is
 * empty, including ticks queued after it. */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static void tick1(tide_loop_t *loop, void *data)
{
    printf("tick 1\n");
    MUST(tide_queue_microtask(loop, print, "microtask from tick 1"));
    MUST(tide_next_tick(loop, print, "tick 3 (from tick 1)"));
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    MUST(tide_next_tick(loop, tick1, NULL));
    MUST(tide_next_tick(loop, print, "tick 2"));
    printf("main done\n");

    return case_finish(loop);
}
