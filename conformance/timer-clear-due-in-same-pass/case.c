/* T4: a timer cleared by an earlier callback of the same timers pass never
 * runs, although it was already due. tide_clear_interval works on a timeout
 * too, and clearing an id again (or clearing nothing, id 0) is harmless. */
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

static tide_id_t b, c;

static void timeout_a(tide_loop_t *loop, void *data)
{
    printf("timeout A: clears B and C\n");
    tide_clear_timeout(loop, b);
    tide_clear_interval(loop, c);
    tide_clear_timeout(loop, b);
    tide_clear_timeout(loop, 0);
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    MUST(tide_set_timeout(loop, timeout_a, NULL, 1));
    b = MUST(tide_set_timeout(loop, print, "timeout B (never)", 1));
    c = MUST(tide_set_timeout(loop, print, "timeout C (never)", 1));
    MUST(tide_set_timeout(loop, print, "timeout D", 1));
    /* All four are due in the first timers pass. */
    busy_wait_ms(5);

    return case_finish(loop);
}
