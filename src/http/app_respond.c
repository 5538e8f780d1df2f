/* app_respond.c - answering through the context: writes and the end go
 * through the response filter when one is installed (compression) and
 * straight to the server's response otherwise; the end releases the
 * context. JSON, text and redirect helpers, drain and abort hooks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/app_internal.h"



void tide__ctx_own_end(tide_http_ctx_t *ctx)
{
    if (ctx->res) tide_http_res_on_finish(ctx->res, NULL, NULL);
}

void tide__ctx_finished(tide_http_ctx_t *ctx)
{
    if (ctx->ended) return;
    ctx->ended = 1;
    ctx->req = NULL;
    ctx->res = NULL;
    if (ctx->drain_wait) {
        tide_promise_t *p = ctx->drain_wait;
        ctx->drain_wait = NULL;
        tide_promise_fulfil(p, NULL);
        tide_promise_release(p);
    }
    tide__ctx_unref(ctx);
}

/* Stop listening to the request body before the server frees it. */
static void before_end(tide_http_ctx_t *ctx)
{
    tide__ctx_own_end(ctx);
    ctx->gen++;
    tide__body_detach(ctx);
}

int tide_http_write(tide_http_ctx_t *ctx, const void *buf, size_t len)
{
    if (!ctx || (!buf && len)) return -EINVAL;
    if (ctx->ended || ctx->ending) return -EPIPE;
    if (ctx->filter.write) return ctx->filter.write(ctx, buf, len, ctx->filter.state);
    return tide_http_res_write_copy(ctx->res, buf, len);
}

int tide_http_end(tide_http_ctx_t *ctx, const void *buf, size_t len)
{
    if (!ctx || (!buf && len)) return -EINVAL;
    if (ctx->ended || ctx->ending) return -EALREADY;
    before_end(ctx);
    if (ctx->filter.end) {
        tide__filter_t f = ctx->filter;
        ctx->ending = 1; /* the filter ends the response when its bytes are out */
        return f.end(ctx, buf, len, f.state);
    }
    int rc = tide_http_res_end(ctx->res, buf, len);
    tide__ctx_finished(ctx);
    return rc;
}

int tide_http_send(tide_http_ctx_t *ctx, int status, const char *content_type, const void *body,
                   size_t len)
{
    if (!ctx || (!body && len)) return -EINVAL;
    if (ctx->ended || ctx->ending) return -EALREADY;
    int rc = tide_http_res_status(ctx->res, status);
    if (rc == 0 && content_type) rc = tide_http_res_set_header(ctx->res, "Content-Type", content_type);
    if (rc < 0) return rc;
    return tide_http_end(ctx, body, len);
}

int tide_http_send_text(tide_http_ctx_t *ctx, int status, const char *text)
{
    return tide_http_send(ctx, status, "text/plain; charset=utf-8", text, text ? strlen(text) : 0);
}

int tide_http_send_json(tide_http_ctx_t *ctx, int status, const json_t *json)
{
    if (!ctx || !json) return -EINVAL;
    char *s = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!s) return -ENOMEM;
    int rc = tide_http_send(ctx, status, "application/json; charset=utf-8", s, strlen(s));
    free(s);
    return rc;
}

int tide_http_redirect(tide_http_ctx_t *ctx, int status, const char *location)
{
    if (!ctx || !location) return -EINVAL;
    if (status == 0) status = 302;
    if (status < 300 || status > 399) return -EINVAL;
    int rc = tide_http_res_set_header(ctx->res, "Location", location);
    if (rc < 0) return rc; /* CR or LF in location: refused by the server */
    char body[128];
    int n = snprintf(body, sizeof body, "%s. Redirecting\n", tide_http_status_text(status));
    return tide_http_send(ctx, status, "text/plain; charset=utf-8", body, (size_t)n);
}

int tide_http_send_fd(tide_http_ctx_t *ctx, int fd, uint64_t offset, uint64_t len)
{
    if (!ctx || fd < 0) return -EINVAL;
    if (ctx->ended || ctx->ending) return -EALREADY;
    before_end(ctx);
    if (ctx->filter.drop) ctx->filter.drop(ctx, ctx->filter.state);
    memset(&ctx->filter, 0, sizeof ctx->filter);
    int rc = tide_http_res_send_file(ctx->res, fd, offset, len);
    if (rc < 0) {
        /* The response is still ours: end it rather than leave it hanging. */
        if (!tide_http_res_headers_sent(ctx->res)) {
            tide_http_res_status(ctx->res, 500);
            tide_http_res_remove_header(ctx->res, "Content-Length");
        }
        tide_http_res_end(ctx->res, NULL, 0);
    }
    tide__ctx_finished(ctx);
    return rc;
}

static void res_drain(tide_http_res_t *res, void *data)
{
    tide__ctx_drain_event(data);
}

static int hook_drain(tide_http_ctx_t *ctx)
{
    if (ctx->drain_hooked || ctx->filter.write) return 0;
    int rc = tide_http_res_on_drain(ctx->res, res_drain, ctx);
    if (rc == 0) ctx->drain_hooked = 1;
    return rc;
}

int tide_http_on_drain(tide_http_ctx_t *ctx, void (*fn)(tide_http_ctx_t *, void *), void *data)
{
    if (!ctx || ctx->ended) return -EINVAL;
    ctx->on_drain = fn;
    ctx->drain_data = data;
    return hook_drain(ctx);
}

int tide_http_on_abort(tide_http_ctx_t *ctx, void (*fn)(tide_http_ctx_t *, void *), void *data)
{
    if (!ctx || ctx->ended) return -EINVAL;
    ctx->on_abort = fn;
    ctx->abort_data = data;
    return 0;
}

void tide__ctx_drain_event(tide_http_ctx_t *ctx)
{
    if (ctx->drain_wait) {
        tide_promise_t *p = ctx->drain_wait;
        ctx->drain_wait = NULL;
        tide_promise_fulfil(p, NULL);
        tide_promise_release(p);
    }
    if (ctx->on_drain && !ctx->ended) ctx->on_drain(ctx, ctx->drain_data);
}

void tide__ctx_abort_event(tide_http_ctx_t *ctx)
{
    if (ctx->aborted || ctx->ended) return;
    ctx->aborted = 1;
    tide__ctx_ref(ctx);
    if (ctx->filter.abort) ctx->filter.abort(ctx, ctx->filter.state);
    if (ctx->on_abort) ctx->on_abort(ctx, ctx->abort_data);
    /* A writer waiting for drain wakes up and sees -EPIPE. */
    if (ctx->drain_wait) tide__ctx_drain_event(ctx);
    tide__ctx_unref(ctx);
}

int tide_http_write_await(tide_http_ctx_t *ctx, const void *buf, size_t len)
{
    if (!tide_in_async()) return -EPERM;
    int rc = tide_http_write(ctx, buf, len);
    if (rc != 0) return rc;
    if (ctx->aborted) return -EPIPE;
    rc = hook_drain(ctx);
    if (rc < 0) return rc;
    tide_promise_t *p;
    rc = tide_promise_new(ctx->loop, &p);
    if (rc < 0) return rc;
    ctx->drain_wait = tide_promise_ref(p);
    tide__ctx_ref(ctx);
    rc = tide_await(p, NULL, NULL);
    tide_promise_release(p);
    int gone = ctx->aborted || ctx->ended;
    tide__ctx_unref(ctx);
    if (rc < 0) return rc;
    return gone ? -EPIPE : 1;
}
