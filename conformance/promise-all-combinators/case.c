/* P7: combinators over settled inputs: a then on the result runs at
 * turn 2; all keeps input order; race takes the first in the array; any
 * takes the first fulfilment; allSettled reports each. */
#include "../case.h"

static tide_result_t all_ok(tide_loop_t *loop, void *data, void *value)
{
    void **v = value;
    printf("all %s,%s\n", (char *)v[0], (char *)v[1]);
    return tide_ok(NULL);
}

static tide_result_t any_ok(tide_loop_t *loop, void *data, void *value)
{
    printf("any %s\n", (char *)value);
    return tide_ok(NULL);
}

static tide_result_t settled_ok(tide_loop_t *loop, void *data, void *value)
{
    tide_settled_t *s = value;
    printf("allSettled %s,%s\n", s[0].fulfilled ? "fulfilled" : "rejected",
           s[1].fulfilled ? "fulfilled" : "rejected");
    return tide_ok(NULL);
}

static tide_result_t empty_ok(tide_loop_t *loop, void *data, void *value)
{
    printf("all empty 0\n");
    return tide_ok(NULL);
}

static tide_result_t any_err(tide_loop_t *loop, void *data, tide_error_t *e)
{
    printf("any rejected: %s (%zu)\n", e->message, e->nerrors);
    return tide_ok(NULL);
}

typedef int (*combinator)(tide_loop_t *, tide_promise_t *const *, size_t, tide_promise_t **);

static void on(tide_loop_t *loop, combinator c, tide_promise_t *const *in, size_t n,
               tide_on_fulfilled ok, tide_on_rejected err, void *data)
{
    tide_promise_t *r;
    MUST(c(loop, in, n, &r));
    MUST(tide_promise_then(r, ok, err, data, NULL));
    tide_promise_release(r);
}

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *a, *b, *bad, *bad2;
    loop = case_loop();
    MUST(tide_promise_resolved(loop, "a", &a));
    MUST(tide_promise_resolved(loop, "b", &b));
    MUST(tide_promise_rejected(loop, tide_error_new(-EIO, "bad"), &bad));

    on(loop, tide_promise_all, (tide_promise_t *[]){b, a}, 2, all_ok, NULL, NULL);
    MUST(tide_promise_rejected(loop, tide_error_new(-EIO, "bad2"), &bad2));
    on(loop, tide_promise_all, (tide_promise_t *[]){a, bad, bad2}, 3, NULL, print_err, "all rejected");
    on(loop, tide_promise_race, (tide_promise_t *[]){bad, a}, 2, NULL, print_err, "race rejected");
    on(loop, tide_promise_any, (tide_promise_t *[]){bad, b, a}, 3, any_ok, NULL, NULL);
    on(loop, tide_promise_all_settled, (tide_promise_t *[]){a, bad}, 2, settled_ok, NULL, NULL);
    on(loop, tide_promise_all, NULL, 0, empty_ok, NULL, NULL);
    on(loop, tide_promise_any, (tide_promise_t *[]){bad}, 1, NULL, any_err, NULL);
    turns(loop, 3);
    tide_promise_release(a);
    tide_promise_release(b);
    tide_promise_release(bad);
    tide_promise_release(bad2);
    return case_finish(loop);
}
