/* P2: two chains started together advance one turn at a time, in the
 * order their reactions were queued. */
#include "../case.h"

static void chain(tide_loop_t *loop, const char **names, int n)
{
    tide_promise_t *p, *next;
    MUST(tide_promise_resolved(loop, NULL, &p));
    for (int i = 0; i < n; i++) {
        MUST(tide_promise_then(p, print_ok, NULL, (void *)names[i], &next));
        tide_promise_release(p);
        p = next;
    }
    tide_promise_release(p);
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();
    static const char *a[] = {"a1", "a2", "a3"}, *b[] = {"b1", "b2"};
    chain(loop, a, 3);
    chain(loop, b, 2);
    printf("sync\n");
    return case_finish(loop);
}
