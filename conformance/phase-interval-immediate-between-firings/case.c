/* L4(b): an immediate queued by an interval's callback runs before that
 * interval fires again, so firings and immediates alternate. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static int n = 0;
static tide_id_t interval;

static void on_immediate(tide_loop_t *loop, void *data) { printf("immediate %d\n", (int)(intptr_t)data); }

static void on_interval(tide_loop_t *loop, void *data)
{
    int k = ++n;
    printf("interval %d\n", k);
    MUST(tide_set_immediate(loop, on_immediate, (void *)(intptr_t)k));
    if (k == 3) tide_clear_interval(loop, interval);
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    interval = MUST(tide_set_interval(loop, on_interval, NULL, 1));

    return case_finish(loop);
}
