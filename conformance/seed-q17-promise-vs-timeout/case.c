/* Seed 000 Q17: a resolved promise's reaction beats a 0 ms timer (L1, L2).
 * Expected: A D C B. A .then on a settled promise queues its reaction as a
 * microtask at once. */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static void print_b(tide_loop_t *loop, void *data) { printf("B\n"); }


int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    printf("A\n");
    MUST(tide_set_timeout(loop, print_b, NULL, 0));
    tide_promise_t *p;
    MUST(tide_promise_resolved(loop, NULL, &p));
    MUST(tide_promise_then(p, print_ok, NULL, "C", NULL));
    tide_promise_release(p);
    printf("D\n");

    return case_finish(loop);
}
