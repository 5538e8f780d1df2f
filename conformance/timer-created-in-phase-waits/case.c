/* T3: a timer created during the timers phase never runs in that phase,
 * even when it becomes due while the phase is still running: it waits for
 * the next iteration, after this iteration's immediates. */
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

static void timeout_a(tide_loop_t *loop, void *data)
{
    printf("timeout A\n");
    MUST(tide_set_timeout(loop, print, "timeout C (created by A)", 1));
    MUST(tide_set_immediate(loop, print, "immediate (queued by A)"));
}

static void timeout_b(tide_loop_t *loop, void *data)
{
    printf("timeout B\n");
    /* C is due by the time B returns, but the phase's clock reading is older. */
    busy_wait_ms(5);
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    MUST(tide_set_timeout(loop, timeout_a, NULL, 1));
    MUST(tide_set_timeout(loop, timeout_b, NULL, 1));
    /* A and B are both due when the first timers phase starts. */
    busy_wait_ms(5);

    return case_finish(loop);
}
