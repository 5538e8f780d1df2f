/* io/stream_iter.c - `for await (const chunk of readable)` for async
 * functions, as Node v20's createAsyncIterator: read() in paused mode, a
 * 'readable' listener and a finished() watch wake the waiting fiber, and
 * leaving the loop early destroys the stream with an AbortError (S11).
 * The record stays on the stream after the loop, with its listeners, as
 * Node's do, and goes with the stream. */
#include "io/stream_internal.h"

struct tide_stream_iter_s {
    tide__attached_t att;
    tide_stream_t *stream;
    tide__eos_t *eos;
    tide_promise_t *wake;  /* Node's `callback`: the promise next() awaits */
    tide_error_t *error;
    uint8_t done;          /* error === null: the stream finished cleanly */
    uint8_t freed;         /* the program left the loop */
};

_Static_assert(sizeof(struct tide_stream_iter_s) <= TIDE__RECORD_SIZE, "iter outgrew its pool");

static void wake_up(tide_stream_iter_t *it)
{
    tide_promise_t *p = it->wake;
    if (p) {
        it->wake = NULL;
        tide_promise_fulfil(p, NULL);
        tide_promise_release(p);
    }
}

static int on_readable(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    wake_up(data);
    return 0;
}

static void on_finished(tide_stream_t *s, tide_error_t *err, void *data)
{
    tide_stream_iter_t *it = data;
    if (err) {
        if (!it->error) it->error = tide_error_ref(err);
    } else {
        it->done = 1;
    }
    wake_up(it);
}

static void iter_free(tide__attached_t *a)
{
    tide_stream_iter_t *it = (tide_stream_iter_t *)a;
    tide_promise_release(it->wake);
    tide_error_release(it->error);
    tide__record_put(tide__sloop(it->stream), it);
}

int tide_stream_iterate(tide_stream_t *s, tide_stream_iter_t **out)
{
    if (!s || !out || !(s->kind & TIDE__HAS_READABLE)) return -EINVAL;
    if (tide__ticks_reserve(tide__sloop(s)) != 0) return -ENOMEM;
    if (!tide__sext(s)) return -ENOMEM;
    tide_stream_iter_t *it = tide__record_get(tide__sloop(s));
    if (!it) return -ENOMEM;
    it->att.free = iter_free;
    it->stream = s;
    tide__hold(s);
    int rc = tide__stream_listen(s, TIDE_EVENT_READABLE, on_readable, it, TIDE__LISTEN_ON);
    if (!rc) {
        it->eos = tide__eos(s, -1, 0, 1, on_finished, it);
        if (!it->eos) {
            tide__stream_unlisten(s, TIDE_EVENT_READABLE, on_readable, it);
            rc = -ENOMEM;
        }
    }
    if (rc) {
        tide__record_put(tide__sloop(s), it);
        tide__unhold(s);
        return rc;
    }
    tide__attach(s, &it->att);
    *out = it; /* the hold of the stream is the iterator's until it is freed */
    return 0;
}

int tide_stream_iter_next(tide_stream_iter_t *it, const tide_chunk_t **out,
                          const tide_await_opts_t *opts)
{
    if (!it || !out || it->freed) return -EINVAL;
    *out = NULL;
    if (!tide_in_async()) return -EPERM;
    tide_stream_t *s = it->stream;
    for (;;) {
        if (tide__ticks_reserve(tide__sloop(s)) != 0) return -ENOMEM;
        tide__chunk_t *c = NULL;
        if (!tide__stream_is_destroyed(s)) {
            int rc = tide__readable_read(s, 1, 0, &c);
            if (rc < 0) return rc;
        }
        if (c) {
            *out = &c->pub;
            return 1;
        }
        if (it->error) return it->error->code;
        if (it->done) return 0;
        tide_promise_t *p;
        int rc = tide_promise_new(tide__sloop(s), &p);
        if (rc) return rc;
        tide_promise_release(it->wake);
        it->wake = tide_promise_ref(p);
        rc = tide_await_opts(p, opts, NULL, NULL);
        tide_promise_release(p);
        if (rc) return rc;
    }
}

void tide_stream_iter_free(tide_stream_iter_t *it)
{
    if (!it || it->freed) return;
    it->freed = 1;
    tide_stream_t *s = it->stream;
    /* The `finally` of the iterator: destroyOnReturn is Node's default. */
    if (!it->error && !it->done) {
        tide__destroyer(s, NULL); /* break: an AbortError unless finished */
    } else if (s->r.flags & S_AUTO_DESTROY) {
        tide__destroyer(s, NULL);
    } else {
        tide__stream_unlisten(s, TIDE_EVENT_READABLE, on_readable, it);
        tide__eos_cleanup(it->eos);
    }
    tide__unhold(s);
}
