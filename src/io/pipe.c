/* io/pipe.c - src.pipe(dst) and unpipe, as Node v20's Readable.prototype.pipe:
 * every 'data' chunk goes to dst.write; a false return pauses src until
 * dst's 'drain' (src keeps reading ahead to its own mark meanwhile); src's
 * 'end' ends dst unless {end: false}; dst's error, close or finish unpipes
 * (SEMANTICS.md S8). One record per pipe holds both streams until the pipe
 * is cleaned up. */
#include <string.h>

#include "io/stream_internal.h"

typedef struct {
    tide_stream_t *src;
    tide_stream_t *dst;
    uint32_t refs;     /* 1 while piped, plus each listener running */
    uint8_t do_end;
    uint8_t cleaned_up;
    uint8_t has_ondrain;
} pipe_t;

_Static_assert(sizeof(pipe_t) <= TIDE__RECORD_SIZE, "pipe_t outgrew its pool");

static void pipe_unref(pipe_t *p)
{
    if (--p->refs) return;
    tide_stream_t *src = p->src, *dst = p->dst;
    tide__record_put(tide__sloop(src), p);
    tide__unhold(dst);
    tide__unhold(src);
}

/* ---- the await-drain set (Node's awaitDrainWriters) --------------------- */

static int await_has(const tide__rstate_t *r, const tide__sext_t *x, const tide_stream_t *dst)
{
    for (uint32_t i = 0; i < r->nawait; i++)
        if (x->await_drain[i] == dst) return 1;
    return 0;
}

static void await_remove(tide__rstate_t *r, tide__sext_t *x, const tide_stream_t *dst)
{
    for (uint32_t i = 0; i < r->nawait; i++) {
        if (x->await_drain[i] == dst) {
            memmove(&x->await_drain[i], &x->await_drain[i + 1],
                    (r->nawait - i - 1) * sizeof x->await_drain[0]);
            r->nawait--;
            return;
        }
    }
}

/* ---- listeners ---------------------------------------------------------- */

static int on_unpipe(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
static int on_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
static int on_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
static int on_close(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
static int on_finish(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
static int on_drain(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
static int on_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
static int on_end_unpipe(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);

static void unpipe(tide_stream_t *src, tide_stream_t *dst);

static void pipe_on_drain(pipe_t *p)
{
    tide__rstate_t *r = &p->src->r;
    tide__sext_t *x = p->src->ext; /* made by the pipe */
    if (!(r->flags & R_MULTI_AWAIT_DRAIN) && r->nawait == 1 && x->await_drain[0] == p->dst)
        r->nawait = 0;
    else if (r->flags & R_MULTI_AWAIT_DRAIN)
        await_remove(r, x, p->dst);
    if (r->nawait == 0 && (r->flags & R_DATA_LISTENING)) tide__readable_resume(p->src);
}

static void cleanup(pipe_t *p)
{
    tide_stream_t *src = p->src, *dst = p->dst;
    tide_off(&dst->em, TIDE_EVENT_CLOSE, on_close, p);
    tide_off(&dst->em, TIDE_EVENT_FINISH, on_finish, p);
    if (p->has_ondrain) tide_off(&dst->em, TIDE_EVENT_DRAIN, on_drain, p);
    tide_off(&dst->em, TIDE_EVENT_ERROR, on_error, p);
    tide_off(&dst->em, TIDE_EVENT_UNPIPE, on_unpipe, p);
    tide_off(&src->em, TIDE_EVENT_END, on_end, p);
    tide_off(&src->em, TIDE_EVENT_END, on_end_unpipe, p);
    tide__stream_unlisten(src, TIDE_EVENT_DATA, on_data, p);
    int was_piped = !p->cleaned_up;
    p->cleaned_up = 1;
    tide__rstate_t *r = &src->r;
    int awaiting = (r->flags & R_MULTI_AWAIT_DRAIN) || r->nawait > 0;
    if (p->has_ondrain && awaiting && (dst->w.flags & W_NEED_DRAIN)) pipe_on_drain(p);
    if (was_piped) pipe_unref(p);
}

/* Listeners hold the record while they run: cleanup may happen inside,
 * and the record holds both streams. */
#define PIPE_LISTENER(name, body)                                              \
    static int name(tide_emitter_t *em, tide_event_t ev, void *arg, void *data) \
    {                                                                          \
        pipe_t *p = data;                                                      \
        p->refs++;                                                             \
        body;                                                                  \
        pipe_unref(p);                                                         \
        return 0;                                                              \
    }

static void pause_for(pipe_t *p)
{
    tide_stream_t *src = p->src, *dst = p->dst;
    tide__rstate_t *r = &src->r;
    tide__sext_t *x = src->ext; /* made by the pipe */
    if (!p->cleaned_up) {
        if (x->npipes == 1 && x->pipes[0] == dst) {
            x->await_drain[0] = dst;
            r->nawait = 1;
            r->flags &= ~R_MULTI_AWAIT_DRAIN;
        } else if (x->npipes > 1 && !await_has(r, x, dst) && r->nawait < x->pipes_cap) {
            for (uint32_t i = 0; i < x->npipes; i++) {
                if (x->pipes[i] == dst) {
                    x->await_drain[r->nawait++] = dst;
                    break;
                }
            }
        }
        tide__readable_pause(src);
        /* Node adds the drain listener even after cleanup; here a pipe
         * that is gone does not, so its record can go with it. */
        if (!p->has_ondrain) {
            if (tide_on(&dst->em, TIDE_EVENT_DRAIN, on_drain, p) == 0) p->has_ondrain = 1;
            else tide__readable_resume(src); /* no memory: give up backpressure, not data */
        }
    }
}

PIPE_LISTENER(on_data, {
    tide__chunk_t *c = NULL;
    if (tide__writable_reserve(p->dst) == 0) c = tide__chunk_keep(tide__chunk(arg));
    if (!c) {
        tide__destroy(p->dst, tide_error_new(-ENOMEM, NULL));
    } else {
        if (p->dst->w.flags & S_OBJECT) c->flags |= TIDE__CHUNK_OBJECT;
        if (!tide__writable_write(p->dst, c, (tide__cb_t){NULL, NULL})) pause_for(p);
    }
})

PIPE_LISTENER(on_drain, { pipe_on_drain(p); })

PIPE_LISTENER(on_end, { tide__writable_end(p->dst, NULL, (tide__cb_t){NULL, NULL}, NULL); })

PIPE_LISTENER(on_end_unpipe, { unpipe(p->src, p->dst); })

PIPE_LISTENER(on_unpipe, {
    int *token = p->src->ext->unpipe_token;
    if (arg == p->src && token && !*token) {
        *token = 1;
        cleanup(p);
    }
})

PIPE_LISTENER(on_error, {
    tide_stream_t *dst = p->dst;
    unpipe(p->src, dst);
    tide_off(&dst->em, TIDE_EVENT_ERROR, on_error, p);
    if (tide_listener_count(&dst->em, TIDE_EVENT_ERROR) == 0) {
        if (!(tide__main_flags(dst) & S_ERROR_EMITTED))
            tide__error_or_destroy(dst, tide_error_ref(arg), 0);
        else
            tide__emit(dst, TIDE_EVENT_ERROR, arg);
    }
})

PIPE_LISTENER(on_close, {
    tide_off(&p->dst->em, TIDE_EVENT_FINISH, on_finish, p);
    unpipe(p->src, p->dst);
})

PIPE_LISTENER(on_finish, {
    tide_off(&p->dst->em, TIDE_EVENT_CLOSE, on_close, p);
    unpipe(p->src, p->dst);
})

static void end_tick(tide_loop_t *loop, void *data)
{
    pipe_t *p = data;
    if (p->do_end) on_end(NULL, TIDE_EVENT_END, NULL, p);
    else on_end_unpipe(NULL, TIDE_EVENT_END, NULL, p);
    pipe_unref(p);
}

/* ---- pipe and unpipe ---------------------------------------------------- */

/* Room for one more destination in both arrays. */
static int grow_pipes(tide__sext_t *x)
{
    if (x->npipes < x->pipes_cap) return 0;
    uint32_t cap = x->pipes_cap ? x->pipes_cap * 2 : 2;
    tide_stream_t **pipes = tide__realloc(x->pipes, cap * sizeof *pipes);
    if (!pipes) return -ENOMEM;
    x->pipes = pipes;
    tide_stream_t **aw = tide__realloc(x->await_drain, cap * sizeof *aw);
    if (!aw) return -ENOMEM;
    x->await_drain = aw;
    x->pipes_cap = cap;
    return 0;
}

int tide_stream_pipe(tide_stream_t *src, tide_stream_t *dst, unsigned flags)
{
    if (!src || !dst || src == dst || !(src->kind & TIDE__HAS_READABLE) ||
        !(dst->kind & TIDE__HAS_WRITABLE) || (flags & ~(unsigned)TIDE_PIPE_NO_END))
        return -EINVAL;
    tide__rstate_t *r = &src->r;
    tide__sext_t *x = tide__sext(src);
    if (!x || tide__ticks_reserve(tide__sloop(src)) != 0 || grow_pipes(x) != 0) return -ENOMEM;
    pipe_t *p = tide__record_get(tide__sloop(src));
    if (!p) return -ENOMEM;
    p->src = tide_stream_ref(src);
    p->dst = tide_stream_ref(dst);
    p->refs = 1;
    p->do_end = !(flags & TIDE_PIPE_NO_END);
    tide__hold(src);
    tide__hold(dst);

    /* Registrations that can fail come first (the 'data' one last of
     * them, since it starts the flow), so a failure leaves nothing behind.
     * Each goes on a different event than its neighbours in Node's order,
     * so the order of calls within an event is Node's. */
    int end_now = (r->flags & R_END_EMITTED) != 0;
    tide_listener_fn end_fn = p->do_end ? on_end : on_end_unpipe;
    int rc = end_now ? 0 : tide_once(&src->em, TIDE_EVENT_END, end_fn, p);
    if (!rc) rc = tide_on(&dst->em, TIDE_EVENT_UNPIPE, on_unpipe, p);
    if (!rc) rc = tide_prepend(&dst->em, TIDE_EVENT_ERROR, on_error, p);
    if (!rc) rc = tide_once(&dst->em, TIDE_EVENT_CLOSE, on_close, p);
    if (!rc) rc = tide_once(&dst->em, TIDE_EVENT_FINISH, on_finish, p);
    if (!rc) {
        if (x->npipes == 1 && !(r->flags & R_MULTI_AWAIT_DRAIN))
            r->flags |= R_MULTI_AWAIT_DRAIN; /* the set keeps what it holds */
        x->pipes[x->npipes++] = tide_stream_ref(dst);
        rc = tide__stream_listen(src, TIDE_EVENT_DATA, on_data, p, TIDE__LISTEN_ON);
        if (rc) tide__unhold(x->pipes[--x->npipes]);
    }
    if (rc) {
        p->cleaned_up = 1;
        cleanup(p); /* removes whatever was added */
        pipe_unref(p);
        tide__unhold(dst);
        tide__unhold(src);
        return rc;
    }
    if (end_now) {
        p->refs++;
        tide__ring_push(&tide__sloop(src)->ticks, end_tick, p, tide__sloop(src)->context);
    }
    tide__emit(dst, TIDE_EVENT_PIPE, src);
    if (tide_stream_writable_need_drain(dst)) {
        pause_for(p);
    } else if (!(r->flags & R_FLOWING)) {
        tide__readable_resume(src);
    }
    tide__unhold(dst);
    tide__unhold(src);
    return 0;
}

/* Emit 'unpipe' on one destination with a fresh unpipeInfo, then let the
 * destination go. */
static void emit_unpipe(tide_stream_t *src, tide_stream_t *dst)
{
    int token = 0;
    tide__sext_t *x = src->ext; /* made by the pipe */
    int *saved = x->unpipe_token;
    x->unpipe_token = &token;
    tide__emit(dst, TIDE_EVENT_UNPIPE, src);
    x->unpipe_token = saved;
    tide__unhold(dst);
}

static void unpipe(tide_stream_t *src, tide_stream_t *dst)
{
    tide__sext_t *x = src->ext;
    if (!x || x->npipes == 0) return;
    if (!dst) {
        uint32_t n = x->npipes;
        tide_stream_t **dests = tide__malloc(n * sizeof *dests);
        if (!dests) return; /* defensive: nothing is unpiped */
        memcpy(dests, x->pipes, n * sizeof *dests);
        x->npipes = 0;
        tide__readable_pause(src);
        for (uint32_t i = 0; i < n; i++) emit_unpipe(src, dests[i]);
        tide__free(dests);
        return;
    }
    uint32_t i = 0;
    while (i < x->npipes && x->pipes[i] != dst) i++;
    if (i == x->npipes) return;
    memmove(&x->pipes[i], &x->pipes[i + 1], (x->npipes - i - 1) * sizeof x->pipes[0]);
    x->npipes--;
    if (x->npipes == 0) tide__readable_pause(src);
    emit_unpipe(src, dst);
}

int tide_stream_unpipe(tide_stream_t *src, tide_stream_t *dst)
{
    if (!src || !(src->kind & TIDE__HAS_READABLE)) return -EINVAL;
    if (tide__ticks_reserve(tide__sloop(src)) != 0) return -ENOMEM;
    tide__hold(src);
    unpipe(src, dst);
    tide__unhold(src);
    return 0;
}
