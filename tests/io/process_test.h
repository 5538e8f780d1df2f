/* tests/io/process_test.h - what the child-process tests share: spawning
 * a command with a given stdio, recording its exit and close, reading a
 * plain pipe the test made to the end, and checking that no zombie and no
 * fd is left behind. */
#ifndef TIDE_TEST_PROCESS_H
#define TIDE_TEST_PROCESS_H

#include <signal.h>
#include <sys/wait.h>

#include "test_fd.h"

typedef struct {
    int exits, closes;
    int status, signal;
    int close_status, close_signal;
    int exited_before_close; /* exit was seen when close came */
    tide_process_t *proc;
} proc_rec_t;

static inline void rec_exit(tide_process_t *p, int status, int sig, void *data)
{
    proc_rec_t *r = data;
    r->exits++;
    r->status = status;
    r->signal = sig;
}

static inline void rec_close(tide_process_t *p, int status, int sig, void *data)
{
    proc_rec_t *r = data;
    r->closes++;
    r->close_status = status;
    r->close_signal = sig;
    r->exited_before_close = r->exits == 1;
}

/* Options for argv with every stdio entry given; callbacks record into r. */
static inline tide_process_opts_t proc_opts(char *const *argv, const tide_stdio_t *stdio, int n,
                                            proc_rec_t *r)
{
    tide_process_opts_t o;
    memset(&o, 0, sizeof o);
    o.file = argv[0];
    o.args = argv;
    o.stdio = stdio;
    o.stdio_count = n;
    o.on_exit = rec_exit;
    o.on_close = rec_close;
    o.data = r;
    return o;
}

/* Everything ignored: the child reads /dev/null and writes nowhere. */
static const tide_stdio_t quiet[3] = {
    {TIDE_STDIO_IGNORE, -1}, {TIDE_STDIO_IGNORE, -1}, {TIDE_STDIO_IGNORE, -1}};

/* Run argv with quiet stdio to its close; returns the record. */
static inline proc_rec_t run_quiet(tide_loop_t *loop, char *const *argv)
{
    proc_rec_t r;
    memset(&r, 0, sizeof r);
    tide_process_opts_t o = proc_opts(argv, quiet, 3, &r);
    ASSERT_OK(tide_spawn(loop, &o, &r.proc));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(r.exits, 1);
    ASSERT_EQ(r.closes, 1);
    ASSERT_OK(tide_process_free(r.proc));
    return r;
}

/* Read a blocking fd to EOF into buf (NUL-terminated); returns the length. */
static inline size_t read_all(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR) continue;
        ASSERT(r >= 0);
        if (r == 0) break;
        n += (size_t)r;
        ASSERT(n < cap - 1);
    }
    buf[n] = 0;
    return n;
}

/* A blocking pipe, both ends close-on-exec (tide gives the child its own). */
static inline void plain_pipe(int p[2]) { ASSERT_OK(pipe2(p, O_CLOEXEC)); }

/* Start `cat` reading a new pipe, with r recording it (r->proc): a child
 * that runs until the test closes *write_end (or kills it). */
static inline void spawn_cat(tide_loop_t *loop, proc_rec_t *r, unsigned flags, int *write_end)
{
    int in[2];
    plain_pipe(in);
    memset(r, 0, sizeof *r);
    char *cat[] = {"cat", NULL};
    tide_stdio_t stdio[3] = {{TIDE_STDIO_FD, in[0]}, {TIDE_STDIO_IGNORE, -1},
                             {TIDE_STDIO_IGNORE, -1}};
    tide_process_opts_t o = proc_opts(cat, stdio, 3, r);
    o.flags = flags;
    ASSERT_OK(tide_spawn(loop, &o, &r->proc));
    close(in[0]);
    *write_end = in[1];
}

/* No child of this process is left, running or zombie. */
static inline void assert_no_children(void)
{
    errno = 0;
    ASSERT_EQ(waitpid(-1, NULL, WNOHANG), -1);
    ASSERT_EQ(errno, ECHILD);
}

#endif /* TIDE_TEST_PROCESS_H */
