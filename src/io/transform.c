/* io/transform.c - transforms: a duplex whose _write hands each chunk to
 * the transform callback, which pushes zero or more outputs and completes;
 * flush runs at end and pushes the last outputs, then EOF. The write is
 * held back while the readable side is full, as Node v20's transform.js
 * does (SEMANTICS.md S10). A transform without a callback passes chunks
 * through (PassThrough). */
#include "io/stream_internal.h"

static void release_held_tick(tide_loop_t *loop, void *data)
{
    tide_stream_t *s = data;
    tide__writable_onwrite(s, NULL);
    tide__unhold(s);
}

/* The callback given to _transform: the write completes now, on the next
 * tick (the readable side has ended), or when the reader asks for more. */
static void transformed(tide_stream_t *s, tide_error_t *err)
{
    tide__rstate_t *r = &s->r;
    if (err) {
        tide__writable_onwrite(s, err);
    } else if (r->flags & R_ENDED) {
        tide__tick(s, release_held_tick);
    } else if ((s->w.flags & W_ENDED) || s->ext->transform_len == r->length || r->length < r->hwm) {
        tide__writable_onwrite(s, NULL);
    } else {
        s->kind |= TIDE__TRANSFORM_HELD;
    }
}

void tide__transform_write(tide_stream_t *s, tide__chunk_t *c)
{
    s->ext->transform_len = s->r.length;
    s->kind |= TIDE__TRANSFORM_PENDING;
    if (s->ops->transform) {
        s->ops->transform(s, &c->pub, s->data);
        return;
    }
    /* PassThrough: the same chunk goes out (a copy if only borrowed). */
    s->kind &= ~TIDE__TRANSFORM_PENDING;
    tide__chunk_t *out = NULL;
    if (tide__readable_reserve(s) == 0) out = tide__chunk_keep(c);
    if (!out) {
        transformed(s, tide_error_new(-ENOMEM, NULL));
        return;
    }
    tide__readable_add(s, out, 0);
    transformed(s, NULL);
}

/* Destroyed with a write held back for a reader that will never come: in
 * Node its callback never runs and the stream is collected. Here the
 * write's hold on the stream and on its chunk go, and the stream stays as
 * Node leaves it (still writing), so nothing else changes. */
void tide__transform_drop_held(tide_stream_t *s)
{
    if (!(s->kind & TIDE__TRANSFORM_HELD)) return;
    s->kind &= ~TIDE__TRANSFORM_HELD;
    tide__writable_drop_flight(s);
    tide__unhold(s); /* the hold of do_write */
}

void tide__transform_read(tide_stream_t *s)
{
    if (s->kind & TIDE__TRANSFORM_HELD) {
        s->kind &= ~TIDE__TRANSFORM_HELD;
        tide__writable_onwrite(s, NULL);
    }
}

void tide__transform_final(tide_stream_t *s)
{
    if (s->ops->flush && !(s->w.flags & S_DESTROYED)) {
        s->ops->flush(s, s->data);
        return;
    }
    tide__readable_eof(s);
    tide__writable_final_done(s, NULL);
}

int tide_stream_transform_done(tide_stream_t *s, tide_error_t *err)
{
    if (!s || !(s->kind & TIDE__TRANSFORM)) {
        tide_error_release(err);
        return -EINVAL;
    }
    /* No hold of its own: each way through ends in the write's completion,
     * which lets go of the write's hold last, or leaves the write held. */
    if (!(s->kind & TIDE__TRANSFORM_PENDING)) {
        /* A second call reaches the write callback a second time. */
        tide_error_release(err);
        tide__hold(s);
        tide__writable_onwrite(s, NULL);
        tide__unhold(s);
        return TIDE_ERR_MULTIPLE_CALLBACK;
    }
    s->kind &= ~TIDE__TRANSFORM_PENDING;
    transformed(s, err);
    return 0;
}

int tide_stream_flush_done(tide_stream_t *s, tide_error_t *err)
{
    if (!s || !(s->kind & TIDE__TRANSFORM)) {
        tide_error_release(err);
        return -EINVAL;
    }
    /* flush's callback: push(null), then the callback of _final. */
    return tide__final_complete(s, err, 1);
}
