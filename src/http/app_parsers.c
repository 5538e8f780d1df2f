/* app_parsers.c - body-parser's json, text, urlencoded and raw middleware:
 * skip requests without a body or of another type, refuse charsets and
 * content codings they cannot read (415), inflate gzip and deflate bodies,
 * read up to the limit (413), parse (400 when malformed) and go on. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "http/app_internal.h"

typedef enum { KIND_JSON, KIND_TEXT, KIND_FORM, KIND_RAW } parser_kind;

#define DEFAULT_LIMIT (100 * 1024)

/* type-is: "text/any" and "any/json" style patterns (a star for any), or exact. */
static int type_matches(const char *media, const char *pattern)
{
    char want[128];
    tide__http_media_type(pattern, want, sizeof want);
    if (strcmp(want, "*/*") == 0) return media[0] != '\0';
    const char *ws = strchr(want, '/'), *ms = strchr(media, '/');
    if (!ws || !ms) return 0;
    if (strcmp(ws + 1, "*") == 0)
        return (size_t)(ms - media) == (size_t)(ws - want) && memcmp(media, want, (size_t)(ws - want)) == 0;
    if (want[0] == '*' && ws == want + 1) return strcmp(ms, ws) == 0;
    return strcmp(media, want) == 0;
}

static int kind_matches(parser_kind kind, const char *media, const tide_http_body_opts_t *o)
{
    if (o && o->type) return type_matches(media, o->type);
    switch (kind) {
    case KIND_JSON: {
        size_t n = strlen(media);
        return strcmp(media, "application/json") == 0 ||
               (strncmp(media, "application/", 12) == 0 && n > 5 && strcmp(media + n - 5, "+json") == 0);
    }
    case KIND_TEXT: return strcmp(media, "text/plain") == 0;
    case KIND_FORM: return strcmp(media, "application/x-www-form-urlencoded") == 0;
    case KIND_RAW: return strcmp(media, "application/octet-stream") == 0;
    }
    return 0;
}

/* Inflate the collected body in place (gzip or zlib-wrapped deflate),
 * refusing to grow past limit. */
static int inflate_body(tide_http_ctx_t *ctx, int gzip, size_t limit)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, gzip ? 16 + MAX_WBITS : MAX_WBITS) != Z_OK) return -ENOMEM;
    size_t cap = ctx->body_len * 4 + 64, len = 0;
    if (cap > limit + 1) cap = limit + 1;
    char *out = malloc(cap + 1);
    int rc = out ? 0 : -ENOMEM, zr = Z_OK;
    z.next_in = (Bytef *)ctx->body;
    z.avail_in = (uInt)ctx->body_len;
    while (rc == 0 && zr != Z_STREAM_END) {
        if (len == cap) {
            if (cap > limit) {
                rc = TIDE_HTTP_STATUS_ERR(413);
                break;
            }
            size_t ncap = cap * 2 > limit + 1 ? limit + 1 : cap * 2;
            char *n = realloc(out, ncap + 1);
            if (!n) {
                rc = -ENOMEM;
                break;
            }
            out = n;
            cap = ncap;
        }
        z.next_out = (Bytef *)out + len;
        z.avail_out = (uInt)(cap - len);
        zr = inflate(&z, Z_NO_FLUSH);
        len = cap - z.avail_out;
        if (zr != Z_OK && zr != Z_STREAM_END) rc = TIDE_HTTP_STATUS_ERR(400);
        else if (zr == Z_OK && z.avail_in == 0 && z.avail_out != 0) rc = TIDE_HTTP_STATUS_ERR(400);
    }
    if (rc == 0 && len > limit) rc = TIDE_HTTP_STATUS_ERR(413);
    inflateEnd(&z);
    if (rc < 0) {
        free(out);
        return rc;
    }
    out[len] = '\0';
    free(ctx->body);
    ctx->body = out;
    ctx->body_len = len;
    ctx->body_cap = cap + 1;
    return 0;
}

typedef struct {
    parser_kind kind;
    int coding; /* 0 identity, 1 gzip, 2 deflate */
    size_t limit;
} parse_job_t;

static void parse_body(tide_http_ctx_t *ctx, int status, parser_kind kind, int coding, size_t limit)
{
    if (status < 0) {
        tide_http_next_error(ctx, tide_error_new(status, NULL));
        return;
    }
    if (coding) {
        int rc = inflate_body(ctx, coding == 1, limit);
        if (rc < 0) {
            tide_http_next_error(ctx, tide_error_new(rc, NULL));
            return;
        }
    }
    if (kind == KIND_JSON) {
        size_t i = 0;
        while (i < ctx->body_len && strchr(" \t\r\n", ctx->body[i])) i++;
        if (i == ctx->body_len) {
            ctx->json = json_object(); /* an empty body is {} */
        } else {
            json_error_t jerr;
            /* jansson's default decoding accepts only an object or an
             * array: body-parser's strict mode. */
            ctx->json = json_loadb(ctx->body, ctx->body_len, 0, &jerr);
            if (!ctx->json) {
                tide_http_next_error(ctx, tide_http_error_new(400, "malformed JSON"));
                return;
            }
        }
    } else if (kind == KIND_FORM) {
        if (tide__http_parse_query(&ctx->arena, ctx->body ? ctx->body : "", ctx->body_len,
                                   &ctx->form) < 0) {
            tide_http_next_error(ctx, tide_error_new(-ENOMEM, NULL));
            return;
        }
    }
    tide_http_next(ctx);
}

static void on_body(tide_http_ctx_t *c, int st, const void *b, size_t l, void *d)
{
    parse_job_t *j = d;
    if (!c->ended) parse_body(c, st, j->kind, j->coding, j->limit);
}

static void run_parser(tide_http_ctx_t *ctx, parser_kind kind, const tide_http_body_opts_t *o)
{
    if (ctx->body_state || !tide_http_req_has_body(ctx->req)) {
        tide_http_next(ctx);
        return;
    }
    const char *ct = tide_http_req_header(ctx->req, "Content-Type");
    char media[128], charset[64];
    tide__http_media_type(ct, media, sizeof media);
    if (!kind_matches(kind, media, o)) {
        tide_http_next(ctx);
        return;
    }
    tide__http_header_param(ct, "charset", charset, sizeof charset);
    if ((kind == KIND_JSON && charset[0] && strncmp(charset, "utf-", 4) != 0) ||
        (kind == KIND_FORM && charset[0] && strcmp(charset, "utf-8") != 0)) {
        tide_http_next_error(ctx, tide_http_error_new(415, "unsupported charset"));
        return;
    }
    const char *enc = tide_http_req_header(ctx->req, "Content-Encoding");
    int coding = 0;
    if (enc && strcasecmp(enc, "gzip") == 0) coding = 1;
    else if (enc && strcasecmp(enc, "deflate") == 0) coding = 2;
    else if (enc && strcasecmp(enc, "identity") != 0) {
        tide_http_next_error(ctx, tide_http_error_new(415, "unsupported content encoding"));
        return;
    }
    /* The job lives in the context's arena until the response ends. */
    parse_job_t *job = tide__arena_alloc(&ctx->arena, sizeof *job);
    if (!job) {
        tide_http_next_error(ctx, tide_error_new(-ENOMEM, NULL));
        return;
    }
    job->kind = kind;
    job->coding = coding;
    job->limit = o && o->limit ? o->limit : DEFAULT_LIMIT;
    int rc = tide_http_read_body(ctx, job->limit, on_body, job);
    if (rc < 0) tide_http_next_error(ctx, tide_error_new(rc, NULL));
}

void tide_http_json_parser(tide_http_ctx_t *ctx, void *opts) { run_parser(ctx, KIND_JSON, opts); }
void tide_http_text_parser(tide_http_ctx_t *ctx, void *opts) { run_parser(ctx, KIND_TEXT, opts); }
void tide_http_urlencoded_parser(tide_http_ctx_t *ctx, void *opts) { run_parser(ctx, KIND_FORM, opts); }
void tide_http_raw_parser(tide_http_ctx_t *ctx, void *opts) { run_parser(ctx, KIND_RAW, opts); }
