/* tide/http_client.h - the HTTP/1.1 client: requests with Node's http.request
 * and fetch semantics over pooled keep-alive connections (Node's Agent).
 * docs/HTTP_CLIENT.md shows each call in use.
 *
 * Four forms of one request:
 *   - tide_http_request: a callback gets the response as soon as its head
 *     arrives, the body as a readable stream (backpressure pauses the
 *     socket), and the request body may be streamed (chunked).
 *   - tide_http_fetch: a callback gets the whole response, body collected
 *     up to a limit.
 *   - tide_http_fetch_promise: the same as a promise.
 *   - tide_http_fetch_await: the same inside an async function (a fiber).
 *
 * URLs are http:// only: "http://host[:port][/path][?query]", where host
 * is a name (looked up through tide/dns.h), an IPv4 literal or a bracketed
 * IPv6 literal ("http://[::1]:8080/"). Errors are negative codes:
 * -EINVAL (a bad URL or argument), -EPROTONOSUPPORT (another scheme),
 * TIDE_ERR_HTTP_INVALID_HEADER_VALUE (CR, LF or NUL in a header value, or
 * a bad header name), the connect and DNS errors, -ETIMEDOUT,
 * TIDE_ERR_HTTP_SOCKET_HANG_UP (the server closed before a whole response),
 * TIDE_ERR_HTTP_PARSE (a malformed response),
 * TIDE_ERR_HTTP_CONTENT_LENGTH_MISMATCH (the body ended short of its
 * Content-Length), TIDE_ERR_HTTP_TOO_MANY_REDIRECTS,
 * TIDE_ERR_HTTP_BODY_TOO_LARGE (over the fetch forms' limit), or an abort
 * signal's reason. A call that returns an error started nothing; once a
 * call has returned 0, its callback runs exactly once, from the loop. */
#ifndef TIDE_HTTP_CLIENT_H
#define TIDE_HTTP_CLIENT_H

#include "tide/abort.h"
#include "tide/async.h"
#include "tide/promise.h"
#include "tide/stream.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tide_http_agent_s tide_http_agent_t;
typedef struct tide_http_response_s tide_http_response_t;

/* ---- agents (Node's http.Agent) -------------------------------------- */

enum {
    TIDE_HTTP_AGENT_NO_KEEPALIVE = 1 << 0, /* one connection per request */
    TIDE_HTTP_AGENT_FIFO = 1 << 1          /* reuse the oldest free socket (default: newest) */
};

#define TIDE_HTTP_AGENT_NO_TIMEOUT UINT64_MAX

typedef struct {
    unsigned max_sockets;      /* per host:port, busy or connecting; 0: unlimited */
    unsigned max_free_sockets; /* idle kept per host:port; 0: 256 (Node's) */
    /* An idle pooled socket is closed after this long. 0: 5000 ms (Node's
     * global agent); TIDE_HTTP_AGENT_NO_TIMEOUT: never. A response's
     * "Keep-Alive: timeout=N" shortens it to N s - 1 s, as Node does. */
    uint64_t free_timeout_ms;
    unsigned flags;            /* TIDE_HTTP_AGENT_* */
} tide_http_agent_opts_t;

typedef struct {
    uint64_t connections;  /* sockets opened since the agent was made */
    uint64_t requests;     /* requests given a socket (retries count again) */
    uint64_t reused;       /* of those, on a pooled socket */
    uint64_t retries;      /* requests retried after a reused socket failed */
    size_t sockets;        /* open now: busy, connecting and free */
    size_t free;           /* idle in the pool now */
    size_t pending;        /* requests waiting for a socket (max_sockets) */
} tide_http_agent_stats_t;

/* A new agent. opts may be NULL (the defaults above). */
TIDE_API int tide_http_agent_new(tide_loop_t *loop, const tide_http_agent_opts_t *opts,
                                 tide_http_agent_t **out);
/* The loop's agent (keep-alive, defaults), made on first use; NULL when
 * memory runs out. Requests without an agent use it. */
TIDE_API tide_http_agent_t *tide_http_agent_default(tide_loop_t *loop);
/* Node's agent.destroy(): close the free sockets now; requests in flight
 * finish, their sockets are then closed instead of pooled, and the agent
 * is freed after the last one (the default agent is made anew on next
 * use). Pooled sockets do not keep the loop alive (Node unrefs them), so a
 * program destroys its agents before tide_loop_close. */
TIDE_API void tide_http_agent_destroy(tide_http_agent_t *agent);
TIDE_API void tide_http_agent_stats(const tide_http_agent_t *agent, tide_http_agent_stats_t *out);

/* ---- requests --------------------------------------------------------- */

typedef struct {
    const char *name;
    const char *value;
} tide_http_header_t;

enum {
    /* The body is written through the stream tide_http_request gives back
     * (Transfer-Encoding: chunked). Not for the fetch forms. */
    TIDE_HTTP_BODY_STREAM = 1 << 0,
    /* Send "Expect: 100-continue" and hold the body back until the server
     * answers 100 (or continue_timeout_ms passes, or a final response
     * comes first: then the body is not sent). Also on when the headers
     * carry that Expect. */
    TIDE_HTTP_EXPECT_CONTINUE = 1 << 1
};

typedef struct {
    const char *method;                /* NULL: "GET"; a token, sent as given */
    const char *url;
    const tide_http_header_t *headers; /* copied; Host, Content-Length,
                                        * Transfer-Encoding and Connection are
                                        * the client's unless given here */
    size_t nheaders;
    const void *body;                  /* copied; sent with Content-Length */
    size_t body_len;
    unsigned flags;                    /* TIDE_HTTP_BODY_STREAM, ... */
    tide_http_agent_t *agent;          /* NULL: the loop's default agent */
    /* The lookup and every connect attempt together (a name's addresses
     * are tried in turn, 250 ms each but the last); 0: none. */
    uint64_t connect_timeout_ms;
    /* Node's request timeout: this long with no byte in either direction
     * (waiting for a free socket is not counted) fails with -ETIMEDOUT. */
    uint64_t timeout_ms;
    uint64_t continue_timeout_ms;      /* 0: 1000 */
    unsigned max_redirects;            /* 0: redirects are responses like any */
    tide_abort_signal_t *signal;       /* NULL: none */
    size_t max_body;                   /* fetch forms: 0: 64 MiB */
    size_t body_hwm;                   /* the body streams' high-water marks; 0: 16 KiB */
} tide_http_request_opts_t;

/* The response, or the error (borrowed for the call; res is then NULL).
 * A response given here is yours: tide_http_response_release it. */
typedef void (*tide_http_response_cb)(tide_http_response_t *res, tide_error_t *err, void *data);

/* Start a request; cb runs once the response head has arrived (its body
 * then streams through tide_http_response_body) or the request failed.
 * With TIDE_HTTP_BODY_STREAM, *body_out (else may be NULL) is a writable
 * stream with a reference for you: write the body (write returns 0 at the
 * high-water mark; wait for 'drain'), tide_stream_end it, and release it.
 * Its writes fail and it is destroyed when the request fails. Redirects
 * (opts->max_redirects) are followed for GET and HEAD only. */
TIDE_API int tide_http_request(tide_loop_t *loop, const tide_http_request_opts_t *opts,
                               tide_http_response_cb cb, void *data, tide_stream_t **body_out);

/* The whole exchange: cb gets the response with its body collected
 * (tide_http_response_bytes) and its trailers, or the error. */
TIDE_API int tide_http_fetch(tide_loop_t *loop, const tide_http_request_opts_t *opts,
                             tide_http_response_cb cb, void *data);
/* The same as a promise fulfilled with the tide_http_response_t *, which
 * the promise owns (tide_http_response_ref to keep it longer). */
TIDE_API int tide_http_fetch_promise(tide_loop_t *loop, const tide_http_request_opts_t *opts,
                                     tide_promise_t **out);
/* Inside an async function: 0 with *out (yours), or the error's code
 * (-EPERM outside an async function). */
TIDE_API int tide_http_fetch_await(tide_loop_t *loop, const tide_http_request_opts_t *opts,
                                   tide_http_response_t **out);

/* ---- responses -------------------------------------------------------- */

TIDE_API int tide_http_response_status(const tide_http_response_t *res);
TIDE_API const char *tide_http_response_status_text(const tide_http_response_t *res);
TIDE_API int tide_http_response_version_minor(const tide_http_response_t *res);
/* The first header of that name (any case), or NULL. Strings live as
 * long as res. */
TIDE_API const char *tide_http_response_header(const tide_http_response_t *res, const char *name);
TIDE_API size_t tide_http_response_header_count(const tide_http_response_t *res);
/* 1 with *name and *value set, 0 past the end. */
TIDE_API int tide_http_response_header_at(const tide_http_response_t *res, size_t i,
                                          const char **name, const char **value);
/* Trailers of a chunked body, once it has ended. */
TIDE_API const char *tide_http_response_trailer(const tide_http_response_t *res, const char *name);
TIDE_API size_t tide_http_response_trailer_count(const tide_http_response_t *res);
TIDE_API int tide_http_response_trailer_at(const tide_http_response_t *res, size_t i,
                                           const char **name, const char **value);
/* The body as a readable stream (Node's IncomingMessage), lent while res
 * lives: 'data', then 'end' (at once for HEAD, 1xx, 204 and 304), or
 * 'error' (TIDE_ERR_HTTP_CONTENT_LENGTH_MISMATCH, _SOCKET_HANG_UP, _PARSE,
 * -ETIMEDOUT, the abort reason). Its buffer full pauses the socket. For
 * the fetch forms it has ended and the bytes are in response_bytes. */
TIDE_API tide_stream_t *tide_http_response_body(tide_http_response_t *res);
/* The collected body (fetch forms): NUL-terminated for convenience. */
TIDE_API int tide_http_response_bytes(const tide_http_response_t *res, const void **base,
                                      size_t *len);
/* The URL that answered (after redirects) and how many were followed. */
TIDE_API const char *tide_http_response_url(const tide_http_response_t *res);
TIDE_API unsigned tide_http_response_redirects(const tide_http_response_t *res);
/* 1 when the request went out on a pooled socket (Node's reusedSocket). */
TIDE_API int tide_http_response_reused_socket(const tide_http_response_t *res);

TIDE_API tide_http_response_t *tide_http_response_ref(tide_http_response_t *res);
/* The last release before the body ended destroys the body and closes
 * the socket (Node's res.destroy()). */
TIDE_API void tide_http_response_release(tide_http_response_t *res);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_HTTP_CLIENT_H */
