/* P3: only the first resolve or reject counts; later ones are ignored
 * (tide says -EALREADY). The "executor" is the code right after
 * tide_promise_new: it runs synchronously. */
#include "../case.h"

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *p, *q;
    loop = case_loop();

    MUST(tide_promise_new(loop, &p));
    printf("executor\n");
    MUST(tide_promise_fulfil(p, "first"));
    if (tide_promise_fulfil(p, "second") != -EALREADY) return 3;
    if (tide_promise_reject(p, tide_error_new(-EIO, "late")) != -EALREADY) return 3;
    MUST(tide_promise_then(p, print_value, NULL, "value", NULL));

    MUST(tide_promise_new(loop, &q));
    MUST(tide_promise_reject(q, tide_error_new(-EIO, "no")));
    if (tide_promise_fulfil(q, "yes") != -EALREADY) return 3;
    MUST(tide_promise_catch(q, print_err, "rejected", NULL));
    tide_promise_release(p);
    tide_promise_release(q);
    printf("sync\n");
    return case_finish(loop);
}
