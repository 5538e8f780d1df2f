/* io/process_exit.c - learning that a child ended, and Node's 'exit' then
 * 'close'.
 *
 * With a pidfd (Linux 5.3+) each child has an fd watcher that turns
 * readable when the child ends; the pid cannot be recycled while tide holds
 * the pidfd or has not reaped it. Without one, one SIGCHLD handle per loop
 * wakes a scan that calls waitpid(pid, WNOHANG) for each of the loop's own
 * children only, so tide never reaps a child it did not spawn. The watcher
 * handles belong to the process, not to the program: they do not count as
 * open handles, and only a referenced, running child keeps the loop alive. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/process_internal.h"

/* ---- loop-owned watcher handles ---------------------------------------- */

/* Not an open handle the program must close: tide_loop_close does not wait
 * for it, and tide_close refuses it. */
static void internalize(tide_handle_t *h)
{
    h->flags |= TIDE__INTERNAL;
    h->loop->open_handles--;
}

/* Hand a stopped internal handle back, as the close phase would: it has no
 * callback pending, so this is safe from inside its own callback. */
static void internal_release(tide_handle_t *h, int type)
{
    tide_loop_t *loop = h->loop;
    h->flags = TIDE__CLOSED;
    tide__pool_put(&loop->handle_pools[type], h);
}

/* ---- SIGCHLD ---------------------------------------------------------- */

static void sigchld_set_ref(tide__procs_t *ps)
{
    if (!ps->sigchld) return;
    if (ps->sigchld_refs) tide_ref(TIDE_HANDLE(ps->sigchld));
    else tide_unref(TIDE_HANDLE(ps->sigchld));
}

static void reaped(tide_process_t *p, int status);

/* Reap every child of this loop that has ended, then deliver their exits
 * one by one (a callback may spawn or free processes, so the list is
 * walked afresh for each). */
static void scan(tide_loop_t *loop)
{
    tide__procs_t *ps = tide__procs(loop);
    tide__queue_t *q;
    for (q = ps->procs.next; q != &ps->procs; q = q->next)
    {
        tide_process_t *p = tide__container_of(q, tide_process_t, node);
        if (!(p->flags & TIDE__PROC_SIGCHLD) || (p->flags & TIDE__PROC_EXITED) || p->exit_queued)
            continue;
        int status = 0;
        pid_t r;
        do r = tide__sys.waitpid(p->pid, &status, WNOHANG);
        while (r < 0 && errno == EINTR);
        if (r == 0) continue;
        /* ECHILD: the program reaped it behind tide's back; it ended all
         * the same, with a status nobody can know. */
        p->exit_queued = 1;
        p->exit_status = r == p->pid ? status : -1;
    }
    for (;;) {
        tide_process_t *found = NULL;
        for (q = ps->procs.next; q != &ps->procs; q = q->next)
        {
            tide_process_t *p = tide__container_of(q, tide_process_t, node);
            if (p->exit_queued) {
                found = p;
                break;
            }
        }
        if (!found) return;
        found->exit_queued = 0;
        reaped(found, found->exit_status);
    }
}

static void on_sigchld(tide_signal_t *h, int signum, void *data) { scan(data); }

static void on_scan(tide_loop_t *loop, tide__pending_t *pending)
{
    tide__procs(loop)->scan_queued = 0;
    scan(loop);
}

static int sigchld_join(tide_process_t *p)
{
    tide_loop_t *loop = p->loop;
    tide__procs_t *ps = tide__procs(loop);
    if (!ps->sigchld) {
        tide_signal_t *h;
        int err = tide_signal_new(loop, &h);
        if (err) return err;
        internalize(TIDE_HANDLE(h));
        err = tide_signal_start(h, on_sigchld, SIGCHLD, loop);
        if (err) {
            internal_release(TIDE_HANDLE(h), TIDE_HANDLE_SIGNAL);
            return err;
        }
        ps->sigchld = h;
    }
    p->flags |= TIDE__PROC_SIGCHLD;
    ps->sigchld_live++;
    if (!(p->flags & TIDE__PROC_UNREF)) ps->sigchld_refs++;
    sigchld_set_ref(ps);
    /* A child that ended before the handler was there raised no callback:
     * look once in the next pending phase. */
    if (!ps->scan_queued) {
        ps->scan_queued = 1;
        ps->scan.fn = on_scan;
        tide__pending_push(loop, &ps->scan);
    }
    return 0;
}

static void sigchld_leave(tide_process_t *p)
{
    tide__procs_t *ps = tide__procs(p->loop);
    p->flags &= ~TIDE__PROC_SIGCHLD;
    ps->sigchld_live--;
    if (!(p->flags & TIDE__PROC_UNREF)) ps->sigchld_refs--;
    if (ps->sigchld_live == 0) {
        if (ps->scan_queued) tide__pending_cancel(p->loop, &ps->scan);
        ps->scan_queued = 0;
        tide_signal_stop(ps->sigchld);
        internal_release(TIDE_HANDLE(ps->sigchld), TIDE_HANDLE_SIGNAL);
        ps->sigchld = NULL;
    } else {
        sigchld_set_ref(ps);
    }
}

/* ---- pidfd ------------------------------------------------------------ */

static void on_pidfd(tide_poll_t *w, int status, int events, void *data)
{
    tide_process_t *p = data;
    int st = 0;
    pid_t r;
    do r = tide__sys.waitpid(p->pid, &st, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == 0) return; /* not yet: the pidfd said so too early */
    reaped(p, r == p->pid ? st : -1);
}

int tide__process_watch(tide_process_t *p)
{
    int fd = tide__sys.pidfd_open(p->pid, 0);
    if (fd < 0) return sigchld_join(p); /* ENOSYS (old kernel), EMFILE: no fd needed */
    tide_poll_t *w;
    int err = tide_poll_new(p->loop, fd, &w);
    if (err) {
        tide__sys.close(fd);
        return err;
    }
    internalize(TIDE_HANDLE(w));
    err = tide_poll_start(w, TIDE_READABLE, on_pidfd, p);
    if (err) {
        internal_release(TIDE_HANDLE(w), TIDE_HANDLE_POLL);
        tide__sys.close(fd);
        return err;
    }
    if (p->flags & TIDE__PROC_UNREF) tide_unref(TIDE_HANDLE(w));
    p->pidfd = fd;
    p->watch = w;
    return 0;
}

void tide__process_unwatch(tide_process_t *p)
{
    if (p->watch) {
        tide_poll_stop(p->watch);
        internal_release(TIDE_HANDLE(p->watch), TIDE_HANDLE_POLL);
        p->watch = NULL;
    }
    if (p->pidfd >= 0) {
        tide__sys.close(p->pidfd);
        p->pidfd = -1;
    }
    if (p->flags & TIDE__PROC_SIGCHLD) sigchld_leave(p);
}

/* ---- exit, then close ---------------------------------------------------- */

/* Node's flushStdio: output nobody reads is resumed, so its pipe drains,
 * ends and closes, and 'close' can come. */
static void flush_stdio(tide_loop_t *loop, void *data)
{
    tide_process_t *p = data;
    for (int i = 1; i < p->stdio_count && !(p->flags & TIDE__PROC_FREED); i++) {
        tide_stream_t *s = p->stdio[i];
        if (s && tide_stream_readable(s) && tide_stream_readable_flowing(s) < 0)
            tide_stream_resume(s);
    }
    p->holds--;
    tide__process_maybe_release(p);
}

static void reaped(tide_process_t *p, int status)
{
    tide_loop_t *loop = p->loop;
    p->flags |= TIDE__PROC_EXITED;
    if (status >= 0 && WIFSIGNALED(status)) {
        p->exit_status = -1;
        p->term_signal = WTERMSIG(status);
    } else {
        p->exit_status = status >= 0 ? WEXITSTATUS(status) : -1;
        p->term_signal = 0;
    }
    tide__process_unwatch(p);
    if (p->exited) tide_promise_fulfil(p->exited, tide__exit_value(p));
    if (p->flags & TIDE__PROC_FREED) {
        tide__process_maybe_release(p);
        return;
    }
    p->holds++;
    /* As Node: stdin goes at once (nobody reads it any more), 'exit', then
     * the unread output is resumed on the next tick, and 'close' follows
     * when the exit was the last thing it waited for. */
    if (p->stdio_count > 0 && p->stdio[0]) tide_stream_destroy(p->stdio[0], NULL);
    if (p->on_exit) {
        void *saved = loop->context;
        loop->context = p->context;
        p->on_exit(p, p->exit_status, p->term_signal, p->data);
        loop->context = saved;
    }
    if (tide_next_tick(loop, flush_stdio, p) == 0) p->holds++;
    else flush_stdio(loop, (p->holds++, p)); /* no memory for a tick: flush now */
    tide__process_maybe_close(p);
    p->holds--;
    tide__process_maybe_release(p);
}

void tide__process_maybe_close(tide_process_t *p)
{
    p->closes_got++;
    if (p->closes_got < p->closes_needed || (p->flags & (TIDE__PROC_CLOSED | TIDE__PROC_FREED)))
        return;
    p->flags |= TIDE__PROC_CLOSED;
    if (!p->on_close) return;
    tide_loop_t *loop = p->loop;
    void *saved = loop->context;
    loop->context = p->context;
    p->holds++;
    p->on_close(p, p->exit_status, p->term_signal, p->data);
    p->holds--;
    loop->context = saved;
    tide__process_maybe_release(p);
}

/* ---- ref, unref, free ------------------------------------------------------ */

static void set_ref(tide_process_t *p, int ref)
{
    if (!p || (p->flags & TIDE__PROC_FREED)) return;
    if (!!ref == !(p->flags & TIDE__PROC_UNREF)) return;
    if (ref) p->flags &= ~TIDE__PROC_UNREF;
    else p->flags |= TIDE__PROC_UNREF;
    if (p->watch) {
        if (ref) tide_ref(TIDE_HANDLE(p->watch));
        else tide_unref(TIDE_HANDLE(p->watch));
    }
    if (p->flags & TIDE__PROC_SIGCHLD) {
        tide__procs_t *ps = tide__procs(p->loop);
        if (ref) ps->sigchld_refs++;
        else ps->sigchld_refs--;
        sigchld_set_ref(ps);
    }
}

void tide_process_ref(tide_process_t *p) { set_ref(p, 1); }
void tide_process_unref(tide_process_t *p) { set_ref(p, 0); }

int tide_process_free(tide_process_t *p)
{
    if (!p || (p->flags & TIDE__PROC_FREED)) return -EINVAL;
    /* A child still running is still reaped, but no longer keeps the loop. */
    set_ref(p, 0);
    p->flags |= TIDE__PROC_FREED;
    tide__stdio_detach(p);
    tide__process_maybe_release(p);
    return 0;
}

void tide__process_maybe_release(tide_process_t *p)
{
    if (!(p->flags & TIDE__PROC_FREED) || !(p->flags & TIDE__PROC_EXITED) || p->holds) return;
    tide__procs_t *ps = tide__procs(p->loop);
    tide__queue_remove(&p->node);
    if (p->exited) tide_promise_release(p->exited);
    tide__pool_put(&ps->pool, p);
}
