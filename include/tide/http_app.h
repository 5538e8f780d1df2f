/* tide/http_app.h - the application layer over the server of tide/http.h,
 * with Express's semantics: an app is a stack of middleware and routes run
 * in registration order, each passing control on with tide_http_next (now
 * or later, from a callback or a fiber), errors going to error middleware,
 * 404 when nothing answered. Routers with params and sub-routers, query,
 * cookies, CORS, body readers with limits, static files, gzip, fiber
 * handlers. docs/HTTP_APP.md shows each call in use.
 *
 * A request is seen through a context (tide_http_ctx_t): the server's req
 * and res, the route's params, the parsed query and cookies, the body once
 * read. Answer through the context (tide_http_send*, tide_http_write and
 * tide_http_end): the app then knows the exchange is over, frees the
 * context, and lets middleware such as compression see the bytes. Headers
 * may be set on tide_http_ctx_res() directly. Strings handed out are valid
 * while the context is (until the response has ended). */
#ifndef TIDE_HTTP_APP_H
#define TIDE_HTTP_APP_H

#include <time.h>
#include <jansson.h>

#include "tide/async.h"
#include "tide/http.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tide_http_app_s tide_http_app_t;
typedef struct tide_http_router_s tide_http_router_t;
typedef struct tide_http_ctx_s tide_http_ctx_t;

/* Middleware and handlers: answer, or call tide_http_next (now or later). */
typedef void (*tide_http_fn)(tide_http_ctx_t *ctx, void *data);
/* Error middleware (Express's four-argument handlers): err is borrowed;
 * answer, or pass it on with tide_http_next_error(ctx, tide_error_ref(err))
 * or recover with tide_http_next. */
typedef void (*tide_http_error_fn)(tide_http_ctx_t *ctx, tide_error_t *err, void *data);
/* A handler that runs on its own fiber and may tide_await anything. A
 * negative return that was not followed by an answer goes to the error
 * middleware (as tide_http_error_new(code)). */
typedef int (*tide_http_async_fn)(tide_http_ctx_t *ctx, void *data);

/* ---- errors that carry an HTTP status ------------------------------------
 * An error whose code is TIDE_HTTP_STATUS_ERR(s) answers with status s in
 * the default error handler. Other codes map: TIDE_ERR_HTTP_BODY_TOO_LARGE
 * -> 413, TIDE_ERR_HTTP_PARSE -> 400, -ENOENT -> 404, -EACCES -> 403,
 * everything else -> 500. The default handler answers with the status
 * text only, never the error's message (no details leak). */
#define TIDE_HTTP_STATUS_ERR(status) (-11000 - (status))
TIDE_API tide_error_t *tide_http_error_new(int status, const char *message);
/* The status an error answers with (400-599). */
TIDE_API int tide_http_error_status(const tide_error_t *err);

/* ---- the app ------------------------------------------------------------- */

TIDE_API int tide_http_app_new(tide_loop_t *loop, tide_http_app_t **out);
/* Free the app, its routers and their layers. Contexts still in flight
 * keep what they use until their responses end. */
TIDE_API void tide_http_app_free(tide_http_app_t *app);
TIDE_API tide_loop_t *tide_http_app_loop(const tide_http_app_t *app);
/* The app's root router, for the tide_http_router_* calls. */
TIDE_API tide_http_router_t *tide_http_app_router(tide_http_app_t *app);
/* The server handler: tide_http_listen(loop, host, port, opts,
 * tide_http_app_handler, app, &server). */
TIDE_API void tide_http_app_handler(tide_http_req_t *req, tide_http_res_t *res, void *app);
TIDE_API int tide_http_app_listen(tide_http_app_t *app, const char *host, int port,
                                  const tide_http_server_opts_t *opts,
                                  tide_http_server_t **out);
/* Requests whose context has not ended yet. */
TIDE_API size_t tide_http_app_in_flight(const tide_http_app_t *app);

/* ---- routers --------------------------------------------------------------
 * A router is an ordered stack of layers. Paths are patterns of segments:
 * literals ("users"), params (":id"), optional params (":id?") and a final
 * wildcard ("*", read as the param "*"). Matching ignores case and a
 * trailing slash, as Express's defaults do. A prefix (use, mount) matches
 * whole leading segments; inside it tide_http_ctx_path() is the rest. */

TIDE_API int tide_http_router_new(tide_loop_t *loop, tide_http_router_t **out);
/* A router that was never mounted; a mounted one belongs to its parent. */
TIDE_API void tide_http_router_free(tide_http_router_t *router);

/* Middleware for every request under prefix (NULL or "/": all). */
TIDE_API int tide_http_router_use(tide_http_router_t *r, const char *prefix, tide_http_fn fn,
                                  void *data);
TIDE_API int tide_http_router_use_async(tide_http_router_t *r, const char *prefix,
                                        tide_http_async_fn fn, void *data);
TIDE_API int tide_http_router_use_error(tide_http_router_t *r, const char *prefix,
                                        tide_http_error_fn fn, void *data);
/* A route: method "GET", "POST", ... or NULL for every method (app.all).
 * A GET route also answers HEAD (the server sends no body). */
TIDE_API int tide_http_router_route(tide_http_router_t *r, const char *method, const char *path,
                                    tide_http_fn fn, void *data);
TIDE_API int tide_http_router_route_async(tide_http_router_t *r, const char *method,
                                          const char *path, tide_http_async_fn fn, void *data);
/* Mount sub at prefix; r takes it over. -EBUSY when sub is mounted already. */
TIDE_API int tide_http_router_mount(tide_http_router_t *r, const char *prefix,
                                    tide_http_router_t *sub);

/* The same on the app's root router. */
static inline int tide_http_app_use(tide_http_app_t *a, tide_http_fn fn, void *data)
{
    return tide_http_router_use(tide_http_app_router(a), NULL, fn, data);
}
static inline int tide_http_app_use_path(tide_http_app_t *a, const char *prefix, tide_http_fn fn,
                                         void *data)
{
    return tide_http_router_use(tide_http_app_router(a), prefix, fn, data);
}
static inline int tide_http_app_use_error(tide_http_app_t *a, tide_http_error_fn fn, void *data)
{
    return tide_http_router_use_error(tide_http_app_router(a), NULL, fn, data);
}
static inline int tide_http_app_mount(tide_http_app_t *a, const char *prefix,
                                      tide_http_router_t *sub)
{
    return tide_http_router_mount(tide_http_app_router(a), prefix, sub);
}
#define TIDE__HTTP_APP_METHOD(lower, upper)                                                  \
    static inline int tide_http_app_##lower(tide_http_app_t *a, const char *path,            \
                                            tide_http_fn fn, void *data)                     \
    {                                                                                        \
        return tide_http_router_route(tide_http_app_router(a), upper, path, fn, data);       \
    }                                                                                        \
    static inline int tide_http_app_##lower##_async(tide_http_app_t *a, const char *path,    \
                                                    tide_http_async_fn fn, void *data)       \
    {                                                                                        \
        return tide_http_router_route_async(tide_http_app_router(a), upper, path, fn, data); \
    }
TIDE__HTTP_APP_METHOD(get, "GET")
TIDE__HTTP_APP_METHOD(post, "POST")
TIDE__HTTP_APP_METHOD(put, "PUT")
TIDE__HTTP_APP_METHOD(patch, "PATCH")
TIDE__HTTP_APP_METHOD(delete, "DELETE")
TIDE__HTTP_APP_METHOD(options, "OPTIONS")
TIDE__HTTP_APP_METHOD(all, (const char *)0)
#undef TIDE__HTTP_APP_METHOD

/* ---- the context --------------------------------------------------------- */

/* Run the next matching middleware or route; past the last one, 404. */
TIDE_API void tide_http_next(tide_http_ctx_t *ctx);
/* Skip to the next error middleware with err (taken over); past the last
 * one, the default error handler answers. */
TIDE_API void tide_http_next_error(tide_http_ctx_t *ctx, tide_error_t *err);

TIDE_API tide_http_req_t *tide_http_ctx_req(const tide_http_ctx_t *ctx);
TIDE_API tide_http_res_t *tide_http_ctx_res(const tide_http_ctx_t *ctx);
TIDE_API tide_http_app_t *tide_http_ctx_app(const tide_http_ctx_t *ctx);
TIDE_API tide_loop_t *tide_http_ctx_loop(const tide_http_ctx_t *ctx);
TIDE_API const char *tide_http_ctx_method(const tide_http_ctx_t *ctx);
/* The raw path below the current mount point (Express's req.path):
 * "/b/c" inside use("/a") for "/a/b/c". */
TIDE_API const char *tide_http_ctx_path(const tide_http_ctx_t *ctx);
/* A route param, percent-decoded, or NULL (an absent optional one too). */
TIDE_API const char *tide_http_param(const tide_http_ctx_t *ctx, const char *name);
/* Query values (decoded, '+' as space, parsed on first use): the first
 * value of name or NULL; every value with tide_http_query_all (returns the
 * count, fills up to cap); every pair in order with _count/_at. */
TIDE_API const char *tide_http_query(tide_http_ctx_t *ctx, const char *name);
TIDE_API size_t tide_http_query_all(tide_http_ctx_t *ctx, const char *name, const char **values,
                                    size_t cap);
TIDE_API size_t tide_http_query_count(tide_http_ctx_t *ctx);
TIDE_API int tide_http_query_at(tide_http_ctx_t *ctx, size_t i, const char **name,
                                const char **value);
/* A request cookie (the first of that name), decoded, or NULL. */
TIDE_API const char *tide_http_cookie(tide_http_ctx_t *ctx, const char *name);
/* Per-request values for middleware to share (Express's res.locals). */
TIDE_API int tide_http_ctx_set(tide_http_ctx_t *ctx, const char *key, void *value);
TIDE_API void *tide_http_ctx_get(const tide_http_ctx_t *ctx, const char *key);
/* 1 once the response has ended or its head went out. */
TIDE_API int tide_http_ctx_answered(const tide_http_ctx_t *ctx);
/* 1 when the client went away before the response was complete. */
TIDE_API int tide_http_ctx_aborted(const tide_http_ctx_t *ctx);

/* ---- answering ------------------------------------------------------------
 * Each returns 0 (write: 1 or 0 as tide_http_res_write) or a negative code.
 * After tide_http_end/send*, ctx, req and res are gone. */

/* Bytes are copied. 0 asks to wait for drain (tide_http_on_drain). */
TIDE_API int tide_http_write(tide_http_ctx_t *ctx, const void *buf, size_t len);
TIDE_API int tide_http_on_drain(tide_http_ctx_t *ctx, void (*fn)(tide_http_ctx_t *, void *),
                                void *data);
/* Called once when the client goes away before the end (stop producing
 * and end). */
TIDE_API int tide_http_on_abort(tide_http_ctx_t *ctx, void (*fn)(tide_http_ctx_t *, void *),
                                void *data);
/* Inside a fiber: write and, when write asked to, wait for drain. 1 on
 * success, negative (-EPIPE: the client went away). */
TIDE_API int tide_http_write_await(tide_http_ctx_t *ctx, const void *buf, size_t len);
TIDE_API int tide_http_end(tide_http_ctx_t *ctx, const void *buf, size_t len);
TIDE_API int tide_http_send(tide_http_ctx_t *ctx, int status, const char *content_type,
                            const void *body, size_t len);
TIDE_API int tide_http_send_text(tide_http_ctx_t *ctx, int status, const char *text);
/* json is serialised compactly (not released); Content-Type
 * application/json; charset=utf-8. */
TIDE_API int tide_http_send_json(tide_http_ctx_t *ctx, int status, const json_t *json);
/* status 0 means 302. Location is set and a short text body sent. */
TIDE_API int tide_http_redirect(tide_http_ctx_t *ctx, int status, const char *location);
/* A file's bytes [offset, offset + len) with sendfile (uncompressed). */
TIDE_API int tide_http_send_fd(tide_http_ctx_t *ctx, int fd, uint64_t offset, uint64_t len);

/* ---- cookies ------------------------------------------------------------- */

typedef enum {
    TIDE_SAMESITE_NONE_SET = 0, /* no attribute */
    TIDE_SAMESITE_STRICT,
    TIDE_SAMESITE_LAX,
    TIDE_SAMESITE_NONE
} tide_http_samesite;

typedef struct {
    int64_t max_age_s;   /* >= 0 with has_max_age: Max-Age and a matching Expires */
    int has_max_age;
    time_t expires;      /* 0: none (max_age wins when both are set) */
    const char *path;    /* NULL: "/" */
    const char *domain;  /* NULL: none */
    int secure;
    int http_only;
    tide_http_samesite same_site;
} tide_http_cookie_opts_t;

/* Add a Set-Cookie header; value is percent-encoded (encodeURIComponent).
 * -EINVAL for a name that is not a token or an attribute with ';'. */
TIDE_API int tide_http_set_cookie(tide_http_ctx_t *ctx, const char *name, const char *value,
                                  const tide_http_cookie_opts_t *opts);
TIDE_API int tide_http_clear_cookie(tide_http_ctx_t *ctx, const char *name,
                                    const tide_http_cookie_opts_t *opts);

/* ---- CORS ---------------------------------------------------------------- */

typedef struct {
    const char *const *origins;  /* NULL-terminated allow-list; NULL: "*" */
    const char *methods;         /* NULL: "GET,HEAD,PUT,PATCH,POST,DELETE" */
    const char *allowed_headers; /* NULL: echo Access-Control-Request-Headers */
    const char *exposed_headers; /* NULL: none */
    int credentials;             /* Access-Control-Allow-Credentials: true */
    int max_age_s;               /* > 0: Access-Control-Max-Age */
} tide_http_cors_opts_t;

/* Middleware: use(app, tide_http_cors, &opts) (opts may be NULL and must
 * outlive the app). A preflight OPTIONS is answered 204 here. */
TIDE_API void tide_http_cors(tide_http_ctx_t *ctx, void *opts);

/* ---- bodies ---------------------------------------------------------------
 * Readers collect the request body up to a limit (0: 100 KiB, body-parser's
 * default): over it, TIDE_HTTP_STATUS_ERR(413) before reading when
 * Content-Length says so, or as soon as it is passed. */

typedef void (*tide_http_body_cb)(tide_http_ctx_t *ctx, int status, const void *body, size_t len,
                                  void *data);
/* Read the whole body: cb gets 0 and the bytes (valid while ctx is), or a
 * negative code (an HTTP status error, -ECONNRESET, ...). */
TIDE_API int tide_http_read_body(tide_http_ctx_t *ctx, size_t limit, tide_http_body_cb cb,
                                 void *data);
/* Inside a fiber: the same, waiting. */
TIDE_API int tide_http_read_body_await(tide_http_ctx_t *ctx, size_t limit, const void **body,
                                       size_t *len);
/* Inside a fiber: the body as JSON (*out: a new reference, or NULL for an
 * empty body). 400 malformed, 413 too large. */
TIDE_API int tide_http_read_json_await(tide_http_ctx_t *ctx, size_t limit, json_t **out);

typedef struct {
    size_t limit;     /* 0: 100 KiB */
    const char *type; /* the media type to parse; NULL: the parser's own */
} tide_http_body_opts_t;

/* body-parser's middleware: when the request's Content-Type matches (json:
 * application/json and +json; text: text/plain; urlencoded:
 * application/x-www-form-urlencoded; raw: application/octet-stream), read
 * and parse the body, then next(); otherwise next() at once. Errors go to
 * the error middleware: 400 malformed (json: strict, an object or array),
 * 413 too large, 415 for a charset other than UTF-8 (json, urlencoded) or
 * a Content-Encoding other than identity/gzip/deflate (gzip and deflate
 * bodies are inflated). opts may be NULL. */
TIDE_API void tide_http_json_parser(tide_http_ctx_t *ctx, void *opts);
TIDE_API void tide_http_text_parser(tide_http_ctx_t *ctx, void *opts);
TIDE_API void tide_http_urlencoded_parser(tide_http_ctx_t *ctx, void *opts);
TIDE_API void tide_http_raw_parser(tide_http_ctx_t *ctx, void *opts);
/* What a parser left: the JSON (borrowed), the bytes (raw, text), a form
 * field (urlencoded, first value). NULL/0 when nothing was parsed. */
TIDE_API json_t *tide_http_body_json(const tide_http_ctx_t *ctx);
TIDE_API const void *tide_http_body(const tide_http_ctx_t *ctx, size_t *len);
TIDE_API const char *tide_http_body_field(const tide_http_ctx_t *ctx, const char *name);

/* ---- static files ---------------------------------------------------------
 * serve-static: GET and HEAD under the mount prefix map to files under
 * root. ETag (weak, from size and mtime), Last-Modified, conditional
 * requests (304, 412), single byte ranges (206, 416; several ranges get
 * the whole file, 200), index.html for a directory (a redirect adds the
 * slash), Content-Type from the extension. Paths with ".." are 403, NUL
 * 400, dotfiles and missing files fall through to next() (or 404 with
 * fallthrough 0). Never a file outside root. */
typedef struct {
    const char *root;        /* the directory (required) */
    const char *index;       /* NULL: "index.html"; "" for none */
    int max_age_s;           /* Cache-Control: public, max-age=N */
    int no_fallthrough;      /* 1: answer 404 instead of next() */
} tide_http_static_opts_t;

/* Middleware: tide_http_app_use_path(app, "/static", tide_http_static, &opts). */
TIDE_API void tide_http_static(tide_http_ctx_t *ctx, void *opts);
/* The Content-Type for a file name ("application/octet-stream" unknown). */
TIDE_API const char *tide_http_mime_type(const char *filename);

/* ---- compression ----------------------------------------------------------
 * The compression package: a response whose type is compressible (text,
 * JSON, JavaScript, XML, SVG, ...), of at least threshold bytes (when known
 * at its first write) and not already encoded, to a client that accepts
 * gzip or deflate, is deflated as it is written, through a transform stream
 * with backpressure. Vary: Accept-Encoding on every compressible type. */
typedef struct {
    size_t threshold; /* 0: 1024 bytes */
    int level;        /* 0: zlib's default; 1-9 */
} tide_http_compress_opts_t;

TIDE_API void tide_http_compress(tide_http_ctx_t *ctx, void *opts);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_HTTP_APP_H */
