/* tide/common.h - what every tide module shares: the export macro, the error
 * codes and their names, the pluggable allocator and the plain callback type.
 * Every tide call that can fail returns 0 (or a count/id) on success and a
 * negative errno value (-EINVAL, -ENOMEM, ...) on failure. */
#ifndef TIDE_COMMON_H
#define TIDE_COMMON_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TIDE_BUILDING) && defined(__GNUC__)
#define TIDE_API __attribute__((visibility("default")))
#else
#define TIDE_API
#endif

#define TIDE_VERSION_MAJOR 0
#define TIDE_VERSION_MINOR 1
#define TIDE_VERSION_PATCH 0
#define TIDE_VERSION_STRING "0.1.0"

/* The error codes tide returns, all negative errno values. One table
 * generates tide_strerror() and tide_err_name(), so a new code is one line. */
#define TIDE_ERRNO_MAP(X)                                                      \
    X(EPERM, "operation not permitted")                                        \
    X(ENOENT, "no such file or directory")                                     \
    X(ESRCH, "no such process")                                                \
    X(EINTR, "interrupted system call")                                        \
    X(EIO, "i/o error")                                                        \
    X(ENXIO, "no such device or address")                                      \
    X(E2BIG, "argument list too long")                                         \
    X(EBADF, "bad file descriptor")                                            \
    X(ECHILD, "no child processes")                                            \
    X(EAGAIN, "resource temporarily unavailable")                              \
    X(ENOMEM, "not enough memory")                                             \
    X(EACCES, "permission denied")                                             \
    X(EFAULT, "bad address in system call argument")                           \
    X(EBUSY, "resource busy or locked")                                        \
    X(EEXIST, "file already exists")                                           \
    X(EXDEV, "cross-device link not permitted")                                \
    X(ENODEV, "no such device")                                                \
    X(ENOTDIR, "not a directory")                                              \
    X(EISDIR, "illegal operation on a directory")                              \
    X(EINVAL, "invalid argument")                                              \
    X(ENFILE, "file table overflow")                                           \
    X(EMFILE, "too many open files")                                           \
    X(ENOTTY, "inappropriate ioctl for device")                                \
    X(ETXTBSY, "text file is busy")                                            \
    X(EFBIG, "file too large")                                                 \
    X(ENOSPC, "no space left on device")                                       \
    X(ESPIPE, "invalid seek")                                                  \
    X(EROFS, "read-only file system")                                          \
    X(EMLINK, "too many links")                                                \
    X(EPIPE, "broken pipe")                                                    \
    X(ERANGE, "result too large")                                              \
    X(ENAMETOOLONG, "name too long")                                           \
    X(ENOSYS, "function not implemented by the system")                        \
    X(ENOTEMPTY, "directory not empty")                                        \
    X(ELOOP, "too many symbolic links encountered")                            \
    X(ENOTSOCK, "socket operation on non-socket")                              \
    X(EMSGSIZE, "message too long")                                            \
    X(EPROTONOSUPPORT, "protocol not supported")                               \
    X(ENOTSUP, "operation not supported")                                      \
    X(EAFNOSUPPORT, "address family not supported")                            \
    X(EADDRINUSE, "address already in use")                                    \
    X(EADDRNOTAVAIL, "address not available")                                  \
    X(ENETDOWN, "network is down")                                             \
    X(ENETUNREACH, "network is unreachable")                                   \
    X(ECONNABORTED, "software caused connection abort")                        \
    X(ECONNRESET, "connection reset by peer")                                  \
    X(ENOBUFS, "no buffer space available")                                    \
    X(EISCONN, "socket is already connected")                                  \
    X(ENOTCONN, "socket is not connected")                                     \
    X(ETIMEDOUT, "operation timed out")                                        \
    X(ECONNREFUSED, "connection refused")                                      \
    X(EHOSTUNREACH, "host is unreachable")                                     \
    X(EALREADY, "operation already in progress")                               \
    X(EINPROGRESS, "operation in progress")                                    \
    X(ECANCELED, "operation canceled")                                         \
    X(EOVERFLOW, "value too large for defined data type")                      \
    X(EPROTO, "protocol error")                                               \
    X(EDESTADDRREQ, "destination address required")

/* Codes of tide's own, outside the errno range: one table as well, so a
 * new code is one line here. X(name, value, message). The stream codes
 * carry Node's error codes as names (tide_err_name gives
 * "ERR_STREAM_WRITE_AFTER_END"), and their messages are Node's. The
 * resolver's EAI_* failures (tide/dns.h) get codes of their own, named as
 * Node names them: EAI_NONAME and EAI_NODATA are ENOTFOUND. */
#define TIDE_OWN_ERROR_MAP(X)                                                  \
    X(EAGGREGATE, -10001, "all promises were rejected")                        \
    X(EUNHANDLED, -10002, "unhandled error")                                   \
    X(ERR_STREAM_WRITE_AFTER_END, -10003, "write after end")                   \
    X(ERR_STREAM_DESTROYED, -10004, "Cannot call write after a stream was destroyed") \
    X(ERR_STREAM_PREMATURE_CLOSE, -10005, "Premature close")                   \
    X(ERR_STREAM_PUSH_AFTER_EOF, -10006, "stream.push() after EOF")            \
    X(ERR_STREAM_UNSHIFT_AFTER_END_EVENT, -10007, "stream.unshift() after end event") \
    X(ERR_STREAM_ALREADY_FINISHED, -10008, "Cannot call end after a stream was finished") \
    X(ERR_MULTIPLE_CALLBACK, -10009, "Callback called multiple times")        \
    X(ENOTFOUND, -10101, "name or service not known")                          \
    X(EAI_AGAIN, -10102, "temporary failure in name resolution")               \
    X(EAI_FAIL, -10103, "non-recoverable failure in name resolution")          \
    X(EAI_FAMILY, -10104, "address family not supported by the resolver")      \
    X(EAI_BADFLAGS, -10105, "bad flags for the resolver")                      \
    X(EAI_SERVICE, -10106, "service not available for the socket type")        \
    X(EAI_SOCKTYPE, -10107, "socket type not supported by the resolver")       \
    X(EAI_OVERFLOW, -10108, "resolver result does not fit its buffer")         \
    X(EAI_ADDRFAMILY, -10109, "host has no address in the requested family")  \
    X(ERR_HTTP_PARSE, -10201, "Parse Error")                                   \
    X(HPE_HEADER_OVERFLOW, -10202, "Header overflow")                          \
    X(ERR_HTTP_REQUEST_TIMEOUT, -10203, "Request timeout")                     \
    X(ERR_HTTP_HEADERS_SENT, -10204, "Cannot set headers after they are sent to the client") \
    X(ERR_HTTP_BODY_TOO_LARGE, -10205, "Request body larger than the limit")   \
    X(ERR_HTTP_URI_TOO_LONG, -10206, "URI too long")                           \
    X(ERR_HTTP_INVALID_HEADER_VALUE, -10207, "Invalid value for header")       \
    X(ERR_HTTP_CONTENT_LENGTH_MISMATCH, -10208, "Response body's length does not match Content-Length") \
    X(ERR_HTTP_TOO_MANY_REDIRECTS, -10209, "Too many redirects")               \
    X(ERR_HTTP_SOCKET_HANG_UP, -10210, "socket hang up")
#define TIDE__OWN_ERROR_ENUM(name, value, msg) TIDE_##name = (value),
enum { TIDE_OWN_ERROR_MAP(TIDE__OWN_ERROR_ENUM) };
#undef TIDE__OWN_ERROR_ENUM

/* Name of an error code ("EINVAL"), or "UNKNOWN" for a code not in the table.
 * Accepts the code with either sign. Never returns NULL. */
TIDE_API const char *tide_err_name(int err);

/* Human-readable message for an error code ("invalid argument"). Accepts the
 * code with either sign; never returns NULL. */
TIDE_API const char *tide_strerror(int err);

/* The plain callback used for deferred work that is about the loop itself:
 * ticks, microtasks, immediates and the set_timeout family. */
typedef struct tide_loop_s tide_loop_t;
typedef void (*tide_fn)(tide_loop_t *loop, void *data);

/* Replace the allocator every tide object comes from. Must be called before
 * the first loop is created; returns -EBUSY afterwards and -EINVAL if any
 * function is NULL. Pools sit on top, so these run only on warm-up. */
typedef void *(*tide_malloc_fn)(size_t size);
typedef void *(*tide_realloc_fn)(void *ptr, size_t size);
typedef void (*tide_free_fn)(void *ptr);
TIDE_API int tide_set_allocator(tide_malloc_fn m, tide_realloc_fn r,
                                tide_free_fn f);

/* Library version as (major << 16 | minor << 8 | patch), and as a string. */
TIDE_API unsigned tide_version(void);
TIDE_API const char *tide_version_string(void);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_COMMON_H */
