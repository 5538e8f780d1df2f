/* I1: the check phase runs only the immediates queued before it began. C,
 * queued by A during the check phase, does not run in it: it waits for the
 * next iteration, after that iteration's timers. B, queued before the phase
 * began, runs in it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static void busy_wait_ms(uint64_t ms)
{
    uint64_t end = tide_hrtime() + ms * 1000000;
    while (tide_hrtime() < end) {}
}

static void immediate_a(tide_loop_t *loop, void *data)
{
    printf("immediate A\n");
    MUST(tide_set_immediate(loop, print, "immediate C (queued by A)"));
    MUST(tide_set_timeout(loop, print, "timeout (created by A)", 1));
    /* Make the timer due before the next iteration begins. */
    busy_wait_ms(5);
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    MUST(tide_set_immediate(loop, immediate_a, NULL));
    MUST(tide_set_immediate(loop, print, "immediate B"));

    return case_finish(loop);
}
