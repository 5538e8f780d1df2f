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
    setvbuf(stdout, NULL, _IOLBF, 0); /* a crash still shows how far we got */
    MUST(tide_loop_new(&loop));

    MUST(tide_set_timeout(loop, on_timeout, NULL, 1));

    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    MUST(tide_loop_close(loop));
    return 0;
}
