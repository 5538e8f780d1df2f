/* io/fs_read_stream.c - fs.createReadStream: _read preads at most the
 * high-water mark (and never past `end`) on the FILE lane into a buffer
 * the stream owns, and pushes it as a chunk, no copy. The buffer comes
 * back when the last view of it is released and is kept for the next
 * read, so a stream whose consumer keeps up allocates nothing per chunk. */
#include <poll.h>
#include <string.h>

#include "io/fs_stream_internal.h"

/* A buffer remembers its capacity in front of its bytes, so one that
 * comes back knows whether it fits the next read. */
#define HEADER 16

static void *buf_get(tide__fstream_t *f, size_t cap)
{
    if (cap == f->buf_size && f->nspare) return (char *)f->spare[--f->nspare] + HEADER;
    char *raw = tide__malloc(HEADER + cap);
    if (!raw) return NULL;
    memcpy(raw, &cap, sizeof cap);
    return raw + HEADER;
}

/* Keep a few buffers of the usual size while the stream lives. */
static void buf_put(tide__fstream_t *f, void *buf)
{
    char *raw = (char *)buf - HEADER;
    size_t cap;
    memcpy(&cap, raw, sizeof cap);
    if (f->stream && cap == f->buf_size && f->nspare < (int)(sizeof f->spare / sizeof f->spare[0]))
        f->spare[f->nspare++] = raw;
    else
        tide__free(raw);
}

/* The last view of a pushed buffer is gone. */
static void buf_release(void *base, void *data)
{
    tide__fstream_t *f = data;
    buf_put(f, base);
    tide__fstream_unref(f);
}

static int read_work(void *data)
{
    tide__fstream_t *f = data;
    for (;;) {
        ssize_t n = f->at >= 0 ? tide__sys.pread(f->fd, f->buf, f->len, (off_t)f->at)
                               : tide__sys.read(f->fd, f->buf, f->len);
        if (n >= 0) {
            f->result = n;
            return 0;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN) return -errno;
        /* An fd given to the stream may be a non-blocking pipe. */
        int rc = tide__fd_wait(f->fd, POLLIN);
        if (rc) return rc;
    }
}

static void read_done(tide_loop_t *loop, int status, void *data)
{
    tide__fstream_t *f = data;
    tide_stream_t *s = f->stream;
    void *buf = f->buf;
    f->buf = NULL;
    f->busy = 0;
    if (tide__fstream_settled(f) || status < 0 || f->result == 0) {
        buf_put(f, buf);
        if (f->destroying) {
            /* closing: nothing more to say */
        } else if (status < 0) {
            tide__error_or_destroy(s, tide__fstream_error(status, "read"), 0);
        } else {
            tide_stream_push_end(s);
        }
    } else {
        size_t n = (size_t)f->result;
        if (f->pos >= 0) f->pos += (int64_t)n;
        f->bytes += n;
        f->refs++; /* the buffer's, until buf_release */
        if (tide_stream_push(s, buf, n, buf_release, f) < 0) {
            buf_release(buf, f);
            tide_stream_destroy(s, tide_error_new(-ENOMEM, "read stream: no memory for a chunk"));
        }
    }
    tide_stream_release(s);
}

/* Node's _read: at most size bytes, and none past end. */
static void start_read(tide__fstream_t *f, size_t size)
{
    tide_stream_t *s = f->stream;
    uint64_t done = f->pos >= 0 ? (uint64_t)f->pos : f->bytes;
    uint64_t left = (uint64_t)f->end < done ? 0 : (uint64_t)f->end - done + 1;
    if (f->end == INT64_MAX) left = UINT64_MAX;
    size_t n = left < size ? (size_t)left : size;
    if (n == 0) {
        tide_stream_push_end(s);
        return;
    }
    f->buf = buf_get(f, n > f->buf_size ? n : f->buf_size);
    f->len = n;
    f->at = f->pos;
    int rc = f->buf ? tide__fstream_submit(f, read_work, read_done) : -ENOMEM;
    if (rc) {
        if (f->buf) buf_put(f, f->buf);
        f->buf = NULL;
        tide_stream_destroy(s, tide__fstream_error(rc, "read"));
    }
}

static void resume_read(tide__fstream_t *f)
{
    start_read(f, tide_stream_readable_hwm(f->stream));
}

static void fr_read(tide_stream_t *s, size_t size, void *data)
{
    tide__fstream_t *f = data;
    if (f->fd < 0) {
        f->waiting = 1; /* starts when the open completes */
        return;
    }
    start_read(f, size);
}

static int make(tide_loop_t *loop, const char *path, int fd, const tide_fs_stream_opts_t *opts,
                tide_stream_t **out)
{
    tide_stream_opts_t o = {0};
    o.read = fr_read;
    int rc = tide__fstream_new(loop, path, fd, opts, &o, TIDE__HAS_READABLE, out);
    if (rc == 0) ((tide__fstream_t *)(*out)->data)->resume = resume_read;
    return rc;
}

int tide_fs_read_stream_new(tide_loop_t *loop, const char *path, const tide_fs_stream_opts_t *opts,
                            tide_stream_t **out)
{
    if (!loop || !path || !out) return -EINVAL;
    return make(loop, path, -1, opts, out);
}

int tide_fs_read_stream_fd(tide_loop_t *loop, int fd, const char *path,
                           const tide_fs_stream_opts_t *opts, tide_stream_t **out)
{
    if (!loop || !out) return -EINVAL;
    if (fd < 0) return -EBADF;
    return make(loop, path, fd, opts, out);
}
