/* L4(d): the next iteration starts with timers, so a due timer runs before
 * an immediate queued during the previous check phase. */
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

static void immediate1(tide_loop_t *loop, void *data)
{
    printf("immediate 1\n");
    MUST(tide_set_immediate(loop, print, "immediate 2 (queued in the check phase)"));
    MUST(tide_set_timeout(loop, print, "timeout", 1));
    /* Make the timer due before the next iteration begins. */
    busy_wait_ms(5);
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    MUST(tide_set_immediate(loop, immediate1, NULL));

    return case_finish(loop);
}
