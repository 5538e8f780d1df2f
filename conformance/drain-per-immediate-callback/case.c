/* L3: between two immediates of one check phase the drain runs in full:
 * each immediate's ticks and microtasks run before the next immediate. */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static void tick_from_microtask(tide_loop_t *loop, void *data) { printf("%s: tick from microtask\n", (const char *)data); }
static void microtask(tide_loop_t *loop, void *data)
{
    printf("%s: microtask\n", (const char *)data);
    MUST(tide_next_tick(loop, tick_from_microtask, data));
}
static void tick(tide_loop_t *loop, void *data) { printf("%s: tick\n", (const char *)data); }
static void immediate(tide_loop_t *loop, void *data)
{
    printf("%s\n", (const char *)data);
    MUST(tide_queue_microtask(loop, microtask, data));
    MUST(tide_next_tick(loop, tick, data));
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    MUST(tide_set_immediate(loop, immediate, "immediate A"));
    MUST(tide_set_immediate(loop, immediate, "immediate B"));
    MUST(tide_set_immediate(loop, immediate, "immediate C"));

    return case_finish(loop);
}
