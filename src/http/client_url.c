/* http/client_url.c - what a request is before it meets a socket: the
 * http:// URL split into host, port and target, a redirect's Location
 * resolved against it, the caller's headers checked (no header injection)
 * and the head serialized once per hop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/client_internal.h"
#include "http/token.h"

static char *dup_n(const char *s, size_t n)
{
    char *d = tide__malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* "http://host[:port][/path][?query][#frag]". The fragment is never sent. */
int tide__hc_url_parse(const char *url, char **host, int *port, char **target)
{
    if (!url) return -EINVAL;
    const char *colon = strstr(url, "://");
    if (!colon) return -EINVAL;
    if ((size_t)(colon - url) != 4 || strncasecmp(url, "http", 4) != 0) return -EPROTONOSUPPORT;
    const char *p = colon + 3;
    const char *auth_end = p + strcspn(p, "/?#");
    const char *h = p, *h_end, *port_at = NULL;
    if (memchr(p, '@', (size_t)(auth_end - p))) return -EINVAL; /* no userinfo */
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(auth_end - p));
        if (!rb) return -EINVAL;
        h = p + 1;
        h_end = rb;
        if (rb + 1 < auth_end) {
            if (rb[1] != ':') return -EINVAL;
            port_at = rb + 2;
        }
    } else {
        const char *c = memchr(p, ':', (size_t)(auth_end - p));
        h_end = c ? c : auth_end;
        if (c) port_at = c + 1;
    }
    if (h_end == h) return -EINVAL;
    for (const char *c = h; c < h_end; c++)
        if ((unsigned char)*c <= ' ' || *c == '%' || *c == '\\' || (unsigned char)*c >= 0x7f)
            return -EINVAL;
    int pn = 80;
    if (port_at) {
        if (port_at == auth_end || auth_end - port_at > 5) return -EINVAL;
        pn = 0;
        for (const char *c = port_at; c < auth_end; c++) {
            if (*c < '0' || *c > '9') return -EINVAL;
            pn = pn * 10 + (*c - '0');
        }
        if (pn < 1 || pn > 65535) return -EINVAL;
    }
    const char *t = auth_end;
    size_t tlen = strcspn(t, "#");
    for (size_t i = 0; i < tlen; i++)
        if ((unsigned char)t[i] <= ' ' || (unsigned char)t[i] == 0x7f) return -EINVAL;
    char *hs = dup_n(h, (size_t)(h_end - h));
    char *ts = tlen == 0 || *t == '?' ? tide__malloc(tlen + 2) : dup_n(t, tlen);
    if (!hs || !ts) {
        tide__free(hs);
        tide__free(ts);
        return -ENOMEM;
    }
    if (tlen == 0 || *t == '?') { /* "http://h?x" asks for "/?x" */
        ts[0] = '/';
        memcpy(ts + 1, t, tlen);
        ts[tlen + 1] = '\0';
    }
    *host = hs;
    *port = pn;
    *target = ts;
    return 0;
}

/* A Location against the URL it came from: absolute, scheme-relative
 * ("//host/x"), absolute-path ("/x") or relative ("x", "../x" are taken
 * from the base's directory without collapsing dots: the server sees
 * what the Location said). NULL when memory runs out. */
char *tide__hc_url_resolve(const char *base, const char *location)
{
    if (strstr(location, "://") && strcspn(location, ":") < strcspn(location, "/?#"))
        return dup_n(location, strlen(location));
    const char *scheme_end = strstr(base, "://") + 3;
    const char *path = scheme_end + strcspn(scheme_end, "/?#");
    size_t keep;
    if (location[0] == '/' && location[1] == '/') keep = (size_t)(scheme_end - 2 - base);
    else if (location[0] == '/') keep = (size_t)(path - base);
    else if (location[0] == '?') keep = (size_t)(path - base) + strcspn(path, "?#");
    else {
        size_t plen = strcspn(path, "?#");
        const char *slash = NULL;
        for (size_t i = 0; i < plen; i++)
            if (path[i] == '/') slash = path + i;
        keep = slash ? (size_t)(slash + 1 - base) : (size_t)(path - base);
        if (!slash) { /* "http://h" + "x" is "http://h/x" */
            size_t n = keep + 1 + strlen(location);
            char *r = tide__malloc(n + 1);
            if (!r) return NULL;
            snprintf(r, n + 1, "%.*s/%s", (int)keep, base, location);
            return r;
        }
    }
    size_t n = keep + strlen(location);
    char *r = tide__malloc(n + 1);
    if (!r) return NULL;
    memcpy(r, base, keep);
    strcpy(r + keep, location);
    return r;
}

/* A name must be a token and a value a field value (http/token.h), or the
 * caller's header could start a header (or a request) of its own. */
int tide__hc_check_headers(const tide_http_header_t *hdrs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *name = hdrs[i].name, *value = hdrs[i].value;
        if (!name || !value || !*name) return -EINVAL;
        if (!tide__http_is_token(name) || !tide__http_is_field_value(value))
            return TIDE_ERR_HTTP_INVALID_HEADER_VALUE;
    }
    return 0;
}

typedef struct {
    char *buf;
    size_t len, cap;
    int oom;
} sbuf_t;

static void put(sbuf_t *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n) cap *= 2;
        char *nb = tide__realloc(b->buf, cap);
        if (!nb) {
            b->oom = 1;
            return;
        }
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
}

static void puts_(sbuf_t *b, const char *s) { put(b, s, strlen(s)); }

static void release_head(void *base, void *data)
{
    (void)data;
    tide__free(base);
}

static int has_header(const tide__hc_ex_t *ex, const char *name)
{
    for (size_t i = 0; i < ex->nhdrs; i++)
        if (strcasecmp(ex->hdrs[i].name, name) == 0) return 1;
    return 0;
}

/* The request line and headers. Node's defaults: Host, then the caller's
 * headers, then the framing the body needs, then Connection. */
int tide__hc_build_head(tide__hc_ex_t *ex)
{
    sbuf_t b = {0};
    char num[32];
    puts_(&b, ex->method);
    puts_(&b, " ");
    puts_(&b, ex->target);
    puts_(&b, " HTTP/1.1\r\n");
    if (!has_header(ex, "host")) {
        int v6 = strchr(ex->host, ':') != NULL;
        puts_(&b, "Host: ");
        if (v6) puts_(&b, "[");
        puts_(&b, ex->host);
        if (v6) puts_(&b, "]");
        if (ex->port != 80) {
            snprintf(num, sizeof num, ":%d", ex->port);
            puts_(&b, num);
        }
        puts_(&b, "\r\n");
    }
    for (size_t i = 0; i < ex->nhdrs; i++) {
        puts_(&b, ex->hdrs[i].name);
        puts_(&b, ": ");
        puts_(&b, ex->hdrs[i].value);
        puts_(&b, "\r\n");
    }
    if (ex->wbody) {
        if (!has_header(ex, "transfer-encoding")) puts_(&b, "Transfer-Encoding: chunked\r\n");
    } else if ((ex->body_len || strcmp(ex->method, "POST") == 0 || strcmp(ex->method, "PUT") == 0 ||
                strcmp(ex->method, "PATCH") == 0) &&
               !has_header(ex, "content-length")) {
        snprintf(num, sizeof num, "Content-Length: %zu\r\n", ex->body_len);
        puts_(&b, num);
    }
    if (ex->expect && !has_header(ex, "expect")) puts_(&b, "Expect: 100-continue\r\n");
    if (!has_header(ex, "connection"))
        puts_(&b, ex->agent->opts.flags & TIDE_HTTP_AGENT_NO_KEEPALIVE ? "Connection: close\r\n"
                                                                        : "Connection: keep-alive\r\n");
    puts_(&b, "\r\n");
    if (b.oom) {
        tide__free(b.buf);
        return -ENOMEM;
    }
    const tide_chunk_t *c;
    int rc = tide_chunk_new(ex->loop, b.buf, b.len, release_head, NULL, &c);
    if (rc) {
        tide__free(b.buf);
        return rc;
    }
    if (ex->head) tide_chunk_release(ex->head);
    ex->head = c;
    return 0;
}
