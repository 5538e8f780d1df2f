/* io/stream.c - what every stream has: making one of each kind, the
 * reference count and the free, the per-loop pools, the deferred steps
 * (ticks that hold the stream), emitting, and the properties. */
#include <string.h>

#include "io/stream_internal.h"

/* ---- per-loop pools ----------------------------------------------------- */

static void stream_teardown(tide_stream_t *s);

/* The loop closes with streams still alive (abandoned, stalled, or held
 * by ticks the loop drops): their storage goes with the pools, and what
 * they hold outside the pools (buffers, listeners, chunks) is given back
 * here. Holds are not counted down one by one meanwhile. */
static void teardown_visit(tide_stream_t *s, void *arg)
{
    (void)arg;
    stream_teardown(s);
}

static void streams_destroy(tide_loop_t *loop, void *state)
{
    tide__streams_t *st = state;
    st->closing = 1;
    tide__streams_each(loop, teardown_visit, NULL);
    tide__pool_destroy(&st->streams);
    tide__pool_destroy(&st->hosted);
    tide__pool_destroy(&st->chunks);
    tide__pool_destroy(&st->defers);
    tide__pool_destroy(&st->records);
    tide__pool_destroy(&st->exts);
    tide__pool_destroy(&st->flights);
    for (uint32_t i = 0; i < st->nops; i++) tide__free(st->ops[i]);
    tide__free(st->ops);
    tide__free(st->spare_batch);
    tide__free(st);
    loop->slots[TIDE__SLOT_STREAMS].state = NULL;
}

typedef struct {
    tide_loop_t *loop;
    void (*fn)(tide_stream_t *s, void *arg);
    void *arg;
} stream_walk_t;

static void stream_walk_visit(void *obj, void *arg)
{
    stream_walk_t *w = arg;
    tide_stream_t *s = obj;
    if (tide__sloop(s) == w->loop) w->fn(s, w->arg);
}

void tide__streams_each(tide_loop_t *loop, void (*fn)(tide_stream_t *s, void *arg), void *arg)
{
    tide__streams_t *st = loop->slots[TIDE__SLOT_STREAMS].state;
    if (!st) return;
    stream_walk_t w = {loop, fn, arg};
    tide__pool_each(&st->streams, stream_walk_visit, &w);
    tide__pool_each(&st->hosted, stream_walk_visit, &w);
}

TIDE__NOINLINE tide__streams_t *tide__streams_create(tide_loop_t *loop)
{
    tide__streams_t *st = tide__calloc(1, sizeof *st);
    if (!st) return NULL;
    tide__pool_init(&st->streams, sizeof(tide_stream_t));
    tide__pool_init(&st->chunks, sizeof(tide__chunk_t));
    tide__pool_init(&st->defers, sizeof(tide__sdefer_t));
    tide__pool_init(&st->records, TIDE__RECORD_SIZE);
    tide__pool_init(&st->exts, sizeof(tide__sext_t));
    tide__pool_init(&st->flights, sizeof(tide__wflight_t));
    loop->slots[TIDE__SLOT_STREAMS].state = st;
    loop->slots[TIDE__SLOT_STREAMS].destroy = streams_destroy;
    return st;
}

void *tide__record_get(tide_loop_t *loop)
{
    tide__streams_t *st = tide__streams(loop);
    if (!st) return NULL;
    void *rec = tide__pool_get(&st->records);
    if (rec) memset(rec, 0, TIDE__RECORD_SIZE);
    return rec;
}

void tide__record_put(tide_loop_t *loop, void *rec)
{
    tide__pool_put(&tide__streams(loop)->records, rec);
}

/* ---- the ring of buffered chunks --------------------------------------- */

int tide__sring_grow(tide__sring_t *r)
{
    tide__sblock_t *old = r->b;
    uint32_t cap = old ? (old->mask + 1) * 2 : 16;
    if (cap == 0) return -ENOMEM; /* would overflow 32 bits */
    tide__sblock_t *b = tide__malloc(sizeof *b + (size_t)cap * sizeof(tide__entry_t));
    if (!b) return -ENOMEM;
    /* The live entries may wrap past the end: they start at index 0 of the
     * new block. */
    uint32_t n = tide__sring_len(r);
    for (uint32_t i = 0; i < n; i++) b->items[i] = *tide__sring_at(r, i);
    b->mask = cap - 1;
    b->head = 0;
    b->tail = n;
    tide__free(old);
    r->b = b;
    return 0;
}

void tide__sring_destroy(tide__sring_t *r)
{
    tide__free(r->b);
    r->b = NULL;
}

/* ---- deferred steps ----------------------------------------------------- */

int tide__ticks_grow(tide_loop_t *loop)
{
    tide__ring_t *r = &loop->ticks;
    while (r->cap - (r->tail - r->head) < TIDE__TICK_SLACK)
        if (tide__ring_grow(r) != 0) return -ENOMEM;
    return 0;
}

void tide__tick(tide_stream_t *s, tide_fn fn)
{
    /* Defensive: a public call reserved room at its entry, and otherwise
     * the push grows the ring. Only when memory has run out is the step
     * lost; the stream then stays held (until the loop closes and gives it
     * back) rather than running a step out of order. */
    tide_loop_t *loop = tide__sloop(s);
    s->refs++;
    (void)tide__ring_push(&loop->ticks, fn, s, loop->context);
}

void tide__tick_defer(tide__sdefer_t *d, tide_fn fn)
{
    tide_loop_t *loop = tide__sloop(d->stream);
    d->stream->refs++;
    (void)tide__ring_push(&loop->ticks, fn, d, loop->context);
}

tide__sdefer_t *tide__defer_new(tide_stream_t *s, tide__cb_t cb, tide_error_t *err)
{
    tide__sdefer_t *d = tide__pool_get(&tide__streams(tide__sloop(s))->defers);
    if (!d) return NULL;
    d->stream = s;
    d->cb = cb;
    d->err = err;
    d->count = 1;
    d->next = NULL;
    return d;
}

void tide__defer_free(tide__sdefer_t *d)
{
    tide_error_release(d->err);
    tide__pool_put(&tide__streams(tide__sloop(d->stream))->defers, d);
}

/* ---- emitting ----------------------------------------------------------- */

int tide__emit_error(tide_stream_t *s, void *arg)
{
    /* With no listener, the emitter itself reports it (uncaught). */
    if (tide_listener_count(&s->em, TIDE_EVENT_ERROR) == 0) return tide_emit(&s->em, TIDE_EVENT_ERROR, arg);
    int rc = tide_emit(&s->em, TIDE_EVENT_ERROR, arg);
    if (rc < 0) tide__listener_failed(s, TIDE_EVENT_ERROR, rc);
    return rc;
}

void tide__listener_failed(tide_stream_t *s, tide_event_t event, int rc)
{
    const char *name = tide_event_name(event);
    tide_error_t *e = tide_error_new(rc, "a '%s' listener of a stream failed: %s",
                                     name ? name : "?", tide_strerror(rc));
    tide_report_uncaught(tide__sloop(s), e);
    tide_error_release(e);
}

tide_error_t *tide__stream_error(int code, const char *what)
{
    switch (code) {
    case TIDE_ERR_STREAM_DESTROYED:
        return tide_error_new(code, "Cannot call %s after a stream was destroyed", what);
    case TIDE_ERR_STREAM_ALREADY_FINISHED:
        return tide_error_new(code, "Cannot call %s after a stream was finished", what);
    case -ECANCELED:
        return tide_error_new(code, "The operation was aborted");
    default:
        return tide_error_new(code, NULL);
    }
}

/* ---- making and freeing ------------------------------------------------- */

static size_t pick_hwm(size_t side, size_t both, int object)
{
    size_t v = side ? side : both;
    if (v == TIDE_HWM_ZERO) return 0;
    return v ? v : object ? 16 : 16384; /* Node 20's defaults */
}

/* The loop's copy of these functions, made on first use. A program has a
 * handful of stream implementations, so a linear search from the most
 * recently added (the one being used now, most often) is enough. */
static const tide__sops_t *ops_intern(tide__streams_t *st, const tide_stream_opts_t *opts,
                                      void (*release)(tide_stream_t *s))
{
    tide__sops_t want = {opts->read,      opts->write,     opts->writev, opts->final,
                         opts->destroy,   opts->transform, opts->flush,  release};
    for (uint32_t i = st->nops; i-- > 0;)
        if (memcmp(st->ops[i], &want, sizeof want) == 0) return st->ops[i];
    if (st->nops == st->ops_cap) {
        uint32_t cap = st->ops_cap ? st->ops_cap * 2 : 8;
        tide__sops_t **ops = tide__realloc(st->ops, cap * sizeof *ops);
        if (!ops) return NULL;
        st->ops = ops;
        st->ops_cap = cap;
    }
    tide__sops_t *copy = tide__malloc(sizeof *copy);
    if (!copy) return NULL;
    *copy = want;
    st->ops[st->nops++] = copy;
    return copy;
}

TIDE__NOINLINE tide__sext_t *tide__sext_make(tide_stream_t *s)
{
    tide__sext_t *x = tide__pool_get(&tide__streams(tide__sloop(s))->exts);
    if (!x) return NULL;
    memset(x, 0, sizeof *x);
    tide__queue_init(&x->attached);
    s->ext = x;
    return x;
}

/* Make a stream in storage from pool (the loop's streams, or the hosted
 * pool whose objects hold an implementation's record after the stream). */
static int stream_make_in(tide_loop_t *loop, const tide_stream_opts_t *opts, uint32_t kind,
                          void (*release)(tide_stream_t *s), tide__pool_t *pool,
                          tide_stream_t **out)
{
    if (!loop || !out) return -EINVAL;
    tide_stream_opts_t none;
    if (!opts) {
        memset(&none, 0, sizeof none);
        opts = &none;
    }
    if (tide__ticks_reserve(loop) != 0) return -ENOMEM;
    tide__streams_t *st = tide__streams(loop);
    if (!st) return -ENOMEM;
    const tide__sops_t *ops = ops_intern(st, opts, release);
    if (!ops) return -ENOMEM;
    if (!pool) pool = &st->streams;
    tide_stream_t *s = tide__pool_get(pool);
    if (!s) return -ENOMEM;
    memset(s, 0, sizeof *s);
    tide_emitter_init(&s->em, loop);
    /* A transform records its readable length at every transform call. */
    if ((kind & TIDE__TRANSFORM) && !tide__sext_make(s)) {
        tide__pool_put(pool, s);
        return -ENOMEM;
    }
    s->refs = 1;
    s->kind = kind;
    s->ops = ops;
    s->data = opts->data;
    unsigned f = opts->flags;
    uint32_t common = S_AUTO_DESTROY | S_EMIT_CLOSE;
    if (f & TIDE_STREAM_NO_AUTO_DESTROY) common &= ~S_AUTO_DESTROY;
    if (f & TIDE_STREAM_NO_EMIT_CLOSE) common &= ~S_EMIT_CLOSE;
    if (f & TIDE_STREAM_NO_HALF_OPEN) s->kind |= TIDE__NO_HALF_OPEN;
    if (kind & TIDE__HAS_READABLE) {
        int obj = (f & (TIDE_STREAM_OBJECT_MODE | TIDE_STREAM_READABLE_OBJECT_MODE)) != 0;
        /* A transform's readable side starts out of sync (transform.js). */
        s->r.flags = common | (obj ? S_OBJECT : 0) | ((kind & TIDE__TRANSFORM) ? 0 : R_SYNC);
        s->r.hwm = pick_hwm(opts->readable_hwm, opts->hwm, obj);
    }
    if (kind & TIDE__HAS_WRITABLE) {
        int obj = (f & (TIDE_STREAM_OBJECT_MODE | TIDE_STREAM_WRITABLE_OBJECT_MODE)) != 0;
        s->w.flags = common | (obj ? S_OBJECT : 0) | W_SYNC | W_ALL_NOOP;
        s->w.hwm = pick_hwm(opts->writable_hwm, opts->hwm, obj);
    }
    st->live_streams++;
    *out = s;
    return 0;
}

int tide__stream_make(tide_loop_t *loop, const tide_stream_opts_t *opts, uint32_t kind,
                      void (*release)(tide_stream_t *s), tide_stream_t **out)
{
    return stream_make_in(loop, opts, kind, release, NULL, out);
}

int tide__stream_make_hosted(tide_loop_t *loop, const tide_stream_opts_t *opts, uint32_t kind,
                             void (*release)(tide_stream_t *s), size_t size, tide_stream_t **out)
{
    tide__streams_t *st = loop ? tide__streams(loop) : NULL;
    if (!st) return loop ? -ENOMEM : -EINVAL;
    size_t pooled = (size + 15) & ~(size_t)15;
    if (size < sizeof(tide_stream_t) || (st->hosted.size && st->hosted.size != pooled))
        return -EINVAL;
    if (!st->hosted.size) tide__pool_init(&st->hosted, size);
    return stream_make_in(loop, opts, kind | TIDE__HOSTED, release, &st->hosted, out);
}

int tide_readable_new(tide_loop_t *loop, const tide_stream_opts_t *opts, tide_stream_t **out)
{
    if (!opts || !opts->read) return -EINVAL;
    return tide__stream_make(loop, opts, TIDE__HAS_READABLE, NULL, out);
}

int tide_writable_new(tide_loop_t *loop, const tide_stream_opts_t *opts, tide_stream_t **out)
{
    if (!opts || (!opts->write && !opts->writev)) return -EINVAL;
    return tide__stream_make(loop, opts, TIDE__HAS_WRITABLE, NULL, out);
}

int tide_duplex_new(tide_loop_t *loop, const tide_stream_opts_t *opts, tide_stream_t **out)
{
    if (!opts || !opts->read || (!opts->write && !opts->writev)) return -EINVAL;
    return tide__stream_make(loop, opts, TIDE__HAS_READABLE | TIDE__HAS_WRITABLE, NULL, out);
}

int tide_transform_new(tide_loop_t *loop, const tide_stream_opts_t *opts, tide_stream_t **out)
{
    /* The transform's own _write, _read and _final stand in for these. */
    if (opts && (opts->read || opts->write || opts->writev || opts->final)) return -EINVAL;
    return tide__stream_make(loop, opts,
                             TIDE__HAS_READABLE | TIDE__HAS_WRITABLE | TIDE__TRANSFORM, NULL, out);
}

void tide__attach(tide_stream_t *s, tide__attached_t *a)
{
    tide__queue_insert_tail(&s->ext->attached, &a->node);
}

/* Give back what the stream holds; its own storage stays with the caller. */
static void stream_teardown(tide_stream_t *s)
{
    tide_loop_t *loop = tide__sloop(s);
    tide__streams_t *st = loop->slots[TIDE__SLOT_STREAMS].state;
    st->live_streams--;
    tide_emitter_destroy(&s->em);
    tide__sext_t *x = s->ext;
    while (x && !tide__queue_empty(&x->attached)) {
        tide__queue_t *q = tide__queue_head(&x->attached);
        tide__queue_remove(q);
        tide__attached_t *a = tide__container_of(q, tide__attached_t, node);
        a->free(a);
    }
    if (s->ops->release) s->ops->release(s);
    if (s->kind & TIDE__HAS_READABLE) tide__readable_release(s);
    if (s->kind & TIDE__HAS_WRITABLE) tide__writable_release(s);
    tide_error_release(s->errored);
    s->errored = NULL;
    if (x) {
        s->ext = NULL;
        tide__pool_put(&st->exts, x);
    }
}

void tide__stream_free(tide_stream_t *s)
{
    /* Nothing holds it and nothing is queued: what it still buffers can
     * never be read or written, as with a collected Node stream. */
    tide__streams_t *st = tide__sloop(s)->slots[TIDE__SLOT_STREAMS].state;
    if (st->closing) return; /* streams_destroy gives everything back */
    stream_teardown(s);
    tide__pool_put((s->kind & TIDE__HOSTED) ? &st->hosted : &st->streams, s);
}

tide_stream_t *tide_stream_ref(tide_stream_t *s)
{
    if (s) s->refs++;
    return s;
}

void tide_stream_release(tide_stream_t *s)
{
    if (s) tide__unhold(s);
}

tide_emitter_t *tide_stream_emitter(tide_stream_t *s) { return s ? &s->em : NULL; }

tide_stream_t *tide_stream_of(tide_emitter_t *em)
{
    return em ? tide__container_of(em, tide_stream_t, em) : NULL;
}

tide_loop_t *tide_stream_loop(const tide_stream_t *s) { return s ? tide__sloop(s) : NULL; }
void *tide_stream_data(const tide_stream_t *s) { return s ? s->data : NULL; }

/* ---- properties --------------------------------------------------------- */

#define HAS_R(s) ((s) && ((s)->kind & TIDE__HAS_READABLE))
#define HAS_W(s) ((s) && ((s)->kind & TIDE__HAS_WRITABLE))

size_t tide_stream_readable_length(const tide_stream_t *s) { return HAS_R(s) ? s->r.length : 0; }
size_t tide_stream_writable_length(const tide_stream_t *s) { return HAS_W(s) ? s->w.length : 0; }
size_t tide_stream_readable_hwm(const tide_stream_t *s) { return HAS_R(s) ? s->r.hwm : 0; }
size_t tide_stream_writable_hwm(const tide_stream_t *s) { return HAS_W(s) ? s->w.hwm : 0; }

int tide_stream_readable_flowing(const tide_stream_t *s)
{
    if (!HAS_R(s) || !(s->r.flags & R_HAS_FLOWING)) return -1;
    return (s->r.flags & R_FLOWING) != 0;
}

int tide_stream_is_paused(const tide_stream_t *s)
{
    if (!HAS_R(s)) return 0;
    return (s->r.flags & R_PAUSED) || (s->r.flags & (R_HAS_FLOWING | R_FLOWING)) == R_HAS_FLOWING;
}

int tide_stream_readable(const tide_stream_t *s) { return s && tide__is_readable(s); }
int tide_stream_readable_ended(const tide_stream_t *s)
{
    return HAS_R(s) && (s->r.flags & R_END_EMITTED);
}
int tide_stream_writable(const tide_stream_t *s) { return s && tide__is_writable(s); }
int tide_stream_writable_ended(const tide_stream_t *s)
{
    return HAS_W(s) && (s->w.flags & W_ENDING);
}
int tide_stream_writable_finished(const tide_stream_t *s)
{
    return HAS_W(s) && (s->w.flags & W_FINISHED);
}
int tide_stream_writable_need_drain(const tide_stream_t *s)
{
    return HAS_W(s) && (s->w.flags & (S_DESTROYED | W_ENDING | W_NEED_DRAIN)) == W_NEED_DRAIN;
}
unsigned tide_stream_writable_corked(const tide_stream_t *s) { return HAS_W(s) ? s->w.corked : 0; }

int tide_stream_destroyed(const tide_stream_t *s)
{
    return s && (tide__main_flags(s) & S_DESTROYED) != 0;
}

int tide_stream_closed(const tide_stream_t *s)
{
    return s && (tide__main_flags(s) & S_CLOSED) != 0;
}

tide_error_t *tide_stream_errored(const tide_stream_t *s)
{
    return s ? s->errored : NULL;
}
