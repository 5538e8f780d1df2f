/* tide/unix.h - Unix domain stream sockets: servers and connections on a
 * path or in Linux's abstract namespace, and passing file descriptors
 * between processes (SCM_RIGHTS). Connections are fd streams (tide/net.h).
 *
 * Paths. "/run/app.sock" is a file in the file system: listening on a path
 * that exists fails with -EADDRINUSE (remove a stale socket first), and
 * tide_server_close unlinks it, as libuv does. "@name" is the abstract
 * name "name" (Linux): nothing in the file system, gone with the last
 * socket. Paths longer than sun_path (107 bytes) give -ENAMETOOLONG. */
#ifndef TIDE_UNIX_H
#define TIDE_UNIX_H

#include "tide/net.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Listen on path. With TIDE_NET_PASS_FDS in opts' flags, connections
 * receive fds (tide_unix_take_fd). cb NULL: fibers take connections with
 * tide_server_accept_await. */
TIDE_API int tide_unix_listen(tide_loop_t *loop, const char *path, const tide_listen_opts_t *opts,
                              tide_connection_cb cb, void *data, tide_server_t **out);
/* Connect to path; the same contract as tide_tcp_connect (-ENOENT and
 * -ECONNREFUSED arrive through cb). */
TIDE_API int tide_unix_connect(tide_loop_t *loop, const char *path, const tide_connect_opts_t *opts,
                               tide_connect_cb cb, void *data, tide_stream_t **out);
TIDE_API int tide_unix_connect_await(tide_loop_t *loop, const char *path,
                                     const tide_connect_opts_t *opts, tide_stream_t **out);

/* Write buf (len >= 1 bytes, copied) with nfds file descriptors (1..253)
 * attached to its first byte. The fds are duplicated at once, so the
 * caller may close its own right after the call; the duplicates are
 * closed once sent, or when the stream is destroyed unsent. Returns like
 * tide_stream_write (1, 0 for backpressure, or a negative error, when
 * nothing is queued: -EINVAL, -EPIPE after end, -EMFILE ...). */
TIDE_API int tide_unix_write_fds(tide_stream_t *stream, const void *buf, size_t len,
                                 const int *fds, int nfds, tide_stream_cb cb, void *data);
/* The next fd received (the stream must have TIDE_NET_PASS_FDS): an fd
 * that is now yours (close-on-exec), or -EAGAIN when none waits. Fds
 * arrive before the bytes they were sent with are pushed, so a 'data'
 * listener can take the fds of its chunk. Fds never taken are closed
 * when the stream is destroyed. */
TIDE_API int tide_unix_take_fd(tide_stream_t *stream);
/* How many received fds wait to be taken. */
TIDE_API int tide_unix_pending_fds(const tide_stream_t *stream);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_UNIX_H */
