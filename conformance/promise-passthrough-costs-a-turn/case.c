/* P3: a then with no handler for the outcome passes it on, but still
 * costs one job; catch on a fulfilled promise passes the value. */
#include "../case.h"

int main(void)
{
    tide_loop_t *loop;
    tide_promise_t *p, *d;
    loop = case_loop();

    MUST(tide_promise_resolved(loop, "v", &p));
    MUST(tide_promise_catch(p, print_err, "never", &d));
    MUST(tide_promise_then(d, print_value, NULL, "value", NULL));
    tide_promise_release(p);
    tide_promise_release(d);

    MUST(tide_promise_rejected(loop, tide_error_new(-EIO, "e"), &p));
    MUST(tide_promise_then(p, print_ok, NULL, "never", &d));
    MUST(tide_promise_catch(d, print_err, "caught", NULL));
    tide_promise_release(p);
    tide_promise_release(d);

    turns(loop, 3);
    return case_finish(loop);
}
