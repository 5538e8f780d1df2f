/* io/stream_internal.h - the private layout of streams and chunks and the
 * calls the stream files share. The state machine is Node v20's (its
 * readable.js, writable.js, destroy.js, transform.js), kept close enough in
 * shape that each C step can be checked against the JavaScript step it
 * mirrors; the flag names are Node's. */
#ifndef TIDE_IO_STREAM_INTERNAL_H
#define TIDE_IO_STREAM_INTERNAL_H

#include "core/internal.h"
#include "tide/stream.h"

/* ---- chunks ----------------------------------------------------------- */

enum {
    TIDE__CHUNK_OWNED,    /* release(base, release_data) at the last unref */
    TIDE__CHUNK_COPY,     /* the bytes are tide's own allocation */
    TIDE__CHUNK_SLICE,    /* a view into parent, which it holds */
    TIDE__CHUNK_BORROWED  /* a writer's bytes, valid until its write completes */
};
enum { TIDE__CHUNK_OBJECT = 1 };

typedef struct tide__chunk {
    tide_chunk_t pub; /* first: the public pointer is the record */
    tide_loop_t *loop;
    uint32_t refs;
    uint8_t kind;
    uint8_t flags;
    union {
        tide_release_fn release;
        struct tide__chunk *parent;
    } u;
    void *release_data;
} tide__chunk_t;

static inline tide__chunk_t *tide__chunk(const tide_chunk_t *c) { return (tide__chunk_t *)c; }

void tide__chunk_free(tide__chunk_t *c);
/* Hold a chunk for longer than the call that lent it (copies borrowed
 * bytes); NULL when memory runs out. */
tide__chunk_t *tide__chunk_copy_borrowed(tide__chunk_t *c);
static inline tide__chunk_t *tide__chunk_keep(tide__chunk_t *c)
{
    if (TIDE__UNLIKELY(c->kind == TIDE__CHUNK_BORROWED && !(c->flags & TIDE__CHUNK_OBJECT)))
        return tide__chunk_copy_borrowed(c);
    c->refs++;
    return c;
}

static inline void tide__chunk_unref(tide__chunk_t *c)
{
    if (--c->refs == 0) tide__chunk_free(c);
}

/* ---- a ring of buffered chunks ----------------------------------------- */

/* A callback with its data; fn NULL is Node's nop. */
typedef struct {
    tide_stream_cb fn;
    void *data;
} tide__cb_t;

typedef struct {
    tide__chunk_t *chunk;
    tide__cb_t cb; /* writes only */
} tide__entry_t;

/* The ring lives in one block with its indexes, made when the first chunk
 * is buffered, so a stream that never buffers pays one pointer per side. */
typedef struct tide__sblock {
    uint32_t mask; /* capacity - 1 */
    uint32_t head;
    uint32_t tail;
    tide__entry_t items[];
} tide__sblock_t;

typedef struct {
    tide__sblock_t *b; /* NULL until the first push */
} tide__sring_t;

static inline uint32_t tide__sring_len(const tide__sring_t *r)
{
    return r->b ? r->b->tail - r->b->head : 0;
}
int tide__sring_grow(tide__sring_t *r);
/* Make room for one more, so that the push that follows cannot fail. */
static inline int tide__sring_reserve(tide__sring_t *r)
{
    if (r->b && r->b->tail - r->b->head <= r->b->mask) return 0;
    return tide__sring_grow(r);
}
/* The i-th entry from the front (i < len). */
static inline tide__entry_t *tide__sring_at(const tide__sring_t *r, uint32_t i)
{
    return &r->b->items[(r->b->head + i) & r->b->mask];
}
static inline tide__entry_t *tide__sring_front(const tide__sring_t *r)
{
    return tide__sring_at(r, 0);
}
static inline void tide__sring_push(tide__sring_t *r, tide__entry_t e)
{
    r->b->items[r->b->tail++ & r->b->mask] = e;
}
static inline void tide__sring_unshift(tide__sring_t *r, tide__entry_t e)
{
    r->b->items[--r->b->head & r->b->mask] = e;
}
static inline tide__entry_t tide__sring_shift(tide__sring_t *r)
{
    return r->b->items[r->b->head++ & r->b->mask];
}
void tide__sring_destroy(tide__sring_t *r);

/* ---- stream state ----------------------------------------------------- */

/* Bits both sides have (Node's internal/streams/utils.js). */
enum {
    S_OBJECT = 1u << 0,
    S_ERROR_EMITTED = 1u << 1,
    S_AUTO_DESTROY = 1u << 2,
    S_EMIT_CLOSE = 1u << 3,
    S_DESTROYED = 1u << 4,
    S_CLOSED = 1u << 5,
    S_CLOSE_EMITTED = 1u << 6,
    S_ERRORED = 1u << 7
};

/* The readable side's own bits (readable.js). */
enum {
    R_ENDED = 1u << 9,
    R_END_EMITTED = 1u << 10,
    R_READING = 1u << 11,
    R_SYNC = 1u << 12,
    R_NEED_READABLE = 1u << 13,
    R_EMITTED_READABLE = 1u << 14,
    R_READABLE_LISTENING = 1u << 15,
    R_RESUME_SCHEDULED = 1u << 16,
    R_MULTI_AWAIT_DRAIN = 1u << 17,
    R_READING_MORE = 1u << 18,
    R_DATA_EMITTED = 1u << 19,
    R_HAS_FLOWING = 1u << 23,
    R_FLOWING = 1u << 24,
    R_HAS_PAUSED = 1u << 25,
    R_PAUSED = 1u << 26,
    R_DATA_LISTENING = 1u << 27
};

/* The writable side's own bits (writable.js). */
enum {
    W_SYNC = 1u << 9,
    W_FINAL_CALLED = 1u << 10,
    W_NEED_DRAIN = 1u << 11,
    W_ENDING = 1u << 12,
    W_FINISHED = 1u << 13,
    W_WRITING = 1u << 15,
    W_BUFFER_PROCESSING = 1u << 16,
    W_PREFINISHED = 1u << 17,
    W_ALL_NOOP = 1u << 19,
    W_CORKED = 1u << 23,
    W_EXPECT_WRITE_CB = 1u << 26,
    W_AFTER_WRITE_TICK_INFO = 1u << 27,
    W_AFTER_WRITE_PENDING = 1u << 28,
    W_BUFFERED = 1u << 29,
    W_ENDED = 1u << 30
};

/* A deferred step that carries more than the stream: a write callback
 * with its error or count, an end() callback waiting for 'finish'. */
typedef struct tide__sdefer {
    tide_stream_t *stream;
    tide__cb_t cb;
    tide_error_t *err;
    uint32_t count;
    struct tide__sdefer *next;
} tide__sdefer_t;

/* A writev batch: the buffered requests handed to writev at once, kept
 * until its completion calls their callbacks. */
typedef struct tide__batch {
    uint32_t n;
    uint32_t cap;
    tide__entry_t *entries;
    const tide_chunk_t **vec;
} tide__batch_t;

typedef struct {
    uint32_t flags;
    uint32_t nawait; /* how many destinations a pipe waits on (ext->await_drain) */
    size_t hwm;
    size_t length;
    tide__sring_t buffer;
} tide__rstate_t;

/* The write in flight (Node's writecb, writelen and the chunks _write
 * holds): on do_write's stack while _write or _writev runs, moved to the
 * loop's pool if the write outlasts that call and given back at its
 * completion, so a stream that is not writing carries only the pointer.
 * An fd stream keeps its progress through the chunks here too, for the
 * writes the kernel cannot take at once; nothing else may keep a pointer
 * into the record, which moves. */
typedef struct tide__wflight {
    size_t len;
    tide__cb_t cb;
    tide__chunk_t *chunk;  /* a single write's chunk */
    tide__batch_t *batch;  /* or a writev batch's */
    /* the fd stream's progress: chunk idx of vec[n], off bytes into it;
     * vec is &one for a single chunk */
    const tide_chunk_t *const *vec;
    const tide_chunk_t *one;
    size_t n;
    size_t off;
    uint32_t idx;
    uint8_t pooled; /* 0 while on do_write's stack */
} tide__wflight_t;

typedef struct {
    uint32_t flags;
    uint32_t corked;
    size_t hwm;
    size_t length;
    int64_t pendingcb;
    tide__wflight_t *flight;     /* the write in flight, NULL when none */
    tide__sring_t buffered;
    tide__sdefer_t *tick_info;   /* afterWriteTickInfo */
} tide__wstate_t;

enum {
    TIDE__HAS_READABLE = 1,
    TIDE__HAS_WRITABLE = 2,
    TIDE__TRANSFORM = 4,
    TIDE__NO_HALF_OPEN = 8,
    TIDE__DESTROY_PENDING = 16,  /* _destroy called, its completion not yet */
    TIDE__FINAL_PENDING = 32,    /* _final/flush called, its completion not yet */
    TIDE__TRANSFORM_PENDING = 64,/* transform called, its completion not yet */
    TIDE__TRANSFORM_HELD = 128,  /* Node's kCallback: the write waits for a read */
    TIDE__HOSTED = 256           /* from the hosted pool (tide__stream_make_hosted) */
};

/* Records that listen on a stream after their work is done (a finished()
 * watch keeps its listeners, as Node's does) are freed with it. */
typedef struct tide__attached {
    tide__queue_t node;
    void (*free)(struct tide__attached *a);
} tide__attached_t;

/* The implementation's functions. Streams made with the same functions
 * share one copy (interned per loop), so a stream carries a pointer, not
 * seven. release is for tide's own implementations: it gives back their
 * state when the stream is freed. */
typedef struct tide__sops {
    tide_read_fn read;
    tide_write_fn write;
    tide_writev_fn writev;
    tide_final_fn final;
    tide_destroy_fn destroy;
    tide_transform_fn transform;
    tide_flush_fn flush;
    void (*release)(tide_stream_t *s);
} tide__sops_t;

/* What only some streams need, allocated the first time one does: pipe
 * destinations, attached records, a transform's bookkeeping, end()
 * callbacks. Keeping it
 * out of the stream keeps an idle socket small. */
typedef struct tide__sext {
    /* pipe destinations, each holding a reference (Node's state.pipes) */
    tide_stream_t **pipes;
    uint32_t npipes;
    uint32_t pipes_cap;
    /* Node's awaitDrainWriters: the destinations a pipe waits on (r.nawait) */
    tide_stream_t **await_drain;
    int *unpipe_token; /* the unpipeInfo of the 'unpipe' being emitted */
    tide__queue_t attached;
    size_t transform_len; /* readable length when the transform began */
    tide__sdefer_t *on_finished; /* end() callbacks waiting for 'finish', FIFO */
} tide__sext_t;

struct tide_stream_s {
    /* First: a listener's emitter is the stream; it knows the loop. Its
     * first word is the loop while the stream is in use, and the pool's
     * link once given back: that is how a walk of the pool tells them. */
    tide_emitter_t em;
    uint32_t refs;
    uint32_t kind; /* TIDE__HAS_*, ... */
    const tide__sops_t *ops;
    void *data;            /* the implementation's (opts.data) */
    tide_error_t *errored; /* both sides' (Node sets the two together) */
    tide__sext_t *ext;     /* NULL until needed */
    tide__rstate_t r;
    tide__wstate_t w;
};

static inline tide_loop_t *tide__sloop(const tide_stream_t *s)
{
    return (tide_loop_t *)s->em.tide_private_[0];
}

/* The stream's extension, made on first use; NULL when memory runs out. */
tide__sext_t *tide__sext_make(tide_stream_t *s);
static inline tide__sext_t *tide__sext(tide_stream_t *s)
{
    return TIDE__LIKELY(s->ext != NULL) ? s->ext : tide__sext_make(s);
}

/* Per-loop stream state: the pools (slot TIDE__SLOT_STREAMS). */
typedef struct {
    tide__pool_t streams;
    tide__pool_t hosted;  /* streams with their implementation's record after them */
    tide__pool_t chunks;
    tide__pool_t defers;
    tide__pool_t records; /* pipes, watches, pipelines, waits: 128 bytes */
    tide__pool_t exts;    /* tide__sext_t */
    tide__pool_t flights; /* tide__wflight_t */
    tide__sops_t **ops;   /* the interned implementations */
    uint32_t nops, ops_cap;
    tide__batch_t *spare_batch; /* the last writev batch given back, for the next */
    int closing;          /* the loop is closing: nothing is freed one by one */
    uint64_t live_streams;
    uint64_t live_chunks;
} tide__streams_t;

tide__streams_t *tide__streams_create(tide_loop_t *loop);
/* Call fn for every stream of the loop not yet freed, for the loop's
 * close (a walk of the pool: a stream keeps no list of them). */
void tide__streams_each(tide_loop_t *loop, void (*fn)(tide_stream_t *s, void *arg), void *arg);
static inline tide__streams_t *tide__streams(tide_loop_t *loop)
{
    tide__streams_t *s = loop->slots[TIDE__SLOT_STREAMS].state;
    return TIDE__LIKELY(s != NULL) ? s : tide__streams_create(loop);
}
/* A chunk record from the loop's pool, one reference; inline because
 * every push makes one. */
static inline tide__chunk_t *tide__chunk_make(tide_loop_t *loop, void *base, size_t len, int kind,
                                             tide_release_fn release, void *release_data)
{
    tide__streams_t *st = tide__streams(loop);
    if (TIDE__UNLIKELY(!st)) return NULL;
    tide__chunk_t *c = tide__pool_get(&st->chunks);
    if (TIDE__UNLIKELY(!c)) return NULL;
    c->pub.base = base;
    c->pub.len = len;
    c->loop = loop;
    c->refs = 1;
    c->kind = (uint8_t)kind;
    c->flags = 0;
    c->u.release = release;
    c->release_data = release_data;
    st->live_chunks++;
    return c;
}

#define TIDE__RECORD_SIZE 128
void *tide__record_get(tide_loop_t *loop);
void tide__record_put(tide_loop_t *loop, void *rec);

/* ---- holding the stream across a step --------------------------------- */

void tide__stream_free(tide_stream_t *s);

static inline void tide__hold(tide_stream_t *s) { s->refs++; }
static inline void tide__unhold(tide_stream_t *s)
{
    if (--s->refs == 0) tide__stream_free(s);
}

/* Room for the ticks one call may queue, so that a call that cannot have
 * it fails with -ENOMEM before it changes anything. The tick ring only
 * grows when more than its capacity wait, so this is one comparison.
 * Completions and listeners cannot refuse: they push, and the ring grows
 * then if it must. */
#define TIDE__TICK_SLACK 16
int tide__ticks_grow(tide_loop_t *loop);
static inline int tide__ticks_reserve(tide_loop_t *loop)
{
    const tide__ring_t *r = &loop->ticks;
    if (TIDE__LIKELY(r->cap - (r->tail - r->head) >= TIDE__TICK_SLACK)) return 0;
    return tide__ticks_grow(loop);
}

/* process.nextTick(fn, stream): the tick holds the stream. */
void tide__tick(tide_stream_t *s, tide_fn fn);
/* process.nextTick with a record (whose stream the tick holds). */
void tide__tick_defer(tide__sdefer_t *d, tide_fn fn);
tide__sdefer_t *tide__defer_new(tide_stream_t *s, tide__cb_t cb, tide_error_t *err);
void tide__defer_free(tide__sdefer_t *d);

/* Emit an event. A listener that fails is reported as uncaught, the way
 * an exception from a listener reaches Node's top level. Inline: 'data'
 * is emitted for every chunk at every stage. */
void tide__listener_failed(tide_stream_t *s, tide_event_t event, int rc);
int tide__emit_error(tide_stream_t *s, void *arg);
static inline int tide__emit(tide_stream_t *s, tide_event_t event, void *arg)
{
    if (TIDE__UNLIKELY(event == TIDE_EVENT_ERROR)) return tide__emit_error(s, arg);
    int rc = tide_emit(&s->em, event, arg);
    if (TIDE__UNLIKELY(rc < 0)) tide__listener_failed(s, event, rc);
    return rc;
}

static inline void tide__call(tide_stream_t *s, tide__cb_t cb, tide_error_t *err)
{
    if (cb.fn) cb.fn(s, err, cb.data);
}

/* Make an error with Node's message for a stream code. */
tide_error_t *tide__stream_error(int code, const char *what);

/* ---- the calls the files share ---------------------------------------- */

/* readable.c */
int tide__readable_add(tide_stream_t *s, tide__chunk_t *c, int front);
int tide__readable_eof(tide_stream_t *s);
int tide__readable_read(tide_stream_t *s, int all, size_t n, tide__chunk_t **out);
void tide__readable_resume(tide_stream_t *s);
void tide__readable_pause(tide_stream_t *s);
void tide__readable_on_added(tide_stream_t *s, tide_event_t event);
void tide__readable_on_removed(tide_stream_t *s, tide_event_t event);
void tide__readable_release(tide_stream_t *s);
int tide__readable_finished(const tide_stream_t *s, int strict); /* isReadableFinished */

/* writable.c */
int tide__writable_write(tide_stream_t *s, tide__chunk_t *c, tide__cb_t cb);
/* end(): waiter is the record a callback waits in for 'finish', made by
 * the caller beforehand (NULL without a callback); freed when unused. */
int tide__writable_end(tide_stream_t *s, tide__chunk_t *c, tide__cb_t cb, tide__sdefer_t *waiter);
void tide__writable_onwrite(tide_stream_t *s, tide_error_t *err);
void tide__writable_on_finish(tide_stream_t *s, tide_error_t *err);
void tide__writable_final_done(tide_stream_t *s, tide_error_t *err);
/* A completion of _final or flush from the program; refused (Node's
 * ERR_MULTIPLE_CALLBACK) when none is pending. eof: push EOF first. */
int tide__final_complete(tide_stream_t *s, tide_error_t *err, int eof);
void tide__writable_error_buffer(tide_stream_t *s);
/* Give back the record of the write in flight and its chunks, for a write
 * that will never complete (a transform's held write at destroy). */
void tide__writable_drop_flight(tide_stream_t *s);
void tide__writable_release(tide_stream_t *s);
int tide__writable_finished(const tide_stream_t *s, int strict); /* isWritableFinished */

/* destroy.c */
void tide__destroy(tide_stream_t *s, tide_error_t *err);
void tide__error_or_destroy(tide_stream_t *s, tide_error_t *err, int sync);
/* destroyImpl.destroyer: destroy, with an AbortError when not finished. */
void tide__destroyer(tide_stream_t *s, tide_error_t *err);
int tide__stream_is_destroyed(const tide_stream_t *s);
int tide__stream_is_finished(const tide_stream_t *s);

/* transform.c */
void tide__transform_write(tide_stream_t *s, tide__chunk_t *c);
void tide__transform_read(tide_stream_t *s);
void tide__transform_final(tide_stream_t *s);
void tide__transform_drop_held(tide_stream_t *s);

/* The properties Node computes from both states. */
static inline int tide__is_writable(const tide_stream_t *s)
{
    return (s->kind & TIDE__HAS_WRITABLE) &&
           !(s->w.flags & (W_ENDING | W_ENDED | S_DESTROYED | S_ERRORED));
}
static inline int tide__is_readable(const tide_stream_t *s)
{
    return (s->kind & TIDE__HAS_READABLE) &&
           !(s->r.flags & (S_DESTROYED | S_ERROR_EMITTED | R_END_EMITTED));
}
/* state = _writableState || _readableState */
static inline uint32_t tide__main_flags(const tide_stream_t *s)
{
    return (s->kind & TIDE__HAS_WRITABLE) ? s->w.flags : s->r.flags;
}
static inline size_t tide__chunk_size(uint32_t flags, const tide__chunk_t *c)
{
    return (flags & S_OBJECT) ? 1 : c->pub.len;
}

/* A chunk added now goes straight to the 'data' listeners (flowing, with
 * nothing buffered, outside _read), not into the readable buffer. */
static inline int tide__readable_direct(const tide__rstate_t *r)
{
    return (r->flags & (R_FLOWING | R_SYNC | R_DATA_LISTENING)) ==
               (R_FLOWING | R_DATA_LISTENING) &&
           r->length == 0;
}
/* A write made now goes straight to the implementation, not the buffer. */
static inline int tide__writable_direct(const tide__wstate_t *w)
{
    return !(w->flags & (W_WRITING | S_ERRORED | W_CORKED));
}
/* Room for the chunk the next add or write buffers, made only when it will
 * be buffered: a stream whose chunks pass straight through (a socket that
 * keeps up) never allocates its rings. */
static inline int tide__readable_reserve(tide_stream_t *s)
{
    return tide__readable_direct(&s->r) ? 0 : tide__sring_reserve(&s->r.buffer);
}
static inline int tide__writable_reserve(tide_stream_t *s)
{
    return tide__writable_direct(&s->w) ? 0 : tide__sring_reserve(&s->w.buffered);
}

/* listeners.c: registering on a stream with Node's side effects */
int tide__stream_listen(tide_stream_t *s, tide_event_t event, tide_listener_fn fn, void *data,
                        int how);
enum { TIDE__LISTEN_ON, TIDE__LISTEN_ONCE, TIDE__LISTEN_PREPEND };
int tide__stream_unlisten(tide_stream_t *s, tide_event_t event, tide_listener_fn fn, void *data);

/* finished.c: eos with a C callback for the internal users */
typedef void (*tide__eos_fn)(tide_stream_t *s, tide_error_t *err, void *data);
typedef struct tide__eos tide__eos_t;
tide__eos_t *tide__eos(tide_stream_t *s, int readable, int writable, int error,
                       tide__eos_fn fn, void *data);
void tide__eos_cleanup(tide__eos_t *e);
/* Attach a to s, whose extension the caller has made (tide__sext). */
void tide__attach(tide_stream_t *s, tide__attached_t *a);

/* Make a stream of tide's own: like tide_*_new, with a release call. */
int tide__stream_make(tide_loop_t *loop, const tide_stream_opts_t *opts, uint32_t kind,
                      void (*release)(tide_stream_t *s), tide_stream_t **out);
/* The same, in a pool object of size bytes whose first part is the
 * stream and the rest the implementation's own record (an fd stream's
 * socket), so the two are one allocation with no pointers between them.
 * One size per loop; the rest of the object is left for the caller. */
int tide__stream_make_hosted(tide_loop_t *loop, const tide_stream_opts_t *opts, uint32_t kind,
                             void (*release)(tide_stream_t *s), size_t size, tide_stream_t **out);

#endif /* TIDE_IO_STREAM_INTERNAL_H */
