/* tests/io/test_process_exec.c - running a program to completion: stdout
 * and stderr collected, the size limit (the child is killed, -ENOBUFS,
 * output cut at the limit), a timeout and an abort that kill it, spawn
 * errors returned at once, and the promise and awaiting forms. */
#include "process_test.h"

typedef struct {
    int calls;
    int error, status, sig;
    char out[4096], err[4096];
    size_t out_len, err_len;
} got_t;

static void on_result(tide_loop_t *loop, const tide_exec_result_t *r, void *data)
{
    got_t *g = data;
    g->calls++;
    g->error = r->error;
    g->status = r->exit_status;
    g->sig = r->term_signal;
    g->out_len = r->out_len;
    g->err_len = r->err_len;
    snprintf(g->out, sizeof g->out, "%s", r->out);
    snprintf(g->err, sizeof g->err, "%s", r->err);
}

static got_t run(tide_loop_t *loop, char *const *argv, const tide_exec_opts_t *eo)
{
    got_t g;
    memset(&g, 0, sizeof g);
    tide_process_opts_t o;
    memset(&o, 0, sizeof o);
    o.file = argv[0];
    o.args = argv;
    ASSERT_OK(tide_process_exec(loop, &o, eo, on_result, &g));
    ASSERT_EQ(g.calls, 0); /* never from inside the call */
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(g.calls, 1);
    return g;
}

static void test_collect(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    char *argv[] = {"sh", "-c", "echo out; echo err >&2; cat; exit 4", NULL};
    got_t g = run(loop, argv, NULL);
    ASSERT_EQ(g.error, 0);
    ASSERT_EQ(g.status, 4);
    ASSERT_EQ(g.sig, 0);
    ASSERT_STR_EQ(g.out, "out\n"); /* stdin was /dev/null: cat ended at once */
    ASSERT_STR_EQ(g.err, "err\n");
    char *quiet_argv[] = {"true", NULL};
    g = run(loop, quiet_argv, NULL);
    ASSERT_STR_EQ(g.out, "");
    ASSERT_EQ(g.out_len, 0);
    /* Exactly the limit is fine. */
    char *ten[] = {"head", "-c", "10", "/dev/zero", NULL};
    tide_exec_opts_t eo = {10, 0, 0, NULL};
    g = run(loop, ten, &eo);
    ASSERT_EQ(g.error, 0);
    ASSERT_EQ(g.out_len, 10);
    TEST_CLOSE_LOOP(loop);
}

static void test_max_buffer(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    char *yes[] = {"yes", NULL};
    tide_exec_opts_t eo = {100, 0, 0, NULL};
    got_t g = run(loop, yes, &eo);
    ASSERT_EQ(g.error, -ENOBUFS);
    ASSERT_EQ(g.out_len, 100);
    ASSERT_EQ(strlen(g.out), 100);
    ASSERT_EQ(g.status, -1);
    ASSERT_EQ(g.sig, SIGTERM);
    /* On stderr too, with another kill signal. */
    char *yes_err[] = {"sh", "-c", "exec yes >&2", NULL};
    tide_exec_opts_t eo2 = {1000, 0, SIGKILL, NULL};
    g = run(loop, yes_err, &eo2);
    ASSERT_EQ(g.error, -ENOBUFS);
    ASSERT_EQ(g.err_len, 1000);
    ASSERT_EQ(g.sig, SIGKILL);
    /* The default limit is 1 MiB. */
    char *big[] = {"head", "-c", "1048577", "/dev/zero", NULL};
    g = run(loop, big, NULL);
    ASSERT_EQ(g.error, -ENOBUFS);
    ASSERT_EQ(g.out_len, 1048576); /* zeros: the string looks empty, the length says */
    TEST_CLOSE_LOOP(loop);
}

static void test_timeout(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    /* stdin from a pipe nobody writes: cat waits until killed. */
    int in[2];
    plain_pipe(in);
    tide_stdio_t stdio[1] = {{TIDE_STDIO_FD, in[0]}};
    char *cat[] = {"cat", NULL};
    tide_process_opts_t o;
    memset(&o, 0, sizeof o);
    o.file = "cat";
    o.args = cat;
    o.stdio = stdio;
    o.stdio_count = 1;
    got_t g;
    memset(&g, 0, sizeof g);
    tide_exec_opts_t eo = {0, 20, 0, NULL};
    uint64_t start = tide_hrtime();
    ASSERT_OK(tide_process_exec(loop, &o, &eo, on_result, &g));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_GE(tide_hrtime() - start, UINT64_C(20000000));
    ASSERT_EQ(g.error, -ETIMEDOUT);
    ASSERT_EQ(g.sig, SIGTERM);
    close(in[0]);
    close(in[1]);
    tide_exec_opts_t bad = {0, UINT64_MAX, 0, NULL};
    ASSERT_EQ(tide_process_exec(loop, &o, &bad, on_result, &g), -EINVAL);
    tide_exec_opts_t badsig = {0, 0, 999, NULL};
    ASSERT_EQ(tide_process_exec(loop, &o, &badsig, on_result, &g), -EINVAL);
    ASSERT_EQ(tide_process_exec(loop, &o, NULL, NULL, &g), -EINVAL);
    TEST_CLOSE_LOOP(loop);
}

static void abort_it(tide_loop_t *loop, void *data) { ASSERT_OK(tide_abort(data, NULL)); }

static void test_abort(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int in[2];
    plain_pipe(in);
    tide_stdio_t stdio[1] = {{TIDE_STDIO_FD, in[0]}};
    char *cat[] = {"cat", NULL};
    tide_process_opts_t o;
    memset(&o, 0, sizeof o);
    o.file = "cat";
    o.args = cat;
    o.stdio = stdio;
    o.stdio_count = 1;
    tide_abort_controller_t *ctrl;
    ASSERT_OK(tide_abort_controller_new(loop, &ctrl));
    tide_exec_opts_t eo = {0, 0, 0, tide_abort_controller_signal(ctrl)};
    got_t g;
    memset(&g, 0, sizeof g);
    ASSERT_OK(tide_process_exec(loop, &o, &eo, on_result, &g));
    ASSERT(tide_set_immediate(loop, abort_it, ctrl) > 0);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(g.error, -ECANCELED);
    ASSERT_EQ(g.sig, SIGTERM);
    /* Already aborted: the child is killed at once. */
    memset(&g, 0, sizeof g);
    ASSERT_OK(tide_process_exec(loop, &o, &eo, on_result, &g));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(g.error, -ECANCELED);
    ASSERT_EQ(g.sig, SIGTERM);
    tide_abort_controller_free(ctrl);
    close(in[0]);
    close(in[1]);
    TEST_CLOSE_LOOP(loop);
}

static tide_result_t swallow(tide_loop_t *loop, void *data, tide_error_t *e) { return tide_ok(NULL); }

static void test_spawn_error(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int fds = count_fds();
    tide_process_opts_t o;
    memset(&o, 0, sizeof o);
    o.file = "tide-no-such-program";
    got_t g;
    memset(&g, 0, sizeof g);
    ASSERT_EQ(tide_process_exec(loop, &o, NULL, on_result, &g), -ENOENT);
    tide_promise_t *p;
    ASSERT_OK(tide_process_exec_promise(loop, &o, NULL, &p));
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_REJECTED);
    ASSERT_EQ(tide_promise_error(p)->code, -ENOENT);
    tide_promise_t *handled;
    ASSERT_OK(tide_promise_catch(p, swallow, NULL, &handled));
    tide_promise_release(handled);
    tide_promise_release(p);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(g.calls, 0);
    ASSERT_EQ(count_fds(), fds);
    TEST_CLOSE_LOOP(loop);
}

/* ---- promise and await -------------------------------------------------- */

static tide_result_t check_promise(tide_loop_t *loop, void *data, void *value)
{
    const tide_exec_result_t *r = value;
    int *seen = data;
    ASSERT_STR_EQ(r->out, "promised\n");
    ASSERT_EQ(r->exit_status, 0);
    *seen = 1;
    return tide_ok(NULL);
}

typedef struct {
    int rc_spawn_error, status;
    char out[64];
    int enobufs;
} awaited_t;

static tide_result_t await_body(tide_loop_t *loop, void *arg)
{
    awaited_t *a = arg;
    tide_process_opts_t o;
    memset(&o, 0, sizeof o);
    char *argv[] = {"sh", "-c", "echo awaited; exit 2", NULL};
    o.file = "sh";
    o.args = argv;
    tide_exec_result_t *r;
    ASSERT_OK(tide_process_exec_await(loop, &o, NULL, &r));
    a->status = r->exit_status;
    snprintf(a->out, sizeof a->out, "%s", r->out);
    tide_exec_result_free(r);
    char *yes[] = {"yes", NULL};
    o.file = "yes";
    o.args = yes;
    tide_exec_opts_t eo = {64, 0, 0, NULL};
    ASSERT_OK(tide_process_exec_await(loop, &o, &eo, &r));
    a->enobufs = r->error == -ENOBUFS && r->out_len == 64;
    tide_exec_result_free(r);
    o.file = "tide-no-such-program";
    a->rc_spawn_error = tide_process_exec_await(loop, &o, NULL, &r);
    ASSERT(r == NULL);
    return tide_ok(NULL);
}

static void test_promise_and_await(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_process_opts_t o;
    memset(&o, 0, sizeof o);
    char *argv[] = {"echo", "promised", NULL};
    o.file = "echo";
    o.args = argv;
    tide_promise_t *p, *then;
    ASSERT_OK(tide_process_exec_promise(loop, &o, NULL, &p));
    int seen = 0;
    ASSERT_OK(tide_promise_then(p, check_promise, NULL, &seen, &then));
    tide_promise_release(p);
    tide_promise_release(then);
    tide_exec_result_t *r;
    ASSERT_EQ(tide_process_exec_await(loop, &o, NULL, &r), -EPERM);
    awaited_t a;
    memset(&a, 0, sizeof a);
    tide_promise_t *done;
    ASSERT_OK(tide_async(loop, await_body, &a, &done));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(seen, 1);
    ASSERT_EQ(tide_promise_state_of(done), TIDE_PROMISE_FULFILLED);
    tide_promise_release(done);
    ASSERT_EQ(a.status, 2);
    ASSERT_STR_EQ(a.out, "awaited\n");
    ASSERT_EQ(a.enobufs, 1);
    ASSERT_EQ(a.rc_spawn_error, -ENOENT);
    TEST_CLOSE_LOOP(loop);
}

int main(void)
{
    test_collect();
    test_max_buffer();
    test_timeout();
    test_abort();
    test_spawn_error();
    test_promise_and_await();
    assert_no_children();
    printf("ok\n");
    return 0;
}
