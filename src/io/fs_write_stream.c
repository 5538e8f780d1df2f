/* io/fs_write_stream.c - fs.createWriteStream: _write and _writev gather
 * their chunks into one iovec and write it on the FILE lane with pwritev
 * (at `start` and on) or writev (at the fd's position), going round again
 * for short writes, EINTR, and EAGAIN from a non-blocking fd. */
#include <limits.h>
#include <poll.h>

#include "io/fs_stream_internal.h"

/* Write every byte of the iovec; advances it in place. */
static int write_work(void *data)
{
    tide__fstream_t *f = data;
    struct iovec *iov = f->iov;
    int cnt = f->iovcnt;
    f->result = 0;
    while (cnt > 0) {
        if (iov->iov_len == 0) {
            iov++, cnt--;
            continue;
        }
        int n_iov = cnt < IOV_MAX ? cnt : IOV_MAX;
        ssize_t n = f->at >= 0 ? tide__sys.pwritev(f->fd, iov, n_iov, (off_t)(f->at + f->result))
                               : tide__sys.writev(f->fd, iov, n_iov);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN) return -errno;
            int rc = tide__fd_wait(f->fd, POLLOUT);
            if (rc) return rc;
            continue;
        }
        f->result += n;
        size_t left = (size_t)n;
        while (cnt > 0 && left >= iov->iov_len) {
            left -= iov->iov_len;
            iov++, cnt--;
        }
        if (cnt > 0) {
            iov->iov_base = (char *)iov->iov_base + left;
            iov->iov_len -= left;
        }
    }
    return 0;
}

static void write_done(tide_loop_t *loop, int status, void *data)
{
    tide__fstream_t *f = data;
    tide_stream_t *s = f->stream;
    f->busy = 0;
    f->bytes += (uint64_t)f->result;
    if (f->pos >= 0) f->pos += f->result;
    /* Node: the write's callback first, then (destroyed) the close. */
    tide_stream_write_done(s, status < 0 ? tide__fstream_error(status, "write") : NULL);
    tide__fstream_settled(f);
    tide_stream_release(s);
}

static void start_write(tide__fstream_t *f)
{
    f->at = f->pos;
    int rc = tide__fstream_submit(f, write_work, write_done);
    if (rc) tide_stream_write_done(f->stream, tide__fstream_error(rc, "write"));
}

static void fw_writev(tide_stream_t *s, const tide_chunk_t *const *chunks, size_t n, void *data)
{
    tide__fstream_t *f = data;
    if ((int)n > f->iovcap) {
        int cap = f->iovcap ? f->iovcap : 16;
        while (cap < (int)n) cap *= 2;
        struct iovec *iov = tide__realloc(f->iov, sizeof *iov * (size_t)cap);
        if (!iov) {
            tide_stream_write_done(s, tide_error_new(-ENOMEM, "write stream: no memory for %zu chunks", n));
            return;
        }
        f->iov = iov;
        f->iovcap = cap;
    }
    /* The chunks stay valid until write_done: the stream holds them. */
    for (size_t i = 0; i < n; i++) {
        f->iov[i].iov_base = chunks[i]->base;
        f->iov[i].iov_len = chunks[i]->len;
    }
    f->iovcnt = (int)n;
    if (f->fd < 0) {
        f->waiting = 1; /* starts when the open completes */
        return;
    }
    start_write(f);
}

static void fw_write(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    fw_writev(s, &chunk, 1, data);
}

static int make(tide_loop_t *loop, const char *path, int fd, const tide_fs_stream_opts_t *opts,
                tide_stream_t **out)
{
    tide_stream_opts_t o = {0};
    o.write = fw_write;
    o.writev = fw_writev;
    int rc = tide__fstream_new(loop, path, fd, opts, &o, TIDE__HAS_WRITABLE, out);
    if (rc == 0) ((tide__fstream_t *)(*out)->data)->resume = start_write;
    return rc;
}

int tide_fs_write_stream_new(tide_loop_t *loop, const char *path,
                             const tide_fs_stream_opts_t *opts, tide_stream_t **out)
{
    if (!loop || !path || !out) return -EINVAL;
    return make(loop, path, -1, opts, out);
}

int tide_fs_write_stream_fd(tide_loop_t *loop, int fd, const char *path,
                            const tide_fs_stream_opts_t *opts, tide_stream_t **out)
{
    if (!loop || !out) return -EINVAL;
    if (fd < 0) return -EBADF;
    return make(loop, path, fd, opts, out);
}
