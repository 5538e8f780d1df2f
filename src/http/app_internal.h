/* app_internal.h - what the application layer's files share: the app, its
 * routers and layers, the per-request context, the arena that holds a
 * request's decoded strings, and the pure text helpers (decoding, query,
 * cookies, ranges, dates, route patterns) that unit tests call directly. */
#ifndef TIDE_HTTP_APP_INTERNAL_H
#define TIDE_HTTP_APP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tide/http_app.h"

/* ---- arena: a request's strings, freed all at once ----------------------- */
typedef struct tide__arena_block tide__arena_block_t;
typedef struct {
    tide__arena_block_t *head;
} tide__arena_t;

void *tide__arena_alloc(tide__arena_t *a, size_t n);
char *tide__arena_strndup(tide__arena_t *a, const char *s, size_t n);
/* Keep the first block for the next request, free the rest. */
void tide__arena_reset(tide__arena_t *a);
void tide__arena_free(tide__arena_t *a);

/* ---- decoding ------------------------------------------------------------- */
/* Percent-decode src[0..len) into dst (room for len + 1). strict: a bad
 * escape or %00 is -EINVAL (paths); lenient: kept as is (queries, as Node's
 * querystring). plus: '+' is a space. Returns the decoded length. */
ssize_t tide__http_pct_decode(char *dst, const char *src, size_t len, int strict, int plus);

/* name=value pairs, decoded, in order. */
typedef struct {
    const char *name;
    const char *value;
} tide__pair_t;
typedef struct {
    tide__pair_t *items;
    size_t n, cap;
} tide__pairs_t;
/* a=1&b=2&a=3 ('+' as space, lenient escapes, empty names skipped) into
 * pairs, strings in the arena. -ENOMEM. */
int tide__http_parse_query(tide__arena_t *a, const char *s, size_t len, tide__pairs_t *out);
/* Cookie header "a=1; b=\"2\"" into pairs (values unquoted and decoded when
 * the decoding is valid; the first of a name wins at lookup). */
int tide__http_parse_cookies(tide__arena_t *a, const char *s, tide__pairs_t *out);
const char *tide__pairs_get(const tide__pairs_t *p, const char *name);
void tide__pairs_free(tide__pairs_t *p);
/* The Set-Cookie value into buf; the length, -ENOSPC, or -EINVAL. */
int tide__http_cookie_format(char *buf, size_t cap, const char *name, const char *value,
                             const tide_http_cookie_opts_t *opts, time_t now);

/* ---- dates, ETags, ranges, conditionals --------------------------------- */
/* "Sun, 06 Nov 1994 08:49:37 GMT" (30 bytes with the NUL). */
void tide__http_fmt_date(char buf[32], time_t t);
/* IMF-fixdate, RFC 850 and asctime forms; -1 when unparseable. */
time_t tide__http_parse_date(const char *s);
/* W/"<size hex>-<mtime ms hex>" as the send package makes it. */
void tide__http_etag(char buf[64], uint64_t size, int64_t mtime_ms);
/* If-None-Match list against an ETag (weak comparison, "*" matches). */
int tide__http_etag_match(const char *header, const char *etag);
/* Range header against a size: 1 with [*start, *end] (inclusive) for one
 * satisfiable range, 0 when the header should be ignored (absent, not
 * bytes, malformed, or several ranges: the whole file), -1 unsatisfiable. */
int tide__http_parse_range(const char *header, uint64_t size, uint64_t *start, uint64_t *end);

/* ---- route patterns -------------------------------------------------------- */
typedef enum { TIDE__SEG_LITERAL, TIDE__SEG_PARAM, TIDE__SEG_OPTIONAL, TIDE__SEG_WILDCARD } tide__seg_kind;
typedef struct {
    tide__seg_kind kind;
    char *text; /* the literal or the param's name */
} tide__seg_t;
typedef struct {
    tide__seg_t *segs;
    size_t n;
} tide__pattern_t;
/* A request path split at '/', each segment kept raw and decoded. */
typedef struct {
    const char *raw;
    size_t raw_len;
    const char *dec;
} tide__pseg_t;
#define TIDE__MAX_PARAMS 16
typedef struct {
    const char *name;
    const char *value; /* NULL: an optional param that was absent */
} tide__param_t;

/* "/users/:id?" -> pattern. -EINVAL for a bad pattern ("*" not last, an
 * empty param name), -ENOMEM. */
int tide__pattern_compile(const char *path, tide__pattern_t *out);
void tide__pattern_free(tide__pattern_t *p);
/* Split and decode a raw path (strict: -EINVAL on a bad escape, %00).
 * Segments and their strings come from the arena; a trailing slash adds
 * no segment. */
int tide__path_split(tide__arena_t *a, const char *path, tide__pseg_t **out, size_t *n);
/* Match segs against the pattern: whole (prefix 0) or as leading segments
 * (prefix 1). 1 on a match with params filled and *consumed set; the
 * wildcard's value is joined in the arena. */
int tide__pattern_match(tide__arena_t *a, const tide__pattern_t *p, const tide__pseg_t *segs,
                        size_t n, int prefix, tide__param_t *params, size_t *nparams,
                        size_t *consumed);

/* ---- apps, routers, layers ------------------------------------------------ */
typedef enum {
    TIDE__LAYER_USE,
    TIDE__LAYER_USE_ASYNC,
    TIDE__LAYER_ERROR,
    TIDE__LAYER_ROUTE,
    TIDE__LAYER_ROUTE_ASYNC,
    TIDE__LAYER_ROUTER
} tide__layer_kind;

typedef struct {
    tide__layer_kind kind;
    char method[16]; /* "" for every method */
    tide__pattern_t pattern;
    union {
        tide_http_fn fn;
        tide_http_error_fn error_fn;
        tide_http_async_fn async_fn;
    } u;
    void *data;
    tide_http_router_t *sub;
} tide__layer_t;

struct tide_http_router_s {
    tide_loop_t *loop;
    tide__layer_t *layers;
    size_t n, cap;
    int mounted;
};

typedef struct tide__ctx_free tide__ctx_free_t;
struct tide_http_app_s {
    tide_loop_t *loop;
    tide_http_router_t *root;
    tide_http_ctx_t *free_ctxs; /* contexts kept for reuse */
    size_t in_flight;
    int freed;                  /* freed with contexts in flight */
};

/* A response filter (compression): sees every write and the end. */
typedef struct {
    int (*write)(tide_http_ctx_t *ctx, const void *buf, size_t len, void *state);
    int (*end)(tide_http_ctx_t *ctx, const void *buf, size_t len, void *state);
    void (*drop)(tide_http_ctx_t *ctx, void *state); /* before anything was written */
    void (*abort)(tide_http_ctx_t *ctx, void *state); /* the client went away */
    void *state;
} tide__filter_t;

#define TIDE__MAX_DEPTH 8
#define TIDE__MAX_LOCALS 8

typedef struct {
    tide_http_router_t *router;
    size_t idx;  /* the next layer to try */
    size_t base; /* segments consumed by the mounts above */
} tide__frame_t;

typedef void (*tide__ctx_fn)(tide_http_ctx_t *ctx, void *data);

struct tide_http_ctx_s {
    tide_http_app_t *app;
    tide_loop_t *loop;
    tide_http_req_t *req;
    tide_http_res_t *res;
    tide_http_ctx_t *next_free;
    unsigned refs;
    unsigned gen;            /* bumped by next / next_error / end */
    int ended, ending, aborted, head_sent_by_filter;
    tide__arena_t arena;

    tide__pseg_t *segs;
    size_t nsegs;
    size_t base;             /* segments below the current mount */
    tide__frame_t frames[TIDE__MAX_DEPTH];
    size_t depth;
    tide_error_t *error;     /* non-NULL: dispatching error middleware */
    tide__param_t params[TIDE__MAX_PARAMS];
    size_t nparams;

    tide__pairs_t query, cookies, form;
    int query_parsed, cookies_parsed;
    struct {
        const char *key;
        void *value;
    } locals[TIDE__MAX_LOCALS];
    size_t nlocals;

    /* async handlers: the layer being started */
    tide_http_async_fn async_fn;
    void *async_data;

    /* answering */
    tide__filter_t filter;
    tide__ctx_fn on_drain, on_abort;
    void *drain_data, *abort_data;
    int drain_hooked;
    tide_promise_t *drain_wait; /* write_await */

    /* bodies */
    int body_state;          /* 0 none, 1 reading, 2 done */
    char *body;
    size_t body_len, body_cap, body_limit;
    tide_http_body_cb body_cb;
    void *body_cb_data;
    int body_status;
    tide_stream_t *body_stream;
    json_t *json;
};

void tide__ctx_ref(tide_http_ctx_t *ctx);
void tide__ctx_unref(tide_http_ctx_t *ctx);
/* The response has ended: release the context's hold on req and res. */
void tide__ctx_finished(tide_http_ctx_t *ctx);
/* The app ends this response itself: the server's finish hook, which
 * catches responses ended behind the context's back, stands down. */
void tide__ctx_own_end(tide_http_ctx_t *ctx);
/* Start an async layer's function on a fiber. */
void tide__ctx_run_async(tide_http_ctx_t *ctx, tide_http_async_fn fn, void *data);
/* The raw path below base segments. */
const char *tide__ctx_path_below(const tide_http_ctx_t *ctx, size_t base);
/* Called by the server when the connection closes early. */
void tide__ctx_drain_event(tide_http_ctx_t *ctx);
void tide__ctx_abort_event(tide_http_ctx_t *ctx);
/* Stop listening to the request body (before the response ends). */
void tide__body_detach(tide_http_ctx_t *ctx);
/* Content-Type's media type, lowercased, without parameters, into buf. */
void tide__http_media_type(const char *content_type, char *buf, size_t cap);
/* A parameter of a header value ("charset" of "text/plain; charset=x"), lowercased. */
int tide__http_header_param(const char *value, const char *param, char *buf, size_t cap);
/* Compressible media types (the compression package's test). */
int tide__http_compressible(const char *content_type);

#endif /* TIDE_HTTP_APP_INTERNAL_H */
