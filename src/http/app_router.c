/* app_router.c - routers as ordered stacks of layers (middleware, error
 * middleware, routes, mounted sub-routers), each with its compiled path
 * pattern; the order of registration is the order of dispatch. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#include "http/app_internal.h"

int tide_http_router_new(tide_loop_t *loop, tide_http_router_t **out)
{
    if (!out) return -EINVAL;
    tide_http_router_t *r = calloc(1, sizeof *r);
    if (!r) return -ENOMEM;
    r->loop = loop;
    *out = r;
    return 0;
}

void tide_http_router_free(tide_http_router_t *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        tide__pattern_free(&r->layers[i].pattern);
        if (r->layers[i].sub) tide_http_router_free(r->layers[i].sub);
    }
    free(r->layers);
    free(r);
}

static int add_layer(tide_http_router_t *r, tide__layer_kind kind, const char *method,
                     const char *path, void *fn, void *data, tide_http_router_t *sub)
{
    if (!r || (!fn && !sub)) return -EINVAL;
    tide__layer_t l;
    memset(&l, 0, sizeof l);
    if (method) {
        size_t len = strlen(method);
        if (len == 0 || len >= sizeof l.method) return -EINVAL;
        for (size_t i = 0; i < len; i++) l.method[i] = (char)toupper((unsigned char)method[i]);
    }
    int rc = tide__pattern_compile(path, &l.pattern);
    if (rc < 0) return rc;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        tide__layer_t *layers = realloc(r->layers, cap * sizeof *layers);
        if (!layers) {
            tide__pattern_free(&l.pattern);
            return -ENOMEM;
        }
        r->layers = layers;
        r->cap = cap;
    }
    l.kind = kind;
    l.data = data;
    l.sub = sub;
    switch (kind) {
    case TIDE__LAYER_USE:
    case TIDE__LAYER_ROUTE: l.u.fn = (tide_http_fn)fn; break;
    case TIDE__LAYER_USE_ASYNC:
    case TIDE__LAYER_ROUTE_ASYNC: l.u.async_fn = (tide_http_async_fn)fn; break;
    case TIDE__LAYER_ERROR: l.u.error_fn = (tide_http_error_fn)fn; break;
    case TIDE__LAYER_ROUTER: break;
    }
    r->layers[r->n++] = l;
    return 0;
}

/* Function pointers travel through void * here only to share add_layer;
 * each is converted back to its own type before any call. */
#define FN(f) ((void *)(uintptr_t)(f))

int tide_http_router_use(tide_http_router_t *r, const char *prefix, tide_http_fn fn, void *data)
{
    return add_layer(r, TIDE__LAYER_USE, NULL, prefix, FN(fn), data, NULL);
}

int tide_http_router_use_async(tide_http_router_t *r, const char *prefix, tide_http_async_fn fn,
                               void *data)
{
    return add_layer(r, TIDE__LAYER_USE_ASYNC, NULL, prefix, FN(fn), data, NULL);
}

int tide_http_router_use_error(tide_http_router_t *r, const char *prefix, tide_http_error_fn fn,
                               void *data)
{
    return add_layer(r, TIDE__LAYER_ERROR, NULL, prefix, FN(fn), data, NULL);
}

int tide_http_router_route(tide_http_router_t *r, const char *method, const char *path,
                           tide_http_fn fn, void *data)
{
    if (!path) return -EINVAL;
    return add_layer(r, TIDE__LAYER_ROUTE, method, path, FN(fn), data, NULL);
}

int tide_http_router_route_async(tide_http_router_t *r, const char *method, const char *path,
                                 tide_http_async_fn fn, void *data)
{
    if (!path) return -EINVAL;
    return add_layer(r, TIDE__LAYER_ROUTE_ASYNC, method, path, FN(fn), data, NULL);
}

int tide_http_router_mount(tide_http_router_t *r, const char *prefix, tide_http_router_t *sub)
{
    if (!sub || sub == r) return -EINVAL;
    if (sub->mounted) return -EBUSY;
    int rc = add_layer(r, TIDE__LAYER_ROUTER, NULL, prefix, NULL, NULL, sub);
    if (rc == 0) sub->mounted = 1;
    return rc;
}
