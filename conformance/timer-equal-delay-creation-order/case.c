/* T3: timers with the same delay fire in creation order, and earlier due
 * times first, whatever order they were created in. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static void print_n(tide_loop_t *loop, void *data) { printf("50 ms #%d\n", (int)(intptr_t)data); }

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    MUST(tide_set_timeout(loop, print, "150 ms", 150));
    for (int i = 1; i <= 5; i++) {
        MUST(tide_set_timeout(loop, print_n, (void *)(intptr_t)i, 50));
    }
    MUST(tide_set_timeout(loop, print, "100 ms", 100));

    return case_finish(loop);
}
