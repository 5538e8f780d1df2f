/* io/finished.c - stream.finished (Node's end-of-stream, eos): one callback
 * when a stream has ended and/or finished, errored, or closed early. Like
 * Node's, the watch keeps its listeners after it fired (an 'error' that
 * comes later is still heard), so its record is freed with the stream. It
 * does not keep the stream alive, as a listener does not in Node: a stream
 * nobody holds and that waits for nothing goes, and its watch with it. */
#include "io/stream_internal.h"

struct tide__eos {
    tide__attached_t att;
    tide_stream_t *stream;
    tide_loop_t *loop;
    tide__eos_fn fn;
    void *data;
    uint32_t refs;            /* attached to the stream, plus each pending tick */
    uint8_t readable;
    uint8_t writable;
    uint8_t error;            /* listens for 'error' */
    uint8_t will_emit_close;
    uint8_t writable_finished;
    uint8_t readable_finished;
    uint8_t called;           /* once(callback), or cleaned up */
};

_Static_assert(sizeof(struct tide__eos) <= TIDE__RECORD_SIZE, "eos outgrew its pool");

static void eos_unref(tide__eos_t *e)
{
    if (--e->refs == 0) tide__record_put(e->loop, e);
}

static void eos_free(tide__attached_t *a) { eos_unref((tide__eos_t *)a); }

static void callback(tide__eos_t *e, tide_error_t *err)
{
    if (e->called) return;
    e->called = 1;
    tide_stream_t *s = e->stream;
    tide__hold(s);
    e->fn(s, err, e->data);
    tide__unhold(s);
}

/* isReadable / isWritable: null (-1) for a stream without that side. */
static int is_readable(const tide_stream_t *s)
{
    return (s->kind & TIDE__HAS_READABLE) ? tide__is_readable(s) : -1;
}
static int is_writable(const tide_stream_t *s)
{
    return (s->kind & TIDE__HAS_WRITABLE) ? tide__is_writable(s) : -1;
}

static tide_error_t *errored(const tide_stream_t *s) { return s->errored; }

static int on_finish(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    tide__eos_t *e = data;
    tide_stream_t *s = e->stream;
    e->writable_finished = 1;
    if (tide__stream_is_destroyed(s)) e->will_emit_close = 0;
    if (e->will_emit_close && (is_readable(s) != 1 || e->readable)) return 0;
    if (!e->readable || e->readable_finished) callback(e, NULL);
    return 0;
}

static int on_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    tide__eos_t *e = data;
    tide_stream_t *s = e->stream;
    e->readable_finished = 1;
    if (tide__stream_is_destroyed(s)) e->will_emit_close = 0;
    if (e->will_emit_close && (is_writable(s) != 1 || e->writable)) return 0;
    if (!e->writable || e->writable_finished) callback(e, NULL);
    return 0;
}

static int on_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    callback(data, arg);
    return 0;
}

static void on_close_now(tide__eos_t *e)
{
    tide_stream_t *s = e->stream;
    tide_error_t *err = errored(s);
    if (err) {
        callback(e, err);
        return;
    }
    int premature = 0;
    if (e->readable && !e->readable_finished && (s->kind & TIDE__HAS_READABLE))
        premature = !tide__readable_finished(s, 0);
    if (!premature && e->writable && !e->writable_finished)
        premature = !((s->kind & TIDE__HAS_WRITABLE) && tide__writable_finished(s, 0));
    if (premature) {
        tide_error_t *pc = tide__stream_error(TIDE_ERR_STREAM_PREMATURE_CLOSE, NULL);
        callback(e, pc);
        tide_error_release(pc);
        return;
    }
    callback(e, NULL);
}

static int on_close(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    on_close_now(data);
    return 0;
}

/* The ticks hold the stream (and the record) until they ran. */
static void on_close_tick(tide_loop_t *loop, void *data)
{
    tide__eos_t *e = data;
    tide_stream_t *s = e->stream;
    if (!e->called) on_close_now(e);
    eos_unref(e);
    tide__unhold(s);
}

/* onclosed: closed without a close event to wait for. */
static void on_closed_tick(tide_loop_t *loop, void *data)
{
    tide__eos_t *e = data;
    tide_stream_t *s = e->stream;
    if (!e->called) callback(e, errored(s));
    eos_unref(e);
    tide__unhold(s);
}

static void later(tide__eos_t *e, tide_fn fn)
{
    e->refs++;
    tide__hold(e->stream);
    tide__ring_push(&tide__sloop(e->stream)->ticks, fn, e, tide__sloop(e->stream)->context);
}

void tide__eos_cleanup(tide__eos_t *e)
{
    tide_stream_t *s = e->stream;
    e->called = 1;
    tide_off(&s->em, TIDE_EVENT_FINISH, on_finish, e);
    tide_off(&s->em, TIDE_EVENT_END, on_end, e);
    if (e->error) tide_off(&s->em, TIDE_EVENT_ERROR, on_error, e);
    tide_off(&s->em, TIDE_EVENT_CLOSE, on_close, e);
    if (tide__queue_linked(&e->att.node)) {
        tide__queue_remove(&e->att.node);
        eos_unref(e);
    }
}

tide__eos_t *tide__eos(tide_stream_t *s, int readable, int writable, int error,
                       tide__eos_fn fn, void *data)
{
    if (!tide__sext(s)) return NULL;
    tide__eos_t *e = tide__record_get(tide__sloop(s));
    if (!e) return NULL;
    int has_r = (s->kind & TIDE__HAS_READABLE) != 0, has_w = (s->kind & TIDE__HAS_WRITABLE) != 0;
    e->att.free = eos_free;
    tide__queue_init(&e->att.node);
    e->stream = s;
    e->loop = tide__sloop(s);
    e->fn = fn;
    e->data = data;
    e->refs = 1;
    e->readable = readable < 0 ? has_r : readable;
    e->writable = writable < 0 ? has_w : writable;
    e->error = error;
    uint32_t main = tide__main_flags(s);
    e->will_emit_close = (main & (S_AUTO_DESTROY | S_EMIT_CLOSE | S_CLOSED)) ==
                             (S_AUTO_DESTROY | S_EMIT_CLOSE) &&
                         has_r == e->readable && has_w == e->writable;
    e->writable_finished = has_w && tide__writable_finished(s, 0);
    e->readable_finished = has_r && tide__readable_finished(s, 0);

    int rc = tide_on(&s->em, TIDE_EVENT_END, on_end, e);
    if (!rc) rc = tide_on(&s->em, TIDE_EVENT_FINISH, on_finish, e);
    if (!rc && error) rc = tide_on(&s->em, TIDE_EVENT_ERROR, on_error, e);
    if (!rc) rc = tide_on(&s->em, TIDE_EVENT_CLOSE, on_close, e);
    if (rc) {
        tide__eos_cleanup(e);
        eos_unref(e);
        return NULL;
    }
    tide__attach(s, &e->att);

    int errored_emitted = (has_w && (s->w.flags & S_ERROR_EMITTED)) ||
                          (has_r && (s->r.flags & S_ERROR_EMITTED));
    if (main & S_CLOSED) {
        later(e, on_close_tick);
    } else if (errored_emitted) {
        if (!e->will_emit_close) later(e, on_closed_tick);
    } else if (!e->readable && (!e->will_emit_close || is_readable(s) == 1) &&
               (e->writable_finished || is_writable(s) == 0) &&
               (!has_w || s->w.pendingcb == 0)) {
        later(e, on_closed_tick);
    } else if (!e->writable && (!e->will_emit_close || is_writable(s) == 1) &&
               (e->readable_finished || is_readable(s) == 0)) {
        later(e, on_closed_tick);
    }
    return e;
}

/* ---- the public form ---------------------------------------------------- */

struct tide_finished_s {
    tide__eos_t *eos;
    tide_stream_cb cb;
    void *data;
};

static void user_done(tide_stream_t *s, tide_error_t *err, void *data)
{
    tide_finished_t *f = data;
    tide_stream_cb cb = f->cb;
    void *cb_data = f->data;
    tide__record_put(tide__sloop(s), f);
    cb(s, err, cb_data);
}

int tide_stream_finished(tide_stream_t *s, unsigned flags, tide_stream_cb cb, void *data,
                         tide_finished_t **out)
{
    if (!s || !cb || (flags & ~7u)) return -EINVAL;
    if (tide__ticks_reserve(tide__sloop(s)) != 0) return -ENOMEM;
    tide_finished_t *f = tide__record_get(tide__sloop(s));
    if (!f) return -ENOMEM;
    f->cb = cb;
    f->data = data;
    int readable = -1, writable = -1;
    if (flags & (TIDE_FINISHED_READABLE | TIDE_FINISHED_WRITABLE)) {
        readable = (flags & TIDE_FINISHED_READABLE) != 0;
        writable = (flags & TIDE_FINISHED_WRITABLE) != 0;
    }
    tide__hold(s);
    f->eos = tide__eos(s, readable, writable, !(flags & TIDE_FINISHED_NO_ERROR), user_done, f);
    tide__unhold(s);
    if (!f->eos) {
        tide__record_put(tide__sloop(s), f);
        return -ENOMEM;
    }
    if (out) *out = f;
    return 0;
}

void tide_stream_finished_cancel(tide_finished_t *f)
{
    if (!f) return;
    tide_stream_t *s = f->eos->stream;
    tide__eos_cleanup(f->eos);
    tide__record_put(tide__sloop(s), f);
}
