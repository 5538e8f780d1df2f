/* L3: the drain is per callback, not per phase. Three timers expire in the
 * same timers phase, and each one's ticks and microtasks (and the chain a
 * microtask starts) run before the next timer's callback. The second .then
 * is queued as a microtask when the first one returns. */
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

static void then2(tide_loop_t *loop, void *data) { printf("%s: then 2\n", (const char *)data); }
static void then1(tide_loop_t *loop, void *data)
{
    printf("%s: then 1\n", (const char *)data);
    MUST(tide_queue_microtask(loop, then2, data));
}
static void tick(tide_loop_t *loop, void *data) { printf("%s: tick\n", (const char *)data); }
static void timer(tide_loop_t *loop, void *data)
{
    printf("%s\n", (const char *)data);
    MUST(tide_queue_microtask(loop, then1, data));
    MUST(tide_next_tick(loop, tick, data));
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    MUST(tide_set_timeout(loop, timer, "timeout A", 2));
    MUST(tide_set_timeout(loop, timer, "timeout B", 2));
    MUST(tide_set_timeout(loop, timer, "timeout C", 2));
    /* All three are due before the first timers phase starts. */
    busy_wait_ms(10);

    return case_finish(loop);
}
