/* T5: an interval re-arms after every run until it is cleared; clearing it
 * inside its own callback stops it and lets the loop end. The ticks and
 * microtasks of one firing run before the next firing. Node's 'exit' event
 * is the return of tide_run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static int n = 0;
static tide_id_t interval;

static void microtask(tide_loop_t *loop, void *data) { printf("interval %d: microtask\n", (int)(intptr_t)data); }
static void tick(tide_loop_t *loop, void *data) { printf("interval %d: tick\n", (int)(intptr_t)data); }

static void on_interval(tide_loop_t *loop, void *data)
{
    int k = ++n;
    printf("interval %d\n", k);
    MUST(tide_queue_microtask(loop, microtask, (void *)(intptr_t)k));
    MUST(tide_next_tick(loop, tick, (void *)(intptr_t)k));
    if (k == 3) {
        tide_clear_interval(loop, interval);
        printf("cleared\n");
    }
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    interval = MUST(tide_set_interval(loop, on_interval, NULL, 2));

    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    printf("loop done\n");
    MUST(tide_loop_close(loop));
    return 0;
}
