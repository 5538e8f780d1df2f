/* io/destroy.c - destroy(err) and errorOrDestroy, as Node v20's
 * destroy.js: destroyed at once, the implementation's destroy called now,
 * 'error' and then 'close' emitted from later ticks (SEMANTICS.md S5). */
#include "io/stream_internal.h"

/* checkError: both sides remember the first error. Node keeps one per
 * side, but sets them together, so one field serves both. */
static void check_error(tide_stream_t *s, tide_error_t *err)
{
    if (!err || s->errored) return;
    s->errored = tide_error_ref(err);
    if (s->kind & TIDE__HAS_WRITABLE) s->w.flags |= S_ERRORED;
    if (s->kind & TIDE__HAS_READABLE) s->r.flags |= S_ERRORED;
}

static void set_both(tide_stream_t *s, uint32_t bits)
{
    if (s->kind & TIDE__HAS_WRITABLE) s->w.flags |= bits;
    if (s->kind & TIDE__HAS_READABLE) s->r.flags |= bits;
}

static int any_has(const tide_stream_t *s, uint32_t bits)
{
    return ((s->kind & TIDE__HAS_WRITABLE) && (s->w.flags & bits)) ||
           ((s->kind & TIDE__HAS_READABLE) && (s->r.flags & bits));
}

static void emit_close(tide_stream_t *s)
{
    set_both(s, S_CLOSE_EMITTED);
    if (any_has(s, S_EMIT_CLOSE)) tide__emit(s, TIDE_EVENT_CLOSE, NULL);
}

static void emit_error(tide_stream_t *s, tide_error_t *err)
{
    if (any_has(s, S_ERROR_EMITTED)) return;
    set_both(s, S_ERROR_EMITTED);
    tide__emit(s, TIDE_EVENT_ERROR, err);
}

static void emit_close_tick(tide_loop_t *loop, void *data)
{
    tide_stream_t *s = data;
    emit_close(s);
    tide__unhold(s);
}

static void emit_error_close_tick(tide_loop_t *loop, void *data)
{
    tide__sdefer_t *d = data;
    tide_stream_t *s = d->stream;
    emit_error(s, d->err);
    emit_close(s);
    tide__defer_free(d);
    tide__unhold(s);
}

static void emit_error_tick(tide_loop_t *loop, void *data)
{
    tide__sdefer_t *d = data;
    tide_stream_t *s = d->stream;
    emit_error(s, d->err);
    tide__defer_free(d);
    tide__unhold(s);
}

/* onDestroy: the completion of _destroy. Takes over err. */
static void on_destroy(tide_stream_t *s, tide_error_t *err)
{
    s->kind &= ~TIDE__DESTROY_PENDING;
    check_error(s, err);
    set_both(s, S_CLOSED);
    tide__sdefer_t *d = err ? tide__defer_new(s, (tide__cb_t){NULL, NULL}, err) : NULL;
    if (d) {
        tide__tick_defer(d, emit_error_close_tick);
    } else {
        tide_error_release(err); /* defensive: no record, so 'close' alone */
        tide__tick(s, emit_close_tick);
    }
    tide__unhold(s); /* the hold of destroy */
}

int tide__stream_is_destroyed(const tide_stream_t *s) { return any_has(s, S_DESTROYED); }

static void error_buffer_tick(tide_loop_t *loop, void *data)
{
    tide_stream_t *s = data;
    tide__writable_error_buffer(s);
    tide__unhold(s);
}

/* destroy(err); takes over err. */
void tide__destroy(tide_stream_t *s, tide_error_t *err)
{
    if (any_has(s, S_DESTROYED)) {
        tide_error_release(err);
        return;
    }
    /* Writable.prototype.destroy: buffered writes and end() callbacks
     * fail on a tick of their own, queued first. */
    if ((s->kind & TIDE__HAS_WRITABLE) &&
        ((s->w.flags & W_BUFFERED) || (s->ext && s->ext->on_finished)))
        tide__tick(s, error_buffer_tick);
    check_error(s, err);
    set_both(s, S_DESTROYED);
    tide__transform_drop_held(s);
    s->kind |= TIDE__DESTROY_PENDING;
    tide__hold(s); /* until _destroy calls back */
    if (s->ops->destroy) {
        s->ops->destroy(s, err, s->data);
        tide_error_release(err);
    } else {
        on_destroy(s, err);
    }
}

void tide__error_or_destroy(tide_stream_t *s, tide_error_t *err, int sync)
{
    if (any_has(s, S_DESTROYED)) {
        tide_error_release(err);
        return;
    }
    if (any_has(s, S_AUTO_DESTROY)) {
        tide__destroy(s, err);
        return;
    }
    if (!err) return;
    check_error(s, err);
    tide__sdefer_t *d = sync ? tide__defer_new(s, (tide__cb_t){NULL, NULL}, err) : NULL;
    if (d) {
        tide__tick_defer(d, emit_error_tick);
    } else {
        emit_error(s, err);
        tide_error_release(err);
    }
}

int tide__stream_is_finished(const tide_stream_t *s)
{
    if (any_has(s, S_DESTROYED)) return 1;
    return !tide__is_readable(s) && !tide__is_writable(s);
}

void tide__destroyer(tide_stream_t *s, tide_error_t *err)
{
    if (any_has(s, S_DESTROYED)) {
        tide_error_release(err);
        return;
    }
    if (!err && !tide__stream_is_finished(s)) err = tide__stream_error(-ECANCELED, NULL);
    tide__destroy(s, err);
}

int tide_stream_destroy(tide_stream_t *s, tide_error_t *err)
{
    if (!s) {
        tide_error_release(err);
        return -EINVAL;
    }
    if (tide__ticks_reserve(tide__sloop(s)) != 0) {
        tide_error_release(err);
        return -ENOMEM;
    }
    tide__hold(s);
    tide__destroy(s, err);
    tide__unhold(s);
    return 0;
}

int tide_stream_destroy_done(tide_stream_t *s, tide_error_t *err)
{
    if (!s) {
        tide_error_release(err);
        return -EINVAL;
    }
    if (!(s->kind & TIDE__DESTROY_PENDING)) {
        tide_error_release(err); /* Node ignores a second call */
        return TIDE_ERR_MULTIPLE_CALLBACK;
    }
    tide__hold(s);
    on_destroy(s, err);
    tide__unhold(s);
    return 0;
}
