/* I2: an immediate cleared before it runs never runs, even when the
 * clearing callback runs earlier in the same check phase. Clearing it again
 * (or clearing nothing, id 0) does nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static tide_id_t b;

static void immediate_a(tide_loop_t *loop, void *data)
{
    printf("immediate A: clears B\n");
    tide_clear_immediate(loop, b);
    tide_clear_immediate(loop, b);
    tide_clear_immediate(loop, 0);
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    MUST(tide_set_immediate(loop, immediate_a, NULL));
    b = MUST(tide_set_immediate(loop, print, "immediate B (never)"));
    MUST(tide_set_immediate(loop, print, "immediate C"));

    return case_finish(loop);
}
