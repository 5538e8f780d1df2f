/* io/writable.c - the writable side: write and its buffer, cork and writev
 * batches, drain, end, _final, prefinish and finish. Each function mirrors
 * the function of Node v20's writable.js with the same name, so the return
 * value of write() and the ticks of 'drain', write callbacks and 'finish'
 * come exactly where Node's do (SEMANTICS.md S1-S5). */
#include <string.h>

#include "io/stream_internal.h"

static void clear_buffer(tide_stream_t *s);
static void finish_maybe(tide_stream_t *s, int sync);
static void after_write(tide_stream_t *s, uint32_t count, tide__cb_t cb);

static const tide__cb_t nop = {NULL, NULL};

/* ---- writev batches ----------------------------------------------------- */

static void batch_done(tide_stream_t *s, tide_error_t *err, void *data);

/* Node compares callbacks by identity; a batch's is a new closure each
 * time, so two batches never count as the same callback. */
static inline int same_cb(tide__cb_t a, tide__cb_t b)
{
    return a.fn == b.fn && a.data == b.data && a.fn != batch_done;
}

/* The loop keeps the last batch given back for the next stream that
 * needs one, so a steady writev stream allocates nothing. */
static tide__batch_t *batch_get(tide_stream_t *s, uint32_t n)
{
    tide__streams_t *st = tide__streams(tide__sloop(s));
    tide__batch_t *b = st->spare_batch;
    if (b && b->cap >= n) {
        st->spare_batch = NULL;
        b->n = 0;
        return b;
    }
    uint32_t cap = n < 16 ? 16 : n;
    b = tide__malloc(sizeof *b + cap * (sizeof(tide__entry_t) + sizeof(void *)));
    if (!b) return NULL;
    b->n = 0;
    b->cap = cap;
    b->entries = (tide__entry_t *)(b + 1);
    b->vec = (const tide_chunk_t **)(b->entries + cap);
    return b;
}

static void batch_put(tide_stream_t *s, tide__batch_t *b)
{
    tide__streams_t *st = tide__streams(tide__sloop(s));
    if (!st->spare_batch) {
        st->spare_batch = b;
    } else if (st->spare_batch->cap < b->cap) {
        tide__free(st->spare_batch);
        st->spare_batch = b;
    } else {
        tide__free(b);
    }
}

/* The callback of a batch: each buffered write's own, in order. */
static void batch_done(tide_stream_t *s, tide_error_t *err, void *data)
{
    tide__batch_t *b = data;
    for (uint32_t i = 0; i < b->n; i++) tide__call(s, b->entries[i].cb, err);
    batch_put(s, b);
}

/* ---- the _write call ---------------------------------------------------- */

/* The record of a write in flight starts on do_write's stack: most writes
 * complete before their _write returns, and those never touch the pool.
 * One still in flight when _write returns moves to a record of the pool,
 * which do_write makes sure of beforehand, so the move cannot fail. */
static TIDE__NOINLINE void flight_move(tide__streams_t *st, tide__wstate_t *w,
                                       const tide__wflight_t *local)
{
    tide__wflight_t *f = tide__pool_get(&st->flights); /* reserved: never NULL */
    *f = *local;
    f->pooled = 1;
    if (f->vec == &local->one) f->vec = &f->one; /* an fd stream's single chunk */
    w->flight = f;
}

static inline void flight_put(tide__streams_t *st, tide__wflight_t *f)
{
    if (f->pooled) tide__pool_put(&st->flights, f);
}

static void do_write(tide_stream_t *s, tide__batch_t *batch, size_t len, tide__chunk_t *c,
                     tide__cb_t cb)
{
    tide__wstate_t *w = &s->w;
    tide__streams_t *st = tide__sloop(s)->slots[TIDE__SLOT_STREAMS].state;
    tide__wflight_t local;
    local.len = len;
    local.cb = cb;
    local.chunk = c;
    local.batch = batch;
    local.vec = NULL;
    local.pooled = 0;
    w->flight = &local;
    w->flags |= W_WRITING | W_SYNC | W_EXPECT_WRITE_CB;
    tide__hold(s); /* until the implementation calls back */
    /* A pool record for the write, should it outlast its _write call. */
    if (TIDE__UNLIKELY(tide__pool_reserve(&st->flights) != 0)) {
        tide__writable_onwrite(s, tide_error_new(-ENOMEM, "no memory for a write"));
    } else if (w->flags & S_DESTROYED) {
        tide__writable_onwrite(s, tide__stream_error(TIDE_ERR_STREAM_DESTROYED, "write"));
    } else if (batch) {
        s->ops->writev(s, batch->vec, batch->n, s->data);
    } else if (s->kind & TIDE__TRANSFORM) {
        tide__transform_write(s, c);
    } else if (s->ops->write) {
        s->ops->write(s, &c->pub, s->data);
    } else {
        /* Writable.prototype._write: a writev of one */
        const tide_chunk_t *one = &c->pub;
        s->ops->writev(s, &one, 1, s->data);
    }
    w->flags &= ~W_SYNC;
    if (TIDE__UNLIKELY(w->flight == &local)) flight_move(st, w, &local);
}

static int write_or_buffer(tide_stream_t *s, tide__chunk_t *c, tide__cb_t cb)
{
    tide__wstate_t *w = &s->w;
    size_t len = tide__chunk_size(w->flags, c);
    w->length += len;
    if (!tide__writable_direct(w)) {
        w->flags |= W_BUFFERED;
        tide__entry_t e = {c, cb};
        tide__sring_push(&w->buffered, e);
        if (cb.fn) w->flags &= ~W_ALL_NOOP;
    } else {
        do_write(s, NULL, len, c, cb);
    }
    /* Computed after a synchronous _write, which has already given its
     * length back (S2). */
    int ret = w->length < w->hwm || w->length == 0;
    if (!ret) w->flags |= W_NEED_DRAIN;
    return ret && !(w->flags & (S_DESTROYED | S_ERRORED));
}

static void call_cb_tick(tide_loop_t *loop, void *data)
{
    tide__sdefer_t *d = data;
    tide_stream_t *s = d->stream;
    tide__call(s, d->cb, d->err);
    tide__defer_free(d);
    tide__unhold(s);
}

/* process.nextTick(cb, err); takes over err. */
static void tick_cb(tide_stream_t *s, tide__cb_t cb, tide_error_t *err)
{
    tide__sdefer_t *d = cb.fn ? tide__defer_new(s, cb, err) : NULL;
    if (d) tide__tick_defer(d, call_cb_tick);
    else tide_error_release(err); /* nop, or (defensive) no record: the callback is lost */
}

/* _write(stream, chunk, cb): takes over c. Returns write()'s boolean; *err
 * (may be NULL) gets the write-after-end or destroyed error, borrowed. */
/* Out of line: the write path stays small. */
static TIDE__NOINLINE int write_refused(tide_stream_t *s, tide__chunk_t *c, tide__cb_t cb,
                                        int *failed)
{
    int code = (s->w.flags & W_ENDING) ? TIDE_ERR_STREAM_WRITE_AFTER_END : TIDE_ERR_STREAM_DESTROYED;
    tide_error_t *err = tide__stream_error(code, "write");
    tick_cb(s, cb, tide_error_ref(err));
    tide__error_or_destroy(s, err, 1);
    tide__chunk_unref(c);
    if (failed) *failed = code;
    return 0;
}

static int write_internal(tide_stream_t *s, tide__chunk_t *c, tide__cb_t cb, int *failed)
{
    if (TIDE__UNLIKELY(s->w.flags & (W_ENDING | S_DESTROYED))) return write_refused(s, c, cb, failed);
    s->w.pendingcb++;
    return write_or_buffer(s, c, cb);
}

int tide__writable_write(tide_stream_t *s, tide__chunk_t *c, tide__cb_t cb)
{
    return write_internal(s, c, cb, NULL);
}

/* ---- completion of a write ---------------------------------------------- */

static void onwrite_error(tide_stream_t *s, tide__cb_t cb, tide_error_t *err)
{
    s->w.pendingcb--;
    tide__call(s, cb, err);
    tide__writable_error_buffer(s);
    tide__error_or_destroy(s, tide_error_ref(err), 0);
}

static void onwrite_error_tick(tide_loop_t *loop, void *data)
{
    tide__sdefer_t *d = data;
    tide_stream_t *s = d->stream;
    onwrite_error(s, d->cb, d->err);
    tide__defer_free(d);
    tide__unhold(s);
}

static void after_write_tick(tide_loop_t *loop, void *data)
{
    tide__sdefer_t *d = data;
    tide_stream_t *s = d->stream;
    /* Node clears the state's pointer whichever record it holds. */
    s->w.flags &= ~W_AFTER_WRITE_TICK_INFO;
    s->w.tick_info = NULL;
    after_write(s, d->count, d->cb);
    tide__defer_free(d);
    tide__unhold(s);
}

static void after_write_nop_tick(tide_loop_t *loop, void *data)
{
    tide_stream_t *s = data;
    after_write(s, 1, nop);
    tide__unhold(s);
}

/* Give the chunks of the write that completed back. Inlined into the
 * completion, where it runs for every write. */
static inline __attribute__((always_inline)) void drop_inflight(const tide__wflight_t *f)
{
    if (f->chunk) tide__chunk_unref(f->chunk);
    tide__batch_t *b = f->batch;
    if (b) {
        for (uint32_t i = 0; i < b->n; i++) tide__chunk_unref(b->entries[i].chunk);
        /* The batch lives on only as its callback's list. */
        if (f->cb.fn != batch_done) tide__free(b);
    }
}

void tide__writable_drop_flight(tide_stream_t *s)
{
    tide__wflight_t *f = s->w.flight;
    if (!f) return;
    s->w.flight = NULL;
    drop_inflight(f);
    flight_put(tide__sloop(s)->slots[TIDE__SLOT_STREAMS].state, f);
}

static TIDE__NOINLINE void onwrite_failed(tide_stream_t *s, tide__cb_t cb, tide_error_t *err,
                                          int sync)
{
    tide__wstate_t *w = &s->w;
    /* Both sides remember the first error (one field serves both). */
    if (!s->errored) s->errored = tide_error_ref(err);
    w->flags |= S_ERRORED;
    if (s->kind & TIDE__HAS_READABLE) s->r.flags |= S_ERRORED;
    tide__sdefer_t *d = sync ? tide__defer_new(s, cb, err) : NULL;
    if (d) {
        tide__tick_defer(d, onwrite_error_tick);
    } else {
        onwrite_error(s, cb, err);
        tide_error_release(err);
    }
}

/* A synchronous completion: drain and the callback wait for one tick,
 * shared by writes with the same callback (S3 step 4). */
static TIDE__NOINLINE void completed_sync(tide_stream_t *s, tide__cb_t cb)
{
    tide__wstate_t *w = &s->w;
    int need_drain = (w->flags & W_NEED_DRAIN) && w->length == 0;
    /* Node's test reads `state & kDestroyed !== 0`, which is `state & 1`:
     * object mode. Kept, so the ticks match. */
    int need_tick = need_drain || (w->flags & S_OBJECT) || cb.fn;
    if (!cb.fn) {
        if (!(w->flags & W_AFTER_WRITE_PENDING) && need_tick) {
            tide__tick(s, after_write_nop_tick);
            w->flags |= W_AFTER_WRITE_PENDING;
        } else {
            w->pendingcb--;
            if (w->flags & W_ENDING) finish_maybe(s, 1);
        }
    } else if ((w->flags & W_AFTER_WRITE_TICK_INFO) && same_cb(w->tick_info->cb, cb)) {
        w->tick_info->count++;
    } else if (need_tick) {
        tide__sdefer_t *d = tide__defer_new(s, cb, NULL);
        if (d) {
            w->tick_info = d;
            tide__tick_defer(d, after_write_tick);
            w->flags |= W_AFTER_WRITE_PENDING | W_AFTER_WRITE_TICK_INFO;
        }
    } else {
        w->pendingcb--;
        if (w->flags & W_ENDING) finish_maybe(s, 1);
    }
}

static TIDE__NOINLINE void completed_twice(tide_stream_t *s, tide_error_t *err)
{
    tide_error_release(err);
    tide__error_or_destroy(s, tide__stream_error(TIDE_ERR_MULTIPLE_CALLBACK, NULL), 0);
}

/* After a write's record is dropped: the buffered writes, then the
 * callback, drain and finish as Node's onwrite orders them. */
static TIDE__NOINLINE void onwrite_settle(tide_stream_t *s, tide__cb_t cb, int sync)
{
    tide__wstate_t *w = &s->w;
    if (w->flags & W_BUFFERED) clear_buffer(s);
    /* The common case first: synchronous, no callback, nothing due. */
    if (sync && !cb.fn && !(w->flags & (W_NEED_DRAIN | S_OBJECT | W_ENDING)))
        w->pendingcb--;
    else if (sync)
        completed_sync(s, cb);
    else
        after_write(s, 1, cb);
}

void tide__writable_onwrite(tide_stream_t *s, tide_error_t *err)
{
    tide__wstate_t *w = &s->w;
    uint32_t flags = w->flags;
    if (TIDE__UNLIKELY(!(flags & W_EXPECT_WRITE_CB))) {
        completed_twice(s, err);
        return;
    }
    tide__wflight_t *f = w->flight;
    w->flight = NULL;
    w->flags = flags & ~(W_WRITING | W_EXPECT_WRITE_CB);
    w->length -= f->len;
    /* Most writes: one chunk, no callback, completed during _write, so
     * the record is do_write's on the stack (W_SYNC is set only there
     * while a write is in flight) and nothing is due after it. */
    if (TIDE__LIKELY(!err && (flags & W_SYNC) && !f->cb.fn && !f->batch)) {
        tide__chunk_unref(f->chunk);
        if (TIDE__LIKELY(!(w->flags & (W_BUFFERED | W_NEED_DRAIN | S_OBJECT | W_ENDING))))
            w->pendingcb--;
        else
            onwrite_settle(s, nop, 1);
        tide__unhold(s); /* the hold of do_write */
        return;
    }
    int sync = (flags & W_SYNC) != 0;
    tide__cb_t cb = f->cb;
    drop_inflight(f);
    flight_put(tide__sloop(s)->slots[TIDE__SLOT_STREAMS].state, f);
    if (TIDE__UNLIKELY(err != NULL))
        onwrite_failed(s, cb, err, sync);
    else
        onwrite_settle(s, cb, sync);
    tide__unhold(s); /* the hold of do_write */
}

static TIDE__NOINLINE void after_write(tide_stream_t *s, uint32_t count, tide__cb_t cb)
{
    tide__wstate_t *w = &s->w;
    w->flags &= ~W_AFTER_WRITE_PENDING;
    if ((w->flags & (W_ENDING | W_NEED_DRAIN | S_DESTROYED)) == W_NEED_DRAIN && w->length == 0) {
        w->flags &= ~W_NEED_DRAIN;
        tide__emit(s, TIDE_EVENT_DRAIN, NULL);
    }
    while (count-- > 0) {
        w->pendingcb--;
        tide__call(s, cb, NULL);
    }
    if (w->flags & S_DESTROYED) tide__writable_error_buffer(s);
    if (w->flags & W_ENDING) finish_maybe(s, 1);
}

/* ---- the buffer --------------------------------------------------------- */

static void reset_buffer(tide__wstate_t *w)
{
    w->flags |= W_ALL_NOOP;
    w->flags &= ~W_BUFFERED;
}

static void call_finished(tide_stream_t *s, tide_error_t *err)
{
    tide__sdefer_t *d = s->ext ? s->ext->on_finished : NULL;
    if (d) s->ext->on_finished = NULL;
    while (d) {
        tide__sdefer_t *next = d->next;
        tide__call(s, d->cb, err);
        tide__defer_free(d);
        d = next;
    }
}

/* errorBuffer: every buffered write and end() callback fails. */
void tide__writable_error_buffer(tide_stream_t *s)
{
    tide__wstate_t *w = &s->w;
    if (w->flags & W_WRITING) return;
    if (w->flags & W_BUFFERED) {
        while (tide__sring_len(&w->buffered)) {
            tide__entry_t e = tide__sring_shift(&w->buffered);
            w->length -= tide__chunk_size(w->flags, e.chunk);
            tide__chunk_unref(e.chunk);
            tide_error_t *err = s->errored ? tide_error_ref(s->errored)
                                           : tide__stream_error(TIDE_ERR_STREAM_DESTROYED, "write");
            tide__call(s, e.cb, err);
            tide_error_release(err);
        }
    }
    tide_error_t *err = s->errored ? tide_error_ref(s->errored)
                                   : tide__stream_error(TIDE_ERR_STREAM_DESTROYED, "end");
    call_finished(s, err);
    tide_error_release(err);
    reset_buffer(w);
}

static TIDE__NOINLINE void clear_buffer(tide_stream_t *s)
{
    tide__wstate_t *w = &s->w;
    if ((w->flags & (S_DESTROYED | W_BUFFER_PROCESSING | W_CORKED | W_BUFFERED)) != W_BUFFERED)
        return;
    uint32_t n = tide__sring_len(&w->buffered);
    if (!n) return;
    tide__batch_t *batch = (n > 1 && s->ops->writev) ? batch_get(s, n) : NULL;
    w->flags |= W_BUFFER_PROCESSING;
    if (batch) {
        w->pendingcb -= n - 1;
        for (uint32_t i = 0; i < n; i++) {
            batch->entries[i] = tide__sring_shift(&w->buffered);
            batch->vec[i] = &batch->entries[i].chunk->pub;
        }
        batch->n = n;
        tide__cb_t cb = (w->flags & W_ALL_NOOP) ? nop : (tide__cb_t){batch_done, batch};
        do_write(s, batch, w->length, NULL, cb);
        reset_buffer(w);
    } else {
        /* Without writev (or, defensively, without memory for a batch):
         * one _write after another while they complete synchronously. */
        do {
            tide__entry_t e = tide__sring_shift(&w->buffered);
            do_write(s, NULL, tide__chunk_size(w->flags, e.chunk), e.chunk, e.cb);
        } while (tide__sring_len(&w->buffered) && !(w->flags & W_WRITING));
        if (!tide__sring_len(&w->buffered)) reset_buffer(w);
    }
    w->flags &= ~W_BUFFER_PROCESSING;
}

/* ---- end, final, finish ------------------------------------------------- */

static int need_finish(const tide__wstate_t *w)
{
    return (w->flags & (W_ENDING | S_DESTROYED | W_FINISHED | W_WRITING | S_ERROR_EMITTED |
                        S_CLOSE_EMITTED | S_ERRORED | W_BUFFERED)) == W_ENDING &&
           w->length == 0;
}

static void finish(tide_stream_t *s)
{
    tide__wstate_t *w = &s->w;
    w->pendingcb--;
    w->flags |= W_FINISHED;
    call_finished(s, NULL);
    tide__emit(s, TIDE_EVENT_FINISH, NULL);
    if (w->flags & S_AUTO_DESTROY) {
        int destroy = !(s->kind & TIDE__HAS_READABLE) ||
                      ((s->r.flags & S_AUTO_DESTROY) && (s->r.flags & R_END_EMITTED));
        if (destroy) tide__destroy(s, NULL);
    }
}

static void finish_tick(tide_loop_t *loop, void *data)
{
    tide_stream_t *s = data;
    finish(s);
    tide__unhold(s);
}

static void finish_maybe_tick(tide_loop_t *loop, void *data)
{
    tide_stream_t *s = data;
    if (need_finish(&s->w)) finish(s);
    else s->w.pendingcb--;
    tide__unhold(s);
}

/* onFinish: the completion of _final. Takes over err. */
void tide__writable_on_finish(tide_stream_t *s, tide_error_t *err)
{
    tide__wstate_t *w = &s->w;
    if (w->flags & W_PREFINISHED) {
        tide__error_or_destroy(s, err ? err : tide__stream_error(TIDE_ERR_MULTIPLE_CALLBACK, NULL), 0);
        return;
    }
    w->pendingcb--;
    if (err) {
        call_finished(s, err);
        tide__error_or_destroy(s, err, (w->flags & W_SYNC) != 0);
    } else if (need_finish(w)) {
        w->flags |= W_PREFINISHED;
        tide__emit(s, TIDE_EVENT_PREFINISH, NULL);
        w->pendingcb++;
        tide__tick(s, finish_tick);
    }
}

static void prefinish(tide_stream_t *s)
{
    tide__wstate_t *w = &s->w;
    if (w->flags & (W_PREFINISHED | W_FINAL_CALLED)) return;
    int has_final = (s->kind & TIDE__TRANSFORM) || s->ops->final;
    if (has_final && !(w->flags & S_DESTROYED)) {
        w->flags |= W_FINAL_CALLED | W_SYNC;
        w->pendingcb++;
        s->kind |= TIDE__FINAL_PENDING;
        tide__hold(s); /* until the implementation calls back */
        if (s->kind & TIDE__TRANSFORM) tide__transform_final(s);
        else s->ops->final(s, s->data);
        w->flags &= ~W_SYNC;
    } else {
        w->flags |= W_FINAL_CALLED | W_PREFINISHED;
        tide__emit(s, TIDE_EVENT_PREFINISH, NULL);
    }
}

static void finish_maybe(tide_stream_t *s, int sync)
{
    tide__wstate_t *w = &s->w;
    if (!need_finish(w)) return;
    prefinish(s);
    if (w->pendingcb == 0) {
        if (sync) {
            w->pendingcb++;
            tide__tick(s, finish_maybe_tick);
        } else if (need_finish(w)) {
            w->pendingcb++;
            finish(s);
        }
    }
}

static void uncork(tide_stream_t *s)
{
    tide__wstate_t *w = &s->w;
    if (!w->corked) return;
    if (--w->corked == 0) w->flags &= ~W_CORKED;
    if (!(w->flags & W_WRITING)) clear_buffer(s);
}

/* end(chunk, cb): takes over c (may be NULL). */
int tide__writable_end(tide_stream_t *s, tide__chunk_t *c, tide__cb_t cb, tide__sdefer_t *waiter)
{
    tide__wstate_t *w = &s->w;
    int failed = 0;
    tide_error_t *err = NULL;
    if (c) write_internal(s, c, nop, &failed);
    if (w->flags & W_CORKED) {
        w->corked = 1;
        uncork(s);
    }
    if (failed) {
        err = tide__stream_error(failed, "write");
    } else if (!(w->flags & (W_ENDING | S_ERRORED))) {
        w->flags |= W_ENDING;
        finish_maybe(s, 1);
        w->flags |= W_ENDED;
    } else if (w->flags & W_FINISHED) {
        err = tide__stream_error(TIDE_ERR_STREAM_ALREADY_FINISHED, "end");
    } else if (w->flags & S_DESTROYED) {
        err = tide__stream_error(TIDE_ERR_STREAM_DESTROYED, "end");
    }
    if (cb.fn) {
        if (err) {
            tick_cb(s, cb, err);
            err = NULL;
        } else if (w->flags & S_ERRORED) {
            tick_cb(s, cb, tide_error_ref(s->errored));
        } else if (w->flags & W_FINISHED) {
            tick_cb(s, cb, NULL);
        } else {
            /* FIFO; a stream rarely has more than one end() waiting. The
             * record and the extension were made before anything changed. */
            tide__sdefer_t **tail = &tide__sext(s)->on_finished;
            while (*tail) tail = &(*tail)->next;
            *tail = waiter;
            waiter = NULL;
        }
    }
    if (waiter) tide__defer_free(waiter);
    tide_error_release(err);
    return 0;
}

int tide__writable_finished(const tide_stream_t *s, int strict)
{
    const tide__wstate_t *w = &s->w;
    if (w->flags & W_FINISHED) return 1;
    if (s->errored) return 0;
    return !strict && (w->flags & W_ENDED) && w->length == 0;
}

void tide__writable_release(tide_stream_t *s)
{
    tide__wstate_t *w = &s->w;
    while (tide__sring_len(&w->buffered)) tide__chunk_unref(tide__sring_shift(&w->buffered).chunk);
    tide__sring_destroy(&w->buffered);
    tide__sdefer_t *d = s->ext ? s->ext->on_finished : NULL;
    while (d) {
        tide__sdefer_t *next = d->next;
        tide__defer_free(d);
        d = next;
    }
}

/* ---- the public calls --------------------------------------------------- */

static int enter_writable(tide_stream_t *s)
{
    if (!s || !(s->kind & TIDE__HAS_WRITABLE)) return -EINVAL;
    if (tide__ticks_reserve(tide__sloop(s)) != 0) return -ENOMEM;
    if (tide__writable_reserve(s) != 0) return -ENOMEM;
    /* The records a write or end may need: a tick's or a callback's. */
    tide__streams_t *st = tide__streams(tide__sloop(s));
    if (!st) return -ENOMEM;
    if (tide__pool_reserve(&st->defers) != 0 || tide__pool_reserve(&st->flights) != 0)
        return -ENOMEM;
    tide__hold(s);
    return 0;
}

static int write_made(tide_stream_t *s, tide__chunk_t *c, tide__cb_t cb)
{
    if (!c) {
        tide__unhold(s);
        return -ENOMEM;
    }
    if (s->w.flags & S_OBJECT) c->flags |= TIDE__CHUNK_OBJECT;
    int rc = tide__writable_write(s, c, cb);
    tide__unhold(s);
    return rc;
}

int tide_stream_write(tide_stream_t *s, const void *buf, size_t len, tide_stream_cb cb, void *data)
{
    if (s && !buf && len && !(s->w.flags & S_OBJECT)) return -EINVAL;
    int rc = enter_writable(s);
    if (rc) return rc;
    tide__chunk_t *c = tide__chunk_make(tide__sloop(s), (void *)buf, len, TIDE__CHUNK_BORROWED, NULL, NULL);
    return write_made(s, c, (tide__cb_t){cb, data});
}

int tide_stream_write_chunk(tide_stream_t *s, const tide_chunk_t *chunk, tide_stream_cb cb,
                            void *data)
{
    if (!chunk) return -EINVAL;
    int rc = enter_writable(s);
    if (rc) return rc;
    return write_made(s, tide__chunk_keep(tide__chunk(chunk)), (tide__cb_t){cb, data});
}

int tide_stream_end(tide_stream_t *s, const tide_chunk_t *chunk, tide_stream_cb cb, void *data)
{
    int rc = enter_writable(s);
    if (rc) return rc;
    tide__chunk_t *c = NULL;
    if (chunk) {
        c = tide__chunk_keep(tide__chunk(chunk));
        if (!c) {
            tide__unhold(s);
            return -ENOMEM;
        }
        if (s->w.flags & S_OBJECT) c->flags |= TIDE__CHUNK_OBJECT;
    }
    /* A callback that may have to wait for 'finish' gets its record now,
     * so that running out of memory is an error here, not a callback
     * silently never called. */
    tide__sdefer_t *waiter = NULL;
    if (cb && (!tide__sext(s) || !(waiter = tide__defer_new(s, (tide__cb_t){cb, data}, NULL)))) {
        if (c) tide__chunk_unref(c);
        tide__unhold(s);
        return -ENOMEM;
    }
    tide__writable_end(s, c, (tide__cb_t){cb, data}, waiter);
    tide__unhold(s);
    return 0;
}

int tide_stream_cork(tide_stream_t *s)
{
    if (!s || !(s->kind & TIDE__HAS_WRITABLE)) return -EINVAL;
    s->w.flags |= W_CORKED;
    s->w.corked++;
    return 0;
}

int tide_stream_uncork(tide_stream_t *s)
{
    int rc = enter_writable(s);
    if (rc) return rc;
    uncork(s);
    tide__unhold(s);
    return 0;
}

int tide_stream_write_done(tide_stream_t *s, tide_error_t *err)
{
    if (!s || !(s->kind & TIDE__HAS_WRITABLE) || (s->kind & TIDE__TRANSFORM)) {
        tide_error_release(err);
        return -EINVAL;
    }
    if (TIDE__UNLIKELY(!(s->w.flags & W_EXPECT_WRITE_CB))) {
        tide__hold(s);
        tide__writable_onwrite(s, err);
        tide__unhold(s);
        return TIDE_ERR_MULTIPLE_CALLBACK;
    }
    /* No hold of its own: the write's hold is let go last, and nothing
     * of the stream is read after. */
    tide__writable_onwrite(s, err);
    return 0;
}

/* The end of _final (or of a transform's flush): Node's onFinish, and the
 * hold of prefinish let go. Takes over err. */
void tide__writable_final_done(tide_stream_t *s, tide_error_t *err)
{
    s->kind &= ~TIDE__FINAL_PENDING;
    tide__writable_on_finish(s, err);
    tide__unhold(s); /* the hold of prefinish */
}

int tide__final_complete(tide_stream_t *s, tide_error_t *err, int eof)
{
    tide__hold(s);
    int rc = 0;
    if (!(s->kind & TIDE__FINAL_PENDING)) {
        tide_error_release(err);
        tide__error_or_destroy(s, tide__stream_error(TIDE_ERR_MULTIPLE_CALLBACK, NULL), 0);
        rc = TIDE_ERR_MULTIPLE_CALLBACK;
    } else {
        if (eof && !err) tide__readable_eof(s);
        tide__writable_final_done(s, err);
    }
    tide__unhold(s);
    return rc;
}

int tide_stream_final_done(tide_stream_t *s, tide_error_t *err)
{
    if (!s || !(s->kind & TIDE__HAS_WRITABLE) || (s->kind & TIDE__TRANSFORM)) {
        tide_error_release(err);
        return -EINVAL;
    }
    return tide__final_complete(s, err, 0);
}
