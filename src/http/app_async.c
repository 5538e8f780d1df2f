/* app_async.c - handlers and middleware that run on their own fiber: the
 * layer's function may tide_await anything; a negative return that was not
 * followed by an answer or a next() becomes an error for the error
 * middleware. The fiber holds the context until it returns. */
#include <errno.h>

#include "http/app_internal.h"

static tide_result_t run_layer(tide_loop_t *loop, void *arg)
{
    tide_http_ctx_t *ctx = arg;
    tide_http_async_fn fn = ctx->async_fn;
    void *data = ctx->async_data;
    unsigned gen = ctx->gen;
    int rc = fn(ctx, data);
    /* The code keeps its meaning: tide_http_error_status maps it. */
    if (rc < 0 && !ctx->ended && ctx->gen == gen) tide_http_next_error(ctx, tide_error_new(rc, NULL));
    tide__ctx_unref(ctx);
    return tide_ok(NULL);
}

void tide__ctx_run_async(tide_http_ctx_t *ctx, tide_http_async_fn fn, void *data)
{
    ctx->async_fn = fn;
    ctx->async_data = data;
    tide__ctx_ref(ctx);
    int rc = tide_async(ctx->loop, run_layer, ctx, NULL);
    if (rc < 0) {
        tide__ctx_unref(ctx);
        tide_http_next_error(ctx, tide_error_new(rc, "no fiber for the handler"));
    }
}
