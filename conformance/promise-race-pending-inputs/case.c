/* P7: with pending inputs, the first to settle decides; later ones are
 * ignored but handled (never reported as unhandled). */
#include "../case.h"

static tide_promise_t *a, *b;

static void resolve_b(tide_loop_t *loop, void *data)
{
    MUST(tide_promise_fulfil(b, "b"));
    printf("resolved b\n");
}

static void reject_a(tide_loop_t *loop, void *data)
{
    MUST(tide_promise_reject(a, tide_error_new(-EIO, "late a")));
    printf("rejected a\n");
}

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *r;
    loop = case_loop();
    MUST(tide_promise_new(loop, &a));
    MUST(tide_promise_new(loop, &b));
    MUST(tide_promise_race(loop, (tide_promise_t *[]){a, b}, 2, &r));
    MUST(tide_promise_then(r, print_value, NULL, "race", NULL));
    tide_promise_release(r);
    MUST(tide_promise_all(loop, (tide_promise_t *[]){a, b}, 2, &r));
    MUST(tide_promise_catch(r, print_err, "all", NULL));
    tide_promise_release(r);
    MUST(tide_set_timeout(loop, resolve_b, NULL, 1));
    MUST(tide_set_timeout(loop, reject_a, NULL, 5));
    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    tide_promise_release(a);
    tide_promise_release(b);
    MUST(tide_loop_close(loop));
    return 0;
}
