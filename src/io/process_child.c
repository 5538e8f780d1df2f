/* io/process_child.c - the child's side of a spawn, between fork and exec.
 *
 * After fork in a program that may have threads, only async-signal-safe
 * calls are allowed: no malloc, no stdio, no locks. So this file only makes
 * system calls on a plan the parent prepared, and reports the first failure
 * as an errno through the CLOEXEC error pipe before _exit(127): a
 * successful exec closes the pipe without a word, which is how the parent
 * tells the two apart. */
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "io/process_internal.h"

_Noreturn static void fail(const tide__child_plan_t *plan, int err)
{
    ssize_t r;
    do r = write(plan->errfd, &err, sizeof err);
    while (r < 0 && errno == EINTR);
    _exit(127);
}

/* The parent's handlers must not run here (tide's would write to the
 * parent's signal pipe), and a program expects default dispositions:
 * SIGPIPE ignored by tide would otherwise stay ignored across exec. */
static void reset_signals(void)
{
    /* The kernel's own call: the C library's sigaction refuses the signals
     * it reserves (32, 33), which an ignoring parent may still pass on. An
     * all-zero kernel sigaction is SIG_DFL, no flags, an empty mask. */
    unsigned long dfl[4] = {0, 0, 0, 0};
    for (int sig = 1; sig < _NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        (void)syscall(SYS_rt_sigaction, sig, dfl, NULL, (size_t)(_NSIG / 8));
    }
}

/* Every fd from `from` up, except keep: close-on-exec is set on all of
 * tide's, but the program's own fds may lack it. */
static void close_from(int from, int keep)
{
#ifdef SYS_close_range
    if (keep < from) {
        if (syscall(SYS_close_range, (unsigned)from, ~0u, 0u) == 0) return;
    } else if ((keep == from || syscall(SYS_close_range, (unsigned)from, (unsigned)keep - 1, 0u) == 0) &&
               syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u) == 0) {
        return;
    }
#endif
    struct rlimit rl;
    int max = 1024;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 65536)
        max = (int)rl.rlim_cur;
    for (int fd = from; fd < max; fd++)
        if (fd != keep) (void)close(fd);
}

/* Put each planned fd in its place. Sources below count are first copied
 * above it, so no dup2 overwrites a source another entry still needs (the
 * copies are CLOEXEC; dup2 clears the flag on the target). */
static void arrange_fds(tide__child_plan_t *plan)
{
    int n = plan->count;
    if (plan->errfd < n) {
        int fd = fcntl(plan->errfd, F_DUPFD_CLOEXEC, n);
        if (fd < 0) _exit(127); /* nowhere to report it */
        plan->errfd = fd;
    }
    for (int i = 0; i < n; i++) {
        if (plan->src[i] < 0 || plan->src[i] >= n) continue;
        int fd = fcntl(plan->src[i], F_DUPFD_CLOEXEC, n);
        if (fd < 0) fail(plan, errno);
        int old = plan->src[i];
        for (int j = i; j < n; j++)
            if (plan->src[j] == old) plan->src[j] = fd;
    }
    for (int i = 0; i < n; i++) {
        int fd = plan->src[i];
        if (fd < 0 && i > 2) {
            (void)close(i);
            continue;
        }
        if (fd < 0) {
            fd = open("/dev/null", i == 0 ? O_RDONLY : O_RDWR);
            if (fd < 0) fail(plan, errno);
            if (fd == i) {
                (void)fcntl(fd, F_SETFD, 0);
                continue;
            }
        }
        if (dup2(fd, i) < 0) fail(plan, errno);
        if (plan->src[i] < 0) (void)close(fd);
    }
    close_from(n > 3 ? n : 3, plan->errfd);
}

/* execvpe with the plan's PATH and no allocation: a candidate path is built
 * on the stack. As execvp does, a directory where the file is not allowed
 * is remembered (EACCES) but the search goes on. */
static int exec_search(const tide__child_plan_t *plan)
{
    if (strchr(plan->file, '/')) {
        execve(plan->file, plan->argv, plan->envp);
        return errno;
    }
    size_t flen = strlen(plan->file);
    if (flen == 0) return ENOENT;
    int saved = ENOENT;
    const char *p = plan->path;
    for (;;) {
        const char *end = strchr(p, ':');
        size_t dlen = end ? (size_t)(end - p) : strlen(p);
        char buf[PATH_MAX];
        if (dlen + 1 + flen + 1 <= sizeof buf) {
            size_t at = 0;
            if (dlen == 0) buf[at++] = '.'; /* an empty entry is the working directory */
            memcpy(buf + at, p, dlen);
            at += dlen;
            buf[at++] = '/';
            memcpy(buf + at, plan->file, flen + 1);
            execve(buf, plan->argv, plan->envp);
            if (errno == EACCES) saved = EACCES;
            else if (errno != ENOENT && errno != ENOTDIR && errno != ENAMETOOLONG) return errno;
        }
        if (!end) return saved;
        p = end + 1;
    }
}

_Noreturn void tide__child_exec(tide__child_plan_t *plan)
{
    reset_signals();
    if ((plan->flags & TIDE_PROCESS_DETACHED) && setsid() < 0) fail(plan, errno);
    arrange_fds(plan);
    if (plan->flags & TIDE_PROCESS_SETGID) {
        if (setgroups(0, NULL) < 0 && errno != EPERM) fail(plan, errno);
        if (setgid(plan->gid) < 0) fail(plan, errno);
    }
    if ((plan->flags & TIDE_PROCESS_SETUID) && setuid(plan->uid) < 0) fail(plan, errno);
    if (plan->cwd && chdir(plan->cwd) < 0) fail(plan, errno);
    sigset_t none;
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);
    fail(plan, exec_search(plan));
}
