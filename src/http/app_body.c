/* app_body.c - reading a request body whole, up to a limit: a declared
 * Content-Length over it fails before anything is read, a body that grows
 * past it fails as soon as it does (413), and the callback always comes
 * from the loop, never from inside the call. The awaiting forms wrap it
 * for fibers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http/app_internal.h"
#include "tide/tick.h"

#define DEFAULT_LIMIT (100 * 1024)

static int on_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
static int on_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
static int on_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);

static void complete_tick(tide_loop_t *loop, void *data);

/* Add (on) or remove the reader's listeners. 'close' before 'end' is an
 * abort, as for Node's body readers: the body was destroyed without an
 * error recorded (a client gone, or no memory even for the error). */
static int body_listen(tide_stream_t *s, tide_http_ctx_t *ctx, int on)
{
    int (*op)(tide_stream_t *, tide_event_t, tide_listener_fn, void *) = on ? tide_stream_on : tide_stream_off;
    int rc = op(s, TIDE_EVENT_ERROR, on_error, ctx);
    if (!rc) rc = op(s, TIDE_EVENT_CLOSE, on_error, ctx);
    if (!rc) rc = op(s, TIDE_EVENT_END, on_end, ctx);
    if (!rc) rc = op(s, TIDE_EVENT_DATA, on_data, ctx);
    return rc;
}

void tide__body_detach(tide_http_ctx_t *ctx)
{
    if (!ctx->body_stream) return;
    body_listen(ctx->body_stream, ctx, 0);
    ctx->body_stream = NULL;
    if (ctx->body_state == 1) {
        /* The response ended while the body was still coming: the read
         * completes with -EPIPE from the loop (its fiber or callback is not
         * left waiting). */
        ctx->body_status = -EPIPE;
        if (tide_next_tick(ctx->loop, complete_tick, ctx) < 0) {
            ctx->body_state = 2;
            tide__ctx_unref(ctx);
        }
    }
}

/* Deliver the outcome once, from the loop. */
static void complete(tide_http_ctx_t *ctx, int status)
{
    if (ctx->body_state != 1) return;
    if (ctx->body_stream) {
        tide_stream_t *s = ctx->body_stream;
        body_listen(s, ctx, 0);
        ctx->body_stream = NULL;
        /* Over the limit: stop taking the rest in; the server discards it
         * once the response ends. */
        if (status < 0) tide_stream_pause(s);
    }
    ctx->body_state = 2;
    ctx->body_status = status;
    ctx->body_cb(ctx, status, ctx->body ? ctx->body : "", ctx->body_len, ctx->body_cb_data);
    tide__ctx_unref(ctx);
}

static void complete_tick(tide_loop_t *loop, void *data)
{
    tide_http_ctx_t *ctx = data;
    complete(ctx, ctx->body_status);
}

static int on_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    tide_http_ctx_t *ctx = data;
    const tide_chunk_t *c = arg;
    if (ctx->body_len + c->len > ctx->body_limit) {
        complete(ctx, TIDE_HTTP_STATUS_ERR(413));
        return 0;
    }
    if (ctx->body_len + c->len + 1 > ctx->body_cap) {
        size_t cap = ctx->body_cap ? ctx->body_cap : 1024;
        while (cap < ctx->body_len + c->len + 1) cap *= 2;
        char *b = realloc(ctx->body, cap);
        if (!b) {
            complete(ctx, -ENOMEM);
            return 0;
        }
        ctx->body = b;
        ctx->body_cap = cap;
    }
    memcpy(ctx->body + ctx->body_len, c->base, c->len);
    ctx->body_len += c->len;
    ctx->body[ctx->body_len] = '\0';
    return 0;
}

static int on_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    complete(data, 0);
    return 0;
}

static int on_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    tide_error_t *err = ev == TIDE_EVENT_ERROR ? arg : NULL;
    int code = err ? err->code : -ECONNABORTED;
    complete(data, code == TIDE_ERR_HTTP_BODY_TOO_LARGE ? TIDE_HTTP_STATUS_ERR(413) : code);
    return 0;
}

int tide_http_read_body(tide_http_ctx_t *ctx, size_t limit, tide_http_body_cb cb, void *data)
{
    if (!ctx || !cb) return -EINVAL;
    if (ctx->ended) return -EPIPE;
    if (ctx->body_state) return -EALREADY;
    ctx->body_limit = limit ? limit : DEFAULT_LIMIT;
    ctx->body_cb = cb;
    ctx->body_cb_data = data;
    ctx->body_len = 0;
    ctx->body_state = 1;
    tide__ctx_ref(ctx);
    int64_t cl = tide_http_req_content_length(ctx->req);
    if (cl > 0 && (uint64_t)cl > ctx->body_limit) {
        ctx->body_status = TIDE_HTTP_STATUS_ERR(413);
    } else if (!tide_http_req_has_body(ctx->req)) {
        ctx->body_status = 0;
    } else {
        tide_stream_t *s = tide_http_req_body(ctx->req);
        int rc = s ? body_listen(s, ctx, 1) : -ENOMEM;
        if (rc == 0) {
            ctx->body_stream = s;
            return 0;
        }
        if (s) body_listen(s, ctx, 0);
        ctx->body_state = 0;
        tide__ctx_unref(ctx);
        return rc;
    }
    int rc = tide_next_tick(ctx->loop, complete_tick, ctx);
    if (rc < 0) {
        ctx->body_state = 0;
        tide__ctx_unref(ctx);
    }
    return rc;
}

typedef struct {
    tide_promise_t *done;
} body_wait_t;

static void wake(tide_http_ctx_t *ctx, int status, const void *body, size_t len, void *data)
{
    body_wait_t *w = data;
    tide_promise_fulfil(w->done, NULL);
}

int tide_http_read_body_await(tide_http_ctx_t *ctx, size_t limit, const void **body, size_t *len)
{
    if (!tide_in_async()) return -EPERM;
    body_wait_t w;
    int rc = tide_promise_new(ctx ? ctx->loop : NULL, &w.done);
    if (rc < 0) return rc;
    rc = tide_http_read_body(ctx, limit, wake, &w);
    if (rc == 0) {
        tide__ctx_ref(ctx);
        rc = tide_await(w.done, NULL, NULL);
        if (rc == 0 && ctx->body_state != 2) rc = -EIO;
        if (rc == 0) rc = ctx->ended ? -EPIPE : ctx->body_status;
        tide__ctx_unref(ctx);
    }
    tide_promise_release(w.done);
    if (rc < 0) return rc;
    if (body) *body = ctx->body ? ctx->body : "";
    if (len) *len = ctx->body_len;
    return 0;
}

int tide_http_read_json_await(tide_http_ctx_t *ctx, size_t limit, json_t **out)
{
    const void *body;
    size_t len;
    if (!out) return -EINVAL;
    *out = NULL;
    int rc = tide_http_read_body_await(ctx, limit, &body, &len);
    if (rc < 0) return rc;
    size_t i = 0;
    while (i < len && strchr(" \t\r\n", ((const char *)body)[i])) i++;
    if (i == len) return 0;
    json_error_t jerr;
    *out = json_loadb(body, len, 0, &jerr);
    return *out ? 0 : TIDE_HTTP_STATUS_ERR(400);
}

json_t *tide_http_body_json(const tide_http_ctx_t *ctx) { return ctx->json; }

const void *tide_http_body(const tide_http_ctx_t *ctx, size_t *len)
{
    if (len) *len = ctx->body_state == 2 ? ctx->body_len : 0;
    return ctx->body_state == 2 ? (ctx->body ? ctx->body : "") : NULL;
}

const char *tide_http_body_field(const tide_http_ctx_t *ctx, const char *name)
{
    return tide__pairs_get(&ctx->form, name);
}
