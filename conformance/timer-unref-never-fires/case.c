/* T6, L5: an unref'd timer does not keep the loop alive, so it never fires
 * when nothing else does: the loop ends after the 5 ms timer. Node's 'exit'
 * event is the return of tide_run; where Node's process exits with the
 * timer still pending, the C program clears it so the loop can close. */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

int main(void)
{
    tide_id_t t;
    tide_loop_t *loop;
    loop = case_loop();

    t = MUST(tide_set_timeout(loop, print, "timeout 500 ms (never)", 500));
    MUST(tide_timeout_unref(loop, t));
    MUST(tide_set_timeout(loop, print, "timeout 5 ms", 5));

    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    printf("loop done\n");
    if (tide_clear_timeout(loop, t) != 1) {
        fprintf(stderr, "the unref'd timer is no longer pending\n");
        return 1;
    }
    MUST(tide_loop_close(loop));
    return 0;
}
