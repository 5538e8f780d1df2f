/* parser_oracle.c CASEFILE - tide's side of the parser oracle (see
 * parser_oracle.js, which writes CASEFILE and prints Node's verdicts): runs
 * every case through tide__http_parser and prints the same lines. Each case
 * is also fed byte by byte, cut in two at every point (short cases) and cut
 * at random points; any split that changes a single line of the output is a
 * failure of its own, printed to stderr with the exit status 1. */
#include "http/parser.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growable text buffer ---- */
typedef struct {
    char *s;
    size_t len, cap;
} text_t;

static void text_add(text_t *t, const char *p, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1)
            cap *= 2;
        t->s = realloc(t->s, cap);
        if (!t->s)
            abort();
        t->cap = cap;
    }
    memcpy(t->s + t->len, p, n);
    t->len += n;
    t->s[t->len] = 0;
}

static void text_printf(text_t *t, const char *fmt, ...)
{
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    text_add(t, buf, (size_t)n);
}

/* Printable ASCII as itself, every other byte as \xHH (as the JS side). */
static void text_esc(text_t *t, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c > 0x20 && c < 0x7f && c != '\\')
            text_add(t, (const char *)&c, 1);
        else
            text_printf(t, "\\x%02x", c);
    }
}

/* ---- one run: what the callbacks saw ---- */
typedef struct {
    tide__http_parser_t parser;
    int is_request;
    text_t out;                 /* the lines, as the JS side prints them */
    text_t url, field, value, body, fields; /* the message being parsed */
    int in_value, headers_done;
} run_t;

static run_t *run_of(llhttp_t *ll) { return ll->data; }

static void end_field(run_t *r)
{
    if (!r->in_value && r->field.len == 0)
        return;
    size_t v = r->value.len;
    while (v > 0 && (r->value.s[v - 1] == ' ' || r->value.s[v - 1] == '\t'))
        v--; /* Node trims trailing whitespace from a value */
    text_add(&r->fields, r->headers_done ? "t " : "h ", 2);
    text_esc(&r->fields, r->field.s, r->field.len);
    text_add(&r->fields, ": ", 2);
    text_esc(&r->fields, r->value.s, v);
    text_add(&r->fields, "\n", 1);
    r->field.len = r->value.len = 0;
    r->in_value = 0;
}

static int on_begin(llhttp_t *ll)
{
    run_t *r = run_of(ll);
    r->url.len = r->field.len = r->value.len = r->body.len = r->fields.len = 0;
    r->in_value = r->headers_done = 0;
    return 0;
}

static int on_url(llhttp_t *ll, const char *at, size_t n)
{
    text_add(&run_of(ll)->url, at, n);
    return 0;
}

static int on_field(llhttp_t *ll, const char *at, size_t n)
{
    run_t *r = run_of(ll);
    if (r->in_value)
        end_field(r);
    text_add(&r->field, at, n);
    return 0;
}

static int on_value(llhttp_t *ll, const char *at, size_t n)
{
    run_t *r = run_of(ll);
    r->in_value = 1;
    text_add(&r->value, at, n);
    return 0;
}

static int on_headers_complete(llhttp_t *ll)
{
    run_t *r = run_of(ll);
    end_field(r);
    if (r->is_request) {
        text_printf(&r->out, "msg %s ", llhttp_method_name((llhttp_method_t)ll->method));
        text_esc(&r->out, r->url.s, r->url.len);
        text_printf(&r->out, " %d.%d\n", ll->http_major, ll->http_minor);
    } else {
        text_printf(&r->out, "msg %d %d.%d\n", ll->status_code, ll->http_major, ll->http_minor);
    }
    text_add(&r->out, r->fields.s ? r->fields.s : "", r->fields.len);
    r->fields.len = 0;
    r->headers_done = 1;
    return 0;
}

static int on_body(llhttp_t *ll, const char *at, size_t n)
{
    text_add(&run_of(ll)->body, at, n);
    return 0;
}

static int on_complete(llhttp_t *ll)
{
    run_t *r = run_of(ll);
    end_field(r);
    if (r->body.len) {
        text_printf(&r->out, "body %zu ", r->body.len);
        text_esc(&r->out, r->body.s, r->body.len);
        text_add(&r->out, "\n", 1);
    }
    text_add(&r->out, r->fields.s ? r->fields.s : "", r->fields.len);
    text_add(&r->out, "done\n", 5);
    r->body.len = r->fields.len = 0;
    return 0;
}

static const llhttp_settings_t settings = {
    .on_message_begin = on_begin,
    .on_url = on_url,
    .on_header_field = on_field,
    .on_header_value = on_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_complete,
};

static void run_free(run_t *r)
{
    free(r->out.s);
    free(r->url.s);
    free(r->field.s);
    free(r->value.s);
    free(r->body.s);
    free(r->fields.s);
}

/* Parses data cut at the ncuts sorted offsets in cuts; returns the output
 * (the caller frees it). */
static char *parse(int is_request, const char *data, size_t len, const size_t *cuts, size_t ncuts)
{
    run_t r;
    memset(&r, 0, sizeof(r));
    r.is_request = is_request;
    tide__http_parser_init(&r.parser, is_request ? HTTP_REQUEST : HTTP_RESPONSE, &settings, &r);
    text_add(&r.out, "", 0);
    size_t start = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : len;
        size_t consumed = 0;
        llhttp_errno_t err = tide__http_parser_execute(&r.parser, data + start, end - start, &consumed);
        if (err == HPE_PAUSED_UPGRADE) {
            text_printf(&r.out, "upgrade %zu\n", len - start - consumed);
            goto out;
        }
        if (err != HPE_OK) {
            if (getenv("ORACLE_CODES"))
                text_printf(&r.out, "error %s %s\n", llhttp_errno_name(err),
                            tide__http_parser_reason(&r.parser));
            else
                text_add(&r.out, "error\n", 6);
            goto out;
        }
        start = end;
    }
    const char *fin = tide__http_parser_finish(&r.parser) == HPE_OK ? "finish ok\n" : "finish error\n";
    text_add(&r.out, fin, strlen(fin));
out:;
    char *s = r.out.s;
    r.out.s = NULL;
    run_free(&r);
    return s;
}

static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Every way of cutting the case must print what the whole does. */
static int check_splits(const char *name, int is_request, const char *data, size_t len,
                        const char *whole)
{
    size_t *cuts = malloc((len + 1) * sizeof(*cuts));
    int bad = 0;
    for (size_t i = 0; i + 1 < len; i++)
        cuts[i] = i + 1;
    char *got = parse(is_request, data, len, cuts, len ? len - 1 : 0);
    if (strcmp(got, whole) != 0) {
        fprintf(stderr, "%s: byte by byte differs from whole:\n--- whole\n%s--- byte by byte\n%s",
                name, whole, got);
        bad = 1;
    }
    free(got);
    for (size_t i = 1; !bad && len < 4096 && i < len; i++) {
        got = parse(is_request, data, len, &i, 1);
        if (strcmp(got, whole) != 0) {
            fprintf(stderr, "%s: cut at %zu differs from whole:\n--- whole\n%s--- cut\n%s", name, i,
                    whole, got);
            bad = 1;
        }
        free(got);
    }
    for (int round = 0; !bad && len > 1 && round < 20; round++) {
        size_t n = 1 + rng() % 8;
        for (size_t k = 0; k < n; k++)
            cuts[k] = 1 + rng() % (len - 1);
        qsort(cuts, n, sizeof(*cuts), cmp_size);
        got = parse(is_request, data, len, cuts, n);
        if (strcmp(got, whole) != 0) {
            fprintf(stderr, "%s: random cuts differ from whole:\n--- whole\n%s--- cut\n%s", name,
                    whole, got);
            bad = 1;
        }
        free(got);
    }
    free(cuts);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CASEFILE\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    int bad = 0;
    char mode[8], name[256];
    size_t len;
    rng_state = 0x9e3779b97f4a7c15ull;
    while (fscanf(f, "%7s %zu %255[^\n]", mode, &len, name) == 3 && fgetc(f) == '\n') {
        char *data = malloc(len ? len : 1);
        if (fread(data, 1, len, f) != len || fgetc(f) != '\n') {
            fprintf(stderr, "%s: truncated case file\n", argv[1]);
            return 2;
        }
        /* "req!" or "res!": tide is known to be stricter than Node here
         * (parser_cases.js says why): the agreed line when tide rejects. */
        int is_request = strncmp(mode, "req", 3) == 0, stricter = mode[3] == '!';
        mode[3] = 0;
        char *whole = parse(is_request, data, len, NULL, 0);
        size_t n = strlen(whole);
        int rejected = n >= 6 && strcmp(whole + n - 6, "error\n") == 0;
        printf("case %s %s\n%s", mode, name,
               stricter && rejected ? "known difference: tide rejects, Node accepts\n" : whole);
        bad |= check_splits(name, is_request, data, len, whole);
        free(whole);
        free(data);
    }
    fclose(f);
    return bad;
}
