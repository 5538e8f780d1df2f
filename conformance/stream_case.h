/* conformance/stream_case.h - what the stream cases share: the _write
 * implementations Node cases write inline (complete now, or from
 * setImmediate), a listener that prints its data, and printing chunks. */
#ifndef TIDE_CONFORMANCE_STREAM_CASE_H
#define TIDE_CONFORMANCE_STREAM_CASE_H

#include <string.h>

#include "case.h"

/* write(chunk, enc, cb) { cb(); } */
static inline void write_now(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    (void)chunk, (void)data;
    MUST(tide_stream_write_done(s, NULL));
}

static inline void write_done_later(tide_loop_t *loop, void *stream)
{
    (void)loop;
    MUST(tide_stream_write_done((tide_stream_t *)stream, NULL));
}

/* write(chunk, enc, cb) { setImmediate(cb); } */
static inline void write_later(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    (void)chunk, (void)data;
    MUST(tide_set_immediate(tide_stream_loop(s), write_done_later, s));
}

/* read() {}: a readable fed by hand */
static inline void read_nothing(tide_stream_t *s, size_t size, void *data)
{
    (void)s, (void)size, (void)data;
}

/* new Writable({ objectMode?, highWaterMark, write }) */
static inline tide_stream_t *writable_new(tide_loop_t *loop, tide_write_fn write, size_t hwm,
                                          unsigned flags)
{
    tide_stream_opts_t o = {0};
    tide_stream_t *w;
    o.write = write;
    o.hwm = hwm;
    o.flags = flags;
    MUST(tide_writable_new(loop, &o, &w));
    return w;
}

/* A listener printing its data, a string: () => console.log(text) */
static inline int say(tide_emitter_t *em, tide_event_t ev, void *arg, void *text)
{
    (void)em, (void)ev, (void)arg;
    printf("%s\n", (const char *)text);
    return 0;
}

/* The same for a callback of write, end or finished. */
static inline void say_cb(tide_stream_t *s, tide_error_t *err, void *text)
{
    (void)s;
    if (err) printf("%s %s\n", (const char *)text, tide_err_name(err->code));
    else printf("%s\n", (const char *)text);
}

/* An 'error' listener printing the error's Node code. */
static inline int say_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *text)
{
    (void)em, (void)ev;
    printf("%s %s\n", (const char *)text, tide_err_name(((tide_error_t *)arg)->code));
    return 0;
}

static inline void on(tide_stream_t *s, tide_event_t ev, tide_listener_fn fn, const char *text)
{
    MUST(tide_stream_on(s, ev, fn, (void *)text));
}

/* The bytes of a chunk as a string for printf's %.*s */
#define CHUNK_FMT "%.*s"
#define CHUNK_ARG(c) (int)(c)->len, (const char *)(c)->base

#endif /* TIDE_CONFORMANCE_STREAM_CASE_H */
