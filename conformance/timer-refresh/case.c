/* T6: refresh re-arms a timer with its original delay counted from now.
 * A (300 ms) is refreshed by B at 200 ms, so it fires at 500 ms: after C
 * (400 ms), which it would have beaten without the refresh. */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static tide_id_t a;

static void timeout_b(tide_loop_t *loop, void *data)
{
    printf("timeout B (200 ms): refresh A\n");
    MUST(tide_timeout_refresh(loop, a));
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    a = MUST(tide_set_timeout(loop, print, "timeout A (300 ms, refreshed at 200 ms)", 300));
    MUST(tide_set_timeout(loop, timeout_b, NULL, 200));
    MUST(tide_set_timeout(loop, print, "timeout C (400 ms)", 400));

    return case_finish(loop);
}
