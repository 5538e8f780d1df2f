/* async/scope.c - structured concurrency: a scope owns its tasks; its
 * signal is observed by every await of those tasks, so cancelling the scope
 * (or the first failure in it) stops them all at their current await. */
#include "async/task_internal.h"

struct tide_scope_s {
    tide_loop_t *loop;
    tide_abort_controller_t *ctrl;
    tide_scope_t *parent;
    int64_t parent_listen;
    size_t active;
    tide_error_t *first_error; /* the failure reported by join */
    int joined;
    tide_promise_t *done;      /* made by tide_scope_wait */
};

static void on_parent_abort(tide_abort_signal_t *signal, tide_error_t *reason, void *data)
{
    tide_scope_cancel(data, tide_error_ref(reason));
}

int tide_scope_new(tide_loop_t *loop, tide_scope_t *parent, tide_scope_t **out)
{
    if (!loop || !out) return -EINVAL;
    if (!parent) {
        tide__task_t *t = tide__task_current();
        if (t && t->loop == loop) parent = t->scope; /* nest in the caller's scope */
    }
    tide_scope_t *s = tide__calloc(1, sizeof *s);
    if (!s) return -ENOMEM;
    s->loop = loop;
    int rc = tide_abort_controller_new(loop, &s->ctrl);
    if (rc) {
        tide__free(s);
        return rc;
    }
    if (parent) {
        tide_abort_signal_t *ps = tide_abort_controller_signal(parent->ctrl);
        if (tide_abort_signal_aborted(ps)) {
            tide_abort(s->ctrl, tide_error_ref(tide_abort_signal_reason(ps)));
        } else {
            int64_t id = tide_abort_signal_on(ps, on_parent_abort, s);
            if (id < 0) {
                tide_abort_controller_free(s->ctrl);
                tide__free(s);
                return (int)id;
            }
            s->parent = parent;
            s->parent_listen = id;
        }
    }
    *out = s;
    return 0;
}

tide_abort_signal_t *tide__scope_signal(tide_scope_t *s) { return tide_abort_controller_signal(s->ctrl); }

tide_abort_signal_t *tide_scope_signal(tide_scope_t *s) { return s ? tide__scope_signal(s) : NULL; }

size_t tide_scope_active(const tide_scope_t *s) { return s ? s->active : 0; }

static void settle_done(tide_scope_t *s)
{
    if (!s->done || s->active || (s->done->flags & TIDE__PF_RESOLVED)) return;
    if (s->first_error) tide_promise_reject(s->done, tide_error_ref(s->first_error));
    else tide_promise_fulfil(s->done, NULL);
}

static tide_result_t task_fulfilled(tide_loop_t *loop, void *data, void *value)
{
    tide_scope_t *s = data;
    s->active--;
    settle_done(s);
    return tide_ok(NULL);
}

/* The first failure is the scope's error and cancels the siblings; what
 * fails after (their cancellations included) is not reported again. */
static tide_result_t task_rejected(tide_loop_t *loop, void *data, tide_error_t *error)
{
    tide_scope_t *s = data;
    if (!s->first_error) {
        tide_abort_signal_t *sig = tide__scope_signal(s);
        if (tide_abort_signal_aborted(sig)) {
            /* cancelled from outside: join reports the cancel reason */
            s->first_error = tide_error_ref(tide_abort_signal_reason(sig));
        } else {
            s->first_error = tide_error_ref(error);
            tide_abort(s->ctrl, tide_error_new(-ECANCELED, "cancelled: a sibling task failed"));
        }
    }
    s->active--;
    settle_done(s);
    return tide_ok(NULL);
}

int tide_scope_spawn(tide_scope_t *s, tide_async_fn fn, void *arg, tide_promise_t **out)
{
    if (!s || !fn) return -EINVAL;
    if (s->joined) return -EBUSY;
    if (tide_abort_signal_aborted(tide__scope_signal(s))) return -ECANCELED;
    tide_promise_t *p;
    int rc = tide__task_start(s->loop, fn, arg, s, &p);
    if (rc) return rc;
    /* Watching the task's promise also marks it handled: the scope reports
     * its tasks' failures, so they are never unhandled rejections. */
    rc = tide__promise_watch(p, task_fulfilled, task_rejected, s, NULL);
    if (rc == 0) s->active++;
    if (out) *out = p;
    else tide_promise_release(p);
    return rc;
}

int tide_scope_cancel(tide_scope_t *s, tide_error_t *reason)
{
    if (!s) {
        tide_error_release(reason);
        return -EINVAL;
    }
    int rc = tide_abort(s->ctrl, reason);
    return rc == -EALREADY ? 0 : rc;
}

int tide_scope_wait(tide_scope_t *s, tide_promise_t **out)
{
    if (!s || !out) return -EINVAL;
    if (!s->done) {
        s->done = tide__promise_alloc(s->loop);
        if (!s->done) return -ENOMEM;
        s->done->flags |= TIDE__PF_HANDLED;
    }
    s->joined = 1;
    settle_done(s);
    *out = tide_promise_ref(s->done);
    return 0;
}

int tide_scope_join(tide_scope_t *s, tide_error_t **error)
{
    if (!s) return -EINVAL;
    if (!tide__task_current()) return -EPERM;
    tide_promise_t *p;
    int rc = tide_scope_wait(s, &p);
    if (rc) return rc;
    rc = tide_await(p, NULL, error);
    tide_promise_release(p);
    return rc;
}

int tide_scope_free(tide_scope_t *s)
{
    if (!s) return -EINVAL;
    if (s->active) return -EBUSY;
    if (s->parent) tide_abort_signal_off(tide__scope_signal(s->parent), s->parent_listen);
    tide_abort_controller_free(s->ctrl);
    tide_promise_release(s->done);
    tide_error_release(s->first_error);
    tide__free(s);
    return 0;
}
