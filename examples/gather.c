/* examples/gather.c - two async tasks that sleep 2 s and 1 s, gathered:
 * the seeds' asyncio example in C.
 *
 *     async def task(name, delay):
 *         await asyncio.sleep(delay)
 *         print(name)
 *     async def main():
 *         await asyncio.gather(task("slow", 2), task("fast", 1))
 *
 * Prints "fast" then "slow" and takes about 2 s, not 3: while one task
 * sleeps, the loop runs the other. */
#include <stdio.h>
#include <tide.h>

typedef struct {
    const char *name;
    uint64_t delay_ms;
} task_args_t;

static tide_result_t task(tide_loop_t *loop, void *arg)
{
    task_args_t *t = arg;
    int rc = tide_sleep_await(loop, t->delay_ms, NULL);
    if (rc) return tide_fail(tide_error_new(rc, "sleep failed"));
    printf("%s\n", t->name);
    return tide_ok(NULL);
}

static tide_result_t gather_main(tide_loop_t *loop, void *arg)
{
    static task_args_t slow = {"slow", 2000}, fast = {"fast", 1000};
    tide_promise_t *tasks[2], *all;
    int rc = tide_async(loop, task, &slow, &tasks[0]);
    if (rc == 0) rc = tide_async(loop, task, &fast, &tasks[1]);
    if (rc) return tide_fail(tide_error_new(rc, "cannot start the tasks"));
    rc = tide_promise_all(loop, tasks, 2, &all);
    tide_promise_release(tasks[0]);
    tide_promise_release(tasks[1]);
    if (rc) return tide_fail(tide_error_new(rc, "cannot gather"));
    tide_error_t *err = NULL;
    rc = tide_await(all, NULL, &err);
    tide_promise_release(all);
    return rc ? tide_fail(err) : tide_ok(NULL);
}

int main(void)
{
    tide_loop_t *loop;
    if (tide_loop_new(&loop) != 0) return 1;
    uint64_t start = tide_hrtime();
    /* An error of gather_main would be an unhandled rejection: printed,
     * exit status 1. */
    tide_async(loop, gather_main, NULL, NULL);
    tide_run(loop, TIDE_RUN_DEFAULT);
    printf("took %.1f s\n", (double)(tide_hrtime() - start) / 1e9);
    return tide_loop_close(loop) == 0 ? 0 : 1;
}
