/* tide/fs_stream.h - file streams: Node's fs.createReadStream and
 * fs.createWriteStream on tide's stream core (tide/stream.h), with every
 * open, read, write and close on the thread pool's FILE lane.
 *
 * A read stream reads with pread into buffers it owns and pushes them as
 * chunks without copying; a buffer goes back to the stream when the last
 * view of it is released, so a stream that keeps up allocates nothing per
 * chunk. It reads only while its buffer is below the high-water mark
 * (default 64 KiB), one read at a time. A write stream writes each chunk
 * with pwrite (or write), and corked or buffered chunks in one pwritev
 * (or writev).
 *
 * Events, in Node's order: 'open' (argument: const int *, the fd) and
 * 'ready' once the file is open, then the stream's own events ('data' ...
 * 'end', or 'finish'), then 'close' once the fd is closed. Name them with
 * tide_event("open") and tide_event("ready"). An error destroys the
 * stream: 'error' with it, then 'close'. Errors are negative errno codes
 * with Node's messages: a failed open names the path ("ENOENT: no such
 * file or directory, open 'missing.txt'"), a failed read or write the
 * system call ("EISDIR: illegal operation on a directory, read").
 *
 * The fd is never closed while a worker uses it: destroy() during a read
 * or write waits for it to come back, then closes the fd (exactly once),
 * then 'close' follows. */
#ifndef TIDE_FS_STREAM_H
#define TIDE_FS_STREAM_H

#include "tide/common.h"
#include "tide/stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/* tide_fs_stream_opts_t.options */
enum {
    TIDE_FS_STREAM_START = 1,     /* start is given */
    TIDE_FS_STREAM_END = 2,       /* end is given (read streams) */
    TIDE_FS_STREAM_NO_AUTO_CLOSE = 4 /* autoClose: false: the fd stays open at the end */
};

/* Zeroed options are Node's defaults. */
typedef struct {
    int flags;        /* open(2) flags; 0: O_RDONLY ("r") for reading,
                         O_WRONLY|O_CREAT|O_TRUNC ("w") for writing */
    int mode;         /* 0: 0666 (before the umask) */
    unsigned options; /* TIDE_FS_STREAM_* */
    int64_t start;    /* first byte read or written; without it, the fd's
                         own position is used (and moved) */
    int64_t end;      /* read streams: last byte read, inclusive (Node's end) */
    size_t hwm;       /* 0: 64 KiB for reading, 16 KiB for writing */
} tide_fs_stream_opts_t;

/* fs.createReadStream(path, opts): opens path on the FILE lane. opts may
 * be NULL. -EINVAL for a NULL loop, path or out; -ERANGE when start is
 * negative or after end (Node's ERR_OUT_OF_RANGE); -ENOMEM. A failure to
 * open comes later, as an 'error' event. */
TIDE_API int tide_fs_read_stream_new(tide_loop_t *loop, const char *path,
                                     const tide_fs_stream_opts_t *opts, tide_stream_t **out);
/* The same over an fd that is already open ({ fd }): no 'open' or 'ready'.
 * The stream closes it at the end unless TIDE_FS_STREAM_NO_AUTO_CLOSE.
 * path (may be NULL) only names the stream. -EBADF for a negative fd. */
TIDE_API int tide_fs_read_stream_fd(tide_loop_t *loop, int fd, const char *path,
                                    const tide_fs_stream_opts_t *opts, tide_stream_t **out);

/* fs.createWriteStream(path, opts) and its { fd } form, as above. */
TIDE_API int tide_fs_write_stream_new(tide_loop_t *loop, const char *path,
                                      const tide_fs_stream_opts_t *opts, tide_stream_t **out);
TIDE_API int tide_fs_write_stream_fd(tide_loop_t *loop, int fd, const char *path,
                                     const tide_fs_stream_opts_t *opts, tide_stream_t **out);

/* The fd (-1 before the open completed and after the close), the bytes
 * read (read streams) or written (write streams), and the path given.
 * -EINVAL / 0 / NULL for a stream that is not a file stream. */
TIDE_API int tide_fs_stream_fd(const tide_stream_t *stream);
TIDE_API uint64_t tide_fs_stream_bytes(const tide_stream_t *stream);
TIDE_API const char *tide_fs_stream_path(const tide_stream_t *stream);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_FS_STREAM_H */
