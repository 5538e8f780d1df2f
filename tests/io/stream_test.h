/* tests/io/stream_test.h - what the stream tests share: a log of events,
 * sources and sinks with the usual implementations, and the end-of-test
 * check that every stream and chunk was given back. */
#ifndef TIDE_TESTS_STREAM_TEST_H
#define TIDE_TESTS_STREAM_TEST_H

#include "io/stream_internal.h"
#include "test.h"

/* A listener that logs its data, a string. */
static inline int log_event(tide_emitter_t *em, tide_event_t ev, void *arg, void *text)
{
    (void)em, (void)ev, (void)arg;
    test_log(&log_, text);
    return 0;
}

/* A listener that logs its data and the error's Node code. */
static inline int log_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *text)
{
    char buf[96];
    (void)em, (void)ev;
    snprintf(buf, sizeof buf, "%s:%s", (const char *)text, tide_err_name(((tide_error_t *)arg)->code));
    test_log(&log_, buf);
    return 0;
}

/* A write/end/finished callback that logs its data, and the error's code. */
static inline void log_cb(tide_stream_t *s, tide_error_t *err, void *text)
{
    char buf[96];
    (void)s;
    if (err) snprintf(buf, sizeof buf, "%s:%s", (const char *)text, tide_err_name(err->code));
    else snprintf(buf, sizeof buf, "%s", (const char *)text);
    test_log(&log_, buf);
}

/* A 'data' listener logging "<prefix><bytes>". */
static inline int log_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *prefix)
{
    const tide_chunk_t *c = arg;
    char buf[96];
    (void)em, (void)ev;
    snprintf(buf, sizeof buf, "%s%.*s", prefix ? (const char *)prefix : "", (int)c->len,
             (const char *)c->base);
    test_log(&log_, buf);
    return 0;
}

static inline void on_log(tide_stream_t *s, tide_event_t ev, const char *text)
{
    ASSERT_OK(tide_stream_on(s, ev, ev == TIDE_EVENT_ERROR ? log_error : log_event, (void *)text));
}

/* ---- a source of strings ------------------------------------------------ */

typedef struct {
    const char *const *items; /* NULL-terminated */
    int next;
    int reads;                /* _read calls */
    int push_all;             /* push until push() says stop */
} source_t;

static inline void source_read(tide_stream_t *s, size_t size, void *data)
{
    source_t *src = data;
    (void)size;
    src->reads++;
    do {
        const char *item = src->items[src->next];
        if (!item) {
            ASSERT_OK(tide_stream_push_end(s));
            return;
        }
        src->next++;
        if (tide_stream_push(s, (void *)item, strlen(item), NULL, NULL) <= 0) return;
    } while (src->push_all);
}

static inline tide_stream_t *source_new(tide_loop_t *loop, source_t *src, size_t hwm)
{
    tide_stream_opts_t o = {0};
    tide_stream_t *s;
    o.read = source_read;
    o.data = src;
    o.hwm = hwm;
    ASSERT_OK(tide_readable_new(loop, &o, &s));
    return s;
}

/* A readable fed by hand (Node's `read() {}`). */
static inline void read_nothing(tide_stream_t *s, size_t size, void *data)
{
    (void)s, (void)size, (void)data;
}

static inline tide_stream_t *manual_new(tide_loop_t *loop, size_t hwm, unsigned flags)
{
    tide_stream_opts_t o = {0};
    tide_stream_t *s;
    o.read = read_nothing;
    o.hwm = hwm;
    o.flags = flags;
    ASSERT_OK(tide_readable_new(loop, &o, &s));
    return s;
}

/* A readable and a writable with their own functions and marks. */
static inline void pair_new(tide_loop_t *loop, tide_read_fn read, size_t rhwm, tide_write_fn write,
                            size_t whwm, tide_stream_t **r, tide_stream_t **w)
{
    tide_stream_opts_t o = {0};
    o.read = read;
    o.hwm = rhwm;
    ASSERT_OK(tide_readable_new(loop, &o, r));
    memset(&o, 0, sizeof o);
    o.write = write;
    o.hwm = whwm;
    ASSERT_OK(tide_writable_new(loop, &o, w));
}

/* ---- a sink that completes writes now or from an immediate -------------- */

typedef struct {
    int later;          /* complete from setImmediate */
    int writes;
    size_t bytes;
    char seen[256];     /* the bytes written, while they fit */
} sink_t;

static inline void sink_complete(tide_loop_t *loop, void *stream)
{
    (void)loop;
    tide_stream_write_done(stream, NULL);
}

static inline void sink_write(tide_stream_t *s, const tide_chunk_t *c, void *data)
{
    sink_t *k = data;
    k->writes++;
    if (k->bytes + c->len < sizeof k->seen) memcpy(k->seen + k->bytes, c->base, c->len);
    k->bytes += c->len;
    if (k->later) ASSERT(tide_set_immediate(tide_stream_loop(s), sink_complete, s) > 0);
    else ASSERT_OK(tide_stream_write_done(s, NULL));
}

static inline tide_stream_t *sink_new(tide_loop_t *loop, sink_t *k, size_t hwm, unsigned flags)
{
    tide_stream_opts_t o = {0};
    tide_stream_t *s;
    o.write = sink_write;
    o.data = k;
    o.hwm = hwm;
    o.flags = flags;
    ASSERT_OK(tide_writable_new(loop, &o, &s));
    return s;
}

/* ---- the end of a test -------------------------------------------------- */

/* Every stream and chunk given back, then the loop closes clean. */
static inline void check_clean(tide_loop_t *loop)
{
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    tide__streams_t *st = loop->slots[TIDE__SLOT_STREAMS].state;
    if (st) {
        ASSERT_EQ(st->live_streams, 0);
        ASSERT_EQ(st->live_chunks, 0);
    }
    ASSERT_EQ(tide_loop_close(loop), 0);
}

/* Uncaught errors land here instead of ending the test. */
static int uncaught_count;
static int uncaught_code;
static inline void count_uncaught(tide_loop_t *loop, tide_error_t *err, void *data)
{
    (void)loop, (void)data;
    uncaught_count++;
    uncaught_code = err->code;
    tide_error_release(err); /* the hook's own reference */
}

static inline tide_loop_t *stream_loop(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_on_uncaught_error(loop, count_uncaught, NULL));
    uncaught_count = 0;
    log_reset();
    return loop;
}

#endif /* TIDE_TESTS_STREAM_TEST_H */
