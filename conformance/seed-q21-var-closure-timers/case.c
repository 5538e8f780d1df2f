/* Seed 000 Q21: callbacks run later, so with `var` all three timers see the
 * one shared i after the loop has finished: 3, 3, 3. Timers with equal delay
 * fire in creation order (T3). The `var i` is one static variable that every
 * callback reads. */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static int i; /* var i */

static void print_i(tide_loop_t *loop, void *data) { printf("%d\n", i); }

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    for (i = 0; i < 3; i++) {
        MUST(tide_set_timeout(loop, print_i, NULL, 0));
    }

    return case_finish(loop);
}
