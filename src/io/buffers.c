/* io/buffers.c - buffers as streams, for tests and programs: a readable
 * that pushes views of a caller's buffer (no copies; the buffer's release
 * runs when the last view is gone), and a writable that collects what it
 * is given into one growing buffer. */
#include <string.h>

#include "io/stream_internal.h"

typedef struct {
    const tide_chunk_t *whole;
    size_t off;
    size_t chunk_size;
} from_t;

_Static_assert(sizeof(from_t) <= TIDE__RECORD_SIZE, "from_t outgrew its pool");

static void from_read(tide_stream_t *s, size_t size, void *data)
{
    from_t *f = data;
    size_t len = f->whole->len;
    for (;;) {
        if (f->off == len) {
            tide_stream_push_end(s);
            return;
        }
        size_t n = len - f->off < f->chunk_size ? len - f->off : f->chunk_size;
        const tide_chunk_t *view;
        int rc = tide_chunk_slice(f->whole, f->off, n, &view);
        if (rc == 0) rc = tide_stream_push_chunk(s, view);
        tide_chunk_release(view);
        if (rc < 0) {
            tide_stream_destroy(s, tide_error_new(rc, "from_buffer: no memory for a chunk"));
            return;
        }
        f->off += n;
        if (rc == 0) return; /* at the mark: wait for the next _read */
    }
}

static void from_free(tide_stream_t *s)
{
    from_t *f = s->data;
    tide_chunk_release(f->whole);
    tide__record_put(tide__sloop(s), f);
}

int tide_stream_from_buffer(tide_loop_t *loop, const void *buf, size_t len, size_t chunk_size,
                            tide_release_fn release, void *release_data, tide_stream_t **out)
{
    if (!loop || !out || (!buf && len)) return -EINVAL;
    from_t *f = tide__record_get(loop);
    if (!f) return -ENOMEM;
    f->chunk_size = chunk_size ? chunk_size : 16384;
    if (tide_chunk_new(loop, (void *)buf, len, release, release_data, &f->whole) != 0) {
        tide__record_put(loop, f);
        return -ENOMEM;
    }
    tide_stream_opts_t opts = {0};
    opts.read = from_read;
    opts.data = f;
    int rc = tide__stream_make(loop, &opts, TIDE__HAS_READABLE, from_free, out);
    if (rc) {
        /* Not taken: the caller keeps the buffer, so no release runs. */
        tide__chunk(f->whole)->u.release = NULL;
        tide_chunk_release(f->whole);
        tide__record_put(loop, f);
        return rc;
    }
    return 0;
}

typedef struct {
    char *bytes;
    size_t len;
    size_t cap;
    size_t limit;
} to_t;

static void to_write(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    to_t *t = data;
    size_t n = chunk->len;
    if (t->limit && n > t->limit - t->len) {
        tide_stream_write_done(s, tide_error_new(-ENOBUFS, "to_buffer: more than %zu bytes",
                                                 t->limit));
        return;
    }
    if (n > t->cap - t->len) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap - t->len < n) cap *= 2;
        char *bytes = tide__realloc(t->bytes, cap);
        if (!bytes) {
            tide_stream_write_done(s, tide_error_new(-ENOMEM, NULL));
            return;
        }
        t->bytes = bytes;
        t->cap = cap;
    }
    memcpy(t->bytes + t->len, chunk->base, n);
    t->len += n;
    tide_stream_write_done(s, NULL);
}

static void to_free(tide_stream_t *s)
{
    to_t *t = s->data;
    tide__free(t->bytes);
    tide__record_put(tide__sloop(s), t);
}

int tide_stream_to_buffer(tide_loop_t *loop, size_t limit, const tide_stream_opts_t *opts,
                          tide_stream_t **out)
{
    if (!loop || !out) return -EINVAL;
    tide_stream_opts_t o = {0};
    if (opts) {
        o.hwm = opts->hwm;
        o.writable_hwm = opts->writable_hwm;
        o.flags = opts->flags;
    }
    if (o.flags & (TIDE_STREAM_OBJECT_MODE | TIDE_STREAM_WRITABLE_OBJECT_MODE)) return -EINVAL;
    to_t *t = tide__record_get(loop);
    if (!t) return -ENOMEM;
    t->limit = limit;
    o.write = to_write;
    o.data = t;
    int rc = tide__stream_make(loop, &o, TIDE__HAS_WRITABLE, to_free, out);
    if (rc) {
        tide__record_put(loop, t);
        return rc;
    }
    return 0;
}

int tide_stream_buffer(const tide_stream_t *s, const void **base, size_t *len)
{
    if (!s || s->ops->release != to_free || !base || !len) return -EINVAL;
    const to_t *t = s->data;
    *base = t->bytes;
    *len = t->len;
    return 0;
}
