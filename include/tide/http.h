/* tide/http.h - the HTTP/1.1 server: requests and responses with Node's
 * http semantics (keep-alive, pipelining answered in request order,
 * chunked bodies both ways, Expect: 100-continue, HEAD, upgrades, Node's
 * timeouts and limits, graceful close). The application layer (middleware,
 * router, body readers, static files) is tide/http_app.h; the client is
 * tide/http_client.h. docs/HTTP.md shows each call in use.
 *
 * Lifetime: every request a handler receives is answered by exactly one
 * tide_http_res_end (or tide_http_res_send*), also when the client has
 * gone away (then the calls return -EPIPE and end releases everything).
 * req and res stay valid until that end has returned; the server frees
 * them afterwards. Work that outlives the handler keeps the pointers and
 * ends the response later, from any callback or fiber on the loop.
 *
 * Strings from a request are NUL-terminated, valid while req is, and
 * header lookups ignore case. Calls return 0 (or the count or boolean
 * described) or a negative error code; an error leaves things unchanged. */
#ifndef TIDE_HTTP_H
#define TIDE_HTTP_H

#include "tide/net.h"
#include "tide/stream.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tide_http_server_s tide_http_server_t;
typedef struct tide_http_req_s tide_http_req_t;
typedef struct tide_http_res_s tide_http_res_t;

/* ---- the server -------------------------------------------------------- */

/* One request: answer it through res. */
typedef void (*tide_http_handler_fn)(tide_http_req_t *req, tide_http_res_t *res, void *data);

/* An Upgrade (or CONNECT) request the program takes over. socket is the
 * connection as an fd stream (tide/net.h), with one reference for you;
 * head holds the bytes that followed the request (may be empty, never
 * NULL; borrowed for the call). The HTTP server no longer touches the
 * socket. req is valid for the call only. Without an upgrade handler an
 * Upgrade request is served as a plain request (Node 20) and CONNECT gets
 * 501 and the connection is closed. */
typedef void (*tide_http_upgrade_fn)(tide_http_req_t *req, tide_stream_t *socket,
                                     const tide_chunk_t *head, void *data);

/* A connection that had to be closed for the client's fault: code is the
 * error (TIDE_ERR_HTTP_*, -ETIMEDOUT, -ECONNRESET, ...), status the
 * response sent before closing (400, 408, 413, 414, 431, or 0 when none
 * could be). Node's 'clientError', for logs and counters. */
typedef void (*tide_http_client_error_fn)(tide_http_server_t *server, int code, int status,
                                          void *data);

typedef void (*tide_http_server_close_cb)(tide_http_server_t *server, void *data);

typedef struct {
    tide_listen_opts_t listen;          /* backlog, flags, reuseport, ... */
    /* Node's timeouts. 0: the default shown; TIDE_HTTP_NO_TIMEOUT: none. */
    uint64_t headers_timeout_ms;        /* 60000: whole header block -> 408 */
    uint64_t request_timeout_ms;        /* 300000: whole request -> 408 */
    uint64_t keepalive_timeout_ms;      /* 5000: idle between requests */
    /* Limits. 0: the default shown. */
    size_t max_header_size;             /* 16 KiB: request line + headers -> 431 */
    unsigned max_headers;               /* 100: header lines -> 431 */
    size_t max_url_size;                /* 8 KiB: request target -> 414 */
    uint64_t max_body_size;             /* 0: unlimited; larger bodies -> 413 */
    unsigned max_requests_per_conn;     /* 0: unlimited; last one gets Connection: close */
    tide_http_upgrade_fn on_upgrade;    /* may be NULL */
    tide_http_client_error_fn on_client_error; /* may be NULL */
    void *hook_data;                    /* for on_upgrade and on_client_error */
} tide_http_server_opts_t;

#define TIDE_HTTP_NO_TIMEOUT UINT64_MAX

/* Listen on host:port (as tide_tcp_listen: NULL host for every address,
 * port 0 for a free one) and serve each request with handler. opts may be
 * NULL. */
TIDE_API int tide_http_listen(tide_loop_t *loop, const char *host, int port,
                              const tide_http_server_opts_t *opts,
                              tide_http_handler_fn handler, void *data,
                              tide_http_server_t **out);
TIDE_API int tide_http_server_port(const tide_http_server_t *server);
TIDE_API tide_loop_t *tide_http_server_loop(const tide_http_server_t *server);

/* Graceful close (Node's server.close plus closeIdleConnections): stop
 * accepting, close idle keep-alive connections now, let requests in flight
 * finish (their responses carry Connection: close), and run cb (may be
 * NULL) once the last connection is gone; then the server is freed.
 * -EALREADY when already closing. */
TIDE_API int tide_http_server_close(tide_http_server_t *server,
                                    tide_http_server_close_cb cb, void *data);
/* Close every connection now, in flight or not (closeAllConnections). */
TIDE_API void tide_http_server_close_all(tide_http_server_t *server);
/* Open connections, and requests served since listen. */
TIDE_API size_t tide_http_server_connections(const tide_http_server_t *server);
TIDE_API uint64_t tide_http_server_requests(const tide_http_server_t *server);
/* Connections closed unserved because the process was out of file
 * descriptors (EMFILE/ENFILE): each is taken and closed at once so the
 * client sees a reset, not a hang; connections already open are served. */
TIDE_API uint64_t tide_http_server_dropped(const tide_http_server_t *server);

/* ---- the request -------------------------------------------------------- */

TIDE_API const char *tide_http_req_method(const tide_http_req_t *req);  /* "GET" */
/* The request target as sent ("/a/b?x=1"), its path ("/a/b") and its
 * query without the '?' ("x=1", or "" when there is none). */
TIDE_API const char *tide_http_req_url(const tide_http_req_t *req);
TIDE_API const char *tide_http_req_path(const tide_http_req_t *req);
TIDE_API const char *tide_http_req_query(const tide_http_req_t *req);
/* 0 for HTTP/1.0, 1 for HTTP/1.1. */
TIDE_API int tide_http_req_version_minor(const tide_http_req_t *req);
/* The first header of that name, or NULL. */
TIDE_API const char *tide_http_req_header(const tide_http_req_t *req, const char *name);
/* Headers in arrival order: 1 with *name and *value set, 0 past the end. */
TIDE_API size_t tide_http_req_header_count(const tide_http_req_t *req);
TIDE_API int tide_http_req_header_at(const tide_http_req_t *req, size_t i, const char **name,
                                     const char **value);
/* Content-Length, or -1 when the body is chunked or absent. */
TIDE_API int64_t tide_http_req_content_length(const tide_http_req_t *req);
/* 1 when a body follows (Content-Length > 0 or chunked). */
TIDE_API int tide_http_req_has_body(const tide_http_req_t *req);
/* 1 when the connection stays open after this exchange. */
TIDE_API int tide_http_req_keep_alive(const tide_http_req_t *req);
/* The connection's socket (address, counters: tide/net.h), lent. */
TIDE_API int tide_http_req_peer_address(const tide_http_req_t *req,
                                        struct sockaddr_storage *addr, socklen_t *len);
TIDE_API tide_http_server_t *tide_http_req_server(const tide_http_req_t *req);
TIDE_API tide_loop_t *tide_http_req_loop(const tide_http_req_t *req);

/* The body as a readable stream (Node's IncomingMessage): 'data' chunks,
 * 'end' after the last one, backpressure by pausing the connection's
 * reads while the stream's buffer is full. Made on the first call; lent
 * (valid while req is). A body nobody reads is discarded once the
 * response ends, and the connection carries on. Trailers of a chunked
 * body are readable as headers once 'end' has been emitted. An
 * "Expect: 100-continue" request gets its "100 Continue" when the body is
 * first read (or tide_http_res_continue). Errors: the body is over
 * max_body_size (TIDE_ERR_HTTP_BODY_TOO_LARGE, and 413), the client went away
 * (-ECONNRESET). */
TIDE_API tide_stream_t *tide_http_req_body(tide_http_req_t *req);

/* ---- the response ------------------------------------------------------- */

/* Status (default 200) and headers, until the head is sent: by the first
 * write, by end, or by write_head. After that: TIDE_ERR_HTTP_HEADERS_SENT. The server adds
 * Date, Content-Length (from end's bytes when nothing was written before)
 * or Transfer-Encoding: chunked (HTTP/1.1 with unknown length) or closes
 * the connection to delimit the body (HTTP/1.0), and Connection when it
 * is not keep-alive by default. set_header replaces, add_header appends
 * (Set-Cookie); names and values are copied; a value with CR or LF is
 * TIDE_ERR_HTTP_INVALID_HEADER_VALUE (header injection). */
TIDE_API int tide_http_res_status(tide_http_res_t *res, int status);
TIDE_API int tide_http_res_get_status(const tide_http_res_t *res);
TIDE_API int tide_http_res_set_header(tide_http_res_t *res, const char *name, const char *value);
TIDE_API int tide_http_res_add_header(tide_http_res_t *res, const char *name, const char *value);
TIDE_API int tide_http_res_remove_header(tide_http_res_t *res, const char *name);
TIDE_API const char *tide_http_res_get_header(const tide_http_res_t *res, const char *name);
TIDE_API int tide_http_res_headers_sent(const tide_http_res_t *res);
/* Send the head now (Node's flushHeaders / writeHead). */
TIDE_API int tide_http_res_write_head(tide_http_res_t *res, int status);
/* Send "HTTP/1.1 100 Continue" now (Node's writeContinue). */
TIDE_API int tide_http_res_continue(tide_http_res_t *res);

/* write: as tide_stream_write (buf borrowed until cb, which may be NULL
 * and always runs): 1 while below the high-water mark, 0 once the
 * connection's buffer is full (then on_drain's callback runs when it
 * empties). cb runs once the bytes reached the kernel, with a NULL stream. Nothing is sent for a HEAD request, but the calls behave the
 * same. -EPIPE when the client has gone away. */
TIDE_API int tide_http_res_write(tide_http_res_t *res, const void *buf, size_t len,
                                 tide_stream_cb cb, void *data);
TIDE_API int tide_http_res_write_copy(tide_http_res_t *res, const void *buf, size_t len);
typedef void (*tide_http_res_fn)(tide_http_res_t *res, void *data);
/* Called at each 'drain' (one callback per response; NULL removes it). */
TIDE_API int tide_http_res_on_drain(tide_http_res_t *res, tide_http_res_fn fn, void *data);
/* Called once if the connection closes before the response has been
 * sent in full (Node's 'close' without 'finish'): stop producing, then
 * end. NULL removes it. */
TIDE_API int tide_http_res_on_close(tide_http_res_t *res, tide_http_res_fn fn, void *data);

/* Called once when the exchange is over: the response has ended and its
 * bytes are with the kernel, or the connection closed. req and res are
 * still readable during the call and gone after it; layers that keep
 * per-request state (tide/http_app.h) free it here. NULL removes it. */
TIDE_API int tide_http_res_on_finish(tide_http_res_t *res, tide_http_res_fn fn, void *data);

/* End the response, with last bytes (buf may be NULL; copied). After end
 * returns, req and res are gone. */
TIDE_API int tide_http_res_end(tide_http_res_t *res, const void *buf, size_t len);
/* status + Content-Type + body + end, in one call (body copied). */
TIDE_API int tide_http_res_send(tide_http_res_t *res, int status, const char *content_type,
                                const void *body, size_t len);
/* Send len bytes of an open file from offset with sendfile, then end;
 * the fd stays the caller's and may be closed once this returns. */
TIDE_API int tide_http_res_send_file(tide_http_res_t *res, int fd, uint64_t offset,
                                     uint64_t len);

/* The response as a writable stream, for tide_stream_pipe/pipeline
 * (Node's ServerResponse): its end() ends the response. Made on the first
 * call; lent (valid while res is). */
TIDE_API tide_stream_t *tide_http_res_stream(tide_http_res_t *res);

TIDE_API tide_http_req_t *tide_http_res_req(const tide_http_res_t *res);

/* ---- helpers --------------------------------------------------------- */

/* "OK", "Not Found", ... ("Unknown" for codes without a name). */
TIDE_API const char *tide_http_status_text(int status);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_HTTP_H */
