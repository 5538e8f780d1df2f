/* tests/io/test_process.c - spawning children: exit codes and signals,
 * kill (and -ESRCH after the exit), spawn errors returned by tide_spawn
 * (missing program, not executable, bad cwd) leaving no fd and no zombie,
 * env and cwd, fds given to the child, /dev/null, a detached child in its
 * own session, no fd of the parent leaking into a child, ref/unref, a
 * freed child still reaped, and waiting for the exit from a fiber. */
#include <sys/stat.h>

#include "process_test.h"

static void test_exit_codes(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    char *ok[] = {"true", NULL};
    char *three[] = {"sh", "-c", "exit 3", NULL};
    char *big[] = {"/bin/sh", "-c", "exit 255", NULL};
    proc_rec_t r = run_quiet(loop, ok);
    ASSERT_EQ(r.status, 0);
    ASSERT_EQ(r.signal, 0);
    r = run_quiet(loop, three);
    ASSERT_EQ(r.status, 3);
    ASSERT(r.exited_before_close);
    ASSERT_EQ(r.close_status, 3);
    r = run_quiet(loop, big);
    ASSERT_EQ(r.status, 255);
    ASSERT_EQ(tide_loop_close(loop), 0);
}

static void test_signals(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    char *self_kill[] = {"sh", "-c", "kill -TERM $$", NULL};
    proc_rec_t r = run_quiet(loop, self_kill);
    ASSERT_EQ(r.status, -1);
    ASSERT_EQ(r.signal, SIGTERM);
    ASSERT_EQ(r.close_signal, SIGTERM);
    ASSERT_EQ(tide_loop_close(loop), 0);
}

/* A child blocked reading a pipe the test holds, killed with each signal. */
static void test_kill(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int sigs[] = {SIGKILL, SIGTERM, SIGINT, SIGUSR1};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        int in[2];
        plain_pipe(in);
        proc_rec_t r;
        memset(&r, 0, sizeof r);
        tide_stdio_t stdio[3] = {{TIDE_STDIO_FD, in[0]}, {TIDE_STDIO_IGNORE, -1},
                                 {TIDE_STDIO_IGNORE, -1}};
        char *argv[] = {"cat", NULL};
        tide_process_opts_t o = proc_opts(argv, stdio, 3, &r);
        ASSERT_OK(tide_spawn(loop, &o, &r.proc));
        close(in[0]);
        ASSERT_GT(tide_process_pid(r.proc), 0);
        ASSERT_OK(tide_process_kill(r.proc, 0));
        ASSERT_EQ(tide_process_exited(r.proc, NULL, NULL), 0);
        ASSERT_OK(tide_process_kill(r.proc, sigs[i]));
        ASSERT_EQ(tide_process_kill(r.proc, -1), -EINVAL);
        ASSERT_EQ(tide_process_kill(r.proc, 1000), -EINVAL);
        ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
        ASSERT_EQ(r.exits, 1);
        ASSERT_EQ(r.signal, sigs[i]);
        int st, sg;
        ASSERT_EQ(tide_process_exited(r.proc, &st, &sg), 1);
        ASSERT_EQ(st, -1);
        ASSERT_EQ(sg, sigs[i]);
        /* Reaped: its pid may belong to someone else now. */
        ASSERT_EQ(tide_process_kill(r.proc, SIGKILL), -ESRCH);
        ASSERT_OK(tide_process_free(r.proc));
        close(in[1]);
    }
    assert_no_children();
    ASSERT_EQ(tide_loop_close(loop), 0);
}

static void test_spawn_errors(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int fds = count_fds();
    proc_rec_t r;
    memset(&r, 0, sizeof r);
    tide_process_t *p = NULL;

    char *missing[] = {"tide-no-such-program", NULL};
    tide_process_opts_t o = proc_opts(missing, quiet, 3, &r);
    ASSERT_EQ(tide_spawn(loop, &o, &p), -ENOENT);
    ASSERT(p == NULL);
    char *missing_path[] = {"/nonexistent/dir/prog", NULL};
    o = proc_opts(missing_path, quiet, 3, &r);
    ASSERT_EQ(tide_spawn(loop, &o, &p), -ENOENT);
    /* The PATH searched is the child's own when env is given. */
    char *sh[] = {"sh", "-c", "exit 0", NULL};
    char *no_path_env[] = {"PATH=/nonexistent", NULL};
    o = proc_opts(sh, quiet, 3, &r);
    o.env = no_path_env;
    ASSERT_EQ(tide_spawn(loop, &o, &p), -ENOENT);

    /* Not executable. */
    char tmpl[] = "/tmp/tide-proc-XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT(fd >= 0);
    ASSERT_EQ(write(fd, "#!/bin/sh\n", 10), 10);
    close(fd);
    char *noexec[] = {tmpl, NULL};
    o = proc_opts(noexec, quiet, 3, &r);
    ASSERT_EQ(tide_spawn(loop, &o, &p), -EACCES);
    char *dir[] = {"/tmp", NULL};
    o = proc_opts(dir, quiet, 3, &r);
    ASSERT_EQ(tide_spawn(loop, &o, &p), -EACCES);

    /* Bad working directories. */
    o = proc_opts(sh, quiet, 3, &r);
    o.cwd = "/nonexistent-dir";
    ASSERT_EQ(tide_spawn(loop, &o, &p), -ENOENT);
    o.cwd = tmpl; /* a file */
    ASSERT_EQ(tide_spawn(loop, &o, &p), -ENOTDIR);
    unlink(tmpl);

    /* Bad options. */
    o = proc_opts(sh, quiet, 3, &r);
    o.stdio_count = TIDE_STDIO_MAX + 1;
    ASSERT_EQ(tide_spawn(loop, &o, &p), -EINVAL);
    o.stdio_count = -1;
    ASSERT_EQ(tide_spawn(loop, &o, &p), -EINVAL);
    tide_stdio_t bad[1] = {{TIDE_STDIO_FD, -3}};
    o = proc_opts(sh, bad, 1, &r);
    ASSERT_EQ(tide_spawn(loop, &o, &p), -EBADF);
    tide_stdio_t badkind[1] = {{(tide_stdio_kind)9, 0}};
    o = proc_opts(sh, badkind, 1, &r);
    ASSERT_EQ(tide_spawn(loop, &o, &p), -EINVAL);
    o = proc_opts(sh, quiet, 3, &r);
    o.file = "";
    ASSERT_EQ(tide_spawn(loop, &o, &p), -EINVAL);
    o.file = NULL;
    ASSERT_EQ(tide_spawn(loop, &o, &p), -EINVAL);
    o = proc_opts(sh, quiet, 3, &r);
    o.flags = 1u << 20;
    ASSERT_EQ(tide_spawn(loop, &o, &p), -EINVAL);
    ASSERT_EQ(tide_spawn(NULL, &o, &p), -EINVAL);
    ASSERT_EQ(tide_spawn(loop, NULL, &p), -EINVAL);
    /* An fd the parent does not have. */
    tide_stdio_t closed_fd[3] = {{TIDE_STDIO_FD, 900}, {TIDE_STDIO_IGNORE, -1},
                                 {TIDE_STDIO_IGNORE, -1}};
    o = proc_opts(sh, closed_fd, 3, &r);
    ASSERT_EQ(tide_spawn(loop, &o, &p), -EBADF);
    /* Changing user needs privileges the tests do not have (unless root). */
    if (geteuid() != 0) {
        o = proc_opts(sh, quiet, 3, &r);
        o.flags = TIDE_PROCESS_SETUID;
        o.uid = 0;
        ASSERT_EQ(tide_spawn(loop, &o, &p), -EPERM);
    }

    ASSERT_EQ(r.exits, 0);
    ASSERT_EQ(count_fds(), fds);
    assert_no_children();
    ASSERT_EQ(tide_process_kill(NULL, 0), -EINVAL);
    ASSERT_EQ(tide_process_free(NULL), -EINVAL);
    ASSERT_EQ(tide_loop_close(loop), 0);
}

/* Run argv with stdout on a pipe of the test's, extra fds as given. */
static size_t run_capture(tide_loop_t *loop, tide_process_opts_t *o, char *buf, size_t cap)
{
    int out[2];
    plain_pipe(out);
    tide_stdio_t stdio[8];
    int n = o->stdio_count > 3 ? o->stdio_count : 3;
    for (int i = 0; i < n; i++)
        stdio[i] = i < o->stdio_count ? o->stdio[i] : (tide_stdio_t){TIDE_STDIO_IGNORE, -1};
    stdio[1] = (tide_stdio_t){TIDE_STDIO_FD, out[1]};
    o->stdio = stdio;
    o->stdio_count = n;
    proc_rec_t *r = o->data;
    ASSERT_OK(tide_spawn(loop, o, &r->proc));
    close(out[1]);
    size_t len = read_all(out[0], buf, cap);
    close(out[0]);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(r->exits, 1);
    ASSERT_OK(tide_process_free(r->proc));
    return len;
}

/* tide ignores SIGPIPE and blocks signals around fork; the program it
 * starts gets default dispositions and an empty mask all the same. */
static void test_child_signal_state(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_signal_t *h; /* a handler of tide's installed in the parent */
    ASSERT_OK(tide_signal_new(loop, &h));
    ASSERT_OK(tide_signal_start(h, (tide_signal_cb)abort, SIGUSR2, NULL));
    char buf[4096];
    proc_rec_t r;
    memset(&r, 0, sizeof r);
    char *argv[] = {"grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status", NULL};
    tide_process_opts_t o = proc_opts(argv, NULL, 0, &r);
    tide_unref(TIDE_HANDLE(h));
    run_capture(loop, &o, buf, sizeof buf);
    ASSERT_STR_EQ(buf, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
    ASSERT_OK(tide_close(TIDE_HANDLE(h), NULL));
    TEST_CLOSE_LOOP(loop);
}

static void test_env_and_cwd(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    char buf[4096];
    proc_rec_t r;
    memset(&r, 0, sizeof r);
    char *argv[] = {"sh", "-c", "printf '%s|%s|' \"$FOO\" \"$HOME\"; pwd", NULL};
    char *env[] = {"FOO=bar baz", "PATH=/usr/bin:/bin", NULL};
    tide_process_opts_t o = proc_opts(argv, NULL, 0, &r);
    o.env = env;
    o.cwd = "/";
    run_capture(loop, &o, buf, sizeof buf);
    ASSERT_STR_EQ(buf, "bar baz||/\n");

    /* Inherited environment and working directory. */
    ASSERT_OK(setenv("TIDE_TEST_VAR", "inherited", 1));
    char *argv2[] = {"sh", "-c", "printf '%s' \"$TIDE_TEST_VAR\"", NULL};
    memset(&r, 0, sizeof r);
    o = proc_opts(argv2, NULL, 0, &r);
    run_capture(loop, &o, buf, sizeof buf);
    ASSERT_STR_EQ(buf, "inherited");

    /* argv[0] is the program's own name; args NULL means { file }. */
    char *argv3[] = {"sh", "-c", "echo $0 $1", "zero", "one", NULL};
    memset(&r, 0, sizeof r);
    o = proc_opts(argv3, NULL, 0, &r);
    run_capture(loop, &o, buf, sizeof buf);
    ASSERT_STR_EQ(buf, "zero one\n");
    char *argv4[] = {"pwd", NULL};
    memset(&r, 0, sizeof r);
    o = proc_opts(argv4, NULL, 0, &r);
    o.args = NULL;
    o.cwd = "/tmp";
    run_capture(loop, &o, buf, sizeof buf);
    ASSERT_STR_EQ(buf, "/tmp\n");
    ASSERT_EQ(tide_loop_close(loop), 0);
}

/* Fds handed to a child in any arrangement: extra fds, the same fd twice,
 * two fds swapped, /dev/null for ignored ones, and nothing else. */
static void test_fds(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    char buf[4096];
    proc_rec_t r;

    /* fd 3 and fd 5 (4 ignored: closed) to pipes of ours. */
    int extra[2];
    plain_pipe(extra);
    memset(&r, 0, sizeof r);
    char *argv[] = {"sh", "-c", "echo three >&3; echo five >&5; echo four >&4 2>/dev/null || echo no4 >&3",
                    NULL};
    tide_stdio_t stdio[6] = {{TIDE_STDIO_IGNORE, -1}, {TIDE_STDIO_IGNORE, -1},
                             {TIDE_STDIO_IGNORE, -1}, {TIDE_STDIO_FD, extra[1]},
                             {TIDE_STDIO_IGNORE, -1}, {TIDE_STDIO_FD, extra[1]}};
    tide_process_opts_t o = proc_opts(argv, stdio, 6, &r);
    ASSERT_OK(tide_spawn(loop, &o, &r.proc));
    close(extra[1]);
    read_all(extra[0], buf, sizeof buf);
    close(extra[0]);
    ASSERT_STR_EQ(buf, "three\nfive\nno4\n");
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_OK(tide_process_free(r.proc));

    /* Swapped: the child's 1 is our pipe a, its 2 is pipe b, passed as
     * fds that sit at 2 and 1 in the parent's numbering. */
    int a[2], b[2];
    plain_pipe(a);
    plain_pipe(b);
    int save1 = dup(1), save2 = dup(2);
    ASSERT_EQ(dup2(a[1], 2), 2);
    ASSERT_EQ(dup2(b[1], 1), 1);
    close(a[1]);
    close(b[1]);
    memset(&r, 0, sizeof r);
    char *argv2[] = {"sh", "-c", "echo out; echo err >&2", NULL};
    tide_stdio_t swapped[3] = {{TIDE_STDIO_IGNORE, -1}, {TIDE_STDIO_FD, 2}, {TIDE_STDIO_FD, 1}};
    o = proc_opts(argv2, swapped, 3, &r);
    int err = tide_spawn(loop, &o, &r.proc);
    dup2(save1, 1);
    dup2(save2, 2);
    close(save1);
    close(save2);
    ASSERT_OK(err);
    read_all(a[0], buf, sizeof buf);
    ASSERT_STR_EQ(buf, "out\n");
    read_all(b[0], buf, sizeof buf);
    ASSERT_STR_EQ(buf, "err\n");
    close(a[0]);
    close(b[0]);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_OK(tide_process_free(r.proc));

    /* Ignored stdin and stderr are /dev/null. */
    memset(&r, 0, sizeof r);
    char *argv3[] = {"sh", "-c", "readlink /proc/self/fd/0 /proc/self/fd/2; cat", NULL};
    o = proc_opts(argv3, NULL, 0, &r);
    run_capture(loop, &o, buf, sizeof buf);
    ASSERT_STR_EQ(buf, "/dev/null\n/dev/null\n");

    /* Inherit: the parent's own fd 2 (whatever it is) is the child's 2. */
    memset(&r, 0, sizeof r);
    char *argv4[] = {"sh", "-c", "test -e /proc/self/fd/2 && echo yes", NULL};
    tide_stdio_t inherit[3] = {{TIDE_STDIO_IGNORE, -1}, {TIDE_STDIO_IGNORE, -1},
                               {TIDE_STDIO_INHERIT, -1}};
    o = proc_opts(argv4, inherit, 3, &r);
    run_capture(loop, &o, buf, sizeof buf);
    ASSERT_STR_EQ(buf, "yes\n");
    ASSERT_EQ(tide_loop_close(loop), 0);
}

/* The child sees its stdio and nothing else: not the loop's epoll fd, not
 * a pidfd, not a pipe of the program's opened without close-on-exec. */
static void test_no_fd_leaks(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int leaky = dup(0); /* no close-on-exec */
    ASSERT(leaky >= 0);
    /* A running child (holding a pidfd in the parent) while the next spawns. */
    int in[2];
    proc_rec_t first;
    spawn_cat(loop, &first, 0, &in[1]);

    char buf[4096];
    proc_rec_t r;
    memset(&r, 0, sizeof r);
    char *ls[] = {"ls", "/proc/self/fd", NULL};
    tide_process_opts_t o = proc_opts(ls, NULL, 0, &r);
    /* run_capture runs the loop until idle: cat must not hold it. */
    tide_process_unref(first.proc);
    run_capture(loop, &o, buf, sizeof buf);
    /* 0-2 and the directory ls itself is reading. */
    ASSERT_STR_EQ(buf, "0\n1\n2\n3\n");
    close(leaky);
    close(in[1]);
    tide_process_ref(first.proc);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(first.exits, 1);
    ASSERT_EQ(first.status, 0);
    ASSERT_OK(tide_process_free(first.proc));
    ASSERT_EQ(tide_loop_close(loop), 0);
}

/* Field n (1-based) of /proc/pid/stat, after the command name. */
static long stat_field(pid_t pid, int n)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    ASSERT(f != NULL);
    ASSERT(fgets(buf, sizeof buf, f) != NULL);
    fclose(f);
    char *p = strrchr(buf, ')');
    ASSERT(p != NULL);
    p += 2; /* field 3 */
    for (int i = 3; i < n; i++) p = strchr(p, ' ') + 1;
    return strtol(p, NULL, 10);
}

static void test_detached(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    for (int detached = 0; detached <= 1; detached++) {
        int in[2];
        proc_rec_t r;
        spawn_cat(loop, &r, detached ? TIDE_PROCESS_DETACHED : 0, &in[1]);
        pid_t pid = tide_process_pid(r.proc);
        /* It has exec'd (spawn waited for that): setsid is done. */
        long pgrp = stat_field(pid, 5), session = stat_field(pid, 6);
        if (detached) {
            ASSERT_EQ(pgrp, pid);
            ASSERT_EQ(session, pid);
        } else {
            ASSERT_EQ(pgrp, getpgrp());
            ASSERT_EQ(session, getsid(0));
        }
        close(in[1]);
        ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
        ASSERT_EQ(r.status, 0);
        ASSERT_OK(tide_process_free(r.proc));
    }
    ASSERT_EQ(tide_loop_close(loop), 0);
}

/* An unreferenced child does not keep the loop; a freed one is still
 * reaped; freeing inside its own exit callback is legal. */
static void free_in_exit(tide_process_t *p, int status, int sig, void *data)
{
    proc_rec_t *r = data;
    r->exits++;
    ASSERT_OK(tide_process_free(p));
    ASSERT_EQ(tide_process_free(p), -EINVAL);
}

static void test_ref_and_free(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int in[2];
    proc_rec_t r;
    spawn_cat(loop, &r, 0, &in[1]);
    tide_process_unref(r.proc);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT)); /* returns at once */
    ASSERT_EQ(r.exits, 0);
    tide_process_ref(r.proc);
    close(in[1]);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(r.exits, 1);
    ASSERT_EQ(r.closes, 1);
    ASSERT_OK(tide_process_free(r.proc));

    /* Freed while running: tide still reaps it once it ends. */
    spawn_cat(loop, &r, 0, &in[1]);
    pid_t pid = tide_process_pid(r.proc);
    ASSERT_OK(tide_process_free(r.proc));
    close(in[1]);
    /* Wait for it to end without reaping it, then let the loop see it. */
    siginfo_t si;
    ASSERT_OK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
    /* The freed process no longer keeps the loop: an immediate does. */
    for (int i = 0; i < 3; i++) {
        ASSERT(tide_set_immediate(loop, say, "") > 0);
        ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    }
    errno = 0;
    ASSERT_EQ(waitpid(pid, NULL, WNOHANG), -1);
    ASSERT_EQ(errno, ECHILD);
    ASSERT_EQ(r.exits, 0);

    /* Freed from inside its exit callback. */
    memset(&r, 0, sizeof r);
    char *t[] = {"true", NULL};
    tide_process_opts_t o = proc_opts(t, quiet, 3, &r);
    o.on_exit = free_in_exit;
    o.on_close = NULL;
    ASSERT_OK(tide_spawn(loop, &o, &r.proc));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(r.exits, 1);
    assert_no_children();
    ASSERT_EQ(tide_loop_close(loop), 0);
}

/* A process never freed, its child still running, when the loop closes:
 * the loop closes (the process is not an open handle) and lets go of it. */
static void test_loop_close_with_child(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int in[2];
    proc_rec_t r;
    spawn_cat(loop, &r, 0, &in[1]);
    pid_t pid = tide_process_pid(r.proc);
    int fds = count_fds();
    ASSERT_EQ(tide_loop_close(loop), 0);
    ASSERT_LT(count_fds(), fds); /* the pidfd and the loop's own fds went */
    close(in[1]);
    int st;
    ASSERT_EQ(waitpid(pid, &st, 0), pid);
    ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* ---- waiting from a fiber ---------------------------------------------- */

typedef struct {
    tide_process_t *proc;
    tide_abort_controller_t *ctrl;
    int in_w;
    int first, second, status, sig;
} waiter_t;

static void abort_now(tide_loop_t *loop, void *data)
{
    waiter_t *w = data;
    ASSERT_OK(tide_abort(w->ctrl, NULL));
}

static tide_result_t wait_body(tide_loop_t *loop, void *arg)
{
    waiter_t *w = arg;
    tide_await_opts_t opts = {tide_abort_controller_signal(w->ctrl), 0};
    ASSERT(tide_set_immediate(loop, abort_now, w) > 0);
    w->first = tide_process_wait_await(w->proc, NULL, NULL, &opts);
    /* The child still runs: end its input and wait for real. */
    close(w->in_w);
    w->second = tide_process_wait_await(w->proc, &w->status, &w->sig, NULL);
    /* Once exited, waiting again answers at once. */
    int st = -2;
    ASSERT_OK(tide_process_wait_await(w->proc, &st, NULL, NULL));
    ASSERT_EQ(st, 0);
    return tide_ok(NULL);
}

static void test_wait_await(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int in[2];
    proc_rec_t r;
    spawn_cat(loop, &r, 0, &in[1]);
    ASSERT_EQ(tide_process_wait_await(r.proc, NULL, NULL, NULL), -EPERM);
    waiter_t w = {r.proc, NULL, in[1], 1, 1, -2, -2};
    ASSERT_OK(tide_abort_controller_new(loop, &w.ctrl));
    tide_promise_t *done;
    ASSERT_OK(tide_async(loop, wait_body, &w, &done));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(tide_promise_state_of(done), TIDE_PROMISE_FULFILLED);
    ASSERT_EQ(w.first, -ECANCELED);
    ASSERT_EQ(w.second, 0);
    ASSERT_EQ(w.status, 0);
    ASSERT_EQ(w.sig, 0);
    ASSERT_EQ(r.exits, 1);
    tide_promise_release(done);
    tide_abort_controller_free(w.ctrl);
    ASSERT_OK(tide_process_free(r.proc));
    ASSERT_EQ(tide_loop_close(loop), 0);
}

int main(void)
{
    test_exit_codes();
    test_signals();
    test_kill();
    test_spawn_errors();
    test_child_signal_state();
    test_env_and_cwd();
    test_fds();
    test_no_fd_leaks();
    test_detached();
    test_ref_and_free();
    test_loop_close_with_child();
    test_wait_await();
    assert_no_children();
    printf("ok\n");
    return 0;
}
