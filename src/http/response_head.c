/* http/response_head.c - a response's headers until they are sent, and
 * the head itself, formatted straight into the connection's output: the
 * status line, the user's headers, the cached Date, the framing
 * (Content-Length, chunked, or close for HTTP/1.0) and Connection when
 * it differs from the version's default. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/http_internal.h"
#include "http/token.h"

static int check(tide_http_res_t *res, const char *name, const char *value)
{
    if (!res || !name || !value || !tide__http_is_token(name)) return -EINVAL;
    if (!tide__http_is_field_value(value)) return TIDE_ERR_HTTP_INVALID_HEADER_VALUE;
    if (res->flags & RES_HEADERS_SENT) return TIDE_ERR_HTTP_HEADERS_SENT;
    return 0;
}

int tide_http_res_add_header(tide_http_res_t *res, const char *name, const char *value)
{
    int err = check(res, name, value);
    if (err) return err;
    tide_http_req_t *req = tide__http_req_of(res);
    if (res->nhdrs == res->hcap) {
        uint32_t cap = res->hcap * 2;
        tide__http_rhdr_t *h = tide__http_arena_alloc(req, sizeof *h * cap);
        if (!h) return -ENOMEM;
        memcpy(h, res->hdrs, sizeof *h * res->nhdrs);
        res->hdrs = h;
        res->hcap = cap;
    }
    size_t nl = strlen(name), vl = strlen(value);
    const char *n = tide__http_arena_dup(req, name, nl);
    const char *v = n ? tide__http_arena_dup(req, value, vl) : NULL;
    if (!v) return -ENOMEM;
    tide__http_rhdr_t *h = &res->hdrs[res->nhdrs++];
    h->name = n;
    h->value = v;
    h->name_len = (uint32_t)nl;
    h->value_len = (uint32_t)vl;
    return 0;
}

int tide_http_res_remove_header(tide_http_res_t *res, const char *name)
{
    if (!res || !name) return -EINVAL;
    if (res->flags & RES_HEADERS_SENT) return TIDE_ERR_HTTP_HEADERS_SENT;
    for (uint32_t i = 0; i < res->nhdrs; i++)
        if (res->hdrs[i].name && !strcasecmp(res->hdrs[i].name, name)) res->hdrs[i].name = NULL;
    return 0;
}

int tide_http_res_set_header(tide_http_res_t *res, const char *name, const char *value)
{
    int err = check(res, name, value);
    if (err) return err;
    tide_http_res_remove_header(res, name);
    return tide_http_res_add_header(res, name, value);
}

const char *tide_http_res_get_header(const tide_http_res_t *res, const char *name)
{
    if (!res || !name) return NULL;
    for (uint32_t i = 0; i < res->nhdrs; i++)
        if (res->hdrs[i].name && !strcasecmp(res->hdrs[i].name, name)) return res->hdrs[i].value;
    return NULL;
}

int tide_http_res_status(tide_http_res_t *res, int status)
{
    if (!res || status < 100 || status > 999) return -EINVAL;
    if (res->flags & RES_HEADERS_SENT) return TIDE_ERR_HTTP_HEADERS_SENT;
    res->status = status;
    return 0;
}

int tide_http_res_get_status(const tide_http_res_t *res) { return res ? res->status : -EINVAL; }
int tide_http_res_headers_sent(const tide_http_res_t *res)
{
    return res && (res->flags & RES_HEADERS_SENT) ? 1 : 0;
}

static char *put(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

#define PUT_LIT(p, s) put((p), (s), sizeof(s) - 1)

static char *put_u64(char *p, uint64_t v)
{
    char tmp[24];
    int i = 0;
    do tmp[i++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (i) *p++ = tmp[--i];
    return p;
}

/* Look at the user's own framing and connection headers. */
static size_t scan_headers(tide_http_res_t *res)
{
    size_t size = 0;
    for (uint32_t i = 0; i < res->nhdrs; i++) {
        tide__http_rhdr_t *h = &res->hdrs[i];
        if (!h->name) continue;
        size += h->name_len + h->value_len + 4;
        switch (h->name[0] | 0x20) {
        case 'c':
            if (!strcasecmp(h->name, "content-length")) {
                res->flags |= RES_HAS_CL;
            } else if (!strcasecmp(h->name, "connection")) {
                res->flags |= RES_HAS_CONN;
                if (!strcasecmp(h->value, "close")) res->flags |= RES_CLOSE;
            }
            break;
        case 't':
            if (!strcasecmp(h->name, "transfer-encoding")) {
                res->flags |= RES_HAS_TE;
                if (strcasestr(h->value, "chunked")) res->flags |= RES_CHUNKED;
            }
            break;
        case 'd':
            if (!strcasecmp(h->name, "date")) res->flags |= RES_HAS_DATE;
            break;
        }
    }
    return size;
}

int tide__http_res_head(tide_http_res_t *res, uint64_t body_len, int know_len)
{
    tide_http_req_t *req = tide__http_req_of(res);
    tide__http_conn_t *c = req->conn;
    size_t size = scan_headers(res) + 256;
    if (res->ctype) size += strlen(res->ctype) + 16;
    char *start = tide__http_out_reserve(c, size);
    if (!start) return -ENOMEM;
    char *p = start + tide__http_put_status(start, res->status);
    for (uint32_t i = 0; i < res->nhdrs; i++) {
        tide__http_rhdr_t *h = &res->hdrs[i];
        if (!h->name) continue;
        p = put(p, h->name, h->name_len);
        p = PUT_LIT(p, ": ");
        p = put(p, h->value, h->value_len);
        p = PUT_LIT(p, "\r\n");
    }
    if (res->ctype) {
        p = PUT_LIT(p, "Content-Type: ");
        p = put(p, res->ctype, strlen(res->ctype));
        p = PUT_LIT(p, "\r\n");
    }
    if (!(res->flags & RES_HAS_DATE)) {
        size_t dl;
        const char *d = tide__http_date(c->srv->hl, &dl);
        p = put(p, d, dl);
    }
    int st = res->status;
    if (st < 200 || st == 204 || st == 304) {
        res->flags |= RES_NO_BODY; /* no body and no framing headers */
        res->flags &= ~RES_CHUNKED;
    } else if (res->flags & (RES_HAS_CL | RES_HAS_TE)) {
        /* the user's own framing */
    } else if (know_len) {
        p = PUT_LIT(p, "Content-Length: ");
        p = put_u64(p, body_len);
        p = PUT_LIT(p, "\r\n");
    } else if (req->minor >= 1) {
        p = PUT_LIT(p, "Transfer-Encoding: chunked\r\n");
        res->flags |= RES_CHUNKED;
    } else {
        res->flags |= RES_CLOSE; /* HTTP/1.0: the close ends the body */
    }
    if ((res->flags & RES_NO_BODY) && (req->flags & Q_HEAD)) res->flags &= ~RES_CHUNKED;
    /* a big body nobody read is not worth discarding: close instead */
    if ((req->flags & Q_HAS_BODY) && !(req->flags & Q_COMPLETE) && !req->body &&
        (req->content_length < 0 ||
         (uint64_t)req->content_length - req->body_bytes > TIDE__HTTP_DISCARD_LIMIT))
        res->flags |= RES_CLOSE;
    if (c->srv->flags & SRV_CLOSING) res->flags |= RES_CLOSE;
    if (!(res->flags & RES_HAS_CONN)) {
        if (res->flags & RES_CLOSE) p = PUT_LIT(p, "Connection: close\r\n");
        else if (req->minor == 0) p = PUT_LIT(p, "Connection: keep-alive\r\n");
    }
    p = PUT_LIT(p, "\r\n");
    tide__http_out_commit(c, (size_t)(p - start));
    res->flags |= RES_HEADERS_SENT;
    res->ctype = NULL;
    return 0;
}

int tide_http_res_write_head(tide_http_res_t *res, int status)
{
    if (!res) return -EINVAL;
    tide__http_conn_t *c = tide__http_req_of(res)->conn;
    if (c->flags & C_CLOSED) return -EPIPE;
    if (res->flags & RES_HEADERS_SENT) return TIDE_ERR_HTTP_HEADERS_SENT;
    if (status && (status < 100 || status > 999)) return -EINVAL;
    if (status) res->status = status;
    int err = tide__http_res_head(res, 0, 0);
    if (!err) tide__http_flush_soon(c);
    return err;
}
