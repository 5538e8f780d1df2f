/* app_decode.c - percent-decoding (strict for paths, lenient for queries as
 * Node's querystring), query strings and form bodies into ordered pairs,
 * and lookups in them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/app_internal.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

ssize_t tide__http_pct_decode(char *dst, const char *src, size_t len, int strict, int plus)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (c == '%') {
            int a = i + 1 < len ? hexval((unsigned char)src[i + 1]) : -1;
            int b = i + 2 < len ? hexval((unsigned char)src[i + 2]) : -1;
            if (a < 0 || b < 0) {
                if (strict) return -EINVAL;
                dst[o++] = c;
                continue;
            }
            int v = a * 16 + b;
            if (v == 0 && strict) return -EINVAL;
            dst[o++] = (char)v;
            i += 2;
        } else if (c == '+' && plus) {
            dst[o++] = ' ';
        } else {
            if (c == '\0' && strict) return -EINVAL;
            dst[o++] = c;
        }
    }
    dst[o] = '\0';
    return (ssize_t)o;
}

static int pairs_push(tide__pairs_t *p, const char *name, const char *value)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        tide__pair_t *items = realloc(p->items, cap * sizeof *items);
        if (!items) return -ENOMEM;
        p->items = items;
        p->cap = cap;
    }
    p->items[p->n].name = name;
    p->items[p->n].value = value;
    p->n++;
    return 0;
}

static char *decode_dup(tide__arena_t *a, const char *s, size_t len, int plus)
{
    char *d = tide__arena_alloc(a, len + 1);
    if (d) tide__http_pct_decode(d, s, len, 0, plus);
    return d;
}

int tide__http_parse_query(tide__arena_t *a, const char *s, size_t len, tide__pairs_t *out)
{
    size_t i = 0;
    while (i < len) {
        const char *amp = memchr(s + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - s) : len;
        const char *eq = memchr(s + i, '=', end - i);
        size_t klen = eq ? (size_t)(eq - (s + i)) : end - i;
        if (klen > 0) {
            char *name = decode_dup(a, s + i, klen, 1);
            char *value = eq ? decode_dup(a, eq + 1, end - (size_t)(eq + 1 - s), 1)
                             : tide__arena_strndup(a, "", 0);
            if (!name || !value || pairs_push(out, name, value) < 0) return -ENOMEM;
        }
        i = end + 1;
    }
    return 0;
}

int tide__http_parse_cookies(tide__arena_t *a, const char *s, tide__pairs_t *out)
{
    size_t len = strlen(s), i = 0;
    while (i < len) {
        const char *semi = memchr(s + i, ';', len - i);
        size_t end = semi ? (size_t)(semi - s) : len;
        const char *eq = memchr(s + i, '=', end - i);
        if (eq) {
            size_t ks = i, ke = (size_t)(eq - s), vs = ke + 1, ve = end;
            while (ks < ke && (s[ks] == ' ' || s[ks] == '\t')) ks++;
            while (ke > ks && (s[ke - 1] == ' ' || s[ke - 1] == '\t')) ke--;
            while (vs < ve && (s[vs] == ' ' || s[vs] == '\t')) vs++;
            while (ve > vs && (s[ve - 1] == ' ' || s[ve - 1] == '\t')) ve--;
            if (ve - vs >= 2 && s[vs] == '"' && s[ve - 1] == '"') vs++, ve--;
            if (ke > ks) {
                char *name = tide__arena_strndup(a, s + ks, ke - ks);
                /* The cookie package keeps the raw value when it does not
                 * decode (decodeURIComponent would throw). */
                char *value = tide__arena_alloc(a, ve - vs + 1);
                if (!name || !value) return -ENOMEM;
                if (tide__http_pct_decode(value, s + vs, ve - vs, 1, 0) < 0) {
                    memcpy(value, s + vs, ve - vs);
                    value[ve - vs] = '\0';
                }
                if (pairs_push(out, name, value) < 0) return -ENOMEM;
            }
        }
        i = end + 1;
    }
    return 0;
}

const char *tide__pairs_get(const tide__pairs_t *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->items[i].name, name) == 0) return p->items[i].value;
    return NULL;
}

void tide__pairs_free(tide__pairs_t *p)
{
    free(p->items);
    p->items = NULL;
    p->n = p->cap = 0;
}
