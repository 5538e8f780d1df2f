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
    setvbuf(stdout, NULL, _IOLBF, 0); /* a crash still shows how far we got */
    MUST(tide_loop_new(&loop));

    MUST(tide_queue_microtask(loop, microtask1, NULL));
    MUST(tide_queue_microtask(loop, print, "microtask 2")); /* Promise.resolve().then */
    printf("main done\n");

    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    MUST(tide_loop_close(loop));
    return 0;
}
