/* io/process.c - spawning a child process (the parent's side of fork and
 * exec), the calls on a running process (pid, kill, ref/unref, free), and
 * the loop's process state.
 *
 * fork blocks until the child has exec'd or failed: a CLOEXEC pipe closes
 * silently on a successful exec and carries the child's errno otherwise,
 * so tide_spawn returns -ENOENT for a missing program, not a process that
 * exits 127. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/process_internal.h"

extern char **environ;

/* ---- the loop's process state ------------------------------------------ */

static void procs_destroy(tide_loop_t *loop, void *state)
{
    tide__procs_t *ps = state;
    /* Whatever is left (freed processes whose child still runs, or ones the
     * program never freed) stops being watched; the child is not killed. */
    while (!tide__queue_empty(&ps->procs)) {
        tide_process_t *p = tide__container_of(tide__queue_head(&ps->procs), tide_process_t, node);
        tide__queue_remove(&p->node);
        tide__process_unwatch(p);
        tide__stdio_detach(p);
        if (p->exited) tide_promise_release(p->exited);
    }
    if (ps->sigchld) {
        tide_signal_stop(ps->sigchld);
    }
    tide__pool_destroy(&ps->pool);
    tide__free(ps);
    loop->slots[TIDE__SLOT_PROCESSES].state = NULL;
}

tide__procs_t *tide__procs(tide_loop_t *loop)
{
    tide__procs_t *ps = loop->slots[TIDE__SLOT_PROCESSES].state;
    if (ps) return ps;
    ps = tide__calloc(1, sizeof *ps);
    if (!ps) return NULL;
    tide__queue_init(&ps->procs);
    tide__pool_init(&ps->pool, sizeof(tide_process_t));
    loop->slots[TIDE__SLOT_PROCESSES].state = ps;
    loop->slots[TIDE__SLOT_PROCESSES].destroy = procs_destroy;
    return ps;
}

/* ---- options --------------------------------------------------------- */

/* The PATH the program is looked up in: the child's own when an env is
 * given (as Node does), else ours, else the C library's default. */
static const char *lookup_path(char *const *env)
{
    if (env) {
        for (char *const *e = env; *e; e++)
            if (strncmp(*e, "PATH=", 5) == 0) return *e + 5;
    } else {
        const char *p = getenv("PATH");
        if (p) return p;
    }
    return "/usr/local/bin:/usr/bin:/bin";
}

static int check_opts(const tide_process_opts_t *o)
{
    if (!o->file || !*o->file) return -EINVAL;
    if (o->stdio_count < 0 || o->stdio_count > TIDE_STDIO_MAX) return -EINVAL;
    if (o->stdio_count && !o->stdio) return -EINVAL;
    if (o->flags & ~(unsigned)(TIDE_PROCESS_DETACHED | TIDE_PROCESS_SETUID | TIDE_PROCESS_SETGID))
        return -EINVAL;
    for (int i = 0; i < o->stdio_count; i++) {
        const tide_stdio_t *s = &o->stdio[i];
        if (s->kind > TIDE_STDIO_FD) return -EINVAL;
        if (s->kind == TIDE_STDIO_FD && s->fd < 0) return -EBADF;
    }
    return 0;
}

/* ---- fork and exec ------------------------------------------------------ */

/* Fork with every signal blocked, so no handler of ours runs in the child
 * before it reset them; returns the pid (0 in the child) or -errno. */
static pid_t fork_blocked(tide__child_plan_t *plan)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = tide__sys.fork();
    if (pid == 0) tide__child_exec(plan);
    int err = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return pid < 0 ? -err : pid;
}

/* Wait for the child's exec: 0 when it happened, else the child's error
 * (the child has then exited and is reaped here, leaving no zombie). */
static int await_exec(pid_t pid, int errfd)
{
    int child_err = 0;
    ssize_t n;
    do n = tide__sys.read(errfd, &child_err, sizeof child_err);
    while (n < 0 && errno == EINTR);
    if (n == 0) return 0;
    if (n != (ssize_t)sizeof child_err || child_err <= 0) child_err = EIO;
    while (tide__sys.waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    return -child_err;
}

int tide_spawn(tide_loop_t *loop, const tide_process_opts_t *opts, tide_process_t **out)
{
    if (!loop || !opts || !out) return -EINVAL;
    *out = NULL;
    int err = check_opts(opts);
    if (err) return err;
    tide__procs_t *ps = tide__procs(loop);
    if (!ps) return -ENOMEM;
    tide_process_t *p = tide__pool_get(&ps->pool);
    if (!p) return -ENOMEM;
    memset(p, 0, sizeof *p);
    p->loop = loop;
    p->pidfd = -1;
    p->exit_status = -1;
    p->on_exit = opts->on_exit;
    p->on_close = opts->on_close;
    p->data = opts->data;
    p->context = loop->context;

    char *argv0[2] = {(char *)opts->file, NULL};
    tide__child_plan_t plan = {
        .file = opts->file,
        .argv = opts->args ? opts->args : argv0,
        .envp = opts->env ? opts->env : environ,
        .cwd = opts->cwd,
        .path = lookup_path(opts->env),
        .flags = opts->flags,
        .uid = opts->uid,
        .gid = opts->gid,
    };
    int parent_fds[TIDE_STDIO_MAX];
    err = tide__stdio_prepare(opts, &plan, parent_fds);
    if (err) goto fail_pool;
    p->stdio_count = plan.count;

    int errpipe[2];
    if (tide__sys.pipe2(errpipe, O_CLOEXEC) < 0) {
        err = -errno;
        goto fail_fds;
    }
    plan.errfd = errpipe[1];
    pid_t pid = fork_blocked(&plan);
    tide__sys.close(errpipe[1]);
    if (pid < 0) {
        tide__sys.close(errpipe[0]);
        err = pid;
        goto fail_fds;
    }
    err = await_exec(pid, errpipe[0]);
    tide__sys.close(errpipe[0]);
    /* The child has its copies now (or failed): ours go. */
    for (int i = 0; i < plan.count; i++)
        if (plan.src[i] >= 0 && parent_fds[i] >= 0) tide__sys.close(plan.src[i]);
    if (err) {
        tide__stdio_close_fds(parent_fds, plan.count);
        goto fail_pool;
    }
    p->pid = pid;
    err = tide__process_watch(p);
    if (!err) err = tide__stdio_open(p, parent_fds);
    if (err) {
        /* The program runs but cannot be watched: end it rather than leave
         * an orphan nobody will reap. */
        tide__stdio_close_fds(parent_fds, plan.count);
        tide__stdio_detach(p);
        tide__process_unwatch(p);
        tide__sys.kill(pid, SIGKILL);
        while (tide__sys.waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
        goto fail_pool;
    }
    tide__queue_insert_tail(&ps->procs, &p->node);
    *out = p;
    return 0;

fail_fds:
    /* The child's ends first: which are ours to close is read from parent_fds. */
    for (int i = 0; i < plan.count; i++)
        if (plan.src[i] >= 0 && parent_fds[i] >= 0) tide__sys.close(plan.src[i]);
    tide__stdio_close_fds(parent_fds, plan.count);
fail_pool:
    tide__pool_put(&ps->pool, p);
    return err;
}

/* ---- a running process ------------------------------------------------- */

pid_t tide_process_pid(const tide_process_t *p) { return p ? p->pid : 0; }

tide_stream_t *tide_process_stdio(const tide_process_t *p, int fd)
{
    if (!p || fd < 0 || fd >= p->stdio_count) return NULL;
    return p->stdio[fd];
}

int tide_process_kill(tide_process_t *p, int signum)
{
    if (!p || p->flags & TIDE__PROC_FREED) return -EINVAL;
    if (signum < 0 || signum >= _NSIG) return -EINVAL;
    if (p->flags & TIDE__PROC_EXITED) return -ESRCH;
    /* Not reaped yet, so the pid is still this child's (a zombie keeps
     * it); the pidfd is the kernel's own guarantee of that. */
    int r = p->pidfd >= 0 ? tide__sys.pidfd_send_signal(p->pidfd, signum, NULL, 0)
                          : tide__sys.kill(p->pid, signum);
    return r < 0 ? -errno : 0;
}

int tide_process_exited(const tide_process_t *p, int *exit_status, int *term_signal)
{
    if (!p) return -EINVAL;
    if (exit_status) *exit_status = p->exit_status;
    if (term_signal) *term_signal = p->term_signal;
    return (p->flags & TIDE__PROC_EXITED) != 0;
}
