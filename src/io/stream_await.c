/* io/stream_await.c - the awaiting forms for async functions: read some,
 * read exactly n, read a line, write (waiting for 'drain'), end (waiting
 * for 'finish'). Each reads in paused mode and, when nothing is there,
 * waits for the stream's next event on a promise, so the fiber resumes
 * from a microtask as an `await once(stream, ...)` would. */
#include <string.h>

#include "io/stream_internal.h"

/* ---- waiting for an event ------------------------------------------------ */

typedef struct {
    tide_promise_t *promise;
    int fired;
} waiter_t;

static int wake(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    waiter_t *w = data;
    if (!w->fired) {
        w->fired = 1;
        tide_promise_fulfil(w->promise, NULL);
    }
    return 0;
}

static const tide_event_t wait_events[] = {TIDE_EVENT_READABLE, TIDE_EVENT_END,
                                           TIDE_EVENT_ERROR, TIDE_EVENT_CLOSE,
                                           TIDE_EVENT_DRAIN, TIDE_EVENT_FINISH};
enum { W_READABLE = 1, W_END = 2, W_ERROR = 4, W_CLOSE = 8, W_DRAIN = 16, W_FINISH = 32 };

/* Await the first of the events in mask. The listeners are gone when this
 * returns, so w may live on the fiber's stack. 'readable' is added the way
 * Node's on() adds it (it switches the stream to paused reading). */
static int wait_for(tide_stream_t *s, unsigned mask, const tide_await_opts_t *opts)
{
    waiter_t w = {NULL, 0};
    int rc = tide_promise_new(tide__sloop(s), &w.promise);
    if (rc) return rc;
    size_t added = 0;
    for (; added < sizeof wait_events / sizeof wait_events[0]; added++) {
        if (!(mask & (1u << added))) continue;
        rc = tide__stream_listen(s, wait_events[added], wake, &w, TIDE__LISTEN_ON);
        if (rc) break;
    }
    if (!rc) rc = tide_await_opts(w.promise, opts, NULL, NULL);
    for (size_t i = 0; i < added; i++)
        if (mask & (1u << i)) tide__stream_unlisten(s, wait_events[i], wake, &w);
    tide_promise_release(w.promise);
    return rc;
}

/* Why the stream cannot give or take any more: its error, or a close
 * before the end. 0 while it still can. */
static int failure(const tide_stream_t *s)
{
    tide_error_t *err = tide_stream_errored(s);
    if (err) return err->code;
    if (tide__stream_is_destroyed(s)) return TIDE_ERR_STREAM_PREMATURE_CLOSE;
    return 0;
}

/* One step of a reading loop: a chunk (1), the end (0), a failure (< 0),
 * or nothing yet: then it waited, and the caller tries again (2). */
static int next_chunk(tide_stream_t *s, tide__chunk_t **out, const tide_await_opts_t *opts)
{
    *out = NULL;
    int rc = tide__ticks_reserve(tide__sloop(s));
    if (rc) return rc;
    rc = tide__readable_read(s, 1, 0, out);
    if (rc < 0) return rc;
    if (*out) return 1;
    /* Ended comes first: autoDestroy has destroyed a stream that ended. */
    if (s->r.flags & R_END_EMITTED) return 0;
    if ((rc = failure(s)) != 0) return rc;
    rc = wait_for(s, W_READABLE | W_END | W_ERROR | W_CLOSE, opts);
    return rc < 0 ? rc : 2;
}

static int enter_reader(tide_stream_t *s)
{
    if (!s || !(s->kind & TIDE__HAS_READABLE)) return -EINVAL;
    if (!tide_in_async()) return -EPERM;
    tide__hold(s);
    return 0;
}

int tide_stream_read_await(tide_stream_t *s, const tide_chunk_t **out, const tide_await_opts_t *opts)
{
    if (!out) return -EINVAL;
    *out = NULL;
    int rc = enter_reader(s);
    if (rc) return rc;
    tide__chunk_t *c;
    while ((rc = next_chunk(s, &c, opts)) == 2) {}
    if (rc == 1) *out = &c->pub;
    tide__unhold(s);
    return rc;
}

/* Keep the part of c after `used` bytes at the front of the buffer. */
static int give_back(tide_stream_t *s, tide__chunk_t *c, size_t used)
{
    int rc = 0;
    if (used < c->pub.len) {
        const tide_chunk_t *rest;
        rc = tide_chunk_slice(&c->pub, used, c->pub.len - used, &rest);
        if (!rc) {
            if (tide__readable_reserve(s) == 0) tide__readable_add(s, tide__chunk(rest), 1);
            else rc = -ENOMEM, tide_chunk_release(rest);
        }
    }
    tide__chunk_unref(c);
    return rc;
}

/* Copy bytes from the stream into buf until it is full or, with take
 * (which says how much of a chunk to use), a line is complete. */
typedef size_t (*take_fn)(const char *bytes, size_t avail, size_t room);

static int read_into(tide_stream_t *s, char *buf, size_t cap, size_t *got, take_fn take,
                     const tide_await_opts_t *opts)
{
    int rc = enter_reader(s);
    if (rc) return rc;
    if (s->r.flags & S_OBJECT) {
        tide__unhold(s);
        return -EINVAL;
    }
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            rc = 1;
            break;
        }
        tide__chunk_t *c;
        rc = next_chunk(s, &c, opts);
        if (rc == 2) continue;
        if (rc <= 0) {
            if (rc == 0 && n > 0) rc = take == NULL ? 0 : 1; /* a last line without '\n' */
            break;
        }
        size_t used = take ? take(c->pub.base, c->pub.len, cap - n)
                           : (c->pub.len < cap - n ? c->pub.len : cap - n);
        memcpy(buf + n, c->pub.base, used);
        n += used;
        int done = n == cap || (take && used > 0 && buf[n - 1] == '\n');
        if ((rc = give_back(s, c, used)) != 0) break;
        if (done) {
            rc = 1;
            break;
        }
    }
    if (got) *got = n;
    tide__unhold(s);
    return rc;
}

int tide_stream_read_exact_await(tide_stream_t *s, void *buf, size_t n, size_t *got,
                                 const tide_await_opts_t *opts)
{
    if (got) *got = 0;
    if (!buf && n) return -EINVAL;
    return read_into(s, buf, n, got, NULL, opts);
}

static size_t up_to_newline(const char *bytes, size_t avail, size_t room)
{
    size_t lim = avail < room ? avail : room;
    const char *nl = memchr(bytes, '\n', lim);
    return nl ? (size_t)(nl - bytes) + 1 : lim;
}

int tide_stream_read_line_await(tide_stream_t *s, char *buf, size_t cap, size_t *len,
                                const tide_await_opts_t *opts)
{
    if (len) *len = 0;
    if (!buf || cap < 2) return -EINVAL;
    size_t got = 0;
    int rc = read_into(s, buf, cap - 1, &got, up_to_newline, opts);
    buf[got] = '\0';
    if (len) *len = got;
    return rc;
}

/* ---- writing ------------------------------------------------------------ */

static int enter_writer(tide_stream_t *s)
{
    if (!s || !(s->kind & TIDE__HAS_WRITABLE)) return -EINVAL;
    if (!tide_in_async()) return -EPERM;
    tide__hold(s);
    return 0;
}

/* After a write that returned false: wait for 'drain' unless the stream
 * failed; 1 once it drained. */
static int await_drain(tide_stream_t *s, int ret, const tide_await_opts_t *opts)
{
    for (;;) {
        /* write() checks ending first, as Node's does */
        if (s->w.flags & W_ENDING) return TIDE_ERR_STREAM_WRITE_AFTER_END;
        int rc = failure(s);
        if (rc) return rc;
        if (ret || !(s->w.flags & W_NEED_DRAIN)) return 1;
        rc = wait_for(s, W_DRAIN | W_ERROR | W_CLOSE, opts);
        if (rc < 0) return rc;
        ret = 1;
    }
}

int tide_stream_write_chunk_await(tide_stream_t *s, const tide_chunk_t *chunk,
                                  const tide_await_opts_t *opts)
{
    int rc = enter_writer(s);
    if (rc) return rc;
    rc = (s->w.flags & W_ENDING) ? TIDE_ERR_STREAM_WRITE_AFTER_END : failure(s);
    if (!rc) {
        rc = tide_stream_write_chunk(s, chunk, NULL, NULL);
        if (rc >= 0) rc = await_drain(s, rc, opts);
    }
    tide__unhold(s);
    return rc;
}

int tide_stream_write_await(tide_stream_t *s, const void *buf, size_t len,
                            const tide_await_opts_t *opts)
{
    if (!s || (!buf && len)) return -EINVAL;
    const tide_chunk_t *c;
    int rc = tide_chunk_copy(tide__sloop(s), buf, len, &c);
    if (rc) return rc;
    rc = tide_stream_write_chunk_await(s, c, opts);
    tide_chunk_release(c);
    return rc;
}

int tide_stream_end_await(tide_stream_t *s, const tide_await_opts_t *opts)
{
    int rc = enter_writer(s);
    if (rc) return rc;
    if (!(s->w.flags & W_ENDING)) rc = tide_stream_end(s, NULL, NULL, NULL);
    while (rc == 0 && !(s->w.flags & W_FINISHED)) {
        if ((rc = failure(s)) != 0) break;
        rc = wait_for(s, W_FINISH | W_ERROR | W_CLOSE, opts);
    }
    tide__unhold(s);
    return rc < 0 ? rc : 1;
}
