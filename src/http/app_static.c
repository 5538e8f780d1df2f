/* app_static.c - serve-static: files under a root directory, mounted at a
 * prefix. The path below the mount is decoded segment by segment, then
 * checked again after joining (an encoded "%2e%2e" or "%2F" cannot climb
 * out): ".." is 403, dotfiles and missing files fall through. Answers
 * carry a weak ETag and Last-Modified, honour conditional requests and
 * single byte ranges, and go out with sendfile. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/app_internal.h"

typedef enum { PATH_OK, PATH_FORBIDDEN, PATH_HIDDEN } path_verdict;

/* Join the decoded segments below the mount into rel and judge it. */
static path_verdict relative_path(const tide_http_ctx_t *ctx, char *rel, size_t cap)
{
    size_t o = 0;
    for (size_t i = ctx->base; i < ctx->nsegs; i++) {
        size_t l = strlen(ctx->segs[i].dec);
        if (o + l + 2 >= cap) return PATH_FORBIDDEN;
        if (o) rel[o++] = '/';
        memcpy(rel + o, ctx->segs[i].dec, l);
        o += l;
    }
    rel[o] = '\0';
    /* Check every component of the joined path: decoded slashes and
     * backslashes made new ones. */
    const char *p = rel;
    while (*p) {
        size_t l = strcspn(p, "/\\");
        if (l == 2 && p[0] == '.' && p[1] == '.') return PATH_FORBIDDEN;
        if (l >= 1 && p[0] == '.' && l != 1) return PATH_HIDDEN;
        p += l;
        if (*p) p++;
    }
    return PATH_OK;
}

static void not_found(tide_http_ctx_t *ctx, const tide_http_static_opts_t *o)
{
    if (o->no_fallthrough) tide_http_next_error(ctx, tide_http_error_new(404, NULL));
    else tide_http_next(ctx);
}

static int64_t mtime_ms(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
}

/* 304 / 412 decisions of the send package; 0 when the body should go. */
static int conditional(tide_http_ctx_t *ctx, const char *etag, const struct stat *st)
{
    tide_http_req_t *req = ctx->req;
    const char *im = tide_http_req_header(req, "If-Match");
    if (im && strcmp(im, "*") != 0 && !tide__http_etag_match(im, etag)) return 412;
    const char *ius = tide_http_req_header(req, "If-Unmodified-Since");
    if (ius) {
        time_t t = tide__http_parse_date(ius);
        if (t != (time_t)-1 && st->st_mtim.tv_sec > t) return 412;
    }
    const char *inm = tide_http_req_header(req, "If-None-Match");
    if (inm) return tide__http_etag_match(inm, etag) ? 304 : 0;
    const char *ims = tide_http_req_header(req, "If-Modified-Since");
    if (ims) {
        time_t t = tide__http_parse_date(ims);
        if (t != (time_t)-1 && st->st_mtim.tv_sec <= t) return 304;
    }
    return 0;
}

/* If-Range: the range applies only while the validator still matches. */
static int range_applies(tide_http_ctx_t *ctx, const char *etag, const char *lastmod)
{
    const char *ir = tide_http_req_header(ctx->req, "If-Range");
    if (!ir) return 1;
    if (ir[0] == '"' || (ir[0] == 'W' && ir[1] == '/')) return tide__http_etag_match(ir, etag);
    return strcmp(ir, lastmod) == 0;
}

static void serve_fd(tide_http_ctx_t *ctx, const tide_http_static_opts_t *o, int fd,
                     const struct stat *st, const char *name)
{
    tide_http_res_t *res = ctx->res;
    char etag[64], lastmod[32], cc[48];
    uint64_t size = (uint64_t)st->st_size;
    tide__http_etag(etag, size, mtime_ms(st));
    tide__http_fmt_date(lastmod, st->st_mtim.tv_sec);
    snprintf(cc, sizeof cc, "public, max-age=%d", o->max_age_s > 0 ? o->max_age_s : 0);
    tide_http_res_set_header(res, "Accept-Ranges", "bytes");
    tide_http_res_set_header(res, "Cache-Control", cc);
    tide_http_res_set_header(res, "Last-Modified", lastmod);
    tide_http_res_set_header(res, "ETag", etag);

    int cond = conditional(ctx, etag, st);
    if (cond) {
        close(fd);
        if (cond == 412) tide_http_send_text(ctx, 412, "Precondition Failed\n");
        else tide_http_send(ctx, 304, NULL, NULL, 0);
        return;
    }
    tide_http_res_set_header(res, "Content-Type", tide_http_mime_type(name));
    uint64_t start = 0, end = size ? size - 1 : 0;
    int r = range_applies(ctx, etag, lastmod)
                ? tide__http_parse_range(tide_http_req_header(ctx->req, "Range"), size, &start, &end)
                : 0;
    char cr[96];
    if (r < 0) {
        close(fd);
        snprintf(cr, sizeof cr, "bytes */%llu", (unsigned long long)size);
        tide_http_res_set_header(res, "Content-Range", cr);
        tide_http_send_text(ctx, 416, "Range Not Satisfiable\n");
        return;
    }
    uint64_t len = size;
    if (r == 1) {
        snprintf(cr, sizeof cr, "bytes %llu-%llu/%llu", (unsigned long long)start,
                 (unsigned long long)end, (unsigned long long)size);
        tide_http_res_set_header(res, "Content-Range", cr);
        tide_http_res_status(res, 206);
        len = end - start + 1;
    } else {
        start = 0;
    }
    tide_http_send_fd(ctx, fd, start, len);
    close(fd); /* send_file has what it needs once it returns */
}

static int open_file(const char *root, const char *rel, int *fd, struct stat *st)
{
    char full[4096];
    int n = snprintf(full, sizeof full, "%s/%s", root, rel);
    if (n < 0 || (size_t)n >= sizeof full) return -ENAMETOOLONG;
    *fd = open(full, O_RDONLY | O_CLOEXEC);
    if (*fd < 0) return -errno;
    if (fstat(*fd, st) < 0) {
        int e = -errno;
        close(*fd);
        return e;
    }
    return 0;
}

void tide_http_static(tide_http_ctx_t *ctx, void *opts)
{
    const tide_http_static_opts_t *o = opts;
    const char *method = tide_http_req_method(ctx->req);
    if (!o || !o->root) {
        tide_http_next_error(ctx, tide_error_new(-EINVAL, "static files without a root"));
        return;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        if (!o->no_fallthrough) {
            tide_http_next(ctx);
            return;
        }
        tide_http_res_set_header(ctx->res, "Allow", "GET, HEAD");
        tide_http_send_text(ctx, 405, "Method Not Allowed\n");
        return;
    }
    char rel[2048];
    switch (relative_path(ctx, rel, sizeof rel - 64)) {
    case PATH_FORBIDDEN: tide_http_next_error(ctx, tide_http_error_new(403, NULL)); return;
    case PATH_HIDDEN: not_found(ctx, o); return;
    case PATH_OK: break;
    }
    int fd;
    struct stat st;
    int rc = open_file(o->root, rel, &fd, &st);
    if (rc == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        const char *path = tide_http_req_path(ctx->req);
        /* One leading slash only: "//host/dir" must not become a
         * redirect to another host. */
        while (path[0] == '/' && path[1] == '/') path++;
        size_t plen = strlen(path);
        if (plen == 0 || path[plen - 1] != '/') {
            /* serve-static's redirect: the directory with its slash */
            char loc[2200];
            snprintf(loc, sizeof loc, "%s/", path);
            tide_http_redirect(ctx, 301, loc);
            return;
        }
        const char *index = o->index ? o->index : "index.html";
        if (!index[0]) {
            not_found(ctx, o);
            return;
        }
        size_t rl = strlen(rel);
        snprintf(rel + rl, sizeof rel - rl, "%s%s", rl ? "/" : "", index);
        rc = open_file(o->root, rel, &fd, &st);
    }
    if (rc == 0 && !S_ISREG(st.st_mode)) {
        close(fd);
        rc = -ENOENT;
    }
    if (rc == -ENOENT || rc == -ENOTDIR || rc == -ENAMETOOLONG) {
        not_found(ctx, o);
        return;
    }
    if (rc < 0) {
        tide_http_next_error(ctx, tide_error_new(rc, NULL)); /* -EACCES: 403 */
        return;
    }
    serve_fd(ctx, o, fd, &st, rel);
}
