/* tide/process.h - child processes: spawn a program with its own argv,
 * environment, working directory and stdio, learn how it ended, signal it,
 * and run it to completion collecting its output (Node's child_process
 * spawn / execFile, on libuv's uv_spawn feature set).
 *
 * Two callbacks tell a process's story, in Node's order:
 *   exit  - the child ended (exit status or terminating signal). tide has
 *           reaped it: the pid is free again and kill() says -ESRCH.
 *   close - the child ended AND every stdio pipe it wrote to (fd 1, 2 and
 *           extra pipes; not stdin) has closed on tide's side. Output the
 *           child wrote just before exiting is all delivered before close.
 * Exit is watched through a pidfd where the kernel has pidfd_open (5.3+),
 * otherwise through SIGCHLD on the loop's signal handles, with waitpid()
 * for each of tide's own children only: tide never reaps a child it did
 * not spawn. See docs/PROCESS.md. */
#ifndef TIDE_PROCESS_H
#define TIDE_PROCESS_H

#include <sys/types.h>

#include "tide/async.h"
#include "tide/common.h"
#include "tide/stream.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tide_process_s tide_process_t;

/* What the child gets as one of its file descriptors. */
typedef enum {
    TIDE_STDIO_PIPE = 0, /* a pipe to the parent: tide_process_stdio() gives its stream */
    TIDE_STDIO_IGNORE,   /* fds 0-2: /dev/null; above 2: left closed */
    TIDE_STDIO_INHERIT,  /* the parent's own fd of the same number */
    TIDE_STDIO_FD        /* the parent's fd .fd (Node's integer stdio entry) */
} tide_stdio_kind;

typedef struct {
    tide_stdio_kind kind;
    int fd; /* TIDE_STDIO_FD only */
} tide_stdio_t;

/* The child ended: exit_status (0-255) when it exited, term_signal (>0)
 * when a signal killed it; the other is -1 / 0. */
typedef void (*tide_process_exit_cb)(tide_process_t *proc, int exit_status, int term_signal,
                                     void *data);
/* 'close': exited and every output pipe closed; same arguments. */
typedef void (*tide_process_close_cb)(tide_process_t *proc, int exit_status, int term_signal,
                                      void *data);

enum {
    TIDE_PROCESS_DETACHED = 1 << 0, /* a new session and process group (setsid) */
    TIDE_PROCESS_SETUID = 1 << 1,   /* run as .uid */
    TIDE_PROCESS_SETGID = 1 << 2    /* run as .gid (supplementary groups dropped) */
};

/* At most this many stdio entries (fds 0 .. TIDE_STDIO_MAX - 1). */
#define TIDE_STDIO_MAX 64

typedef struct {
    const char *file;         /* the program; without a '/', looked up in PATH */
    char *const *args;        /* argv, NULL-terminated; NULL: { file, NULL } */
    char *const *env;         /* "NAME=value", NULL-terminated; NULL: inherit environ */
    const char *cwd;          /* NULL: the parent's */
    const tide_stdio_t *stdio; /* stdio_count entries for fds 0..; NULL: three pipes */
    int stdio_count;          /* 0 with stdio NULL; at most TIDE_STDIO_MAX */
    unsigned flags;           /* TIDE_PROCESS_* */
    uid_t uid;                /* with TIDE_PROCESS_SETUID */
    gid_t gid;                /* with TIDE_PROCESS_SETGID */
    tide_process_exit_cb on_exit;   /* may be NULL */
    tide_process_close_cb on_close; /* may be NULL */
    void *data;               /* passed to both */
} tide_process_opts_t;

/* Start the program. Errors come back here, from the child's exec itself
 * (a CLOEXEC pipe carries its errno): -ENOENT (no such program, or PATH has
 * none), -EACCES (not executable), -ENOENT/-ENOTDIR/-EACCES for a bad cwd,
 * -EPERM for a uid/gid change refused, -EAGAIN/-ENOMEM from fork, -EMFILE
 * for pipes, -EINVAL for bad options. On an error nothing is left behind: no
 * process object, no fd, no zombie. On success the program is running,
 * *out is yours until tide_process_free, and on_exit/on_close follow from
 * the loop. A running process keeps the loop alive (see unref). */
TIDE_API int tide_spawn(tide_loop_t *loop, const tide_process_opts_t *opts, tide_process_t **out);

TIDE_API pid_t tide_process_pid(const tide_process_t *proc);
/* The parent's end of the child's fd as a stream (stdin: writable; 1, 2:
 * readable; extra fds: duplex), or NULL when that fd is not a pipe. The
 * process holds a reference until freed; tide_stream_ref to keep it longer. */
TIDE_API tide_stream_t *tide_process_stdio(const tide_process_t *proc, int fd);

/* Send signum (0 checks existence) to the child. -ESRCH once tide reaped it
 * (after on_exit), so a pid the kernel recycled is never signalled; with a
 * pidfd the signal goes through it (pidfd_send_signal). -EINVAL for a bad
 * signal number. */
TIDE_API int tide_process_kill(tide_process_t *proc, int signum);

/* Whether it has ended, and how (-1 / 0 until then). 1 when it ended. */
TIDE_API int tide_process_exited(const tide_process_t *proc, int *exit_status, int *term_signal);

/* Node's subprocess.ref()/unref(): an unreferenced process does not keep
 * the loop alive (its pipes still do, while they are open and flowing). */
TIDE_API void tide_process_ref(tide_process_t *proc);
TIDE_API void tide_process_unref(tide_process_t *proc);

/* Give the process object back; it gets no more callbacks. Its stdio
 * streams are destroyed (their fds closed) and released. A child that is
 * still running keeps running, and tide still reaps it when it ends (no
 * zombie is left) without keeping the loop alive; if the loop closes
 * first, the child is no longer watched (kill it and wait to be sure).
 * Legal inside the process's own callbacks. -EINVAL the second time. */
TIDE_API int tide_process_free(tide_process_t *proc);

/* ---- waiting for exit ------------------------------------------------- */

/* Inside an async function: wait until the child ended. Returns 0 with the
 * status filled in (either pointer may be NULL), or the abort reason
 * (-ECANCELED), -ETIMEDOUT at the deadline (the child keeps running), or
 * -EPERM outside an async function. */
TIDE_API int tide_process_wait_await(tide_process_t *proc, int *exit_status, int *term_signal,
                                     const tide_await_opts_t *opts);

/* ---- exec: run to completion, collect the output ------------------------ */

typedef struct {
    int error;        /* 0, -ENOBUFS (over max_buffer), -ETIMEDOUT (timeout), the
                       * abort reason's code, or a pipe's read error */
    int exit_status;  /* -1 when a signal ended it */
    int term_signal;  /* 0 when it exited */
    char *out;        /* stdout, NUL-terminated (out[out_len] == 0) */
    size_t out_len;
    char *err;        /* stderr, likewise */
    size_t err_len;
} tide_exec_result_t;

typedef struct {
    size_t max_buffer;   /* per stream; 0: 1 MiB (Node's default); over it the
                          * child is killed with kill_signal and error is -ENOBUFS */
    uint64_t timeout_ms; /* 0: none; when it passes the child gets kill_signal and
                          * error is -ETIMEDOUT */
    int kill_signal;     /* 0: SIGTERM */
    tide_abort_signal_t *signal; /* an abort kills the child; error is the reason */
} tide_exec_opts_t;

/* The result is the callee's until the callback returns (copy what you
 * keep); for the promise and await forms it is yours: tide_exec_result_free. */
typedef void (*tide_exec_cb)(tide_loop_t *loop, const tide_exec_result_t *result, void *data);

/* Spawn as tide_spawn with fd 1 and 2 as pipes (whatever opts->stdio says
 * for them) and stdin /dev/null unless opts->stdio gives fd 0, collect
 * both, and call cb at the process's close. opts->on_exit/on_close are not
 * used. A spawn error is returned here and cb is not called. exec_opts may
 * be NULL. */
TIDE_API int tide_process_exec(tide_loop_t *loop, const tide_process_opts_t *opts,
                               const tide_exec_opts_t *exec_opts, tide_exec_cb cb, void *data);
/* The same as a promise that fulfils with a tide_exec_result_t * you own,
 * or rejects with the spawn error. */
TIDE_API int tide_process_exec_promise(tide_loop_t *loop, const tide_process_opts_t *opts,
                                       const tide_exec_opts_t *exec_opts, tide_promise_t **out);
/* Inside an async function: run it and wait. 0 with *out yours, or the
 * spawn error; -EPERM outside an async function. Timeouts and aborts are
 * exec_opts': they end the child and show in (*out)->error. */
TIDE_API int tide_process_exec_await(tide_loop_t *loop, const tide_process_opts_t *opts,
                                     const tide_exec_opts_t *exec_opts,
                                     tide_exec_result_t **out);
TIDE_API void tide_exec_result_free(tide_exec_result_t *result);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_PROCESS_H */
