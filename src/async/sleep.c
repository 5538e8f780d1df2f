/* async/sleep.c - promise forms of the core waits: a promise fulfilled
 * after a delay (Node's timers/promises setTimeout) or in the next check
 * phase, cancelled by an abort signal. */
#include <string.h>

#include "async/abort_watch.h"
#include "async/promise_internal.h"

typedef struct {
    tide_promise_t *promise;
    tide_loop_t *loop;
    tide_id_t id;        /* the timeout or immediate */
    int immediate;
    tide__abort_watch_t abort;
} sleep_t;

/* Records come from the loop's pool (their size fits its objects). */
_Static_assert(sizeof(sleep_t) <= 8 * sizeof(void *), "sleep_t outgrew its pool");

static void sleep_done(sleep_t *s)
{
    tide__abort_unwatch(&s->abort);
    tide_promise_release(s->promise);
    tide__pool_put(&tide__promises(s->loop)->sleeps, s);
}

static void on_fire(tide_loop_t *loop, void *data)
{
    sleep_t *s = data;
    tide_promise_fulfil(s->promise, NULL);
    sleep_done(s);
}

static void on_abort(tide_abort_signal_t *signal, tide_error_t *reason, void *data)
{
    sleep_t *s = data;
    if (s->immediate) tide_clear_immediate(s->loop, s->id);
    else tide_clear_timeout(s->loop, s->id);
    tide_promise_reject(s->promise, tide_error_ref(reason));
    sleep_done(s);
}

static int start(tide_loop_t *loop, int immediate, uint64_t ms, tide_abort_signal_t *signal,
                 tide_promise_t **out)
{
    if (!loop || !out) return -EINVAL;
    tide_promise_t *p = tide__promise_alloc(loop);
    if (!p) return -ENOMEM;
    if (signal && tide_abort_signal_aborted(signal)) {
        tide_promise_reject(p, tide_error_ref(tide_abort_signal_reason(signal)));
        *out = p;
        return 0;
    }
    tide__promises_t *ps = tide__promises(loop); /* exists: p came from it */
    sleep_t *s = tide__pool_get(&ps->sleeps);
    if (!s) {
        tide_promise_release(p);
        return -ENOMEM;
    }
    memset(s, 0, sizeof *s);
    s->promise = tide_promise_ref(p);
    s->loop = loop;
    s->immediate = immediate;
    s->id = immediate ? tide_set_immediate(loop, on_fire, s) : tide_set_timeout(loop, on_fire, s, ms);
    if (s->id < 0) {
        int rc = (int)s->id;
        tide_promise_release(p);
        tide_promise_release(p);
        tide__pool_put(&ps->sleeps, s);
        return rc;
    }
    int rc = tide__abort_watch(&s->abort, signal, on_abort, s);
    if (rc) {
        if (immediate) tide_clear_immediate(loop, s->id);
        else tide_clear_timeout(loop, s->id);
        tide_promise_release(p);
        sleep_done(s);
        return rc;
    }
    *out = p;
    return 0;
}

int tide_sleep(tide_loop_t *loop, uint64_t ms, tide_abort_signal_t *signal, tide_promise_t **out)
{
    return start(loop, 0, ms, signal, out);
}

int tide_immediate(tide_loop_t *loop, tide_abort_signal_t *signal, tide_promise_t **out)
{
    return start(loop, 1, 0, signal, out);
}
