/* app_cors.c - the cors package as middleware: Access-Control-Allow-Origin
 * ("*" or the request's Origin when it is on the allow-list, with
 * Vary: Origin), credentials, exposed headers, and preflight OPTIONS
 * requests answered 204 with the allowed methods, headers and max age. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/app_internal.h"

static const char *allowed_origin(const tide_http_cors_opts_t *o, const char *origin, int *vary)
{
    *vary = 0;
    if (!o->origins) return "*";
    *vary = 1;
    if (!origin) return NULL;
    for (const char *const *p = o->origins; *p; p++)
        if (strcmp(*p, origin) == 0) return origin;
    return NULL;
}

static void add_vary(tide_http_res_t *res, const char *field)
{
    const char *cur = tide_http_res_get_header(res, "Vary");
    if (!cur) {
        tide_http_res_set_header(res, "Vary", field);
        return;
    }
    if (strcasestr(cur, field) || strcmp(cur, "*") == 0) return;
    char buf[512];
    snprintf(buf, sizeof buf, "%s, %s", cur, field);
    tide_http_res_set_header(res, "Vary", buf);
}

void tide_http_cors(tide_http_ctx_t *ctx, void *opts)
{
    static const tide_http_cors_opts_t defaults = {0};
    const tide_http_cors_opts_t *o = opts ? opts : &defaults;
    tide_http_req_t *req = ctx->req;
    tide_http_res_t *res = ctx->res;
    int vary;
    const char *origin = allowed_origin(o, tide_http_req_header(req, "Origin"), &vary);
    if (origin) tide_http_res_set_header(res, "Access-Control-Allow-Origin", origin);
    if (vary) add_vary(res, "Origin");
    if (o->credentials) tide_http_res_set_header(res, "Access-Control-Allow-Credentials", "true");

    if (strcmp(tide_http_req_method(req), "OPTIONS") != 0) {
        if (o->exposed_headers)
            tide_http_res_set_header(res, "Access-Control-Expose-Headers", o->exposed_headers);
        tide_http_next(ctx);
        return;
    }
    /* Preflight: every OPTIONS, as the cors package treats them. */
    tide_http_res_set_header(res, "Access-Control-Allow-Methods",
                             o->methods ? o->methods : "GET,HEAD,PUT,PATCH,POST,DELETE");
    if (o->allowed_headers) {
        tide_http_res_set_header(res, "Access-Control-Allow-Headers", o->allowed_headers);
    } else {
        const char *asked = tide_http_req_header(req, "Access-Control-Request-Headers");
        add_vary(res, "Access-Control-Request-Headers");
        if (asked) tide_http_res_set_header(res, "Access-Control-Allow-Headers", asked);
    }
    if (o->max_age_s > 0) {
        char age[24];
        snprintf(age, sizeof age, "%d", o->max_age_s);
        tide_http_res_set_header(res, "Access-Control-Max-Age", age);
    }
    tide_http_send(ctx, 204, NULL, NULL, 0);
}
