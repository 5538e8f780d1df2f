/* io/process_internal.h - the private layout of a child process and the
 * calls the process files share: spawning (process.c), the child's side of
 * fork (process_child.c), watching for exit (process_exit.c) and the stdio
 * pipes (process_stdio.c). */
#ifndef TIDE_IO_PROCESS_INTERNAL_H
#define TIDE_IO_PROCESS_INTERNAL_H

#include "core/internal.h"
#include "tide/process.h"

/* What the child does between fork and exec, prepared by the parent so the
 * child only makes system calls (it may share the parent's locks). */
typedef struct {
    const char *file;
    char *const *argv;
    char *const *envp;
    const char *cwd;
    const char *path; /* PATH to search when file has no '/' */
    unsigned flags;   /* TIDE_PROCESS_* */
    uid_t uid;
    gid_t gid;
    int count;                /* child fds 0 .. count - 1 are set up */
    int src[TIDE_STDIO_MAX];  /* the parent's fd for each; -1: /dev/null or closed */
    int errfd;                /* CLOEXEC pipe: the child writes its errno there */
} tide__child_plan_t;

/* Run in the child after fork: never returns. */
_Noreturn void tide__child_exec(tide__child_plan_t *plan);

enum {
    TIDE__PROC_EXITED = 1,   /* reaped: status known, pid free */
    TIDE__PROC_FREED = 2,    /* the program gave it back */
    TIDE__PROC_UNREF = 4,    /* does not keep the loop alive */
    TIDE__PROC_CLOSED = 8,   /* 'close' has been delivered (or will never be) */
    TIDE__PROC_SIGCHLD = 16  /* no pidfd: watched through SIGCHLD */
};

struct tide_process_s {
    tide_loop_t *loop;
    tide__queue_t node; /* in the loop's list of processes */
    pid_t pid;
    int pidfd;              /* -1 without one, and after reaping */
    tide_poll_t *watch;     /* on pidfd */
    unsigned flags;
    int exit_status;        /* -1 until exited, or when a signal ended it */
    int term_signal;
    int stdio_count;
    unsigned closes_needed; /* output pipes + the exit, as Node counts them */
    unsigned closes_got;
    tide_stream_t *stdio[TIDE_STDIO_MAX];
    tide_process_exit_cb on_exit;
    tide_process_close_cb on_close;
    void *data;
    void *context;          /* async context at spawn, restored for callbacks */
    tide_promise_t *exited; /* made by the first wait_await, fulfilled at exit */
    unsigned holds;         /* tide's own uses in progress (callbacks, a queued tick) */
    uint8_t exit_queued;    /* SIGCHLD scan: reaped, exit not yet delivered */
};

/* Per-loop state (slot TIDE__SLOT_PROCESSES). */
typedef struct {
    tide__queue_t procs;    /* every process not yet given back */
    tide_signal_t *sigchld; /* SIGCHLD watcher of the processes without a pidfd */
    unsigned sigchld_live;  /* processes it watches */
    unsigned sigchld_refs;  /* of which referenced */
    tide__pending_t scan;   /* a scan queued for the next pending phase */
    uint8_t scan_queued;
    tide__pool_t pool;
} tide__procs_t;

tide__procs_t *tide__procs(tide_loop_t *loop);

/* Start watching a freshly forked child (pidfd or SIGCHLD). */
int tide__process_watch(tide_process_t *proc);
/* Stop watching before the child is reaped (spawn failing half-way, or the
 * loop closing). */
void tide__process_unwatch(tide_process_t *proc);
/* The stdio pipes: make them before fork, wrap the parent's ends after. */
int tide__stdio_prepare(const tide_process_opts_t *opts, tide__child_plan_t *plan,
                        int parent_fds[TIDE_STDIO_MAX]);
int tide__stdio_open(tide_process_t *proc, int parent_fds[TIDE_STDIO_MAX]);
void tide__stdio_close_fds(int fds[TIDE_STDIO_MAX], int count);
/* One more close counted (the exit, or an output pipe's 'close'); the last
 * one delivers on_close. */
void tide__process_maybe_close(tide_process_t *proc);
/* Give the object back when nothing needs it any more. */
void tide__process_maybe_release(tide_process_t *proc);
void tide__stdio_detach(tide_process_t *proc);

/* How the exit travels as a promise's value (never NULL). */
static inline void *tide__exit_value(const tide_process_t *p)
{
    return (void *)(((uintptr_t)(p->exit_status & 0xffff) | ((uintptr_t)p->term_signal << 16)) + 1);
}

#endif /* TIDE_IO_PROCESS_INTERNAL_H */
