/* io/readable.c - the readable side: push and unshift, read(n), flowing and
 * paused modes, 'readable' and 'end'. Each function mirrors the function of
 * Node v20's readable.js with the same name, step for step, so the ticks
 * happen where Node's happen (SEMANTICS.md S6, S7). */
#include <string.h>

#include "io/stream_internal.h"

static void emit_readable(tide_stream_t *s);
static inline void maybe_read_more(tide_stream_t *s);
static void end_readable(tide_stream_t *s);
static void flow(tide_stream_t *s);

static inline void clear_await_drain(tide_stream_t *s) { s->r.nawait = 0; }

static inline int can_push_more(const tide__rstate_t *r)
{
    return !(r->flags & R_ENDED) && (r->length < r->hwm || r->length == 0);
}

/* ---- adding chunks ------------------------------------------------------ */

/* Into the buffer: nothing of the program runs (a 'readable' goes out on
 * a tick), so the caller needs no hold on the stream. */
static inline void add_buffered(tide_stream_t *s, tide__chunk_t *c, int front)
{
    tide__rstate_t *r = &s->r;
    r->length += tide__chunk_size(r->flags, c);
    tide__entry_t e = {c, {NULL, NULL}};
    if (front) tide__sring_unshift(&r->buffer, e);
    else tide__sring_push(&r->buffer, e);
    if (r->flags & R_NEED_READABLE) emit_readable(s);
}

/* Flowing with nothing buffered: straight to the 'data' listeners, which
 * may let go of the stream, so the caller holds it. */
static inline void add_direct(tide_stream_t *s, tide__chunk_t *c)
{
    clear_await_drain(s);
    s->r.flags |= R_DATA_EMITTED;
    tide__emit(s, TIDE_EVENT_DATA, &c->pub);
    tide__chunk_unref(c);
}

/* addChunk; the caller holds the stream. */
static void add_chunk(tide_stream_t *s, tide__chunk_t *c, int front)
{
    if (tide__readable_direct(&s->r)) add_direct(s, c);
    else add_buffered(s, c, front);
    maybe_read_more(s);
}

/* The rarer cases of readableAddChunk*: empty chunks, unshift, and a
 * stream that cannot take more. Out of line, so a push stays small. */
static TIDE__NOINLINE int add_unusual(tide_stream_t *s, tide__chunk_t *c, int front)
{
    tide__rstate_t *r = &s->r;
    if (!(r->flags & S_OBJECT) && c->pub.len == 0) {
        tide__chunk_unref(c);
        if (!front) {
            r->flags &= ~R_READING;
            maybe_read_more(s);
        }
        return can_push_more(r);
    }
    int rc = 0; /* ended, destroyed or errored */
    tide__hold(s);
    if (front) {
        if (r->flags & R_END_EMITTED) {
            tide__chunk_unref(c);
            tide__error_or_destroy(s, tide__stream_error(TIDE_ERR_STREAM_UNSHIFT_AFTER_END_EVENT, NULL), 0);
            rc = can_push_more(r);
        } else if (r->flags & (S_DESTROYED | S_ERRORED)) {
            tide__chunk_unref(c);
        } else {
            add_chunk(s, c, 1);
            rc = can_push_more(r);
        }
    } else {
        tide__chunk_unref(c);
        if (r->flags & R_ENDED)
            tide__error_or_destroy(s, tide__stream_error(TIDE_ERR_STREAM_PUSH_AFTER_EOF, NULL), 0);
    }
    tide__unhold(s);
    return rc;
}

/* readableAddChunkPush / readableAddChunkUnshift: takes over c's reference.
 * The caller reserved a ring slot; it need not hold the stream. */
int tide__readable_add(tide_stream_t *s, tide__chunk_t *c, int front)
{
    tide__rstate_t *r = &s->r;
    if (TIDE__UNLIKELY(front || (r->flags & (R_ENDED | S_DESTROYED | S_ERRORED)) ||
                       (c->pub.len == 0 && !(r->flags & S_OBJECT))))
        return add_unusual(s, c, front);
    r->flags &= ~R_READING;
    if (!tide__readable_direct(r)) {
        /* A push inside _read, or with a reader behind: buffered. */
        add_buffered(s, c, 0);
        maybe_read_more(s);
        return can_push_more(r);
    }
    tide__hold(s);
    add_direct(s, c);
    maybe_read_more(s);
    int rc = can_push_more(r);
    tide__unhold(s);
    return rc;
}

static void emit_readable_now(tide_stream_t *s);

/* onEofChunk */
int tide__readable_eof(tide_stream_t *s)
{
    tide__rstate_t *r = &s->r;
    r->flags &= ~R_READING;
    if (r->flags & R_ENDED) return 0;
    r->flags |= R_ENDED;
    if (r->flags & R_SYNC) {
        emit_readable(s);
    } else {
        r->flags &= ~R_NEED_READABLE;
        r->flags |= R_EMITTED_READABLE;
        emit_readable_now(s);
    }
    return 0;
}

/* ---- 'readable' --------------------------------------------------------- */

static void emit_readable_tick(tide_loop_t *loop, void *data)
{
    tide_stream_t *s = data;
    emit_readable_now(s);
    tide__unhold(s);
}

static TIDE__NOINLINE void emit_readable(tide_stream_t *s)
{
    tide__rstate_t *r = &s->r;
    r->flags &= ~R_NEED_READABLE;
    if (!(r->flags & R_EMITTED_READABLE)) {
        r->flags |= R_EMITTED_READABLE;
        tide__tick(s, emit_readable_tick);
    }
}

static void emit_readable_now(tide_stream_t *s)
{
    tide__rstate_t *r = &s->r;
    if (!(r->flags & (S_DESTROYED | S_ERRORED)) && (r->length || (r->flags & R_ENDED))) {
        tide__emit(s, TIDE_EVENT_READABLE, NULL);
        r->flags &= ~R_EMITTED_READABLE;
    }
    if (!(r->flags & (R_FLOWING | R_ENDED)) && r->length <= r->hwm) r->flags |= R_NEED_READABLE;
    flow(s);
}

/* ---- reading ahead ------------------------------------------------------ */

static void maybe_read_more_tick(tide_loop_t *loop, void *data)
{
    tide_stream_t *s = data;
    tide__rstate_t *r = &s->r;
    while (!(r->flags & (R_READING | R_ENDED)) &&
           (r->length < r->hwm || ((r->flags & R_FLOWING) && r->length == 0))) {
        size_t len = r->length;
        tide__chunk_t *none;
        tide__readable_read(s, 0, 0, &none);
        if (len == r->length) break;
    }
    r->flags &= ~R_READING_MORE;
    tide__unhold(s);
}

static TIDE__NOINLINE void read_more_later(tide_stream_t *s)
{
    s->r.flags |= R_READING_MORE;
    tide__tick(s, maybe_read_more_tick);
}

static inline void maybe_read_more(tide_stream_t *s)
{
    if (!(s->r.flags & R_READING_MORE)) read_more_later(s);
}

/* ---- read(n) ------------------------------------------------------------ */

/* howMuchToRead; `all` is Node's read() (n is NaN there). */
static size_t how_much(const tide_stream_t *s, int all, size_t n)
{
    const tide__rstate_t *r = &s->r;
    if ((!all && n == 0) || (r->length == 0 && (r->flags & R_ENDED))) return 0;
    if (r->flags & S_OBJECT) return 1;
    if (all) {
        if ((r->flags & R_FLOWING) && r->length) return tide__sring_front(&r->buffer)->chunk->pub.len;
        return r->length;
    }
    if (n <= r->length) return n;
    return (r->flags & R_ENDED) ? r->length : 0;
}

/* Copy n bytes from the front of the buffer into one new chunk; the last
 * chunk touched may be split. */
static int gather(tide_stream_t *s, size_t n, tide__chunk_t **out)
{
    tide__sring_t *b = &s->r.buffer;
    char *bytes = tide__malloc(n);
    if (!bytes) return -ENOMEM;
    tide__chunk_t *c = tide__chunk_make(tide__sloop(s), bytes, n, TIDE__CHUNK_COPY, NULL, NULL);
    if (!c) {
        tide__free(bytes);
        return -ENOMEM;
    }
    /* The split needs a view of the rest: make it before anything moves. */
    size_t off = 0;
    uint32_t i = 0;
    while (off < n && off + tide__sring_at(b, i)->chunk->pub.len <= n)
        off += tide__sring_at(b, i++)->chunk->pub.len;
    tide__chunk_t *rest = NULL;
    if (off < n) {
        tide__chunk_t *last = tide__sring_at(b, i)->chunk;
        rest = tide__chunk_make(tide__sloop(s), (char *)last->pub.base + (n - off),
                                last->pub.len - (n - off), TIDE__CHUNK_SLICE, NULL, NULL);
        if (!rest) {
            tide__chunk_unref(c);
            return -ENOMEM;
        }
        rest->u.parent = last; /* takes the ring's reference to last */
        rest->flags = last->flags;
    }
    off = 0;
    while (off < n) {
        tide__entry_t *e = tide__sring_front(b);
        size_t take = e->chunk->pub.len <= n - off ? e->chunk->pub.len : n - off;
        memcpy(bytes + off, e->chunk->pub.base, take);
        off += take;
        if (take == e->chunk->pub.len) tide__chunk_unref(tide__sring_shift(b).chunk);
        else e->chunk = rest;
    }
    *out = c;
    return 0;
}

/* fromList's rarer half: n ends inside the first chunk (split it into two
 * views) or spans several (gather them into one). */
static TIDE__NOINLINE int from_list_split(tide_stream_t *s, size_t n, tide__chunk_t **out)
{
    tide__rstate_t *r = &s->r;
    tide__entry_t *front = tide__sring_front(&r->buffer);
    size_t flen = front->chunk->pub.len;
    if (n < r->length && n < flen) {
        const tide_chunk_t *head, *tail;
        if (tide_chunk_slice(&front->chunk->pub, 0, n, &head) != 0) return -ENOMEM;
        if (tide_chunk_slice(&front->chunk->pub, n, flen - n, &tail) != 0) {
            tide_chunk_release(head);
            return -ENOMEM;
        }
        tide__chunk_unref(front->chunk);
        front->chunk = tide__chunk(tail);
        *out = tide__chunk(head);
        return 0;
    }
    return gather(s, n < r->length ? n : r->length, out);
}

/* fromList: take n (> 0) bytes, or one object, off the front. Inline: a
 * flowing stream takes its first chunk whole, once per chunk. */
static inline int from_list(tide_stream_t *s, size_t n, tide__chunk_t **out)
{
    tide__rstate_t *r = &s->r;
    *out = NULL;
    if (r->length == 0) return 0;
    tide__sring_t *b = &r->buffer;
    if ((r->flags & S_OBJECT) || (n >= r->length && tide__sring_len(b) == 1) ||
        (n < r->length && n == tide__sring_front(b)->chunk->pub.len)) {
        *out = tide__sring_shift(b).chunk;
        return 0;
    }
    return from_list_split(s, n, out);
}

/* The part of read(n) after the size is known: refill through _read when
 * below the mark, take `want` off the front, emit 'data'. */
static int read_want(tide_stream_t *s, int all, size_t n, size_t want, tide__chunk_t **out)
{
    tide__rstate_t *r = &s->r;
    int do_read = (r->flags & R_NEED_READABLE) != 0;
    if (r->length == 0 || r->length - want < r->hwm) do_read = 1;
    if (r->flags & (R_READING | R_ENDED | S_DESTROYED | S_ERRORED)) {
        do_read = 0;
    } else if (do_read) {
        r->flags |= R_READING | R_SYNC;
        if (r->length == 0) r->flags |= R_NEED_READABLE;
        if (s->kind & TIDE__TRANSFORM) tide__transform_read(s);
        else s->ops->read(s, r->hwm, s->data);
        r->flags &= ~R_SYNC;
        if (!(r->flags & R_READING)) want = how_much(s, all, n);
    }

    tide__chunk_t *ret = NULL;
    int rc = 0;
    if (want > 0) rc = from_list(s, want, &ret);
    if (!ret) {
        if (r->length <= r->hwm) r->flags |= R_NEED_READABLE;
        want = 0;
    } else {
        r->length -= (r->flags & S_OBJECT) ? 1 : want;
        clear_await_drain(s);
    }

    if (r->length == 0) {
        if (!(r->flags & R_ENDED)) r->flags |= R_NEED_READABLE;
        if ((all || n != want) && (r->flags & R_ENDED)) end_readable(s);
    }

    if (ret && !(r->flags & (S_ERROR_EMITTED | S_CLOSE_EMITTED))) {
        r->flags |= R_DATA_EMITTED;
        tide__emit(s, TIDE_EVENT_DATA, &ret->pub);
    }
    *out = ret;
    return rc < 0 ? rc : ret != NULL;
}

int tide__readable_read(tide_stream_t *s, int all, size_t n, tide__chunk_t **out)
{
    tide__rstate_t *r = &s->r;
    *out = NULL;
    if (!all && n > r->hwm) {
        if (n > ((size_t)1 << 30)) return -ERANGE; /* Node's ERR_OUT_OF_RANGE */
        size_t m = 1;
        while (m < n) m <<= 1;
        r->hwm = m;
    }
    if (all || n != 0) r->flags &= ~R_EMITTED_READABLE;

    if (!all && n == 0 && (r->flags & R_NEED_READABLE) &&
        ((r->hwm != 0 ? r->length >= r->hwm : r->length > 0) || (r->flags & R_ENDED))) {
        if (r->length == 0 && (r->flags & R_ENDED)) end_readable(s);
        else emit_readable(s);
        return 0;
    }

    size_t want = how_much(s, all, n);
    if (want == 0 && (r->flags & R_ENDED)) {
        if (r->length == 0) end_readable(s);
        return 0;
    }
    return read_want(s, all, n, want, out);
}

/* ---- 'end' -------------------------------------------------------------- */

static void end_writable_tick(tide_loop_t *loop, void *data)
{
    tide_stream_t *s = data;
    if (tide__is_writable(s) && !(s->w.flags & W_ENDING) && !(s->w.flags & S_DESTROYED))
        tide__writable_end(s, NULL, (tide__cb_t){NULL, NULL}, NULL);
    tide__unhold(s);
}

static void end_readable_tick(tide_loop_t *loop, void *data)
{
    tide_stream_t *s = data;
    tide__rstate_t *r = &s->r;
    if (!(r->flags & (S_ERRORED | S_CLOSE_EMITTED | R_END_EMITTED)) && r->length == 0) {
        r->flags |= R_END_EMITTED;
        tide__emit(s, TIDE_EVENT_END, NULL);
        if (tide__is_writable(s) && (s->kind & TIDE__NO_HALF_OPEN)) {
            tide__tick(s, end_writable_tick);
        } else if (r->flags & S_AUTO_DESTROY) {
            int destroy = !(s->kind & TIDE__HAS_WRITABLE) ||
                          ((s->w.flags & S_AUTO_DESTROY) && (s->w.flags & W_FINISHED));
            if (destroy) tide__destroy(s, NULL);
        }
    }
    tide__unhold(s);
}

static void end_readable(tide_stream_t *s)
{
    if (!(s->r.flags & R_END_EMITTED)) {
        s->r.flags |= R_ENDED;
        tide__tick(s, end_readable_tick);
    }
}

/* ---- flowing and paused ------------------------------------------------- */

/* Node's `while (state.flowing && stream.read() !== null);`. With data
 * buffered, read() while flowing takes the first chunk (howMuchToRead), so
 * the size logic is skipped and read() goes straight to taking it. */
static void flow(tide_stream_t *s)
{
    tide__rstate_t *r = &s->r;
    while (r->flags & R_FLOWING) {
        tide__chunk_t *c;
        if (TIDE__LIKELY(r->length)) {
            r->flags &= ~R_EMITTED_READABLE;
            size_t want = (r->flags & S_OBJECT) ? 1 : tide__sring_front(&r->buffer)->chunk->pub.len;
            read_want(s, 1, 0, want, &c);
        } else {
            tide__readable_read(s, 1, 0, &c);
        }
        if (!c) break;
        tide__chunk_unref(c);
    }
}

static void resume_tick(tide_loop_t *loop, void *data)
{
    tide_stream_t *s = data;
    tide__rstate_t *r = &s->r;
    tide__chunk_t *none;
    if (!(r->flags & R_READING)) tide__readable_read(s, 0, 0, &none);
    r->flags &= ~R_RESUME_SCHEDULED;
    tide__emit(s, TIDE_EVENT_RESUME, NULL);
    flow(s);
    if ((r->flags & (R_FLOWING | R_READING)) == R_FLOWING) tide__readable_read(s, 0, 0, &none);
    tide__unhold(s);
}

void tide__readable_resume(tide_stream_t *s)
{
    tide__rstate_t *r = &s->r;
    if (!(r->flags & R_FLOWING)) {
        r->flags |= R_HAS_FLOWING;
        /* With 'readable' listeners, resume does not make it flow. */
        if (!(r->flags & R_READABLE_LISTENING)) r->flags |= R_FLOWING;
        else r->flags &= ~R_FLOWING;
        if (!(r->flags & R_RESUME_SCHEDULED)) {
            r->flags |= R_RESUME_SCHEDULED;
            tide__tick(s, resume_tick);
        }
    }
    r->flags |= R_HAS_PAUSED;
    r->flags &= ~R_PAUSED;
}

void tide__readable_pause(tide_stream_t *s)
{
    tide__rstate_t *r = &s->r;
    if ((r->flags & (R_HAS_FLOWING | R_FLOWING)) != R_HAS_FLOWING) {
        r->flags |= R_HAS_FLOWING;
        r->flags &= ~R_FLOWING;
        tide__emit(s, TIDE_EVENT_PAUSE, NULL);
    }
    r->flags |= R_HAS_PAUSED | R_PAUSED;
}

/* ---- listeners with side effects (Readable.prototype.on / off) ---------- */

static void read_zero_tick(tide_loop_t *loop, void *data)
{
    tide_stream_t *s = data;
    tide__chunk_t *none;
    tide__readable_read(s, 0, 0, &none);
    tide__unhold(s);
}

static void update_readable_listening_tick(tide_loop_t *loop, void *data)
{
    tide_stream_t *s = data;
    tide__rstate_t *r = &s->r;
    if (tide_listener_count(&s->em, TIDE_EVENT_READABLE) > 0) r->flags |= R_READABLE_LISTENING;
    else r->flags &= ~R_READABLE_LISTENING;
    if ((r->flags & (R_HAS_PAUSED | R_PAUSED | R_RESUME_SCHEDULED)) ==
        (R_HAS_PAUSED | R_RESUME_SCHEDULED)) {
        /* A resume is on its way: let it flow when it comes. */
        r->flags |= R_HAS_FLOWING | R_FLOWING;
    } else if (r->flags & R_DATA_LISTENING) {
        tide__readable_resume(s);
    } else if (!(r->flags & R_READABLE_LISTENING)) {
        r->flags &= ~(R_HAS_FLOWING | R_FLOWING);
    }
    tide__unhold(s);
}

void tide__readable_on_added(tide_stream_t *s, tide_event_t event)
{
    tide__rstate_t *r = &s->r;
    if (event == TIDE_EVENT_DATA) {
        r->flags |= R_DATA_LISTENING;
        if (tide_listener_count(&s->em, TIDE_EVENT_READABLE) > 0) r->flags |= R_READABLE_LISTENING;
        if ((r->flags & (R_HAS_FLOWING | R_FLOWING)) != R_HAS_FLOWING) tide__readable_resume(s);
    } else if (event == TIDE_EVENT_READABLE) {
        if (!(r->flags & (R_END_EMITTED | R_READABLE_LISTENING))) {
            r->flags |= R_READABLE_LISTENING | R_NEED_READABLE | R_HAS_FLOWING;
            r->flags &= ~(R_FLOWING | R_EMITTED_READABLE);
            if (r->length) emit_readable(s);
            else if (!(r->flags & R_READING)) tide__tick(s, read_zero_tick);
        }
    }
}

void tide__readable_on_removed(tide_stream_t *s, tide_event_t event)
{
    if (event == TIDE_EVENT_READABLE || event == TIDE_EVENT_NONE) {
        tide__tick(s, update_readable_listening_tick);
    } else if (event == TIDE_EVENT_DATA && tide_listener_count(&s->em, TIDE_EVENT_DATA) == 0) {
        s->r.flags &= ~R_DATA_LISTENING;
    }
}

int tide__readable_finished(const tide_stream_t *s, int strict)
{
    const tide__rstate_t *r = &s->r;
    if (s->errored) return 0;
    return (r->flags & R_END_EMITTED) ||
           (!strict && (r->flags & R_ENDED) && r->length == 0);
}

void tide__readable_release(tide_stream_t *s)
{
    tide__rstate_t *r = &s->r;
    while (tide__sring_len(&r->buffer)) tide__chunk_unref(tide__sring_shift(&r->buffer).chunk);
    tide__sring_destroy(&r->buffer);
    tide__sext_t *x = s->ext;
    if (x) {
        for (uint32_t i = 0; i < x->npipes; i++) tide__unhold(x->pipes[i]);
        tide__free(x->pipes);
        tide__free(x->await_drain);
    }
}

/* ---- the public calls --------------------------------------------------- */

/* The checks every readable call makes first: a readable stream, and room
 * for the ticks (and, to push, the ring slot) it may need, so a failure
 * changes nothing. */
static int readable_ready(tide_stream_t *s, int ring)
{
    if (!s || !(s->kind & TIDE__HAS_READABLE)) return -EINVAL;
    if (tide__ticks_reserve(tide__sloop(s)) != 0) return -ENOMEM;
    if (ring && tide__readable_reserve(s) != 0) return -ENOMEM;
    return 0;
}

/* readable_ready, then a hold on the stream for the call: a listener may
 * drop the last reference. */
static int enter_readable(tide_stream_t *s)
{
    int rc = readable_ready(s, 0);
    if (rc == 0) tide__hold(s);
    return rc;
}

/* A push: tide__readable_add holds the stream where it must. */
static int push_made(tide_stream_t *s, tide__chunk_t *c, int front)
{
    if (!c) return -ENOMEM;
    if (s->r.flags & S_OBJECT) c->flags |= TIDE__CHUNK_OBJECT;
    return tide__readable_add(s, c, front);
}

int tide_stream_push(tide_stream_t *s, void *base, size_t len, tide_release_fn release,
                     void *release_data)
{
    if (s && !base && len && !(s->r.flags & S_OBJECT)) return -EINVAL;
    int rc = readable_ready(s, 1);
    if (rc) return rc;
    return push_made(s, tide__chunk_make(tide__sloop(s), base, len, TIDE__CHUNK_OWNED, release, release_data), 0);
}

int tide_stream_push_copy(tide_stream_t *s, const void *base, size_t len)
{
    if (!base && len) return -EINVAL;
    if (s && (s->r.flags & S_OBJECT)) return -EINVAL;
    int rc = readable_ready(s, 1);
    if (rc) return rc;
    const tide_chunk_t *c;
    if (tide_chunk_copy(tide__sloop(s), base, len, &c) != 0) c = NULL;
    return push_made(s, tide__chunk(c), 0);
}

int tide_stream_push_chunk(tide_stream_t *s, const tide_chunk_t *chunk)
{
    if (!chunk) return -EINVAL;
    int rc = readable_ready(s, 1);
    if (rc) return rc;
    return push_made(s, tide__chunk_keep(tide__chunk(chunk)), 0);
}

int tide_stream_unshift(tide_stream_t *s, const tide_chunk_t *chunk)
{
    if (!chunk) return -EINVAL;
    int rc = readable_ready(s, 1);
    if (rc) return rc;
    return push_made(s, tide__chunk_keep(tide__chunk(chunk)), 1);
}

int tide_stream_push_end(tide_stream_t *s)
{
    int rc = enter_readable(s);
    if (rc) return rc;
    tide__readable_eof(s);
    tide__unhold(s);
    return 0;
}

int tide_stream_read(tide_stream_t *s, size_t n, const tide_chunk_t **out)
{
    if (!out) return -EINVAL;
    *out = NULL;
    int rc = enter_readable(s);
    if (rc) return rc;
    tide__chunk_t *c;
    rc = tide__readable_read(s, n == TIDE_READ_ALL, n, &c);
    *out = c ? &c->pub : NULL;
    tide__unhold(s);
    return rc;
}

int tide_stream_pause(tide_stream_t *s)
{
    int rc = enter_readable(s);
    if (rc) return rc;
    tide__readable_pause(s);
    tide__unhold(s);
    return 0;
}

int tide_stream_resume(tide_stream_t *s)
{
    int rc = enter_readable(s);
    if (rc) return rc;
    tide__readable_resume(s);
    tide__unhold(s);
    return 0;
}
