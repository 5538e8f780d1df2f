/* Seed 000 Q21, the fix: `let` gives each iteration its own binding, so the
 * timers print 0, 1, 2, in creation order (T3). Each callback gets its own
 * copy of i through its data pointer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static void print_i(tide_loop_t *loop, void *data) { printf("%d\n", (int)(intptr_t)data); }

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    for (int i = 0; i < 3; i++) {
        MUST(tide_set_timeout(loop, print_i, (void *)(intptr_t)i, 0));
    }

    return case_finish(loop);
}
