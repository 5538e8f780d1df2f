/* io/process_wait.c - awaiting a child's exit from an async function: one
 * promise per process, made by the first waiter and fulfilled when the
 * child is reaped, so any number of fibers may wait, each with its own
 * abort signal and deadline. */
#include "io/process_internal.h"

int tide_process_wait_await(tide_process_t *p, int *exit_status, int *term_signal,
                            const tide_await_opts_t *opts)
{
    if (!p || (p->flags & TIDE__PROC_FREED)) return -EINVAL;
    if (!tide_in_async()) return -EPERM;
    if (!p->exited) {
        int err = tide_promise_new(p->loop, &p->exited);
        if (err) return err;
        if (p->flags & TIDE__PROC_EXITED) tide_promise_fulfil(p->exited, tide__exit_value(p));
    }
    /* The process may be freed while this fiber waits: keep the promise. */
    tide_promise_t *exited = tide_promise_ref(p->exited);
    void *v = NULL;
    int err = tide_await_opts(exited, opts, &v, NULL);
    tide_promise_release(exited);
    if (err) return err;
    uintptr_t bits = (uintptr_t)v - 1;
    int status = (int)(int16_t)(bits & 0xffff);
    if (exit_status) *exit_status = status;
    if (term_signal) *term_signal = (int)(bits >> 16);
    return 0;
}
