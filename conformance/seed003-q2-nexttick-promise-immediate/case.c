/* Seed 003 Q2: sync code first, then the nextTick queue, then microtasks
 * (L1, L2), and the immediate only in the loop's check phase. */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    MUST(tide_set_immediate(loop, print, "1: setImmediate"));
    MUST(tide_next_tick(loop, print, "2: nextTick"));
    tide_promise_t *p;
    MUST(tide_promise_resolved(loop, NULL, &p));
    MUST(tide_promise_then(p, print_ok, NULL, "3: Promise", NULL));
    tide_promise_release(p);
    printf("4: sync\n");

    return case_finish(loop);
}
