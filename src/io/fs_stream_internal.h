/* io/fs_stream_internal.h - what the read and the write file stream share
 * (fs_stream.c): the state behind a file stream, its open, its destroy
 * that waits for the worker before closing the fd, and its release. */
#ifndef TIDE_IO_FS_STREAM_INTERNAL_H
#define TIDE_IO_FS_STREAM_INTERNAL_H

#include <sys/uio.h>

#include "io/stream_internal.h"
#include "io/work_internal.h"
#include "tide/fs.h"
#include "tide/fs_stream.h"

typedef struct tide__fstream {
    tide_stream_t *stream; /* NULL once the stream is freed */
    tide_loop_t *loop;
    char *path;            /* a copy, or NULL */
    int fd;                /* -1 until open and after the close */
    int open_flags, mode;
    unsigned options;      /* TIDE_FS_STREAM_* */
    int64_t pos;           /* next offset, or -1: the fd's own position */
    int64_t end;           /* read streams: last byte, inclusive (INT64_MAX: none) */
    uint64_t bytes;        /* read or written so far */
    uint32_t refs;         /* the stream, and each read buffer lent out */
    uint8_t busy;          /* an open, read or write is on a worker */
    uint8_t waiting;       /* a read or write asked for before the open completed */
    uint8_t destroying;    /* _destroy called: close once not busy */
    uint8_t writer;        /* a write stream */
    tide_error_t *destroy_err;
    void (*resume)(struct tide__fstream *f); /* start what waited for the open */

    /* the worker's side of the current read or write */
    void *buf;             /* read: the buffer being filled */
    size_t len;            /* read: bytes asked */
    struct iovec *iov;     /* write: the chunks */
    int iovcnt, iovcap;
    int64_t at;            /* the offset of this operation, or -1 */
    int64_t result;        /* bytes read or written */

    /* read buffers kept for reuse (their allocations, header first) */
    size_t buf_size;
    void *spare[2];
    int nspare;
} tide__fstream_t;

/* Make the state and its stream (kind: TIDE__HAS_READABLE or
 * TIDE__HAS_WRITABLE) and start the open when fd < 0. */
int tide__fstream_new(tide_loop_t *loop, const char *path, int fd,
                      const tide_fs_stream_opts_t *opts, tide_stream_opts_t *sopts, uint32_t kind,
                      tide_stream_t **out);
/* The destroy of both kinds (tide_stream_opts_t.destroy). */
void tide__fstream_destroy(tide_stream_t *s, tide_error_t *err, void *data);
/* A worker finished (busy cleared by the caller). When a destroy waits,
 * close now and return 1: the caller then touches nothing more. */
int tide__fstream_settled(tide__fstream_t *f);
/* Node's message for a failed read or write: "EISDIR: ..., read". */
tide_error_t *tide__fstream_error(int code, const char *syscall);
/* Submit work for f on the FILE lane, holding the stream until done. */
int tide__fstream_submit(tide__fstream_t *f, tide_work_fn work, tide_work_done_fn done);
/* Drop one reference to f (a buffer came back, or the stream went). */
void tide__fstream_unref(tide__fstream_t *f);
/* Wait until fd is ready for events (POLLIN/POLLOUT) on a worker: for a
 * non-blocking fd that said EAGAIN. 0, or -errno. */
int tide__fd_wait(int fd, short events);

#endif /* TIDE_IO_FS_STREAM_INTERNAL_H */
