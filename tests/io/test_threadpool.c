/* tests/io/test_threadpool.c - the thread pool: completions on the loop's
 * thread in the order work finished, cancellation, the lane rule, the
 * promise and awaiting forms with abort, loop liveness and close, no
 * allocation after warm-up, injected failures, and fork. */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/sys.h"
#include "gate.h"
#include "test.h"
#include "test_alloc.h"

static pthread_t loop_thread;

static int square(void *data)
{
    int *v = data;
    return *v * *v;
}

static int sum_status;
static int done_count;
static void count_done(tide_loop_t *loop, int status, void *data)
{
    ASSERT(pthread_equal(pthread_self(), loop_thread));
    sum_status += status;
    done_count++;
}

static void test_submit_runs_on_workers(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    static int values[100];
    int want = 0;
    sum_status = done_count = 0;
    for (int i = 0; i < 100; i++) {
        values[i] = i;
        want += i * i;
        ASSERT_OK(tide_work_submit(loop, (tide_lane_t)(i % TIDE_LANE_COUNT), square, count_done,
                                   &values[i], NULL));
    }
    ASSERT(tide_loop_alive(loop));
    ASSERT_EQ(tide_loop_close(loop), -EBUSY); /* work in flight */
    TEST_CLOSE_LOOP(loop);
    ASSERT_EQ(done_count, 100);
    ASSERT_EQ(sum_status, want);
}

static void test_bad_arguments(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_EQ(tide_work_submit(loop, (tide_lane_t)7, square, count_done, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_work_submit(loop, TIDE_LANE_CPU, NULL, count_done, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_work_submit(loop, TIDE_LANE_CPU, square, NULL, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_work_cancel(NULL), -EINVAL);
    ASSERT_EQ(tide_work_await(loop, TIDE_LANE_CPU, square, NULL, NULL, NULL), -EPERM);
    ASSERT_EQ(tide_threadpool_set_size(2), -EINVAL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- order and cancellation --------------------------------------------- */

static gate_t gate;
static int wait_at_gate(void *data)
{
    gate_pass(&gate);
    return 0;
}

static void log_done(tide_loop_t *loop, int status, void *data)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s:%s", (const char *)data, status < 0 ? tide_err_name(status) : "ok");
    test_log(&log_, buf);
}

static int nothing(void *data) { return 0; }

static void open_gate_done(tide_loop_t *loop, int status, void *data)
{
    log_done(loop, status, data);
    gate_open(&gate);
}

/* A job that finishes later completes later; a cancelled one completes
 * with ECANCELED from the loop, not from inside the cancel. */
static void test_order_and_cancel(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    gate_init(&gate);
    log_reset();
    unsigned n = tide_threadpool_size();
    /* The CPU lane gets n - 2 workers while FILE and DNS are idle. */
    for (unsigned i = 0; i < n - 2; i++)
        ASSERT_OK(tide_work_submit(loop, TIDE_LANE_CPU, wait_at_gate, log_done, "slow", NULL));
    gate_wait_for(&gate, (int)n - 2);
    tide_work_t *queued, *queued2;
    ASSERT_OK(tide_work_submit(loop, TIDE_LANE_CPU, nothing, log_done, "queued", &queued));
    ASSERT_OK(tide_work_submit(loop, TIDE_LANE_CPU, nothing, log_done, "queued2", &queued2));
    ASSERT_OK(tide_work_cancel(queued));
    ASSERT_EQ(log_.len, 0); /* nothing from inside the call */
    ASSERT_EQ(tide_work_cancel(queued), -EBUSY);
    ASSERT_OK(tide_work_submit(loop, TIDE_LANE_FILE, nothing, open_gate_done, "file", NULL));
    TEST_CLOSE_LOOP(loop);
    /* "queued" was cancelled before "file" even ran; "file" finished while
     * the slow ones waited; queued2 could only start after one of them. */
    const char *first = "queued:ECANCELED file:ok slow:ok";
    ASSERT(strncmp(log_.buf, first, strlen(first)) == 0);
    ASSERT(strstr(log_.buf, "queued2:ok") != NULL);
    ASSERT_EQ(gate_max(&gate), (int)n - 2);
    gate_destroy(&gate);
}

/* A running job cannot be cancelled. */
static void test_cancel_running(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    gate_init(&gate);
    log_reset();
    tide_work_t *req;
    ASSERT_OK(tide_work_submit(loop, TIDE_LANE_CPU, wait_at_gate, log_done, "running", &req));
    gate_wait_for(&gate, 1);
    ASSERT_EQ(tide_work_cancel(req), -EBUSY);
    gate_open(&gate);
    TEST_CLOSE_LOOP(loop);
    ASSERT_STR_EQ(log_.buf, "running:ok");
    gate_destroy(&gate);
}

/* ---- lanes --------------------------------------------------------------- */

static gate_t file_gate;
static int slow_file(void *data)
{
    gate_pass(&file_gate);
    return 0;
}
static int cpu_max_before, file_max_before;
static void open_all_done(tide_loop_t *loop, int status, void *data)
{
    log_done(loop, status, data);
    if (strcmp(data, "dns") == 0) {
        cpu_max_before = gate_max(&gate);
        file_max_before = gate_max(&file_gate);
        gate_open(&file_gate);
        gate_open(&gate);
    }
}

/* However much CPU and FILE work waits, each lane keeps a worker for
 * itself: a FILE job runs while CPU fills what it may, and a DNS job runs
 * while both are full. */
static void test_lanes_keep_a_worker(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    gate_init(&gate);
    gate_init(&file_gate);
    log_reset();
    unsigned n = tide_threadpool_size();
    for (int i = 0; i < 12; i++)
        ASSERT_OK(tide_work_submit(loop, TIDE_LANE_CPU, wait_at_gate, log_done, "cpu", NULL));
    gate_wait_for(&gate, (int)n - 2);
    for (int i = 0; i < 12; i++)
        ASSERT_OK(tide_work_submit(loop, TIDE_LANE_FILE, slow_file, log_done, "file", NULL));
    gate_wait_for(&file_gate, 1);
    ASSERT_OK(tide_work_submit(loop, TIDE_LANE_DNS, nothing, open_all_done, "dns", NULL));
    TEST_CLOSE_LOOP(loop);
    ASSERT(strncmp(log_.buf, "dns:ok", 6) == 0);
    /* Until the DNS job ran, CPU had all but the two kept for FILE and
     * DNS, and FILE all but the one kept for DNS. */
    ASSERT_EQ(cpu_max_before, (int)n - 2);
    ASSERT_EQ(file_max_before, 1);
    gate_destroy(&gate);
    gate_destroy(&file_gate);
}

/* ---- promise and await ---------------------------------------------------- */

static int fail_with_eio(void *data) { return -EIO; }

static int discarded;
static int discarded_status;
static void discard(tide_loop_t *loop, int status, void *data)
{
    discarded++;
    discarded_status = status;
}

static tide_result_t record_value(tide_loop_t *loop, void *data, void *value)
{
    *(intptr_t *)data = (intptr_t)value;
    return tide_ok(NULL);
}
static tide_result_t record_error(tide_loop_t *loop, void *data, tide_error_t *error)
{
    *(intptr_t *)data = error->code;
    return tide_ok(NULL);
}

static void test_promise_forms(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    gate_init(&gate);
    discarded = 0;
    static int seven = 7;
    intptr_t ok = 0, err = 0, queued_rc = 0, running_rc = 0;
    tide_promise_t *p;
    ASSERT_OK(tide_work_promise(loop, TIDE_LANE_CPU, square, &seven, discard, NULL, &p));
    ASSERT_OK(tide_promise_then(p, record_value, record_error, &ok, NULL));
    tide_promise_release(p);
    ASSERT_OK(tide_work_promise(loop, TIDE_LANE_CPU, fail_with_eio, NULL, discard, NULL, &p));
    ASSERT_OK(tide_promise_then(p, record_value, record_error, &err, NULL));
    tide_promise_release(p);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(ok, 49);
    ASSERT_EQ(err, -EIO);

    /* Abort of a running job: rejects at once, discard once it ends. */
    tide_abort_controller_t *c1, *c2;
    ASSERT_OK(tide_abort_controller_new(loop, &c1));
    ASSERT_OK(tide_abort_controller_new(loop, &c2));
    unsigned n = tide_threadpool_size();
    ASSERT_OK(tide_work_promise(loop, TIDE_LANE_CPU, wait_at_gate, NULL, discard,
                                tide_abort_controller_signal(c1), &p));
    ASSERT_OK(tide_promise_then(p, record_value, record_error, &running_rc, NULL));
    tide_promise_release(p);
    for (unsigned i = 1; i < n - 2; i++)
        ASSERT_OK(tide_work_submit(loop, TIDE_LANE_CPU, wait_at_gate, count_done, NULL, NULL));
    gate_wait_for(&gate, (int)n - 2);
    /* ... and of a queued one: cancelled, discard sees ECANCELED. */
    ASSERT_OK(tide_work_promise(loop, TIDE_LANE_CPU, square, &seven, discard,
                                tide_abort_controller_signal(c2), &p));
    ASSERT_OK(tide_promise_then(p, record_value, record_error, &queued_rc, NULL));
    tide_promise_release(p);
    ASSERT_OK(tide_abort(c1, NULL));
    ASSERT_OK(tide_abort(c2, NULL));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(running_rc, -ECANCELED);
    ASSERT_EQ(queued_rc, -ECANCELED);
    gate_open(&gate);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(discarded, 2);
    /* An already aborted signal: rejected, nothing queued. */
    ASSERT_OK(tide_work_promise(loop, TIDE_LANE_CPU, square, &seven, discard,
                                tide_abort_controller_signal(c1), &p));
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_REJECTED);
    ASSERT_OK(tide_promise_catch(p, record_error, &queued_rc, NULL));
    ASSERT(!tide_loop_alive(loop));
    tide_promise_release(p);
    tide_abort_controller_free(c1);
    tide_abort_controller_free(c2);
    TEST_CLOSE_LOOP(loop);
    gate_destroy(&gate);
}

static int await_results[3];
static tide_result_t awaiting(tide_loop_t *loop, void *arg)
{
    static int six = 6;
    await_results[0] = tide_work_await(loop, TIDE_LANE_CPU, square, &six, NULL, NULL);
    await_results[1] = tide_work_await(loop, TIDE_LANE_FILE, fail_with_eio, NULL, NULL, NULL);
    /* A deadline that passes while the job runs: -ETIMEDOUT, then the
     * job ends on its worker and is discarded. */
    tide_await_opts_t opts = {NULL, tide_now_ns(loop) + 1000000};
    await_results[2] = tide_work_await(loop, TIDE_LANE_CPU, wait_at_gate, NULL, discard, &opts);
    gate_open(&gate);
    return tide_ok(NULL);
}

static void test_await_form(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    gate_init(&gate);
    discarded = 0;
    tide_promise_t *p;
    ASSERT_OK(tide_async(loop, awaiting, NULL, &p));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_FULFILLED);
    tide_promise_release(p);
    TEST_CLOSE_LOOP(loop);
    ASSERT_EQ(await_results[0], 36);
    ASSERT_EQ(await_results[1], -EIO);
    ASSERT_EQ(await_results[2], -ETIMEDOUT);
    ASSERT_EQ(discarded, 1);
    /* 0 when it ran; a deadline that passed before a worker took the job
     * cancelled it. */
    ASSERT(discarded_status == 0 || discarded_status == -ECANCELED);
    gate_destroy(&gate);
}

/* ---- allocation ---------------------------------------------------------- */

static void ping_done(tide_loop_t *loop, int status, void *data)
{
    int *left = data;
    if (--*left > 0) ASSERT_OK(tide_work_submit(loop, TIDE_LANE_CPU, nothing, ping_done, left, NULL));
}

static void test_no_allocation_after_warm_up(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int left[8];
    for (int round = 0; round < 2; round++) {
        long before = alloc_calls;
        for (int i = 0; i < 8; i++) {
            left[i] = 200;
            ASSERT_OK(tide_work_submit(loop, TIDE_LANE_CPU, nothing, ping_done, &left[i], NULL));
        }
        ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
        if (round == 1) ASSERT_EQ(alloc_calls, before);
    }
    /* The promise form too. */
    for (int round = 0; round < 2; round++) {
        long before = alloc_calls;
        for (int i = 0; i < 8; i++) {
            tide_promise_t *p;
            ASSERT_OK(tide_work_promise(loop, TIDE_LANE_DNS, nothing, NULL, NULL, NULL, &p));
            tide_promise_release(p);
        }
        ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
        if (round == 1) ASSERT_EQ(alloc_calls, before);
    }
    TEST_CLOSE_LOOP(loop);
    ASSERT_EQ(alloc_live, 0);
}

static int fail_eventfd(unsigned int initval, int flags)
{
    errno = EMFILE;
    return -1;
}

static void test_injected_failures(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide__sys.eventfd = fail_eventfd;
    ASSERT_EQ(tide_work_submit(loop, TIDE_LANE_CPU, nothing, count_done, NULL, NULL), -EMFILE);
    tide_promise_t *p;
    ASSERT_EQ(tide_work_promise(loop, TIDE_LANE_CPU, nothing, NULL, NULL, NULL, &p), -EMFILE);
    tide__sys.eventfd = tide__sys_default.eventfd;
    ASSERT(!tide_loop_alive(loop));
    TEST_CLOSE_LOOP(loop);

    /* Memory runs out at each allocation of the first submission in turn. */
    for (long budget = 0; budget < 8; budget++) {
        ASSERT_OK(tide_loop_new(&loop));
        alloc_budget = budget;
        done_count = 0;
        int rc = tide_work_submit(loop, TIDE_LANE_CPU, nothing, count_done, NULL, NULL);
        alloc_budget = -1;
        ASSERT(rc == 0 || rc == -ENOMEM);
        TEST_CLOSE_LOOP(loop);
        ASSERT_EQ(done_count, rc == 0);
    }
    ASSERT_EQ(alloc_live, 0);
}

/* ---- fork ------------------------------------------------------------------ */

static void test_fork_child_gets_a_fresh_pool(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    gate_init(&gate);
    /* A job holds a worker across the fork. */
    ASSERT_OK(tide_work_submit(loop, TIDE_LANE_CPU, wait_at_gate, count_done, NULL, NULL));
    gate_wait_for(&gate, 1);
    pid_t pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        tide_loop_t *child;
        loop_thread = pthread_self();
        done_count = 0;
        static int three = 3;
        if (tide_loop_new(&child) != 0) _exit(2);
        for (int i = 0; i < 10; i++)
            if (tide_work_submit(child, TIDE_LANE_CPU, square, count_done, &three, NULL)) _exit(3);
        if (tide_run(child, TIDE_RUN_DEFAULT) != 0 || done_count != 10) _exit(4);
        _exit(tide_loop_close(child) == 0 ? 0 : 5);
    }
    int status;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    gate_open(&gate);
    TEST_CLOSE_LOOP(loop);
    gate_destroy(&gate);
}

static void test_size(void)
{
    /* Before the pool starts: the environment, clamped, or a set size. */
    setenv("TIDE_THREADPOOL_SIZE", "1", 1);
    ASSERT_EQ(tide_threadpool_size(), 3);
    ASSERT_OK(tide_threadpool_set_size(4));
    ASSERT_EQ(tide_threadpool_size(), 4);
}

int main(void)
{
    loop_thread = pthread_self();
    counting_alloc_install();
    test_size();
    test_injected_failures();
    test_submit_runs_on_workers();
    ASSERT_EQ(tide_threadpool_set_size(5), -EBUSY);
    test_bad_arguments();
    test_order_and_cancel();
    test_cancel_running();
    test_lanes_keep_a_worker();
    test_promise_forms();
    test_await_form();
    test_no_allocation_after_warm_up();
    test_fork_child_gets_a_fresh_pool();
    printf("ok\n");
    return 0;
}
