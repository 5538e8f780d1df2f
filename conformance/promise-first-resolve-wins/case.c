/* P3: only the first resolve or reject counts; later ones are ignored
 * (tide says -EALREADY). The "executor" is the code right after
 * tide_promise_new: it runs synchronously. */
#include "../case.h"

static tide_result_t value_is(tide_loop_t *loop, void *data, void *value)
{
    printf("value %s\n", (const char *)value);
    return tide_ok(NULL);
}

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *p, *q;
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(tide_loop_new(&loop));

    MUST(tide_promise_new(loop, &p));
    printf("executor\n");
    MUST(tide_promise_fulfil(p, "first"));
    if (tide_promise_fulfil(p, "second") != -EALREADY) return 3;
    if (tide_promise_reject(p, tide_error_new(-EIO, "late")) != -EALREADY) return 3;
    MUST(tide_promise_then(p, value_is, NULL, NULL, NULL));

    MUST(tide_promise_new(loop, &q));
    MUST(tide_promise_reject(q, tide_error_new(-EIO, "no")));
    if (tide_promise_fulfil(q, "yes") != -EALREADY) return 3;
    MUST(tide_promise_catch(q, print_err, "rejected", NULL));
    tide_promise_release(p);
    tide_promise_release(q);
    printf("sync\n");
    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    MUST(tide_loop_close(loop));
    return 0;
}
