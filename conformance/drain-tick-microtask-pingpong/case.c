/* L2 step 3: when the microtask queue queues ticks, the drain goes back to
 * the tick queue, and the two can ping-pong for any number of rounds, all
 * before the loop's first phase (the immediate). */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static int rounds = 0;
static void microtask(tide_loop_t *loop, void *data);
static void tick(tide_loop_t *loop, void *data)
{
    printf("tick %d\n", rounds);
    MUST(tide_queue_microtask(loop, microtask, NULL));
}
static void microtask(tide_loop_t *loop, void *data)
{
    printf("microtask %d\n", rounds);
    if (++rounds < 4) MUST(tide_next_tick(loop, tick, NULL));
}
static void on_immediate(tide_loop_t *loop, void *data) { printf("immediate\n"); }

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    MUST(tide_set_immediate(loop, on_immediate, NULL));
    MUST(tide_next_tick(loop, tick, NULL));
    printf("main done\n");

    return case_finish(loop);
}
