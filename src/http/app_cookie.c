/* app_cookie.c - Set-Cookie headers as Express's res.cookie writes them:
 * the value percent-encoded, Max-Age with a matching Expires, Path "/" by
 * default, Domain, Secure, HttpOnly and SameSite; clearing sets an Expires
 * in 1970. Reading cookies is app_decode.c's. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "http/app_internal.h"

/* RFC 6265 token characters for the name. */
static int is_token(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 32 || c >= 127 || strchr("()<>@,;:\\\"/[]?={}", c)) return 0;
    }
    return 1;
}

static int attr_ok(const char *s)
{
    for (; *s; s++)
        if (*s == ';' || *s == '\r' || *s == '\n' || (unsigned char)*s < 32) return 0;
    return 1;
}

/* encodeURIComponent: everything but A-Z a-z 0-9 - _ . ! ~ * ' ( ) */
static size_t uri_component(char *dst, size_t cap, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   (c && strchr("-_.!~*'()", c));
        if (keep) {
            if (o + 1 < cap) dst[o] = (char)c;
            o++;
        } else {
            if (o + 3 < cap) {
                dst[o] = '%';
                dst[o + 1] = hex[c >> 4];
                dst[o + 2] = hex[c & 15];
            }
            o += 3;
        }
    }
    return o;
}

int tide__http_cookie_format(char *buf, size_t cap, const char *name, const char *value,
                             const tide_http_cookie_opts_t *opts, time_t now)
{
    static const tide_http_cookie_opts_t none = {0};
    if (!opts) opts = &none;
    if (!name || !is_token(name) || !value) return -EINVAL;
    if ((opts->path && !attr_ok(opts->path)) || (opts->domain && !attr_ok(opts->domain)))
        return -EINVAL;
    if (opts->has_max_age && opts->max_age_s < 0) return -EINVAL;
    size_t o = (size_t)snprintf(buf, cap, "%s=", name);
    if (o >= cap) return -ENOSPC;
    o += uri_component(buf + o, cap - o, value);
    if (o >= cap) return -ENOSPC;
#define ADD(...)                                                    \
    do {                                                            \
        int n_ = snprintf(buf + o, cap - o, __VA_ARGS__);           \
        if (n_ < 0 || (size_t)n_ >= cap - o) return -ENOSPC;        \
        o += (size_t)n_;                                            \
    } while (0)
    if (opts->has_max_age) ADD("; Max-Age=%lld", (long long)opts->max_age_s);
    if (opts->domain) ADD("; Domain=%s", opts->domain);
    ADD("; Path=%s", opts->path ? opts->path : "/");
    time_t expires = opts->has_max_age ? now + (time_t)opts->max_age_s : opts->expires;
    if (opts->has_max_age || opts->expires) {
        char date[32];
        tide__http_fmt_date(date, expires);
        ADD("; Expires=%s", date);
    }
    if (opts->http_only) ADD("; HttpOnly");
    if (opts->secure) ADD("; Secure");
    static const char *const samesite[] = {NULL, "Strict", "Lax", "None"};
    if (opts->same_site > TIDE_SAMESITE_NONE_SET && opts->same_site <= TIDE_SAMESITE_NONE)
        ADD("; SameSite=%s", samesite[opts->same_site]);
#undef ADD
    return (int)o;
}

int tide_http_set_cookie(tide_http_ctx_t *ctx, const char *name, const char *value,
                         const tide_http_cookie_opts_t *opts)
{
    char buf[4096];
    if (!ctx || ctx->ended) return -EINVAL;
    int n = tide__http_cookie_format(buf, sizeof buf, name, value, opts, time(NULL));
    if (n < 0) return n;
    return tide_http_res_add_header(ctx->res, "Set-Cookie", buf);
}

int tide_http_clear_cookie(tide_http_ctx_t *ctx, const char *name,
                           const tide_http_cookie_opts_t *opts)
{
    tide_http_cookie_opts_t o = opts ? *opts : (tide_http_cookie_opts_t){0};
    o.has_max_age = 0;
    o.expires = 1; /* Express: new Date(1), which prints as the epoch */
    return tide_http_set_cookie(ctx, name, "", &o);
}
