/* app_compress.c - the compression package as a response filter: at the
 * first write (or the end) it decides from the response's type, length and
 * headers and the request's Accept-Encoding whether to deflate; if so the
 * bytes go through a transform stream running zlib, whose output is written
 * to the response with backpressure both ways (a full socket pauses the
 * transform, a full transform makes tide_http_write return 0). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "http/app_internal.h"

enum { CODING_NONE, CODING_GZIP, CODING_DEFLATE };

typedef struct {
    tide_http_ctx_t *ctx;
    size_t threshold;
    int level;
    int coding;
    z_stream z;
    int z_ready;
    tide_stream_t *t;
    int aborted;
} gz_t;

/* The best coding the client accepts: gzip, then deflate ("*" counts as
 * gzip; q=0 refuses). */
static int negotiate(const char *accept)
{
    int gzip = 0, deflate = 0;
    if (!accept) return CODING_NONE;
    const char *p = accept;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        size_t l = strcspn(p, ",");
        size_t nl = strcspn(p, ";, \t");
        int refused = 0;
        const char *q = memchr(p, ';', l);
        if (q) {
            q++;
            while (*q == ' ') q++;
            if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=' && strtod(q + 2, NULL) <= 0) refused = 1;
        }
        if (!refused) {
            if ((nl == 4 && strncasecmp(p, "gzip", 4) == 0) || (nl == 1 && *p == '*')) gzip = 1;
            if (nl == 7 && strncasecmp(p, "deflate", 7) == 0) deflate = 1;
        }
        p += l;
    }
    return gzip ? CODING_GZIP : deflate ? CODING_DEFLATE : CODING_NONE;
}

static void gz_close_z(gz_t *g)
{
    if (g->z_ready) deflateEnd(&g->z);
    g->z_ready = 0;
}

/* Deflate what z holds with flush, pushing each full buffer out. */
static int gz_run(gz_t *g, tide_stream_t *s, int flush)
{
    unsigned char out[16384];
    do {
        g->z.next_out = out;
        g->z.avail_out = sizeof out;
        int zr = deflate(&g->z, flush);
        if (zr == Z_STREAM_ERROR) return -EIO;
        size_t have = sizeof out - g->z.avail_out;
        if (have && tide_stream_push_copy(s, out, have) < 0) return -ENOMEM;
    } while (g->z.avail_out == 0);
    return 0;
}

static void gz_transform(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    gz_t *g = data;
    g->z.next_in = chunk->base;
    g->z.avail_in = (uInt)chunk->len;
    int rc = gz_run(g, s, Z_NO_FLUSH);
    tide_stream_transform_done(s, rc ? tide_error_new(rc, "deflate failed") : NULL);
}

static void gz_flush(tide_stream_t *s, void *data)
{
    gz_t *g = data;
    g->z.next_in = NULL;
    g->z.avail_in = 0;
    int rc = gz_run(g, s, Z_FINISH);
    tide_stream_flush_done(s, rc ? tide_error_new(rc, "deflate failed") : NULL);
}

static int on_t_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
static int on_t_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
static int on_t_drain(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);

static void release_chunk(tide_stream_t *s, tide_error_t *err, void *data)
{
    tide_chunk_release(data);
}

static void res_drain(tide_http_res_t *res, void *data)
{
    gz_t *g = data;
    if (g->t) tide_stream_resume(g->t);
}

static int on_t_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    gz_t *g = data;
    const tide_chunk_t *c = arg;
    if (g->aborted || g->ctx->ended) return 0;
    const tide_chunk_t *held = tide_chunk_hold(c);
    if (!held) return -ENOMEM;
    int rc = tide_http_res_write(g->ctx->res, held->base, held->len, release_chunk, (void *)held);
    if (rc == 0) tide_stream_pause(g->t); /* res_drain resumes it */
    return 0;
}

static void gz_finish(gz_t *g)
{
    tide_http_ctx_t *ctx = g->ctx;
    tide_stream_t *t = g->t;
    g->t = NULL;
    tide_stream_off(t, TIDE_EVENT_DATA, on_t_data, g);
    tide_stream_off(t, TIDE_EVENT_END, on_t_end, g);
    tide_stream_off(t, TIDE_EVENT_ERROR, on_t_end, g);
    tide_stream_off(t, TIDE_EVENT_DRAIN, on_t_drain, g);
    tide_stream_release(t);
    gz_close_z(g);
    if (!ctx->ended) {
        tide__ctx_own_end(ctx);
        tide_http_res_end(ctx->res, NULL, 0);
        tide__ctx_finished(ctx);
    }
    tide__ctx_unref(ctx); /* the transform's hold */
}

/* 'end' of the compressed side, or an 'error' (then the response ends
 * short, the only way left to tell the client). */
static int on_t_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    gz_finish(data);
    return 0;
}

static int on_t_drain(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    gz_t *g = data;
    tide__ctx_drain_event(g->ctx);
    return 0;
}

static int gz_write(tide_http_ctx_t *ctx, const void *buf, size_t len, void *state);
static int gz_end(tide_http_ctx_t *ctx, const void *buf, size_t len, void *state);

static void gz_drop(tide_http_ctx_t *ctx, void *state) { gz_close_z(state); }

static void gz_abort(tide_http_ctx_t *ctx, void *state)
{
    gz_t *g = state;
    g->aborted = 1;
    if (g->t) tide_stream_resume(g->t); /* no drain will come: let it finish */
}

/* Start deflating: the header changes and the transform. */
static int gz_start(gz_t *g)
{
    tide_http_res_t *res = g->ctx->res;
    int wbits = g->coding == CODING_GZIP ? 16 + MAX_WBITS : MAX_WBITS;
    if (deflateInit2(&g->z, g->level, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -ENOMEM;
    g->z_ready = 1;
    tide_stream_opts_t so;
    memset(&so, 0, sizeof so);
    so.transform = gz_transform;
    so.flush = gz_flush;
    so.data = g;
    int rc = tide_transform_new(g->ctx->loop, &so, &g->t);
    if (rc == 0) rc = tide_stream_on(g->t, TIDE_EVENT_END, on_t_end, g);
    if (rc == 0) rc = tide_stream_on(g->t, TIDE_EVENT_ERROR, on_t_end, g);
    if (rc == 0) rc = tide_stream_on(g->t, TIDE_EVENT_DRAIN, on_t_drain, g);
    if (rc == 0) rc = tide_stream_on(g->t, TIDE_EVENT_DATA, on_t_data, g);
    if (rc == 0) rc = tide_http_res_on_drain(res, res_drain, g);
    if (rc < 0) {
        if (g->t) tide_stream_release(g->t);
        g->t = NULL;
        gz_close_z(g);
        return rc;
    }
    tide_http_res_set_header(res, "Content-Encoding",
                             g->coding == CODING_GZIP ? "gzip" : "deflate");
    tide_http_res_remove_header(res, "Content-Length");
    tide__ctx_ref(g->ctx);
    return 0;
}

static void add_vary(tide_http_res_t *res)
{
    const char *v = tide_http_res_get_header(res, "Vary");
    if (!v) tide_http_res_set_header(res, "Vary", "Accept-Encoding");
    else if (!strcasestr(v, "accept-encoding") && strcmp(v, "*") != 0) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s, Accept-Encoding", v);
        tide_http_res_set_header(res, "Vary", buf);
    }
}

/* The compression package's filter, decided at the first byte. known_len
 * is the body's length when the end comes first (else SIZE_MAX). */
static int gz_decide(gz_t *g, size_t known_len)
{
    tide_http_ctx_t *ctx = g->ctx;
    tide_http_res_t *res = ctx->res;
    const char *type = tide_http_res_get_header(res, "Content-Type");
    if (!tide__http_compressible(type)) return 0;
    add_vary(res);
    int status = tide_http_res_get_status(res);
    const char *cc = tide_http_res_get_header(res, "Cache-Control");
    const char *ce = tide_http_res_get_header(res, "Content-Encoding");
    const char *cl = tide_http_res_get_header(res, "Content-Length");
    if (status == 204 || status == 304 || strcmp(tide_http_req_method(ctx->req), "HEAD") == 0)
        return 0;
    if (cc && strcasestr(cc, "no-transform")) return 0;
    if (ce && strcasecmp(ce, "identity") != 0) return 0;
    if (cl) known_len = (size_t)strtoull(cl, NULL, 10);
    if (known_len < g->threshold) return 0;
    if (g->coding == CODING_NONE) return 0;
    return gz_start(g) == 0;
}

/* Not compressing after all: step aside for the plain path. */
static void gz_step_aside(tide_http_ctx_t *ctx)
{
    memset(&ctx->filter, 0, sizeof ctx->filter);
    if (ctx->on_drain) tide_http_on_drain(ctx, ctx->on_drain, ctx->drain_data);
}

static int gz_write(tide_http_ctx_t *ctx, const void *buf, size_t len, void *state)
{
    gz_t *g = state;
    if (!g->t) {
        if (!gz_decide(g, SIZE_MAX)) {
            gz_step_aside(ctx);
            return tide_http_write(ctx, buf, len);
        }
        ctx->head_sent_by_filter = 1;
    }
    const tide_chunk_t *c;
    int rc = tide_chunk_copy(ctx->loop, buf, len, &c);
    if (rc < 0) return rc;
    rc = tide_stream_write_chunk(g->t, c, NULL, NULL);
    tide_chunk_release(c);
    return rc;
}

static int gz_end(tide_http_ctx_t *ctx, const void *buf, size_t len, void *state)
{
    gz_t *g = state;
    if (!g->t && !gz_decide(g, len)) {
        gz_step_aside(ctx);
        ctx->ending = 0;
        return tide_http_end(ctx, buf, len);
    }
    ctx->head_sent_by_filter = 1;
    const tide_chunk_t *c = NULL;
    if (len) {
        int rc = tide_chunk_copy(ctx->loop, buf, len, &c);
        if (rc < 0) {
            ctx->ending = 0;
            return rc;
        }
    }
    /* From here the transform's 'end' ends the response. */
    ctx->filter.write = NULL;
    ctx->filter.end = NULL;
    int rc = tide_stream_end(g->t, c, NULL, NULL);
    if (c) tide_chunk_release(c);
    return rc;
}

void tide_http_compress(tide_http_ctx_t *ctx, void *opts)
{
    const tide_http_compress_opts_t *o = opts;
    gz_t *g = tide__arena_alloc(&ctx->arena, sizeof *g);
    if (!g) {
        tide_http_next(ctx); /* uncompressed is still an answer */
        return;
    }
    memset(g, 0, sizeof *g);
    g->ctx = ctx;
    g->threshold = o && o->threshold ? o->threshold : 1024;
    g->level = o && o->level >= 1 && o->level <= 9 ? o->level : Z_DEFAULT_COMPRESSION;
    g->coding = negotiate(tide_http_req_header(ctx->req, "Accept-Encoding"));
    ctx->filter.write = gz_write;
    ctx->filter.end = gz_end;
    ctx->filter.drop = gz_drop;
    ctx->filter.abort = gz_abort;
    ctx->filter.state = g;
    tide_http_next(ctx);
}
