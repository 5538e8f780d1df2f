/* tide/net.h - streams over file descriptors: what TCP and Unix sockets,
 * pipes and TTYs share (the stream, counters, addresses, ref/unref), the
 * listening server, and pipes (tide_pipe_open, tide_pipe_pair).
 *
 * An fd-backed stream IS a duplex stream (tide/stream.h): read it with
 * 'data' listeners, tide_stream_read or the awaiting forms, write it with
 * tide_stream_write, end it with tide_stream_end (a socket then shuts its
 * sending side down), destroy it with tide_stream_destroy (the fd is
 * closed). The calls below take such a stream and return -EINVAL for any
 * other stream. docs/NET.md has the whole story with examples.
 *
 * Lifetime. An open fd stream holds one reference to itself until it is
 * destroyed (by the program, by an error, or when both sides have ended);
 * the stream is freed once that and every other reference are gone. A
 * stream a call gives you (*out) comes with one reference of yours;
 * a stream passed to a connection callback is lent for the call
 * (tide_stream_ref keeps it).
 *
 * Reading. An idle socket holds no read buffer: when the fd becomes
 * readable a 64 KiB buffer is taken from the loop's shared pool, read
 * into (one read per readiness), and pushed as a chunk that views it; the
 * buffer goes back to the pool when the last view of it is released. When
 * push says the readable buffer is full, the fd is no longer watched until
 * the stream asks for more. Writing never copies the caller's bytes: they
 * go to writev (sendmsg for sockets) as they are, tried at once and, when
 * the kernel's buffer is full, again when the fd is writable.
 *
 * Errors. A failed read or write (ECONNRESET, EPIPE, ...) destroys that
 * stream with the error (-ECONNRESET, -EPIPE); nothing else is touched.
 * SIGPIPE is never raised by sockets (MSG_NOSIGNAL); for pipes and TTYs,
 * opening the first one sets SIGPIPE to ignored when it was at its
 * default, as Node does at startup, so a closed reader gives -EPIPE. */
#ifndef TIDE_NET_H
#define TIDE_NET_H

#include <sys/socket.h>

#include "tide/abort.h"
#include "tide/async.h"
#include "tide/stream.h"
#include "tide/timer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options for servers and connections. */
enum {
    /* Keep the writable side open after the peer's end (Node's
     * allowHalfOpen). Without it, as in Node's default, the stream ends
     * its own side once the peer's end has been read. */
    TIDE_NET_ALLOW_HALF_OPEN = 1 << 0,
    TIDE_NET_REUSEPORT = 1 << 1,  /* SO_REUSEPORT on a listening socket */
    TIDE_NET_IPV6_ONLY = 1 << 2,  /* an IPv6 server takes no IPv4 clients */
    TIDE_NET_NODELAY = 1 << 3,    /* TCP_NODELAY on each connection */
    TIDE_NET_KEEPALIVE = 1 << 4,  /* SO_KEEPALIVE on each connection */
    TIDE_NET_PASS_FDS = 1 << 5    /* Unix: receive fds sent with SCM_RIGHTS */
};

/* ---- servers ------------------------------------------------------------ */

typedef struct tide_server_s tide_server_t;

/* A new connection: conn is lent for the call and stays open until it is
 * destroyed or ends (tide_stream_ref keeps the pointer for longer). */
typedef void (*tide_connection_cb)(tide_server_t *server, tide_stream_t *conn, void *data);
typedef void (*tide_server_close_cb)(tide_server_t *server, void *data);

typedef struct {
    int backlog;                   /* 0: 511, Node's default */
    unsigned flags;                /* TIDE_NET_* */
    size_t hwm;                    /* each connection's high-water marks (0: 16 KiB) */
    unsigned keepalive_delay_ms;   /* with TIDE_NET_KEEPALIVE (0: the system's) */
} tide_listen_opts_t;

/* Stop accepting and close the listening fd now; cb (may be NULL) runs
 * from the loop afterwards, and then the server is freed. Connections
 * already accepted stay open (Node's server.close() waits for them before
 * 'close'; tide leaves them to the program). -EALREADY when closed. */
TIDE_API int tide_server_close(tide_server_t *server, tide_server_close_cb cb, void *data);
/* The address the server listens on (for a port-0 listen: the port). */
TIDE_API int tide_server_address(const tide_server_t *server, struct sockaddr_storage *addr,
                                 socklen_t *len);
/* The TCP port it listens on, or a negative error. */
TIDE_API int tide_server_port(const tide_server_t *server);
/* A listening server keeps the loop alive unless unref'd. */
TIDE_API void tide_server_ref(tide_server_t *server);
TIDE_API void tide_server_unref(tide_server_t *server);
/* Connections taken, and connections closed unserved because the process
 * was out of file descriptors (EMFILE/ENFILE; see docs/NET.md). */
TIDE_API uint64_t tide_server_accepted(const tide_server_t *server);
TIDE_API uint64_t tide_server_dropped(const tide_server_t *server);

/* Inside an async function: the next connection (a reference for you).
 * A server made without a connection callback accepts only while a fiber
 * waits here, so unserved connections stay in the kernel's backlog. 1 on
 * success; -EBADF once the server is closed; the opts' abort reason or
 * -ETIMEDOUT; -EPERM outside an async function. */
TIDE_API int tide_server_accept_await(tide_server_t *server, tide_stream_t **out,
                                      const tide_await_opts_t *opts);

/* ---- connecting ----------------------------------------------------------- */

/* The connect finished: status 0, or a negative error (-ECONNREFUSED,
 * -ETIMEDOUT, the abort reason's code, ...). On failure the stream has
 * been destroyed (with the error when it has an 'error' listener, so a
 * failure reported here is not also an uncaught 'error'). */
typedef void (*tide_connect_cb)(tide_stream_t *stream, int status, void *data);

typedef struct {
    uint64_t timeout_ms;           /* 0: none; else fails with -ETIMEDOUT */
    tide_abort_signal_t *signal;   /* NULL: none; abort fails with its reason */
    unsigned flags;                /* TIDE_NET_* */
    size_t hwm;                    /* high-water marks (0: 16 KiB) */
    unsigned keepalive_delay_ms;
} tide_connect_opts_t;

/* ---- what every fd stream has ------------------------------------------ */

TIDE_API int tide_net_fd(const tide_stream_t *stream);
TIDE_API uint64_t tide_net_bytes_read(const tide_stream_t *stream);
TIDE_API uint64_t tide_net_bytes_written(const tide_stream_t *stream);
/* A socket's own and its peer's address. */
TIDE_API int tide_net_local_address(const tide_stream_t *stream, struct sockaddr_storage *addr,
                                    socklen_t *len);
TIDE_API int tide_net_peer_address(const tide_stream_t *stream, struct sockaddr_storage *addr,
                                   socklen_t *len);
/* An fd stream that reads or writes keeps the loop alive unless unref'd. */
TIDE_API void tide_net_ref(tide_stream_t *stream);
TIDE_API void tide_net_unref(tide_stream_t *stream);

/* "1.2.3.4" / "::1" / "localhost" and a port to a socket address. Names
 * other than localhost need a DNS lookup first: -EINVAL here. */
TIDE_API int tide_net_addr(const char *host, int port, struct sockaddr_storage *addr,
                           socklen_t *len);
/* An address to "1.2.3.4" or "::1" text (buf of 46 bytes is enough) and
 * its port (may be NULL). */
TIDE_API int tide_net_addr_name(const struct sockaddr *addr, char *buf, size_t size, int *port);

/* ---- pipes ---------------------------------------------------------------- */

enum {
    TIDE_PIPE_NO_CLOSE = 1 << 0, /* tide_pipe_open: leave the fd open at destroy */
    TIDE_PIPE_DUPLEX = 1 << 1    /* tide_pipe_pair: a socketpair, both ends duplex */
};

/* Wrap an open fd (a pipe end, a socketpair end, a FIFO, a character
 * device) as a duplex stream. The fd is made non-blocking and close-on-
 * exec, and from then on belongs to the stream, which closes it when it
 * is destroyed (unless TIDE_PIPE_NO_CLOSE). A read-only fd's writes fail
 * with -EBADF; a write-only fd never produces data, and its end() closes
 * the fd once everything is written, so the reader sees EOF. Pipes allow
 * half-open streams (the peer's end does not end the writable side).
 * -EBADF for a closed fd; on any error the fd stays the caller's. */
TIDE_API int tide_pipe_open(tide_loop_t *loop, int fd, unsigned flags, tide_stream_t **out);

/* A new pipe: fds[0] the read end, fds[1] the write end; with
 * TIDE_PIPE_DUPLEX a connected pair of Unix stream sockets instead. Both
 * are close-on-exec and blocking, ready to hand to a child process or to
 * tide_pipe_open (which makes its end non-blocking). */
TIDE_API int tide_pipe_pair(int fds[2], unsigned flags);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_NET_H */
