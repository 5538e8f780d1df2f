/* L2: a nextTick queued from a microtask waits until the whole microtask
 * queue is empty, including microtasks queued after it. */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static void microtask1(tide_loop_t *loop, void *data)
{
    printf("microtask 1\n");
    MUST(tide_next_tick(loop, print, "tick from microtask 1"));
    MUST(tide_queue_microtask(loop, print, "microtask 3 (from microtask 1)"));
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    MUST(tide_queue_microtask(loop, microtask1, NULL));
    MUST(tide_queue_microtask(loop, print, "microtask 2")); /* Promise.resolve().then */
    printf("main done\n");

    return case_finish(loop);
}
