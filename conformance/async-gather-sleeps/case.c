/* A1: tasks started together overlap: sleeps finish in delay order and
 * tide_promise_all keeps input order (asyncio.gather); awaiting one after
 * another serialises them. */
#include "../case.h"

typedef struct {
    const char *name;
    uint64_t ms;
} job_t;

static tide_result_t task(tide_loop_t *loop, void *arg)
{
    job_t *j = arg;
    MUST(tide_sleep_await(loop, j->ms, NULL));
    printf("%s\n", j->name);
    return tide_ok((void *)j->name);
}

static void run_task(tide_loop_t *loop, job_t *j)
{
    tide_promise_t *p;
    MUST(tide_async(loop, task, j, &p));
    MUST(tide_await(p, NULL, NULL));
    tide_promise_release(p);
}

static tide_result_t main_task(tide_loop_t *loop, void *arg)
{
    static job_t slow = {"slow", 20}, fast = {"fast", 10}, first = {"first", 10}, second = {"second", 5};
    tide_promise_t *in[2], *all;
    void **names;
    MUST(tide_async(loop, task, &slow, &in[0]));
    MUST(tide_async(loop, task, &fast, &in[1]));
    MUST(tide_promise_all(loop, in, 2, &all));
    MUST(tide_await(all, (void **)&names, NULL));
    printf("gathered %s,%s\n", (char *)names[0], (char *)names[1]);
    tide_promise_release(all);
    tide_promise_release(in[0]);
    tide_promise_release(in[1]);
    run_task(loop, &first);
    run_task(loop, &second);
    printf("serial done\n");
    return tide_ok(NULL);
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();
    MUST(tide_async(loop, main_task, NULL, NULL));
    return case_finish(loop);
}
