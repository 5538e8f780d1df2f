/* tide/tcp.h - TCP servers and connections on the loop. A connection is an
 * fd stream (tide/net.h): a duplex stream with the stream API and its
 * awaiting forms. docs/NET.md shows each call in use.
 *
 * Addresses are numeric ("127.0.0.1", "::1") or "localhost"; resolve other
 * names first. Every server socket has SO_REUSEADDR, as Node's do. */
#ifndef TIDE_TCP_H
#define TIDE_TCP_H

#include "tide/net.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Listen on host:port (host NULL: every address, "::" dual-stack, or
 * "0.0.0.0" without IPv6; port 0: a free port, see tide_server_port).
 * cb (may be NULL: then fibers take connections with
 * tide_server_accept_await) gets each connection. opts may be NULL. */
TIDE_API int tide_tcp_listen(tide_loop_t *loop, const char *host, int port,
                             const tide_listen_opts_t *opts, tide_connection_cb cb, void *data,
                             tide_server_t **out);
TIDE_API int tide_tcp_listen_addr(tide_loop_t *loop, const struct sockaddr *addr, socklen_t len,
                                  const tide_listen_opts_t *opts, tide_connection_cb cb,
                                  void *data, tide_server_t **out);

/* Connect to host:port. *out is the stream at once, with a reference for
 * you: writes made before the connection is up are sent when it is; cb
 * (may be NULL) runs from the loop with the outcome. opts (may be NULL)
 * give a timeout and an abort signal. An error here (-EINVAL, -EMFILE,
 * the signal already aborted, ...) means nothing was started. */
TIDE_API int tide_tcp_connect(tide_loop_t *loop, const char *host, int port,
                              const tide_connect_opts_t *opts, tide_connect_cb cb, void *data,
                              tide_stream_t **out);
TIDE_API int tide_tcp_connect_addr(tide_loop_t *loop, const struct sockaddr *addr, socklen_t len,
                                   const tide_connect_opts_t *opts, tide_connect_cb cb,
                                   void *data, tide_stream_t **out);
/* The same as a promise fulfilled with the connected stream (take your
 * own reference with tide_stream_ref while the promise lives), or
 * rejected with the connect error. */
TIDE_API int tide_tcp_connect_promise(tide_loop_t *loop, const char *host, int port,
                                      const tide_connect_opts_t *opts, tide_promise_t **out);
/* Inside an async function: connect and wait. 0 with *out (a reference
 * for you), or the error (-ECONNREFUSED, -ETIMEDOUT, the abort reason's
 * code, -EPERM outside an async function). */
TIDE_API int tide_tcp_connect_await(tide_loop_t *loop, const char *host, int port,
                                    const tide_connect_opts_t *opts, tide_stream_t **out);

/* TCP_NODELAY on or off (Node's setNoDelay). */
TIDE_API int tide_tcp_set_nodelay(tide_stream_t *stream, int on);
/* SO_KEEPALIVE, with the first probe after delay_ms of silence (0: the
 * system's default), as Node's setKeepAlive(enable, initialDelay). */
TIDE_API int tide_tcp_set_keepalive(tide_stream_t *stream, int on, unsigned delay_ms);
/* Close with a reset (RST) instead of a FIN, dropping unsent data, and
 * destroy the stream: Node's resetAndDestroy(). */
TIDE_API int tide_tcp_reset(tide_stream_t *stream);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_TCP_H */
