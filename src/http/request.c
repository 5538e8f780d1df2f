/* http/request.c - the request record (pooled with its response), its
 * arena and its accessors. The arena holds the request's strings, copied
 * and NUL-terminated as the parser's spans arrive (a span may be split
 * across reads): strings grow up from the bottom, copies (response
 * headers, arrays) are taken from the top, so a copy never disturbs a
 * string still being built. Blocks beyond the inline bytes are freed with
 * the request. */
#include <string.h>
#include <strings.h>

#include "http/http_internal.h"

tide_http_req_t *tide__http_req_new(tide__http_conn_t *c)
{
    tide_http_req_t *req = tide__pool_get(&c->srv->hl->exchanges);
    if (!req) return NULL;
    memset(req, 0, offsetof(tide_http_req_t, inline_hdrs));
    req->conn = c;
    req->srv = c->srv;
    req->hdrs = req->inline_hdrs;
    req->hcap = TIDE__HTTP_INLINE_HEADERS;
    req->abase = req->arena;
    req->atop = TIDE__HTTP_ARENA_INLINE;
    req->url = req->path = req->query = "";
    req->res.status = 200;
    req->res.hdrs = req->res.inline_hdrs;
    req->res.hcap = TIDE__HTTP_RES_INLINE_HEADERS;
    return req;
}

void tide__http_req_free(tide_http_req_t *req)
{
    tide__http_block_t *b = req->blocks;
    while (b) {
        tide__http_block_t *next = b->next;
        tide__free(b);
        b = next;
    }
    tide__pool_put(&req->srv->hl->exchanges, req);
}

/* A new block holding the string being built, with room for need more. */
static int arena_grow(tide_http_req_t *req, size_t need)
{
    size_t partial = req->aused - req->astart;
    size_t cap = (partial + need) * 2;
    if (cap < 4096) cap = 4096;
    if (cap > UINT32_MAX) return -ENOMEM;
    tide__http_block_t *b = tide__malloc(sizeof *b + cap);
    if (!b) return -ENOMEM;
    memcpy(b->data, req->abase + req->astart, partial);
    b->next = req->blocks;
    req->blocks = b;
    req->abase = b->data;
    req->astart = 0;
    req->aused = (uint32_t)partial;
    req->atop = (uint32_t)cap;
    return 0;
}

int tide__http_arena_append(tide_http_req_t *req, const char *p, size_t n)
{
    if (req->atop - req->aused < n + 1 && arena_grow(req, n + 1)) return -ENOMEM;
    memcpy(req->abase + req->aused, p, n);
    req->aused += (uint32_t)n;
    return 0;
}

const char *tide__http_arena_finish(tide_http_req_t *req)
{
    if (req->atop - req->aused < 1 && arena_grow(req, 1)) return NULL;
    req->abase[req->aused++] = '\0';
    const char *s = req->abase + req->astart;
    req->astart = req->aused;
    return s;
}

static void *arena_top(tide_http_req_t *req, size_t n, size_t align)
{
    for (int i = 0; i < 2; i++) {
        uint32_t top = req->atop;
        if (top >= n) {
            uint32_t at = (uint32_t)((top - n) & ~(align - 1));
            if (at >= req->aused) {
                req->atop = at;
                return req->abase + at;
            }
        }
        if (arena_grow(req, n + align)) return NULL;
    }
    return NULL;
}

void *tide__http_arena_alloc(tide_http_req_t *req, size_t n)
{
    return arena_top(req, n, sizeof(void *));
}

const char *tide__http_arena_dup(tide_http_req_t *req, const char *p, size_t n)
{
    char *s = arena_top(req, n + 1, 1);
    if (!s) return NULL;
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

int tide__http_req_add_header(tide_http_req_t *req, const char *name, const char *value)
{
    if (req->nhdrs == req->hcap) {
        uint32_t cap = req->hcap * 2;
        tide__http_hdr_t *h = tide__http_arena_alloc(req, sizeof *h * cap);
        if (!h) return -ENOMEM;
        memcpy(h, req->hdrs, sizeof *h * req->nhdrs);
        req->hdrs = h;
        req->hcap = cap;
    }
    req->hdrs[req->nhdrs].name = name;
    req->hdrs[req->nhdrs].value = value;
    req->nhdrs++;
    return 0;
}

/* ---- accessors ------------------------------------------------------------ */

const char *tide_http_req_method(const tide_http_req_t *req)
{
    return req ? llhttp_method_name((llhttp_method_t)req->method) : NULL;
}
const char *tide_http_req_url(const tide_http_req_t *req) { return req ? req->url : NULL; }
const char *tide_http_req_path(const tide_http_req_t *req) { return req ? req->path : NULL; }
const char *tide_http_req_query(const tide_http_req_t *req) { return req ? req->query : NULL; }
int tide_http_req_version_minor(const tide_http_req_t *req) { return req ? req->minor : -EINVAL; }

const char *tide_http_req_header(const tide_http_req_t *req, const char *name)
{
    if (!req || !name) return NULL;
    for (uint32_t i = 0; i < req->nhdrs; i++)
        if (!strcasecmp(req->hdrs[i].name, name)) return req->hdrs[i].value;
    return NULL;
}

size_t tide_http_req_header_count(const tide_http_req_t *req) { return req ? req->nhdrs : 0; }

int tide_http_req_header_at(const tide_http_req_t *req, size_t i, const char **name,
                            const char **value)
{
    if (!req || i >= req->nhdrs) return 0;
    if (name) *name = req->hdrs[i].name;
    if (value) *value = req->hdrs[i].value;
    return 1;
}

int64_t tide_http_req_content_length(const tide_http_req_t *req)
{
    return req ? req->content_length : -1;
}
int tide_http_req_has_body(const tide_http_req_t *req)
{
    return req && (req->flags & Q_HAS_BODY) ? 1 : 0;
}
int tide_http_req_keep_alive(const tide_http_req_t *req)
{
    return req && !(req->res.flags & RES_CLOSE) ? 1 : 0;
}

int tide_http_req_peer_address(const tide_http_req_t *req, struct sockaddr_storage *addr,
                               socklen_t *len)
{
    if (!req || !addr || !len) return -EINVAL;
    if (req->conn->flags & C_CLOSED) return -ENOTCONN;
    *len = sizeof *addr;
    return tide__sys.getpeername(req->conn->io.fd, (struct sockaddr *)addr, len) < 0 ? -errno : 0;
}

tide_http_server_t *tide_http_req_server(const tide_http_req_t *req) { return req ? req->srv : NULL; }
tide_loop_t *tide_http_req_loop(const tide_http_req_t *req)
{
    return req ? req->srv->loop : NULL;
}
