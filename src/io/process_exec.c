/* io/process_exec.c - run a program to completion and collect its stdout
 * and stderr (Node's execFile): a size limit per stream that kills the
 * child when passed (Node's maxBuffer), a timeout and an abort signal that
 * kill it too, and the result at the process's 'close', when every byte
 * it wrote has been read. Callback, promise and awaiting forms. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "async/abort_watch.h"
#include "io/process_internal.h"

#define EXEC_DEFAULT_MAX_BUFFER ((size_t)1024 * 1024)

typedef struct {
    tide_loop_t *loop;
    tide_process_t *proc;
    tide_exec_result_t res;
    size_t cap[2];
    size_t max_buffer;
    int kill_signal;
    tide_id_t timer;
    tide__abort_watch_t abort;
    tide_exec_cb cb;
    void *data;
} exec_t;

void tide_exec_result_free(tide_exec_result_t *r)
{
    if (!r) return;
    tide__free(r->out);
    tide__free(r->err);
    tide__free(r);
}

/* The first reason to end the child wins; the child gets the kill signal
 * once (it may already be gone: -ESRCH is fine). */
static void end_child(exec_t *ex, int error)
{
    if (ex->res.error) return;
    ex->res.error = error;
    (void)tide_process_kill(ex->proc, ex->kill_signal);
}

/* Append to stdout (which 0) or stderr (1), up to max_buffer bytes; the
 * byte after the last is kept for the closing NUL. */
static int append(exec_t *ex, int which, const void *buf, size_t len)
{
    char **base = which ? &ex->res.err : &ex->res.out;
    size_t *used = which ? &ex->res.err_len : &ex->res.out_len;
    size_t room = ex->max_buffer - *used;
    size_t take = len < room ? len : room;
    if (*used + take + 1 > ex->cap[which]) {
        size_t cap = ex->cap[which] < 4096 ? 4096 : ex->cap[which];
        while (cap < *used + take + 1) cap *= 2;
        if (cap > ex->max_buffer + 1) cap = ex->max_buffer + 1;
        char *b = tide__realloc(*base, cap);
        if (!b) return -ENOMEM;
        *base = b;
        ex->cap[which] = cap;
    }
    memcpy(*base + *used, buf, take);
    *used += take;
    (*base)[*used] = 0;
    return take < len ? -ENOBUFS : 0;
}

static int on_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    exec_t *ex = data;
    const tide_chunk_t *c = arg;
    if (ex->res.error) return 0; /* ending: what still comes is dropped */
    int which = tide_stream_of(em) == tide_process_stdio(ex->proc, 2);
    int err = append(ex, which, c->base, c->len);
    if (err) end_child(ex, err);
    return 0;
}

static int on_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    exec_t *ex = data;
    tide_error_t *e = arg;
    end_child(ex, e ? e->code : -EIO);
    return 0;
}

static void on_timeout(tide_loop_t *loop, void *data)
{
    exec_t *ex = data;
    ex->timer = 0;
    end_child(ex, -ETIMEDOUT);
}

static void on_abort(tide_abort_signal_t *signal, tide_error_t *reason, void *data)
{
    exec_t *ex = data;
    end_child(ex, reason ? reason->code : -ECANCELED);
}

static void exec_free(exec_t *ex)
{
    if (ex->timer) tide_clear_timeout(ex->loop, ex->timer);
    tide__abort_unwatch(&ex->abort);
    tide__free(ex->res.out);
    tide__free(ex->res.err);
    tide__free(ex);
}

static void on_close(tide_process_t *proc, int exit_status, int term_signal, void *data)
{
    exec_t *ex = data;
    ex->res.exit_status = exit_status;
    ex->res.term_signal = term_signal;
    ex->cb(ex->loop, &ex->res, ex->data);
    tide_process_free(proc);
    exec_free(ex);
}

/* The spawn options exec runs with: stdout and stderr are pipes, stdin is
 * /dev/null unless the caller said what it is. */
static int exec_stdio(const tide_process_opts_t *opts, tide_stdio_t stdio[TIDE_STDIO_MAX])
{
    int n = opts->stdio ? opts->stdio_count : 0;
    if (n < 0 || n > TIDE_STDIO_MAX) return -EINVAL;
    if (n) memcpy(stdio, opts->stdio, sizeof *stdio * (size_t)n);
    if (n < 1) stdio[0] = (tide_stdio_t){TIDE_STDIO_IGNORE, -1};
    stdio[1] = stdio[2] = (tide_stdio_t){TIDE_STDIO_PIPE, -1};
    return n > 3 ? n : 3;
}

int tide_process_exec(tide_loop_t *loop, const tide_process_opts_t *opts,
                      const tide_exec_opts_t *eo, tide_exec_cb cb, void *data)
{
    static const tide_exec_opts_t none;
    if (!loop || !opts || !cb) return -EINVAL;
    if (!eo) eo = &none;
    if (eo->kill_signal < 0 || eo->kill_signal >= _NSIG || eo->timeout_ms > (uint64_t)TIDE_TIMEOUT_MAX)
        return -EINVAL;
    tide_stdio_t stdio[TIDE_STDIO_MAX];
    int n = exec_stdio(opts, stdio);
    if (n < 0) return n;
    exec_t *ex = tide__calloc(1, sizeof *ex);
    if (!ex) return -ENOMEM;
    ex->loop = loop;
    ex->cb = cb;
    ex->data = data;
    ex->max_buffer = eo->max_buffer ? eo->max_buffer : EXEC_DEFAULT_MAX_BUFFER;
    ex->kill_signal = eo->kill_signal ? eo->kill_signal : SIGTERM;
    ex->res.exit_status = -1;
    /* Both outputs are strings from the start, "" when nothing comes. */
    ex->res.out = tide__calloc(1, 1);
    ex->res.err = tide__calloc(1, 1);
    ex->cap[0] = ex->cap[1] = 1;
    if (!ex->res.out || !ex->res.err) {
        exec_free(ex);
        return -ENOMEM;
    }
    if (eo->timeout_ms) {
        ex->timer = tide_set_timeout(loop, on_timeout, ex, eo->timeout_ms);
        if (ex->timer < 0) {
            int err = (int)ex->timer;
            ex->timer = 0;
            exec_free(ex);
            return err;
        }
    }
    tide_process_opts_t o = *opts;
    o.stdio = stdio;
    o.stdio_count = n;
    o.on_exit = NULL;
    o.on_close = on_close;
    o.data = ex;
    int err = tide_spawn(loop, &o, &ex->proc);
    for (int i = 1; !err && i <= 2; i++) {
        tide_stream_t *s = tide_process_stdio(ex->proc, i);
        err = tide_stream_on(s, TIDE_EVENT_DATA, on_data, ex);
        if (!err) err = tide_stream_on(s, TIDE_EVENT_ERROR, on_error, ex);
    }
    if (!err && eo->signal && tide_abort_signal_aborted(eo->signal)) {
        tide_error_t *reason = tide_abort_signal_reason(eo->signal);
        end_child(ex, reason ? reason->code : -ECANCELED);
    } else if (!err) {
        err = tide__abort_watch(&ex->abort, eo->signal, on_abort, ex);
    }
    if (err) {
        if (ex->proc) {
            /* Listening failed (no memory): the child must not outlive it. */
            tide_process_kill(ex->proc, SIGKILL);
            tide_process_free(ex->proc);
        }
        exec_free(ex);
        return err;
    }
    return 0;
}

/* ---- promise and await --------------------------------------------------- */

/* Move a result to the heap for a receiver that owns it: the buffers go
 * with it and the source is left without them. */
static tide_exec_result_t *take_result(tide_exec_result_t *r)
{
    tide_exec_result_t *mine = tide__malloc(sizeof *mine);
    if (!mine) return NULL;
    *mine = *r;
    r->out = r->err = NULL;
    return mine;
}

static void free_result(void *r) { tide_exec_result_free(r); }

static void settle(tide_loop_t *loop, const tide_exec_result_t *r, void *data)
{
    tide_promise_t *p = data;
    /* settle is exec's own callback: the result may be taken. */
    tide_exec_result_t *mine = take_result((tide_exec_result_t *)r);
    if (mine) tide_promise_fulfil_owned(p, mine, free_result);
    else tide_promise_reject(p, tide_error_new(-ENOMEM, NULL));
    tide_promise_release(p);
}

int tide_process_exec_promise(tide_loop_t *loop, const tide_process_opts_t *opts,
                              const tide_exec_opts_t *exec_opts, tide_promise_t **out)
{
    if (!out) return -EINVAL;
    *out = NULL;
    tide_promise_t *p;
    int err = tide_promise_new(loop, &p);
    if (err) return err;
    err = tide_process_exec(loop, opts, exec_opts, settle, tide_promise_ref(p));
    if (err) {
        tide_promise_release(p);
        tide_promise_reject(p, tide_error_new(err, "spawn %s", opts && opts->file ? opts->file : "?"));
    }
    *out = p;
    return 0;
}

int tide_process_exec_await(tide_loop_t *loop, const tide_process_opts_t *opts,
                            const tide_exec_opts_t *exec_opts, tide_exec_result_t **out)
{
    if (!out) return -EINVAL;
    *out = NULL;
    if (!tide_in_async()) return -EPERM;
    tide_promise_t *p;
    int err = tide_promise_new(loop, &p);
    if (err) return err;
    err = tide_process_exec(loop, opts, exec_opts, settle, tide_promise_ref(p));
    if (err) {
        tide_promise_release(p);
        tide_promise_release(p);
        return err;
    }
    void *v = NULL;
    err = tide_await(p, &v, NULL);
    if (!err) {
        /* The promise is ours alone: move its result out. */
        tide_exec_result_t *mine = take_result(v);
        if (mine) *out = mine;
        else err = -ENOMEM;
    }
    tide_promise_release(p);
    return err;
}
