/* http/client_headers.c - the response's header and trailer lines as the
 * parser delivers them (a name or value may arrive in pieces, split
 * across reads), and lookups that ignore case. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "http/client_internal.h"

static int reserve(tide__hc_headers_t *h, size_t more)
{
    if (h->len + more + 1 <= h->cap) return 0;
    size_t cap = h->cap ? h->cap * 2 : 512;
    while (cap < h->len + more + 1) cap *= 2;
    char *buf = tide__realloc(h->buf, cap);
    if (!buf) return -ENOMEM;
    h->buf = buf;
    h->cap = cap;
    return 0;
}

static int new_line(tide__hc_headers_t *h)
{
    if (h->n == h->ncap) {
        size_t ncap = h->ncap ? h->ncap * 2 : 16;
        size_t *offs = tide__realloc(h->offs, sizeof *offs * 2 * ncap);
        if (!offs) return -ENOMEM;
        h->offs = offs;
        h->ncap = ncap;
    }
    h->offs[2 * h->n] = h->len;
    h->offs[2 * h->n + 1] = h->len;
    h->n++;
    return 0;
}

/* Append a piece of a name (value 0) or of a value (value 1). */
int tide__hc_headers_add(tide__hc_headers_t *h, const char *at, size_t len, int value)
{
    if (!value && (h->in_value || h->n == 0)) {
        /* a name after a value (or first): a new line; an empty value
         * before it got no callback, so close that line here too */
        if (h->in_value) h->in_value = 0;
        if (new_line(h)) return -ENOMEM;
    }
    if (reserve(h, len)) return -ENOMEM;
    memcpy(h->buf + h->len, at, len);
    h->len += len;
    return 0;
}

int tide__hc_headers_end_field(tide__hc_headers_t *h)
{
    if (h->n == 0 && new_line(h)) return -ENOMEM;
    if (reserve(h, 1)) return -ENOMEM;
    h->buf[h->len++] = '\0';
    h->offs[2 * (h->n - 1) + 1] = h->len;
    h->in_value = 1;
    return 0;
}

int tide__hc_headers_end_value(tide__hc_headers_t *h)
{
    if (h->n == 0) return 0;
    size_t start = h->offs[2 * (h->n - 1) + 1];
    /* optional whitespace after a value is not part of it (RFC 9110 5.5) */
    while (h->len > start && (h->buf[h->len - 1] == ' ' || h->buf[h->len - 1] == '\t')) h->len--;
    if (reserve(h, 1)) return -ENOMEM;
    h->buf[h->len++] = '\0';
    h->in_value = 1;
    return 0;
}

void tide__hc_headers_clear(tide__hc_headers_t *h)
{
    h->len = 0;
    h->n = 0;
    h->in_value = 0;
}

void tide__hc_headers_free(tide__hc_headers_t *h)
{
    tide__free(h->buf);
    tide__free(h->offs);
    memset(h, 0, sizeof *h);
}

const char *tide__hc_headers_get(const tide__hc_headers_t *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcasecmp(h->buf + h->offs[2 * i], name) == 0) return h->buf + h->offs[2 * i + 1];
    return NULL;
}

int tide__hc_headers_at(const tide__hc_headers_t *h, size_t i, const char **name,
                        const char **value)
{
    if (i >= h->n) return 0;
    if (name) *name = h->buf + h->offs[2 * i];
    if (value) *value = h->buf + h->offs[2 * i + 1];
    return 1;
}
