/* io/fs_stream.c - what the read and the write file stream share: the
 * state and its references, the open on the FILE lane with 'open' and
 * 'ready', the destroy that waits for the worker before it closes the fd
 * (a worker may still be using it: never close under it), and the
 * accessors. The two sides live in fs_read_stream.c and fs_write_stream.c. */
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "io/fs_stream_internal.h"

tide_error_t *tide__fstream_error(int code, const char *syscall)
{
    return tide_error_new(code, "%s: %s, %s", tide_err_name(code), tide_strerror(code), syscall);
}

int tide__fd_wait(int fd, short events)
{
    struct pollfd p = {.fd = fd, .events = events};
    for (;;) {
        int n = tide__sys.poll(&p, 1, -1);
        if (n > 0) return 0; /* ready, or in error: the retried call says which */
        if (n < 0 && errno != EINTR) return -errno;
    }
}

static void free_state(tide__fstream_t *f)
{
    for (int i = 0; i < f->nspare; i++) tide__free(f->spare[i]);
    tide__free(f->iov);
    tide__free(f->path);
    tide__free(f);
}

void tide__fstream_unref(tide__fstream_t *f)
{
    if (--f->refs == 0) free_state(f);
}

/* The stream is freed: nothing is on a worker (the work holds the stream),
 * so an fd still open can be closed here, at once, unless it is the
 * caller's (autoClose: false). Buffers still lent keep the state. */
static void fstream_release(tide_stream_t *s)
{
    tide__fstream_t *f = s->data;
    if (f->fd >= 0 && !(f->options & TIDE_FS_STREAM_NO_AUTO_CLOSE)) tide__sys.close(f->fd);
    f->fd = -1;
    tide_error_release(f->destroy_err);
    f->destroy_err = NULL;
    f->stream = NULL;
    tide__fstream_unref(f);
}

int tide__fstream_submit(tide__fstream_t *f, tide_work_fn work, tide_work_done_fn done)
{
    int rc = tide_work_submit(f->loop, TIDE_LANE_FILE, work, done, f, NULL);
    if (rc) return rc;
    f->busy = 1;
    tide_stream_ref(f->stream);
    return 0;
}

/* ---- destroy: close once no worker uses the fd -------------------------- */

static void closed(tide_loop_t *loop, tide_fs_result_t *res, void *data)
{
    tide__fstream_t *f = data;
    tide_stream_t *s = f->stream;
    tide_error_t *err = f->destroy_err;
    f->destroy_err = NULL;
    /* Node: cb(er || err) */
    if (res->error) {
        tide_error_release(err);
        err = tide_error_ref(res->error);
    }
    tide_stream_destroy_done(s, err);
    tide_stream_release(s);
}

static void close_now(tide__fstream_t *f)
{
    int fd = f->fd;
    f->fd = -1;
    if (fd >= 0 && tide_fs_close(f->loop, fd, closed, f) == 0) {
        tide_stream_ref(f->stream);
        return;
    }
    /* No fd, or (defensive) no memory for the request: close here. */
    if (fd >= 0) tide__sys.close(fd);
    tide_error_t *err = f->destroy_err;
    f->destroy_err = NULL;
    tide_stream_destroy_done(f->stream, err);
}

void tide__fstream_destroy(tide_stream_t *s, tide_error_t *err, void *data)
{
    tide__fstream_t *f = data;
    f->destroying = 1;
    f->destroy_err = tide_error_ref(err);
    if (!f->busy) close_now(f);
}

int tide__fstream_settled(tide__fstream_t *f)
{
    if (!f->destroying) return 0;
    close_now(f);
    return 1;
}

/* ---- open ----------------------------------------------------------------- */

/* A write that waited for the open: the stream holds it as in flight,
 * so it must complete, with the open's error or the destroy's. */
static void fail_waiting_write(tide__fstream_t *f, tide_error_t *err)
{
    if (!f->waiting || !f->writer) return;
    f->waiting = 0;
    tide_stream_write_done(f->stream, err ? tide_error_ref(err)
                                          : tide__stream_error(TIDE_ERR_STREAM_DESTROYED, "write"));
}

static void opened(tide_loop_t *loop, tide_fs_result_t *res, void *data)
{
    tide__fstream_t *f = data;
    tide_stream_t *s = f->stream;
    tide_error_t *err = res->error;
    f->busy = 0;
    if (!err) f->fd = (int)res->value;
    if (f->destroying) {
        fail_waiting_write(f, err);
        f->waiting = 0;
        close_now(f);
    } else if (err && f->waiting && f->writer) {
        fail_waiting_write(f, err); /* errorOrDestroy follows from the write */
    } else if (err) {
        /* Node's construct: errorOrDestroy (autoClose: false only emits) */
        tide__error_or_destroy(s, tide_error_ref(err), 0);
    } else {
        tide__emit(s, tide_event("open"), &f->fd);
        tide__emit(s, tide_event("ready"), NULL);
        if (f->waiting && !f->destroying) {
            f->waiting = 0;
            f->resume(f);
        }
    }
    tide_stream_release(s);
}

int tide__fstream_new(tide_loop_t *loop, const char *path, int fd,
                      const tide_fs_stream_opts_t *opts, tide_stream_opts_t *sopts, uint32_t kind,
                      tide_stream_t **out)
{
    tide_fs_stream_opts_t none = {0};
    if (!opts) opts = &none;
    int writer = (kind & TIDE__HAS_WRITABLE) != 0;
    if (opts->options & TIDE_FS_STREAM_START && opts->start < 0) return -ERANGE;
    if (!writer && (opts->options & TIDE_FS_STREAM_END)) {
        if (opts->end < 0) return -ERANGE;
        if ((opts->options & TIDE_FS_STREAM_START) && opts->start > opts->end) return -ERANGE;
    }
    tide__fstream_t *f = tide__calloc(1, sizeof *f);
    if (!f) return -ENOMEM;
    if (path && !(f->path = tide__malloc(strlen(path) + 1))) {
        tide__free(f);
        return -ENOMEM;
    }
    if (path) strcpy(f->path, path);
    f->loop = loop;
    f->fd = fd;
    f->refs = 1;
    f->writer = (uint8_t)writer;
    f->options = opts->options;
    f->open_flags = opts->flags ? opts->flags : writer ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY;
    f->mode = opts->mode ? opts->mode : 0666;
    /* Without start, Node uses the fd's position. A file we open is at 0
     * and only we use it, so a path stream tracks the offset itself and
     * reads with pread (writes with pwritev; O_APPEND still appends). */
    f->pos = (opts->options & TIDE_FS_STREAM_START) ? opts->start : fd < 0 ? 0 : -1;
    f->end = (opts->options & TIDE_FS_STREAM_END) ? opts->end : INT64_MAX;
    sopts->data = f;
    sopts->destroy = tide__fstream_destroy;
    sopts->hwm = opts->hwm ? opts->hwm : writer ? 16384 : 65536;
    /* autoClose: false is autoDestroy: false, as in Node */
    if (opts->options & TIDE_FS_STREAM_NO_AUTO_CLOSE) sopts->flags |= TIDE_STREAM_NO_AUTO_DESTROY;
    f->buf_size = sopts->hwm;
    int rc = tide__stream_make(loop, sopts, kind, fstream_release, &f->stream);
    if (rc) {
        free_state(f);
        return rc;
    }
    if (fd < 0) {
        rc = tide_fs_open(loop, path, f->open_flags, f->mode, opened, f);
        if (rc) {
            f->fd = -1;
            tide_stream_release(f->stream); /* frees f with it */
            return rc;
        }
        f->busy = 1;
        tide_stream_ref(f->stream);
    }
    *out = f->stream;
    return 0;
}

/* ---- accessors ------------------------------------------------------------ */

static const tide__fstream_t *state_of(const tide_stream_t *s)
{
    return s && s->ops->release == fstream_release ? s->data : NULL;
}

int tide_fs_stream_fd(const tide_stream_t *s)
{
    const tide__fstream_t *f = state_of(s);
    return f ? f->fd : -EINVAL;
}

uint64_t tide_fs_stream_bytes(const tide_stream_t *s)
{
    const tide__fstream_t *f = state_of(s);
    return f ? f->bytes : 0;
}

const char *tide_fs_stream_path(const tide_stream_t *s)
{
    const tide__fstream_t *f = state_of(s);
    return f ? f->path : NULL;
}
