/* T1: a delay that is not >= 1, or is above 2^31 - 1, becomes 1 ms, and such timers share the 1 ms
 * list with real 1 ms timers, in creation order. The 100 ms timer created
 * first still fires last. The C delay is a uint64_t, so -5 and NaN have no
 * spelling here: they are passed as 0, which tide_set_timeout also treats
 * as 1 ms. */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    MUST(tide_set_timeout(loop, print, "100 ms", 100));
    MUST(tide_set_timeout(loop, print, "0 ms", 0));
    MUST(tide_set_timeout(loop, print, "1 ms", 1));
    MUST(tide_set_timeout(loop, print, "-5 ms", 0));
    MUST(tide_set_timeout(loop, print, "NaN ms", 0));
    MUST(tide_set_timeout(loop, print, "2**31 ms", UINT64_C(1) << 31));
    MUST(tide_set_timeout(loop, print, "0 ms again", 0));

    return case_finish(loop);
}
