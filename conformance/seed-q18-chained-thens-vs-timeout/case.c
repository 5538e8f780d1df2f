/* Seed 000 Q18: chained thens all run before a 0 ms timer, because each
 * reaction queues the next one and the microtask queue is drained to empty
 * before the loop's first phase (L1, L2). The second .then is queued as a
 * microtask when the first one returns. */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static void on_timeout(tide_loop_t *loop, void *data) { printf("timeout\n"); }
static void promise2(tide_loop_t *loop, void *data) { printf("promise 2\n"); }
static void promise1(tide_loop_t *loop, void *data)
{
    printf("promise 1\n");
    MUST(tide_queue_microtask(loop, promise2, NULL)); /* .then(promise 2) */
}

int main(void)
{
    tide_loop_t *loop;
    setvbuf(stdout, NULL, _IOLBF, 0); /* a crash still shows how far we got */
    MUST(tide_loop_new(&loop));

    printf("start\n");
    MUST(tide_set_timeout(loop, on_timeout, NULL, 0));
    MUST(tide_queue_microtask(loop, promise1, NULL));
    printf("end\n");

    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    MUST(tide_loop_close(loop));
    return 0;
}
