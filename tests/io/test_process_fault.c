/* tests/io/test_process_fault.c - failures injected through tide__sys:
 * fork refusing (EAGAIN, ENOMEM), pipes refused (EMFILE), memory running
 * out at each allocation of a spawn, waitpid interrupted; each returns the
 * error and leaves no fd, no zombie and no memory behind. And the kernel
 * without pidfds (pidfd_open: ENOSYS): children are watched through
 * SIGCHLD, and a child the program forked itself is never reaped by tide. */
#include "process_test.h"
#include "test_alloc.h"

static int fork_errno, pipe_fail_at, pipe_calls, pidfd_errno, waitpid_eintr;

static pid_t bad_fork(void)
{
    if (fork_errno) {
        errno = fork_errno;
        return -1;
    }
    return tide__sys_default.fork();
}

static int bad_pipe2(int fds[2], int flags)
{
    if (pipe_fail_at && ++pipe_calls == pipe_fail_at) {
        errno = EMFILE;
        return -1;
    }
    return tide__sys_default.pipe2(fds, flags);
}

static int bad_pidfd_open(pid_t pid, unsigned flags)
{
    if (pidfd_errno) {
        errno = pidfd_errno;
        return -1;
    }
    return tide__sys_default.pidfd_open(pid, flags);
}

static pid_t eintr_waitpid(pid_t pid, int *st, int opts)
{
    if (waitpid_eintr > 0) {
        waitpid_eintr--;
        errno = EINTR;
        return -1;
    }
    return tide__sys_default.waitpid(pid, st, opts);
}

static void install(void)
{
    tide__sys.fork = bad_fork;
    tide__sys.pipe2 = bad_pipe2;
    tide__sys.pidfd_open = bad_pidfd_open;
    tide__sys.waitpid = eintr_waitpid;
}

static char *echo_argv[] = {"sh", "-c", "echo hi", NULL};

static void test_fork_and_pipe_failures(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int fds = count_fds();
    proc_rec_t r;
    memset(&r, 0, sizeof r);
    tide_process_opts_t o = proc_opts(echo_argv, NULL, 0, &r); /* three pipes */
    tide_process_t *p = NULL;
    int errs[] = {EAGAIN, ENOMEM};
    for (int i = 0; i < 2; i++) {
        fork_errno = errs[i];
        ASSERT_EQ(tide_spawn(loop, &o, &p), -errs[i]);
        ASSERT(p == NULL);
        ASSERT_EQ(count_fds(), fds);
    }
    fork_errno = 0;
    /* Each pipe of the spawn in turn: three stdio pipes, the error pipe. */
    for (pipe_fail_at = 1; pipe_fail_at <= 4; pipe_fail_at++) {
        pipe_calls = 0;
        ASSERT_EQ(tide_spawn(loop, &o, &p), -EMFILE);
        ASSERT_EQ(count_fds(), fds);
    }
    pipe_fail_at = 0;
    /* And it works again after. */
    ASSERT_OK(tide_spawn(loop, &o, &r.proc));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(r.closes, 1);
    ASSERT_OK(tide_process_free(r.proc));
    assert_no_children();
    TEST_CLOSE_LOOP(loop);
    ASSERT_LE(count_fds(), fds);
}

/* Each allocation of a spawn with pipes failing in turn. */
static void test_out_of_memory(void)
{
    counting_alloc_install();
    int succeeded = 0;
    for (long budget = 0; !succeeded; budget++) {
        long live = alloc_live;
        int fds = count_fds();
        tide_loop_t *loop;
        ASSERT_OK(tide_loop_new(&loop));
        proc_rec_t r;
        memset(&r, 0, sizeof r);
        tide_process_opts_t o = proc_opts(echo_argv, NULL, 0, &r);
        alloc_budget = budget;
        int rc = tide_spawn(loop, &o, &r.proc);
        alloc_budget = -1;
        if (rc) {
            ASSERT_EQ(rc, -ENOMEM);
        } else {
            succeeded = 1;
            ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
            ASSERT_EQ(r.closes, 1);
            ASSERT_OK(tide_process_free(r.proc));
        }
        assert_no_children();
        TEST_CLOSE_LOOP(loop);
        /* Compared with the loop gone: a SIGCHLD watch keeps the loop's
         * signal pipe open as long as the loop, whatever failed after. */
        ASSERT_EQ(alloc_live, live);
        ASSERT_EQ(count_fds(), fds);
    }
    tide__sys.malloc = tide__sys_default.malloc;
    tide__sys.realloc = tide__sys_default.realloc;
    tide__sys.free = tide__sys_default.free;
}

/* ---- without pidfds -------------------------------------------------------- */

static void test_sigchld_mode(void)
{
    pidfd_errno = ENOSYS;
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));

    /* A child of the program's own, ended before tide's: tide must leave it
     * for the program to reap. */
    int gate[2];
    plain_pipe(gate);
    pid_t own = fork();
    ASSERT(own >= 0);
    if (own == 0) {
        char c;
        close(gate[1]);
        (void)!read(gate[0], &c, 1);
        _exit(7);
    }
    close(gate[0]);

    /* Exit codes and signals, many at once, with pipes, and interrupted waits. */
    enum { N = 12 };
    proc_rec_t recs[N];
    memset(recs, 0, sizeof recs);
    char names[N][8];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "%d", i);
        char *argv[] = {"sh", "-c", "echo $0; exit $0", names[i], NULL};
        tide_process_opts_t o = proc_opts(argv, NULL, 0, &recs[i]);
        ASSERT_OK(tide_spawn(loop, &o, &recs[i].proc));
    }
    close(gate[1]); /* let the program's own child end too */
    siginfo_t si;
    ASSERT_OK(waitid(P_PID, (id_t)own, &si, WEXITED | WNOWAIT));
    waitpid_eintr = 2;
    int in[2];
    proc_rec_t killed;
    spawn_cat(loop, &killed, 0, &in[1]);
    ASSERT_OK(tide_process_kill(killed.proc, SIGUSR1));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    for (int i = 0; i < N; i++) {
        ASSERT_EQ(recs[i].status, i);
        ASSERT_EQ(recs[i].closes, 1);
        ASSERT(recs[i].exited_before_close);
        ASSERT_OK(tide_process_free(recs[i].proc));
    }
    ASSERT_EQ(killed.signal, SIGUSR1);
    ASSERT_EQ(tide_process_kill(killed.proc, SIGKILL), -ESRCH);
    ASSERT_OK(tide_process_free(killed.proc));
    close(in[1]);
    int st;
    ASSERT_EQ(waitpid(own, &st, WNOHANG), own);
    ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 7);

    /* An unreferenced child does not keep the loop; referenced again, it does. */
    spawn_cat(loop, &killed, 0, &in[1]);
    tide_process_unref(killed.proc);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(killed.exits, 0);
    tide_process_ref(killed.proc);
    close(in[1]);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(killed.status, 0);
    ASSERT_OK(tide_process_free(killed.proc));
    assert_no_children();
    TEST_CLOSE_LOOP(loop);
    pidfd_errno = 0;
}

int main(void)
{
    install();
    test_fork_and_pipe_failures();
    test_out_of_memory();
    test_sigchld_mode();
    printf("ok\n");
    return 0;
}
