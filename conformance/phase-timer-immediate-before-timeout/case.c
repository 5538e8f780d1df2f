/* L4(b): after a timer callback, an immediate it queued (check phase of the
 * same iteration) runs before a 0 ms timeout it created (timers phase of a
 * later iteration), even when the timer was created first. */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static void on_timeout(tide_loop_t *loop, void *data)
{
    printf("timeout\n");
    MUST(tide_set_timeout(loop, print, "timeout 0 from timeout", 0));
    MUST(tide_set_immediate(loop, print, "immediate from timeout"));
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    MUST(tide_set_timeout(loop, on_timeout, NULL, 1));

    return case_finish(loop);
}
