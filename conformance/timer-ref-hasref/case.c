/* T6: has_ref reports the ref state; ref undoes unref, so the timer keeps
 * the loop alive and fires, while the unref'd one after it never does.
 * Node's 'exit' event is the return of tide_run; where Node's process exits
 * with B still pending, the C program clears it so the loop can close. */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static const char *js_bool(int v) { return v ? "true" : "false"; }

int main(void)
{
    tide_id_t a, b;
    tide_loop_t *loop;
    loop = case_loop();

    a = MUST(tide_set_timeout(loop, print, "timeout A (10 ms)", 10));
    MUST(tide_timeout_unref(loop, a));
    printf("A after unref: hasRef %s\n", js_bool(MUST(tide_timeout_has_ref(loop, a))));
    MUST(tide_timeout_ref(loop, a));
    printf("A after ref: hasRef %s\n", js_bool(MUST(tide_timeout_has_ref(loop, a))));
    b = MUST(tide_set_timeout(loop, print, "timeout B (500 ms, never)", 500));
    MUST(tide_timeout_unref(loop, b));
    printf("B after unref: hasRef %s\n", js_bool(MUST(tide_timeout_has_ref(loop, b))));

    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    printf("loop done\n");
    if (tide_clear_timeout(loop, b) != 1) {
        fprintf(stderr, "the unref'd timer B is no longer pending\n");
        return 1;
    }
    MUST(tide_loop_close(loop));
    return 0;
}
