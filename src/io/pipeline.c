/* io/pipeline.c - stream.pipeline(a, ..., z, cb) for streams, as Node v20's
 * pipelineImpl: each pair is piped with {end: false} and ended by hand,
 * each stage is watched by finished(); the first error destroys every stage
 * (from the source on) and the callback runs once, last, on a tick of its
 * own (SEMANTICS.md S9). The listeners stay on the streams afterwards, as
 * Node's do, so the pipeline's record lives until every stream is gone. */
#include <string.h>

#include "io/stream_internal.h"

typedef struct pipeline pipeline_t;

typedef struct {
    pipeline_t *pl;
    tide_stream_t *stream;
    tide__eos_t *destroyer_eos;
    tide__eos_t *dst_eos;     /* the pipe into this stage watching it */
    uint8_t finished;         /* the destroyer's: nothing left to destroy */
    uint8_t ended;            /* the pipe into this stage ended it */
} stage_t;

struct pipeline {
    tide_loop_t *loop;
    uint32_t refs;
    int64_t finish_count;
    size_t n;
    size_t next_destroy;
    tide_stream_cb cb;
    void *data;
    tide_error_t *error;
    uint8_t last_readable;
    uint8_t called;
    stage_t stages[];
};

typedef struct {
    tide__attached_t att;
    pipeline_t *pl;
    tide_loop_t *loop;
} pl_ref_t;

static void pl_unref(pipeline_t *pl)
{
    if (--pl->refs) return;
    tide_error_release(pl->error);
    tide__free(pl);
}

static void pl_ref_free(tide__attached_t *a)
{
    pl_ref_t *r = (pl_ref_t *)a;
    pipeline_t *pl = r->pl;
    tide__record_put(r->loop, r);
    pl_unref(pl);
}

static int is_abort_or_premature(const tide_error_t *err)
{
    return err->code == -ECANCELED || err->code == TIDE_ERR_STREAM_PREMATURE_CLOSE;
}

/* ---- finishing ---------------------------------------------------------- */

static void call_back_tick(tide_loop_t *loop, void *data)
{
    pipeline_t *pl = data;
    tide_stream_t *last = pl->stages[pl->n - 1].stream;
    if (!pl->called) {
        pl->called = 1;
        pl->cb(last, pl->error, pl->data);
    }
    for (size_t i = 0; i < pl->n; i++) tide__unhold(pl->stages[i].stream);
    pl_unref(pl);
}

static int on_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);

static void destroy_stage(stage_t *st, tide_error_t *err)
{
    if (st->finished) return;
    st->finished = 1;
    tide__destroyer(st->stream, err ? tide_error_ref(err)
                                    : tide__stream_error(TIDE_ERR_STREAM_DESTROYED, "pipe"));
}

static void finish_impl(pipeline_t *pl, tide_error_t *err, int final)
{
    if (err && (!pl->error || pl->error->code == TIDE_ERR_STREAM_PREMATURE_CLOSE)) {
        tide_error_release(pl->error);
        pl->error = tide_error_ref(err);
    }
    if (!pl->error && !final) return;
    while (pl->next_destroy < pl->n) destroy_stage(&pl->stages[pl->next_destroy++], pl->error);
    if (!final) return;
    if (!pl->error && pl->last_readable) {
        /* lastStreamCleanup: a readable last stage keeps no listeners. */
        stage_t *last = &pl->stages[pl->n - 1];
        tide__eos_cleanup(last->destroyer_eos);
        tide_off(&last->stream->em, TIDE_EVENT_ERROR, on_error, last);
        if (last->dst_eos) tide__eos_cleanup(last->dst_eos);
    }
    pl->refs++;
    tide__ring_push(&pl->loop->ticks, call_back_tick, pl, pl->loop->context);
}

static void finish(pipeline_t *pl, tide_error_t *err)
{
    finish_impl(pl, err, --pl->finish_count == 0);
}

/* ---- listeners ---------------------------------------------------------- */

static int on_close_destroyer(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    ((stage_t *)data)->finished = 1;
    return 0;
}

static void destroyer_eos(tide_stream_t *s, tide_error_t *err, void *data)
{
    ((stage_t *)data)->finished = !err;
}

static int on_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    tide_error_t *err = arg;
    if (err && !is_abort_or_premature(err)) finish(((stage_t *)data)->pl, err);
    return 0;
}

static int on_dst_close(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    stage_t *st = data;
    if (!st->ended) {
        tide_error_t *pc = tide__stream_error(TIDE_ERR_STREAM_PREMATURE_CLOSE, NULL);
        finish(st->pl, pc);
        tide_error_release(pc);
    }
    return 0;
}

static int on_src_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    stage_t *st = data;
    st->ended = 1;
    tide__hold(st->stream);
    tide__writable_end(st->stream, NULL, (tide__cb_t){NULL, NULL}, NULL);
    tide__unhold(st->stream);
    return 0;
}

static void src_end_tick(tide_loop_t *loop, void *data)
{
    stage_t *st = data;
    on_src_end(NULL, TIDE_EVENT_END, NULL, st);
    pl_unref(st->pl);
}

static int on_finish_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    finish(((stage_t *)data)->pl, NULL);
    return 0;
}

static int on_finish_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    finish(((stage_t *)data)->pl, arg);
    return 0;
}

/* eos(src, {readable}) of the pipe into stage st: an early close of a
 * source that has ended waits for its 'end' (or 'error'). */
static void src_eos(tide_stream_t *src, tide_error_t *err, void *data)
{
    stage_t *st = data;
    tide__rstate_t *r = &src->r;
    if (err && err->code == TIDE_ERR_STREAM_PREMATURE_CLOSE && (r->flags & R_ENDED) &&
        !src->errored && !(r->flags & S_ERROR_EMITTED)) {
        if (tide_once(&src->em, TIDE_EVENT_END, on_finish_end, st) != 0 ||
            tide_once(&src->em, TIDE_EVENT_ERROR, on_finish_error, st) != 0)
            finish(st->pl, err); /* defensive: without listeners, finish now */
        return;
    }
    finish(st->pl, err);
}

static void dst_eos(tide_stream_t *dst, tide_error_t *err, void *data)
{
    finish(((stage_t *)data)->pl, err);
}

/* ---- setting up --------------------------------------------------------- */

/* pipe(src, dst, finish, {end: true}) of pipeline.js. */
static int pipe_into(stage_t *src_stage, stage_t *st)
{
    tide_stream_t *src = src_stage->stream, *dst = st->stream;
    pipeline_t *pl = st->pl;
    if (tide_on(&dst->em, TIDE_EVENT_CLOSE, on_dst_close, st) != 0) return -ENOMEM;
    int rc = tide_stream_pipe(src, dst, TIDE_PIPE_NO_END);
    if (rc) return rc;
    if (tide__readable_finished(src, 1)) {
        pl->refs++;
        tide__ring_push(&pl->loop->ticks, src_end_tick, st, pl->loop->context);
    } else if (tide_once(&src->em, TIDE_EVENT_END, on_src_end, st) != 0) {
        return -ENOMEM;
    }
    if (!tide__eos(src, 1, 0, 1, src_eos, st)) return -ENOMEM;
    st->dst_eos = tide__eos(dst, 0, 1, 1, dst_eos, st);
    return st->dst_eos ? 0 : -ENOMEM;
}

static int setup_stage(pipeline_t *pl, size_t i)
{
    stage_t *st = &pl->stages[i];
    tide_stream_t *s = st->stream;
    int reading = i < pl->n - 1, writing = i > 0;
    if (!tide__sext(s)) return -ENOMEM;
    pl_ref_t *ref = tide__record_get(pl->loop);
    if (!ref) return -ENOMEM;
    ref->att.free = pl_ref_free;
    ref->pl = pl;
    ref->loop = pl->loop;
    pl->refs++;
    tide__attach(s, &ref->att);

    if (tide_on(&s->em, TIDE_EVENT_CLOSE, on_close_destroyer, st) != 0) return -ENOMEM;
    st->destroyer_eos = tide__eos(s, reading, writing, 1, destroyer_eos, st);
    if (!st->destroyer_eos) return -ENOMEM;
    if (tide_on(&s->em, TIDE_EVENT_ERROR, on_error, st) != 0) return -ENOMEM;
    if (i == pl->n - 1) pl->last_readable = tide__is_readable(s);
    if (i > 0) {
        pl->finish_count += 2;
        return pipe_into(&pl->stages[i - 1], st);
    }
    return 0;
}

int tide_stream_pipeline(tide_stream_t *const *streams, size_t n, tide_stream_cb cb, void *data)
{
    if (!streams || n < 2 || !cb) return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        tide_stream_t *s = streams[i];
        if (!s || tide__sloop(s) != tide__sloop(streams[0])) return -EINVAL;
        if (i < n - 1 && !(s->kind & TIDE__HAS_READABLE)) return -EINVAL;
        if (i > 0 && !(s->kind & TIDE__HAS_WRITABLE)) return -EINVAL;
    }
    tide_loop_t *loop = tide__sloop(streams[0]);
    if (tide__ticks_reserve(loop) != 0) return -ENOMEM;
    pipeline_t *pl = tide__calloc(1, sizeof *pl + n * sizeof(stage_t));
    if (!pl) return -ENOMEM;
    pl->loop = loop;
    pl->refs = 1;
    pl->n = n;
    pl->cb = cb;
    pl->data = data;
    for (size_t i = 0; i < n; i++) {
        pl->stages[i].pl = pl;
        pl->stages[i].stream = tide_stream_ref(streams[i]);
    }
    for (size_t i = 0; i < n; i++) {
        if (setup_stage(pl, i) != 0) {
            /* Out of memory half-way: fail the whole pipeline the way a
             * stage's error would, so every stream is destroyed and the
             * callback still comes, once. */
            tide_error_t *err = tide_error_new(-ENOMEM, NULL);
            finish_impl(pl, err, 1);
            tide_error_release(err);
            pl->finish_count = -1; /* no later finish is final again */
            break;
        }
    }
    pl_unref(pl);
    return 0;
}
