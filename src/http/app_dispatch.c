/* app_dispatch.c - next() and next(err): walk the router stack from where
 * the last layer left it, entering mounted routers and leaving them when
 * they run out, skipping normal layers while an error travels and error
 * layers while none does; past the end, the 404 and default error answers
 * (Express's finalhandler, without details in the body). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "http/app_internal.h"

tide_error_t *tide_http_error_new(int status, const char *message)
{
    if (status < 400 || status > 599) status = 500;
    return tide_error_new(TIDE_HTTP_STATUS_ERR(status), "%s",
                          message ? message : tide_http_status_text(status));
}

int tide_http_error_status(const tide_error_t *err)
{
    if (!err) return 500;
    int c = err->code;
    if (c <= TIDE_HTTP_STATUS_ERR(400) && c >= TIDE_HTTP_STATUS_ERR(599))
        return TIDE_HTTP_STATUS_ERR(0) - c;
    switch (c) {
    case TIDE_ERR_HTTP_BODY_TOO_LARGE: return 413;
    case TIDE_ERR_HTTP_PARSE: return 400;
    case TIDE_ERR_HTTP_URI_TOO_LONG: return 414;
    case -ENOENT: return 404;
    case -EACCES: return 403;
    default: return 500;
    }
}

static int method_matches(const tide__layer_t *l, const char *method)
{
    if (!l->method[0]) return 1;
    if (strcmp(l->method, method) == 0) return 1;
    return strcmp(method, "HEAD") == 0 && strcmp(l->method, "GET") == 0;
}

static void not_found(tide_http_ctx_t *ctx)
{
    char body[512];
    if (tide_http_ctx_answered(ctx)) {
        tide_http_end(ctx, NULL, 0);
        return;
    }
    /* The raw path only holds URL characters (the parser saw to it). */
    int n = snprintf(body, sizeof body, "Cannot %s %s\n", tide_http_ctx_method(ctx),
                     tide_http_req_path(ctx->req));
    if (n < 0 || (size_t)n >= sizeof body) n = snprintf(body, sizeof body, "Not Found\n");
    tide_http_res_set_header(ctx->res, "X-Content-Type-Options", "nosniff");
    tide_http_res_set_header(ctx->res, "Content-Security-Policy", "default-src 'none'");
    tide_http_send(ctx, 404, "text/plain; charset=utf-8", body, (size_t)n);
}

static void default_error(tide_http_ctx_t *ctx)
{
    int status = tide_http_error_status(ctx->error);
    if (tide_http_ctx_answered(ctx)) {
        /* Too late for a status: end what was started (Express destroys
         * the socket; a truncated chunked body tells the client as much). */
        tide_http_end(ctx, NULL, 0);
        return;
    }
    tide_http_res_remove_header(ctx->res, "Content-Encoding");
    tide_http_res_remove_header(ctx->res, "Content-Range");
    tide_http_res_remove_header(ctx->res, "Content-Length");
    tide_http_res_set_header(ctx->res, "X-Content-Type-Options", "nosniff");
    tide_http_res_set_header(ctx->res, "Content-Security-Policy", "default-src 'none'");
    char body[64];
    int n = snprintf(body, sizeof body, "%s\n", tide_http_status_text(status));
    tide_http_send(ctx, status, "text/plain; charset=utf-8", body, (size_t)n);
}

/* Run the next layer that fits the request and the error state. */
static void dispatch(tide_http_ctx_t *ctx)
{
    ctx->gen++;
    const char *method = tide_http_req_method(ctx->req);
    while (ctx->depth) {
        tide__frame_t *f = &ctx->frames[ctx->depth - 1];
        if (f->idx >= f->router->n) {
            ctx->depth--;
            continue;
        }
        tide__layer_t *l = &f->router->layers[f->idx++];
        int is_error = l->kind == TIDE__LAYER_ERROR;
        if (is_error != (ctx->error != NULL) && l->kind != TIDE__LAYER_ROUTER) continue;
        if (!method_matches(l, method)) continue;
        int prefix = l->kind != TIDE__LAYER_ROUTE && l->kind != TIDE__LAYER_ROUTE_ASYNC;
        tide__param_t params[TIDE__MAX_PARAMS];
        size_t np, consumed;
        if (!tide__pattern_match(&ctx->arena, &l->pattern, ctx->segs + f->base,
                                 ctx->nsegs - f->base, prefix, params, &np, &consumed))
            continue;
        if (l->kind == TIDE__LAYER_ROUTER) {
            if (ctx->depth == TIDE__MAX_DEPTH) continue; /* too deep: skipped */
            tide__frame_t *sub = &ctx->frames[ctx->depth++];
            sub->router = l->sub;
            sub->idx = 0;
            sub->base = f->base + consumed;
            continue;
        }
        memcpy(ctx->params, params, np * sizeof *params);
        ctx->nparams = np;
        ctx->base = prefix ? f->base + consumed : f->base;
        switch (l->kind) {
        case TIDE__LAYER_USE:
        case TIDE__LAYER_ROUTE: l->u.fn(ctx, l->data); return;
        case TIDE__LAYER_USE_ASYNC:
        case TIDE__LAYER_ROUTE_ASYNC: tide__ctx_run_async(ctx, l->u.async_fn, l->data); return;
        case TIDE__LAYER_ERROR: l->u.error_fn(ctx, ctx->error, l->data); return;
        case TIDE__LAYER_ROUTER: break;
        }
    }
    ctx->base = 0;
    if (ctx->error) default_error(ctx);
    else not_found(ctx);
}

void tide_http_next(tide_http_ctx_t *ctx)
{
    if (!ctx || ctx->ended) return;
    if (ctx->error) {
        /* next() from an error handler: recovered, as in Express */
        tide_error_release(ctx->error);
        ctx->error = NULL;
    }
    dispatch(ctx);
}

void tide_http_next_error(tide_http_ctx_t *ctx, tide_error_t *err)
{
    if (!ctx || ctx->ended) {
        tide_error_release(err);
        return;
    }
    if (!err) err = tide_http_error_new(500, NULL);
    tide_error_t *old = ctx->error;
    ctx->error = err;
    tide_error_release(old);
    dispatch(ctx);
}
