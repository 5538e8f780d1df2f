/* tide/stream.h - Node's streams in C: readable, writable, duplex and
 * transform streams with backpressure, pipe, pipeline, finished, and
 * awaiting forms for async functions (SEMANTICS.md S1-S11).
 *
 * Every stream embeds an emitter (tide/emitter.h) and emits Node's events:
 * TIDE_EVENT_DATA (argument: const tide_chunk_t *), END, FINISH, PREFINISH,
 * CLOSE, DRAIN, READABLE, PAUSE, RESUME (no argument), ERROR (tide_error_t *),
 * PIPE and UNPIPE (the source, tide_stream_t *). Each step that Node defers
 * with process.nextTick is a tide_next_tick here, so programs see the same
 * order of events, tick for tick.
 *
 * Chunks. A chunk is a view of bytes (or, in object mode, one void *
 * object) that is shared by reference count: pushing, writing, buffering
 * and piping pass the same chunk along without copying, and the bytes'
 * owner gets its release call when the last holder lets go.
 *   - tide_stream_write(s, buf, len, cb, data): buf is *borrowed*. Keep it
 *     alive and unchanged until cb runs (cb always runs, exactly once, also
 *     on errors). Nothing copies it on the way to the implementation, so a
 *     socket can hand it to writev directly. Whatever needs the bytes for
 *     longer (a transform that passes its input on) copies them when it
 *     holds the chunk.
 *   - tide_stream_push(s, buf, len, release, data): buf is *given*: release
 *     (may be NULL for bytes that outlive every use) runs once nobody holds
 *     a view of it any more, which may be during the push when the stream
 *     drops it. tide_stream_push_copy copies instead.
 *   - Chunks handed to listeners and implementation callbacks are borrowed
 *     for the duration of the call; tide_chunk_hold keeps one.
 *
 * Streams are reference-counted. *_new gives the caller one reference;
 * tide_stream_release drops it. A stream also holds itself while it has
 * work queued (ticks, an implementation call that has not completed),
 * and pipes, pipelines and finished() watchers hold the streams they use,
 * so releasing a stream that is still writing or ending lets it finish.
 * Once nobody holds it and nothing is queued it is freed: its buffered
 * chunks are released and the callbacks of writes still buffered (corked
 * and abandoned) are dropped unrun. An implementation whose _read pushes
 * later, from its own I/O, must hold a reference until then.
 *
 * Listeners: add 'data' and 'readable' listeners with tide_stream_on (it is
 * Node's Readable.prototype.on, which starts the flow). Other events may
 * use the emitter directly (tide_stream_emitter). A listener receives the
 * emitter; tide_stream_of(emitter) gives the stream back.
 *
 * Calls return 0 (or, for the calls Node gives a boolean, 1 for true and 0
 * for false) or a negative error: -EINVAL for bad arguments, -ENOMEM when
 * memory runs out (the call then changed nothing). Errors Node reports with
 * its ERR_STREAM_* codes use the TIDE_ERR_STREAM_* codes of tide/common.h.
 * Missing from Node's API: string encodings (setEncoding, decodeStrings:
 * chunks are bytes or objects), _construct, readable.wrap, Readable.from
 * iterables, web streams, and the readable/writable: false duplex options. */
#ifndef TIDE_STREAM_H
#define TIDE_STREAM_H

#include "tide/async.h"
#include "tide/common.h"
#include "tide/emitter.h"
#include "tide/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- chunks ----------------------------------------------------------- */

typedef struct tide_chunk_s {
    void *base; /* the bytes, or the object in object mode */
    size_t len; /* the byte count (object mode counts 1 per chunk whatever len says) */
} tide_chunk_t;

/* Runs once when the last view of bytes given to tide goes. */
typedef void (*tide_release_fn)(void *base, void *data);

/* A chunk over base/len (an object: base, len 0) with one reference for the
 * caller. release (may be NULL) runs when the last reference goes. */
TIDE_API int tide_chunk_new(tide_loop_t *loop, void *base, size_t len, tide_release_fn release,
                            void *release_data, const tide_chunk_t **out);
/* A chunk holding a copy of the bytes. */
TIDE_API int tide_chunk_copy(tide_loop_t *loop, const void *base, size_t len,
                             const tide_chunk_t **out);
/* A view of len bytes at off inside chunk, keeping chunk's bytes alive. */
TIDE_API int tide_chunk_slice(const tide_chunk_t *chunk, size_t off, size_t len,
                              const tide_chunk_t **out);
/* Keep a chunk you were lent: returns a chunk you own (the same one with a
 * new reference, or a copy when its bytes were only borrowed from a
 * writer), or NULL when memory runs out. */
TIDE_API const tide_chunk_t *tide_chunk_hold(const tide_chunk_t *chunk);
TIDE_API void tide_chunk_release(const tide_chunk_t *chunk);

/* ---- making streams --------------------------------------------------- */

typedef struct tide_stream_s tide_stream_t;

/* Completion of a write, of end() or of a finished() watch: err is NULL on
 * success, else borrowed for the call. */
typedef void (*tide_stream_cb)(tide_stream_t *stream, tide_error_t *err, void *data);

/* The implementation, Node's _read, _write, ... Each gets opts.data. An
 * operation that Node completes with a callback completes here with the
 * matching tide_stream_*_done call, from inside the function or later. */
typedef void (*tide_read_fn)(tide_stream_t *stream, size_t size, void *data);
typedef void (*tide_write_fn)(tide_stream_t *stream, const tide_chunk_t *chunk, void *data);
typedef void (*tide_writev_fn)(tide_stream_t *stream, const tide_chunk_t *const *chunks,
                               size_t n, void *data);
typedef void (*tide_final_fn)(tide_stream_t *stream, void *data);
typedef void (*tide_destroy_fn)(tide_stream_t *stream, tide_error_t *err, void *data);
typedef void (*tide_transform_fn)(tide_stream_t *stream, const tide_chunk_t *chunk, void *data);
typedef void (*tide_flush_fn)(tide_stream_t *stream, void *data);

enum {
    TIDE_STREAM_OBJECT_MODE = 1 << 0,          /* both sides carry objects */
    TIDE_STREAM_READABLE_OBJECT_MODE = 1 << 1, /* only the readable side */
    TIDE_STREAM_WRITABLE_OBJECT_MODE = 1 << 2, /* only the writable side */
    TIDE_STREAM_NO_AUTO_DESTROY = 1 << 3,      /* autoDestroy: false */
    TIDE_STREAM_NO_EMIT_CLOSE = 1 << 4,        /* emitClose: false */
    TIDE_STREAM_NO_HALF_OPEN = 1 << 5          /* duplex: allowHalfOpen: false */
};

/* A high-water mark of 0 in the options means "the default" (16 KiB, or
 * 16 objects); ask for a real zero with TIDE_HWM_ZERO. */
#define TIDE_HWM_ZERO ((size_t)-1)

typedef struct {
    tide_read_fn read;           /* readable, duplex */
    tide_write_fn write;         /* writable, duplex: write or writev (or both) */
    tide_writev_fn writev;       /* gets every buffered (corked) chunk at once */
    tide_final_fn final;         /* optional: before 'prefinish' (not for transforms) */
    tide_destroy_fn destroy;     /* optional: default completes at once with err */
    tide_transform_fn transform; /* transform: NULL passes chunks through (PassThrough) */
    tide_flush_fn flush;         /* transform, optional: after the last transform */
    void *data;
    size_t hwm;                  /* both sides (Node's highWaterMark) */
    size_t readable_hwm;         /* override for the readable side */
    size_t writable_hwm;         /* override for the writable side */
    unsigned flags;              /* TIDE_STREAM_* */
} tide_stream_opts_t;

/* opts may be NULL only where no function is required (a transform). Each
 * gives *out one reference. -EINVAL when a required function is missing. */
TIDE_API int tide_readable_new(tide_loop_t *loop, const tide_stream_opts_t *opts,
                               tide_stream_t **out);
TIDE_API int tide_writable_new(tide_loop_t *loop, const tide_stream_opts_t *opts,
                               tide_stream_t **out);
TIDE_API int tide_duplex_new(tide_loop_t *loop, const tide_stream_opts_t *opts,
                             tide_stream_t **out);
TIDE_API int tide_transform_new(tide_loop_t *loop, const tide_stream_opts_t *opts,
                                tide_stream_t **out);

TIDE_API tide_stream_t *tide_stream_ref(tide_stream_t *stream);
TIDE_API void tide_stream_release(tide_stream_t *stream);

TIDE_API tide_emitter_t *tide_stream_emitter(tide_stream_t *stream);
/* The stream whose emitter em is (em must be one). */
TIDE_API tide_stream_t *tide_stream_of(tide_emitter_t *em);
TIDE_API tide_loop_t *tide_stream_loop(const tide_stream_t *stream);
TIDE_API void *tide_stream_data(const tide_stream_t *stream);

/* ---- listeners (Node's stream.on / once / off / removeAllListeners) ----- */

TIDE_API int tide_stream_on(tide_stream_t *stream, tide_event_t event, tide_listener_fn fn,
                            void *data);
TIDE_API int tide_stream_once(tide_stream_t *stream, tide_event_t event, tide_listener_fn fn,
                              void *data);
TIDE_API int tide_stream_off(tide_stream_t *stream, tide_event_t event, tide_listener_fn fn,
                             void *data);
TIDE_API int tide_stream_remove_all(tide_stream_t *stream, tide_event_t event);

/* ---- the readable side ------------------------------------------------ */

/* push(chunk): 1 while the buffer is below the high-water mark (push
 * more), 0 once it is not, or when the stream has ended, is destroyed or
 * errored (a push after EOF also destroys it with
 * TIDE_ERR_STREAM_PUSH_AFTER_EOF, as Node does). Negative: not taken. */
TIDE_API int tide_stream_push(tide_stream_t *stream, void *base, size_t len,
                              tide_release_fn release, void *release_data);
TIDE_API int tide_stream_push_copy(tide_stream_t *stream, const void *base, size_t len);
TIDE_API int tide_stream_push_chunk(tide_stream_t *stream, const tide_chunk_t *chunk);
/* push(null): end of stream. Returns 0. */
TIDE_API int tide_stream_push_end(tide_stream_t *stream);
/* unshift(chunk): put a chunk back at the front of the buffer. */
TIDE_API int tide_stream_unshift(tide_stream_t *stream, const tide_chunk_t *chunk);

/* read(n): n bytes (one object in object mode), or everything buffered
 * with TIDE_READ_ALL (Node's read(); in flowing mode the first chunk), or
 * nothing with 0 (read(0) only starts a refill). Returns 1 with *out set
 * to a chunk you own, or 0 with *out NULL when not enough is buffered. As
 * in Node the chunk is also emitted as 'data'. */
#define TIDE_READ_ALL ((size_t)-1)
TIDE_API int tide_stream_read(tide_stream_t *stream, size_t n, const tide_chunk_t **out);
TIDE_API int tide_stream_pause(tide_stream_t *stream);
TIDE_API int tide_stream_resume(tide_stream_t *stream);
TIDE_API int tide_stream_is_paused(const tide_stream_t *stream);

/* ---- the writable side ------------------------------------------------ */

/* write(chunk, cb): 1 while the buffered length stays below the
 * high-water mark, 0 once it does not (then 'drain' follows when it
 * empties) or when the stream is ending, destroyed or errored. cb (may be
 * NULL) always runs later, with the error if the write failed. buf is
 * borrowed until cb runs (with no cb, it must outlive the stream; or use
 * tide_stream_write_chunk). Negative: -EINVAL/-ENOMEM, nothing written. */
TIDE_API int tide_stream_write(tide_stream_t *stream, const void *buf, size_t len,
                               tide_stream_cb cb, void *data);
/* The same for a chunk: the stream holds its own reference. */
TIDE_API int tide_stream_write_chunk(tide_stream_t *stream, const tide_chunk_t *chunk,
                                     tide_stream_cb cb, void *data);
TIDE_API int tide_stream_cork(tide_stream_t *stream);
TIDE_API int tide_stream_uncork(tide_stream_t *stream);
/* end(chunk?, cb): write chunk (may be NULL) and finish. cb (may be NULL)
 * runs at 'finish', or with the error if the stream fails first. */
TIDE_API int tide_stream_end(tide_stream_t *stream, const tide_chunk_t *chunk, tide_stream_cb cb,
                             void *data);

/* ---- completing implementation calls ---------------------------------- */

/* Node's callbacks of _write/_writev, _final, _destroy, the transform and
 * flush. err (NULL: success) is taken over. A second call for the same
 * operation is Node's ERR_MULTIPLE_CALLBACK: TIDE_ERR_MULTIPLE_CALLBACK
 * destroys the stream. */
TIDE_API int tide_stream_write_done(tide_stream_t *stream, tide_error_t *err);
TIDE_API int tide_stream_final_done(tide_stream_t *stream, tide_error_t *err);
TIDE_API int tide_stream_destroy_done(tide_stream_t *stream, tide_error_t *err);
TIDE_API int tide_stream_transform_done(tide_stream_t *stream, tide_error_t *err);
TIDE_API int tide_stream_flush_done(tide_stream_t *stream, tide_error_t *err);

/* ---- destroy, pipe, pipeline, finished -------------------------------- */

/* destroy(err): destroyed at once; the implementation's destroy runs now;
 * 'error' (when err) and then 'close' follow on later ticks. err (may be
 * NULL) is taken over. A second destroy does nothing. */
TIDE_API int tide_stream_destroy(tide_stream_t *stream, tide_error_t *err);

/* src.pipe(dst): chunks go to dst.write with backpressure; at src's 'end',
 * dst.end() unless TIDE_PIPE_NO_END ({end: false}). */
enum { TIDE_PIPE_NO_END = 1 };
TIDE_API int tide_stream_pipe(tide_stream_t *src, tide_stream_t *dst, unsigned flags);
/* src.unpipe(dst); dst NULL unpipes every destination. */
TIDE_API int tide_stream_unpipe(tide_stream_t *src, tide_stream_t *dst);

/* stream.finished(stream, opts, cb): cb runs once, when the stream has
 * ended and/or finished (0 flags: each side it has), or with the error, or
 * with TIDE_ERR_STREAM_PREMATURE_CLOSE when it closed first. */
enum {
    TIDE_FINISHED_READABLE = 1,  /* watch only the readable side */
    TIDE_FINISHED_WRITABLE = 2,  /* watch only the writable side */
    TIDE_FINISHED_NO_ERROR = 4   /* { error: false }: 'error' does not end the watch */
};
typedef struct tide_finished_s tide_finished_t;
/* *out (may be NULL) lets the watch be cancelled with
 * tide_stream_finished_cancel (Node's returned cleanup), until cb ran. The
 * watch does not keep the stream: one that nobody holds and that waits for
 * nothing is freed, and then cb never runs (a collected Node stream's
 * never does either). */
TIDE_API int tide_stream_finished(tide_stream_t *stream, unsigned flags, tide_stream_cb cb,
                                  void *data, tide_finished_t **out);
TIDE_API void tide_stream_finished_cancel(tide_finished_t *watch);

/* stream.pipeline(streams[0], ..., streams[n-1], cb): pipes them, and on
 * the first error destroys every stage with it. cb runs once, last, with
 * the first error (NULL on success) and the last stream. -ENOMEM before
 * anything started; memory that runs out half-way through the setup fails
 * the pipeline like a stage's error (-ENOMEM to cb). */
TIDE_API int tide_stream_pipeline(tide_stream_t *const *streams, size_t n, tide_stream_cb cb,
                                  void *data);

/* ---- state (Node's properties) ---------------------------------------- */

TIDE_API size_t tide_stream_readable_length(const tide_stream_t *stream);
TIDE_API size_t tide_stream_writable_length(const tide_stream_t *stream);
TIDE_API size_t tide_stream_readable_hwm(const tide_stream_t *stream);
TIDE_API size_t tide_stream_writable_hwm(const tide_stream_t *stream);
/* readableFlowing: -1 (null), 0 or 1. */
TIDE_API int tide_stream_readable_flowing(const tide_stream_t *stream);
TIDE_API int tide_stream_readable(const tide_stream_t *stream);        /* .readable */
TIDE_API int tide_stream_readable_ended(const tide_stream_t *stream);  /* 'end' emitted */
TIDE_API int tide_stream_writable(const tide_stream_t *stream);        /* .writable */
TIDE_API int tide_stream_writable_ended(const tide_stream_t *stream);  /* end() called */
TIDE_API int tide_stream_writable_finished(const tide_stream_t *stream);
TIDE_API int tide_stream_writable_need_drain(const tide_stream_t *stream);
TIDE_API unsigned tide_stream_writable_corked(const tide_stream_t *stream);
TIDE_API int tide_stream_destroyed(const tide_stream_t *stream);
TIDE_API int tide_stream_closed(const tide_stream_t *stream);
/* The error the stream failed with (borrowed), or NULL. */
TIDE_API tide_error_t *tide_stream_errored(const tide_stream_t *stream);

/* ---- awaiting forms (inside tide_async functions) --------------------- */

/* Each returns 1 when it got what it asked for, 0 at the end of the
 * stream, or a negative error: the stream's error code (the error itself
 * through tide_stream_errored), -EPERM outside an async function, or the
 * opts' abort reason or -ETIMEDOUT. */

/* The next chunk there is (a reference for you), waiting for one. */
TIDE_API int tide_stream_read_await(tide_stream_t *stream, const tide_chunk_t **out,
                                    const tide_await_opts_t *opts);
/* Exactly n bytes into buf. 0 when the stream ended first; *got (may be
 * NULL) says how many bytes came. */
TIDE_API int tide_stream_read_exact_await(tide_stream_t *stream, void *buf, size_t n, size_t *got,
                                          const tide_await_opts_t *opts);
/* A line, as fgets: up to and including '\n', at most cap - 1 bytes, then
 * a NUL; *len (may be NULL) is its length. What follows is left buffered. */
TIDE_API int tide_stream_read_line_await(tide_stream_t *stream, char *buf, size_t cap,
                                         size_t *len, const tide_await_opts_t *opts);
/* Write a copy of buf and, when write() returned false, wait for 'drain'
 * (Node's `if (!w.write(b)) await once(w, 'drain')`). buf may be reused at
 * once. 1 on success. */
TIDE_API int tide_stream_write_await(tide_stream_t *stream, const void *buf, size_t len,
                                     const tide_await_opts_t *opts);
/* Write a chunk; waits only for 'drain' when write() returned false. */
TIDE_API int tide_stream_write_chunk_await(tide_stream_t *stream, const tide_chunk_t *chunk,
                                           const tide_await_opts_t *opts);
/* end() and wait for 'finish'. */
TIDE_API int tide_stream_end_await(tide_stream_t *stream, const tide_await_opts_t *opts);

/* for await (const chunk of stream): next gives each chunk in order (1),
 * then 0 at the end or the stream's error. tide_stream_iter_free is the
 * loop's exit: before the end it is `break`, which destroys the stream
 * with an AbortError (-ECANCELED), as Node does (S11). */
typedef struct tide_stream_iter_s tide_stream_iter_t;
TIDE_API int tide_stream_iterate(tide_stream_t *stream, tide_stream_iter_t **out);
TIDE_API int tide_stream_iter_next(tide_stream_iter_t *it, const tide_chunk_t **out,
                                   const tide_await_opts_t *opts);
TIDE_API void tide_stream_iter_free(tide_stream_iter_t *it);

/* ---- buffers as streams ----------------------------------------------- */

/* A readable over buf, pushed in views of chunk_size bytes (0: 16 KiB)
 * without copying. release (may be NULL) runs once the stream and every
 * view of buf are gone. */
TIDE_API int tide_stream_from_buffer(tide_loop_t *loop, const void *buf, size_t len,
                                     size_t chunk_size, tide_release_fn release,
                                     void *release_data, tide_stream_t **out);
/* A writable that collects every byte written (a copy), up to limit bytes
 * (0: no limit; a write past it fails with -ENOBUFS). opts may be NULL or
 * give hwm and flags. */
TIDE_API int tide_stream_to_buffer(tide_loop_t *loop, size_t limit, const tide_stream_opts_t *opts,
                                   tide_stream_t **out);
/* What a to_buffer stream holds so far (owned by the stream). */
TIDE_API int tide_stream_buffer(const tide_stream_t *stream, const void **base, size_t *len);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_STREAM_H */
