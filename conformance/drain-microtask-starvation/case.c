/* L2: microtasks queued by microtasks run before the tick queued from the
 * first of them and before every phase of the loop (the immediate). */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static int depth = 0;
static void recurse(tide_loop_t *loop, void *data)
{
    printf("microtask depth %d\n", depth);
    if (depth == 0) MUST(tide_next_tick(loop, print, "tick from depth 0"));
    if (++depth < 5) MUST(tide_queue_microtask(loop, recurse, NULL));
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    MUST(tide_set_immediate(loop, print, "immediate"));
    MUST(tide_queue_microtask(loop, recurse, NULL));
    printf("main done\n");

    return case_finish(loop);
}
