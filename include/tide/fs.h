/* tide/fs.h - the file system off the loop: every call runs on the thread
 * pool's FILE lane (tide/work.h) and comes in three forms, made from one
 * list (TIDE_FS_OPS below):
 *
 *   tide_fs_NAME(loop, args..., cb, data)                 callback
 *   tide_fs_NAME_promise(loop, args..., signal, &promise) promise
 *   tide_fs_NAME_await(loop, args..., opts, &result)      inside async functions
 *
 * The outcome is a tide_fs_result_t: `value` (the fd of open, the bytes of
 * read/write/copy/read_file/write_file, else 0), `st` (stat calls), `path`
 * (realpath, readlink), `entries` (readdir), `bytes`/`len` (read_file), and
 * `error`, NULL on success, else an error whose code is a negative errno
 * and whose message is Node's: "ENOENT: no such file or directory, open
 * 'missing.txt'". The callback borrows the result (it may take `path`,
 * `entries` or `bytes` by setting them to NULL; free them with
 * tide_fs_result_clear on a result of its own); a promise fulfils with a
 * result it owns, or rejects with its error; an await fills *result (may
 * be NULL; clear it with tide_fs_result_clear) and returns `value` or the
 * negative code. The calling functions themselves return 0, -EINVAL (a
 * NULL path, callback or loop) or -ENOMEM, or the thread pool's errors.
 *
 * Memory you lend (read and write buffers) must stay valid until the
 * operation ends. An abort of the signal (promise and await forms) settles
 * the call at once with the reason; an operation still queued never runs,
 * one that runs finishes on its worker: what it made (an fd, a buffer) is
 * released by tide, but it may still use a buffer you lent after the abort. */
#ifndef TIDE_FS_H
#define TIDE_FS_H

#include <sys/stat.h>

#include "tide/abort.h"
#include "tide/async.h"
#include "tide/common.h"
#include "tide/error.h"
#include "tide/promise.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    char *name;
    unsigned char type; /* DT_REG, DT_DIR, DT_LNK, ... (DT_UNKNOWN when the fs does not say) */
} tide_dirent_t;

typedef struct {
    int64_t value;
    tide_error_t *error;
    struct stat st;
    char *path;
    tide_dirent_t *entries; /* in directory order, without "." and ".." */
    size_t nentries;
    void *bytes;
    size_t len;
} tide_fs_result_t;

/* Free what a result holds and zero it (NULL is fine). */
TIDE_API void tide_fs_result_clear(tide_fs_result_t *result);

typedef void (*tide_fs_cb)(tide_loop_t *loop, tide_fs_result_t *result, void *data);

/* tide_fs_copy flag: fail with -EEXIST when the destination exists. */
#define TIDE_FS_COPY_EXCL 1
/* tide_fs_read_file's limit when 0 is given (Node's 2 GiB). */
#define TIDE_FS_READ_FILE_MAX ((size_t)2 << 30)

/* X(name, (parameters), (arguments)): one line per operation.
 *   open      flags are open(2)'s (O_CLOEXEC is always added); value: the fd
 *   close     the fd
 *   read      len bytes at the fd's position into buf; value: bytes read (0 at the end)
 *   pread     ... at offset, the position unchanged
 *   write     len bytes from buf; value: bytes written (all of them, or an error)
 *   pwrite    ... at offset
 *   stat, lstat, fstat  fill st (lstat does not follow a final symlink)
 *   rename, unlink, mkdir, rmdir, fsync, ftruncate, symlink, chmod: as the system calls
 *   readdir   the entries of a directory
 *   realpath  the canonical absolute path, in path
 *   readlink  the target of a symlink, in path
 *   copy      copy a file's bytes and mode (copy_file_range, read/write where
 *             the kernel cannot); flags: TIDE_FS_COPY_EXCL; value: bytes copied
 *   utimes, futimes  access and modification times in seconds since the epoch
 *   read_file the whole file into bytes/len (NUL-terminated, not counted in
 *             len); -EFBIG when it is longer than limit (0: TIDE_FS_READ_FILE_MAX)
 *   write_file create or truncate path (mode 0666 before the umask) and write
 *             len bytes of buf
 *   sendfile  count bytes (SIZE_MAX: to the end) of in_fd, from offset (-1:
 *             from its position, which moves), to out_fd, in the kernel;
 *             ends early at the end of the file; value: the bytes sent,
 *             also when it fails (the callback sees both). When out_fd is
 *             non-blocking and full, it waits for it on the loop, not on a
 *             worker (see docs/FILES.md, "sendfile"). An abort (promise and
 *             await forms) stops it between two system calls. */
#define TIDE_FS_OPS(X)                                                         \
    X(open, (const char *path, int flags, int mode), (path, flags, mode))     \
    X(close, (int fd), (fd))                                                   \
    X(read, (int fd, void *buf, size_t len), (fd, buf, len))                   \
    X(pread, (int fd, void *buf, size_t len, int64_t offset), (fd, buf, len, offset)) \
    X(write, (int fd, const void *buf, size_t len), (fd, buf, len))            \
    X(pwrite, (int fd, const void *buf, size_t len, int64_t offset), (fd, buf, len, offset)) \
    X(stat, (const char *path), (path))                                        \
    X(lstat, (const char *path), (path))                                       \
    X(fstat, (int fd), (fd))                                                   \
    X(rename, (const char *from, const char *to), (from, to))                  \
    X(unlink, (const char *path), (path))                                      \
    X(mkdir, (const char *path, int mode), (path, mode))                       \
    X(rmdir, (const char *path), (path))                                       \
    X(readdir, (const char *path), (path))                                     \
    X(realpath, (const char *path), (path))                                    \
    X(fsync, (int fd), (fd))                                                   \
    X(ftruncate, (int fd, int64_t len), (fd, len))                             \
    X(copy, (const char *from, const char *to, int flags), (from, to, flags))  \
    X(symlink, (const char *target, const char *path), (target, path))         \
    X(readlink, (const char *path), (path))                                    \
    X(chmod, (const char *path, int mode), (path, mode))                       \
    X(utimes, (const char *path, double atime, double mtime), (path, atime, mtime)) \
    X(futimes, (int fd, double atime, double mtime), (fd, atime, mtime))       \
    X(read_file, (const char *path, size_t limit), (path, limit))              \
    X(write_file, (const char *path, const void *buf, size_t len), (path, buf, len)) \
    X(sendfile, (int out_fd, int in_fd, int64_t offset, size_t count), (out_fd, in_fd, offset, count))

#define TIDE__FS_UNPAREN(...) __VA_ARGS__
#define TIDE__FS_DECLARE(name, params, args)                                   \
    TIDE_API int tide_fs_##name(tide_loop_t *loop, TIDE__FS_UNPAREN params, tide_fs_cb cb, \
                                void *data);                                   \
    TIDE_API int tide_fs_##name##_promise(tide_loop_t *loop, TIDE__FS_UNPAREN params, \
                                          tide_abort_signal_t *signal, tide_promise_t **out); \
    TIDE_API int64_t tide_fs_##name##_await(tide_loop_t *loop, TIDE__FS_UNPAREN params, \
                                            const tide_await_opts_t *opts,     \
                                            tide_fs_result_t *result);
TIDE_FS_OPS(TIDE__FS_DECLARE)
#undef TIDE__FS_DECLARE

#ifdef __cplusplus
}
#endif
#endif /* TIDE_FS_H */
