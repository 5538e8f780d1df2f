/* app_pattern.c - route patterns without regular expressions: a pattern is
 * compiled once into segments (literal, :param, :param?, *), a request path
 * is split and decoded once per request, and matching walks both segment
 * lists, so a route costs a few string compares. Literals compare without
 * case and a trailing slash is ignored (Express's defaults). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/app_internal.h"

void tide__pattern_free(tide__pattern_t *p)
{
    for (size_t i = 0; i < p->n; i++) free(p->segs[i].text);
    free(p->segs);
    p->segs = NULL;
    p->n = 0;
}

int tide__pattern_compile(const char *path, tide__pattern_t *out)
{
    out->segs = NULL;
    out->n = 0;
    if (!path) path = "/";
    size_t cap = 1;
    for (const char *c = path; *c; c++) cap += *c == '/';
    out->segs = calloc(cap, sizeof *out->segs);
    if (!out->segs) return -ENOMEM;
    const char *p = path;
    while (*p) {
        while (*p == '/') p++;
        if (!*p) break;
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        tide__seg_t *s = &out->segs[out->n];
        if (*p == ':') {
            int opt = p[len - 1] == '?';
            size_t nlen = len - 1 - (size_t)opt;
            if (nlen == 0) goto bad;
            s->kind = opt ? TIDE__SEG_OPTIONAL : TIDE__SEG_PARAM;
            s->text = strndup(p + 1, nlen);
        } else if (len == 1 && *p == '*') {
            if (end && end[1]) goto bad; /* the wildcard is last */
            s->kind = TIDE__SEG_WILDCARD;
            s->text = strdup("*");
        } else {
            s->kind = TIDE__SEG_LITERAL;
            s->text = strndup(p, len);
        }
        out->n++;
        if (!s->text) {
            tide__pattern_free(out);
            return -ENOMEM;
        }
        p += len;
    }
    return 0;
bad:
    tide__pattern_free(out);
    return -EINVAL;
}

int tide__path_split(tide__arena_t *a, const char *path, tide__pseg_t **out, size_t *n)
{
    size_t cap = 1, count = 0;
    for (const char *c = path; *c; c++) cap += *c == '/';
    tide__pseg_t *segs = tide__arena_alloc(a, cap * sizeof *segs);
    if (!segs) return -ENOMEM;
    const char *p = path;
    if (*p == '/') p++;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *dec = tide__arena_alloc(a, len + 1);
        if (!dec) return -ENOMEM;
        if (tide__http_pct_decode(dec, p, len, 1, 0) < 0) return -EINVAL;
        segs[count].raw = p;
        segs[count].raw_len = len;
        segs[count].dec = dec;
        count++;
        if (!end) break;
        p = end + 1; /* a trailing slash leaves *p == 0: no empty segment */
    }
    *out = segs;
    *n = count;
    return 0;
}

static int match_from(tide__arena_t *a, const tide__pattern_t *p, size_t pi,
                      const tide__pseg_t *segs, size_t n, size_t si, int prefix,
                      tide__param_t *params, size_t *np, size_t *consumed)
{
    if (pi == p->n) {
        if (!prefix && si != n) return 0;
        *consumed = si;
        return 1;
    }
    const tide__seg_t *s = &p->segs[pi];
    size_t mark = *np;
    switch (s->kind) {
    case TIDE__SEG_LITERAL:
        if (si < n && strcasecmp(s->text, segs[si].dec) == 0)
            return match_from(a, p, pi + 1, segs, n, si + 1, prefix, params, np, consumed);
        return 0;
    case TIDE__SEG_PARAM:
    case TIDE__SEG_OPTIONAL:
        if (si < n && segs[si].dec[0] && *np < TIDE__MAX_PARAMS) {
            params[*np].name = s->text;
            params[(*np)++].value = segs[si].dec;
            if (match_from(a, p, pi + 1, segs, n, si + 1, prefix, params, np, consumed)) return 1;
            *np = mark;
        }
        if (s->kind == TIDE__SEG_OPTIONAL && *np < TIDE__MAX_PARAMS) {
            params[*np].name = s->text;
            params[(*np)++].value = NULL;
            if (match_from(a, p, pi + 1, segs, n, si, prefix, params, np, consumed)) return 1;
            *np = mark;
        }
        return 0;
    case TIDE__SEG_WILDCARD: {
        /* The rest of the path, decoded segment by segment and joined. */
        size_t len = 0;
        for (size_t i = si; i < n; i++) len += strlen(segs[i].dec) + 1;
        char *v = tide__arena_alloc(a, len + 1), *o = v;
        if (!v || *np >= TIDE__MAX_PARAMS) return 0;
        for (size_t i = si; i < n; i++) {
            if (i > si) *o++ = '/';
            size_t l = strlen(segs[i].dec);
            memcpy(o, segs[i].dec, l);
            o += l;
        }
        *o = '\0';
        params[*np].name = s->text;
        params[(*np)++].value = v;
        *consumed = n;
        return 1;
    }
    }
    return 0;
}

int tide__pattern_match(tide__arena_t *a, const tide__pattern_t *p, const tide__pseg_t *segs,
                        size_t n, int prefix, tide__param_t *params, size_t *nparams,
                        size_t *consumed)
{
    *nparams = 0;
    return match_from(a, p, 0, segs, n, 0, prefix, params, nparams, consumed);
}
