/* app_core.c - the app and the life of a request's context: the server's
 * handler makes (or reuses) a context, splits and decodes the path (400
 * for a bad escape), and starts the dispatch; the context goes back to the
 * app's free list when its response has ended and nothing holds it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http/app_internal.h"

int tide_http_app_new(tide_loop_t *loop, tide_http_app_t **out)
{
    if (!loop || !out) return -EINVAL;
    tide_http_app_t *app = calloc(1, sizeof *app);
    if (!app) return -ENOMEM;
    int rc = tide_http_router_new(loop, &app->root);
    if (rc < 0) {
        free(app);
        return rc;
    }
    app->loop = loop;
    *out = app;
    return 0;
}

static void app_destroy(tide_http_app_t *app)
{
    while (app->free_ctxs) {
        tide_http_ctx_t *c = app->free_ctxs;
        app->free_ctxs = c->next_free;
        tide__arena_free(&c->arena);
        tide__pairs_free(&c->query);
        tide__pairs_free(&c->cookies);
        tide__pairs_free(&c->form);
        free(c);
    }
    tide_http_router_free(app->root);
    free(app);
}

void tide_http_app_free(tide_http_app_t *app)
{
    if (!app) return;
    /* Requests in flight still walk the routers: the last one frees. */
    if (app->in_flight) app->freed = 1;
    else app_destroy(app);
}

tide_loop_t *tide_http_app_loop(const tide_http_app_t *app) { return app ? app->loop : NULL; }
tide_http_router_t *tide_http_app_router(tide_http_app_t *app) { return app ? app->root : NULL; }
size_t tide_http_app_in_flight(const tide_http_app_t *app) { return app ? app->in_flight : 0; }

int tide_http_app_listen(tide_http_app_t *app, const char *host, int port,
                         const tide_http_server_opts_t *opts, tide_http_server_t **out)
{
    if (!app) return -EINVAL;
    return tide_http_listen(app->loop, host, port, opts, tide_http_app_handler, app, out);
}

static void on_res_close(tide_http_res_t *res, void *data)
{
    tide__ctx_abort_event(data);
}

/* The response ended without the context (tide_http_res_end called
 * directly): the context is done all the same. */
static void on_res_finish(tide_http_res_t *res, void *data)
{
    tide__ctx_finished(data);
}

void tide_http_app_handler(tide_http_req_t *req, tide_http_res_t *res, void *data)
{
    tide_http_app_t *app = data;
    tide_http_ctx_t *ctx = app->free_ctxs;
    if (ctx) {
        app->free_ctxs = ctx->next_free;
    } else if (!(ctx = calloc(1, sizeof *ctx))) {
        tide_http_res_send(res, 503, "text/plain; charset=utf-8", "Service Unavailable\n", 20);
        return;
    }
    tide__arena_t arena = ctx->arena;
    tide__pairs_t q = ctx->query, c = ctx->cookies, f = ctx->form;
    memset(ctx, 0, sizeof *ctx);
    ctx->arena = arena;
    ctx->query = q, ctx->cookies = c, ctx->form = f;
    ctx->query.n = ctx->cookies.n = ctx->form.n = 0;
    ctx->app = app;
    ctx->loop = app->loop;
    ctx->req = req;
    ctx->res = res;
    ctx->refs = 1; /* the response, until it ends */
    app->in_flight++;
    tide_http_res_on_close(res, on_res_close, ctx);
    tide_http_res_on_finish(res, on_res_finish, ctx);

    int rc = tide__path_split(&ctx->arena, tide_http_req_path(req), &ctx->segs, &ctx->nsegs);
    if (rc < 0) {
        /* Express answers a path it cannot decode with 400 */
        tide_http_next_error(ctx, tide_http_error_new(rc == -EINVAL ? 400 : 500, NULL));
        return;
    }
    ctx->frames[0].router = app->root;
    ctx->depth = 1;
    tide_http_next(ctx);
}

void tide__ctx_ref(tide_http_ctx_t *ctx) { ctx->refs++; }

void tide__ctx_unref(tide_http_ctx_t *ctx)
{
    if (--ctx->refs) return;
    tide_http_app_t *app = ctx->app;
    tide_error_release(ctx->error);
    ctx->error = NULL;
    if (ctx->json) json_decref(ctx->json);
    ctx->json = NULL;
    free(ctx->body);
    ctx->body = NULL;
    tide__arena_reset(&ctx->arena);
    ctx->next_free = app->free_ctxs;
    app->free_ctxs = ctx;
    if (--app->in_flight == 0 && app->freed) app_destroy(app);
}

const char *tide__ctx_path_below(const tide_http_ctx_t *ctx, size_t base)
{
    if (base >= ctx->nsegs) return "/";
    return ctx->segs[base].raw - 1; /* the '/' before it, in the request's path */
}

tide_http_req_t *tide_http_ctx_req(const tide_http_ctx_t *ctx) { return ctx->req; }
tide_http_res_t *tide_http_ctx_res(const tide_http_ctx_t *ctx) { return ctx->res; }
tide_http_app_t *tide_http_ctx_app(const tide_http_ctx_t *ctx) { return ctx->app; }
tide_loop_t *tide_http_ctx_loop(const tide_http_ctx_t *ctx) { return ctx->loop; }
const char *tide_http_ctx_method(const tide_http_ctx_t *ctx)
{
    return ctx->req ? tide_http_req_method(ctx->req) : "";
}
const char *tide_http_ctx_path(const tide_http_ctx_t *ctx)
{
    return tide__ctx_path_below(ctx, ctx->base);
}
int tide_http_ctx_aborted(const tide_http_ctx_t *ctx) { return ctx->aborted; }
int tide_http_ctx_answered(const tide_http_ctx_t *ctx)
{
    return ctx->ended || ctx->head_sent_by_filter || tide_http_res_headers_sent(ctx->res);
}

const char *tide_http_param(const tide_http_ctx_t *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->nparams; i++)
        if (strcmp(ctx->params[i].name, name) == 0) return ctx->params[i].value;
    return NULL;
}

static int parse_query(tide_http_ctx_t *ctx)
{
    if (ctx->query_parsed || !ctx->req) return 0;
    const char *q = tide_http_req_query(ctx->req);
    int rc = tide__http_parse_query(&ctx->arena, q, strlen(q), &ctx->query);
    if (rc == 0) ctx->query_parsed = 1;
    return rc;
}

const char *tide_http_query(tide_http_ctx_t *ctx, const char *name)
{
    return parse_query(ctx) < 0 ? NULL : tide__pairs_get(&ctx->query, name);
}

size_t tide_http_query_all(tide_http_ctx_t *ctx, const char *name, const char **values, size_t cap)
{
    size_t n = 0;
    if (parse_query(ctx) < 0) return 0;
    for (size_t i = 0; i < ctx->query.n; i++) {
        if (strcmp(ctx->query.items[i].name, name) != 0) continue;
        if (n < cap) values[n] = ctx->query.items[i].value;
        n++;
    }
    return n;
}

size_t tide_http_query_count(tide_http_ctx_t *ctx)
{
    return parse_query(ctx) < 0 ? 0 : ctx->query.n;
}

int tide_http_query_at(tide_http_ctx_t *ctx, size_t i, const char **name, const char **value)
{
    if (parse_query(ctx) < 0 || i >= ctx->query.n) return 0;
    *name = ctx->query.items[i].name;
    *value = ctx->query.items[i].value;
    return 1;
}

const char *tide_http_cookie(tide_http_ctx_t *ctx, const char *name)
{
    if (!ctx->cookies_parsed && ctx->req) {
        const char *h = tide_http_req_header(ctx->req, "Cookie");
        if (h && tide__http_parse_cookies(&ctx->arena, h, &ctx->cookies) < 0) return NULL;
        ctx->cookies_parsed = 1;
    }
    return tide__pairs_get(&ctx->cookies, name);
}

int tide_http_ctx_set(tide_http_ctx_t *ctx, const char *key, void *value)
{
    for (size_t i = 0; i < ctx->nlocals; i++)
        if (strcmp(ctx->locals[i].key, key) == 0) {
            ctx->locals[i].value = value;
            return 0;
        }
    if (ctx->nlocals == TIDE__MAX_LOCALS) return -ENOSPC;
    ctx->locals[ctx->nlocals].key = key;
    ctx->locals[ctx->nlocals++].value = value;
    return 0;
}

void *tide_http_ctx_get(const tide_http_ctx_t *ctx, const char *key)
{
    for (size_t i = 0; i < ctx->nlocals; i++)
        if (strcmp(ctx->locals[i].key, key) == 0) return ctx->locals[i].value;
    return NULL;
}
