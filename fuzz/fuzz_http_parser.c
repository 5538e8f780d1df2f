/* fuzz/fuzz_http_parser.c - tide__http_parser (llhttp behind the guard) on
 * arbitrary bytes. Input: a flags byte (bit 0: parse responses, bit 1: the
 * owner pauses in callbacks now and then), two bytes seeding the split
 * points, then the bytes to parse. Each input is parsed whole, in pieces,
 * in pieces with owner pauses, and byte by byte (short inputs); every way
 * must give the same verdict, the same completed messages (a digest of
 * every callback up to each message's end) and the same upgrade point.
 * Callbacks also check the guard's invariants: a header block or trailer
 * section is fully scanned before llhttp reports its end, no internal
 * pause reaches the owner, nothing is scanned ahead after a full read. */
#include "http/guard.h"
#include "http/parser.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                 \
        }                                                                            \
    } while (0)

enum { WHOLE, PIECES, PAUSES, BYTES };
enum { V_OK, V_ERROR, V_UPGRADE };

typedef struct {
    int verdict;
    llhttp_errno_t finish;
    size_t upgrade_at;  /* absolute offset where the other protocol starts */
    uint64_t digest;    /* of every callback up to the last completed message */
    unsigned messages;
} result_t;

typedef struct {
    tide__http_parser_t parser;
    uint64_t rng;
    int pauses;          /* the owner may pause */
    int owner_paused;    /* it did, and execute must say HPE_PAUSED */
    int last_kind;       /* spans of one kind in a row hash as one */
    uint64_t digest, done_digest;
    unsigned messages;
} rec_t;

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void mix(rec_t *r, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        r->digest = (r->digest ^ b[i]) * 0x100000001b3ull;
}

static void mark(rec_t *r, int kind)
{
    unsigned char k = (unsigned char)kind;
    mix(r, &k, 1);
    r->last_kind = kind;
}

static rec_t *rec_of(llhttp_t *ll) { return ll->data; }

/* A span: a marker when the kind changes, then its bytes. */
static int span(llhttp_t *ll, int kind, const char *at, size_t n)
{
    rec_t *r = rec_of(ll);
    if (n == 0)
        return 0;
    if (r->last_kind != kind)
        mark(r, kind);
    mix(r, at, n);
    return 0;
}

static int maybe_pause(rec_t *r)
{
    if (r->pauses && (next(&r->rng) & 3) == 0) {
        r->owner_paused = 1;
        return HPE_PAUSED;
    }
    return 0;
}

static int on_url(llhttp_t *ll, const char *at, size_t n) { return span(ll, 'u', at, n); }
static int on_status(llhttp_t *ll, const char *at, size_t n) { return span(ll, 's', at, n); }
static int on_method(llhttp_t *ll, const char *at, size_t n) { return span(ll, 'm', at, n); }
static int on_version(llhttp_t *ll, const char *at, size_t n) { return span(ll, 'v', at, n); }
static int on_field(llhttp_t *ll, const char *at, size_t n) { return span(ll, 'f', at, n); }
static int on_value(llhttp_t *ll, const char *at, size_t n) { return span(ll, 'h', at, n); }
static int on_ext_name(llhttp_t *ll, const char *at, size_t n) { return span(ll, 'e', at, n); }
static int on_ext_value(llhttp_t *ll, const char *at, size_t n) { return span(ll, 'x', at, n); }
static int on_body(llhttp_t *ll, const char *at, size_t n) { return span(ll, 'b', at, n); }

static int on_begin(llhttp_t *ll)
{
    rec_t *r = rec_of(ll);
    mark(r, 'B');
    return maybe_pause(r);
}

static int on_headers_complete(llhttp_t *ll)
{
    rec_t *r = rec_of(ll);
    tide__http_parser_t *p = &r->parser;
    CHECK(p->guard.phase == TIDE__GUARD_IDLE); /* the block was scanned first */
    mark(r, 'H');
    uint64_t facts[] = {ll->method, ll->status_code, ll->http_major, ll->http_minor,
                        ll->flags, ll->upgrade, ll->content_length,
                        (uint64_t)llhttp_should_keep_alive(ll)};
    mix(r, facts, sizeof(facts));
    return maybe_pause(r);
}

static int on_chunk_header(llhttp_t *ll)
{
    rec_t *r = rec_of(ll);
    CHECK(r->parser.guard.ext_bytes == 0); /* the wrapper reset it for the next line */
    mark(r, 'C');
    mix(r, &ll->content_length, sizeof(ll->content_length));
    return maybe_pause(r);
}

static int on_chunk_complete(llhttp_t *ll)
{
    rec_t *r = rec_of(ll);
    mark(r, 'c');
    return maybe_pause(r);
}

static int on_complete(llhttp_t *ll)
{
    rec_t *r = rec_of(ll);
    CHECK(r->parser.guard.phase == TIDE__GUARD_IDLE); /* trailers scanned too */
    mark(r, 'D');
    r->done_digest = r->digest;
    r->messages++;
    return maybe_pause(r);
}

static const llhttp_settings_t settings = {
    .on_message_begin = on_begin,
    .on_url = on_url,
    .on_status = on_status,
    .on_method = on_method,
    .on_version = on_version,
    .on_header_field = on_field,
    .on_header_value = on_value,
    .on_chunk_extension_name = on_ext_name,
    .on_chunk_extension_value = on_ext_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_complete,
    .on_chunk_header = on_chunk_header,
    .on_chunk_complete = on_chunk_complete,
};

static void run(const char *d, size_t n, int response, uint64_t seed, unsigned max_piece, int how,
                result_t *out)
{
    rec_t r;
    memset(&r, 0, sizeof(r));
    r.rng = seed | 1;
    r.pauses = how == PAUSES;
    r.digest = 0xcbf29ce484222325ull;
    tide__http_parser_init(&r.parser, response ? HTTP_RESPONSE : HTTP_REQUEST, &settings, &r);
    memset(out, 0, sizeof(*out));
    size_t off = 0;
    while (off < n) {
        size_t piece = how == WHOLE ? n - off : how == BYTES ? 1 : 1 + next(&r.rng) % max_piece;
        size_t end = off + (piece < n - off ? piece : n - off);
        size_t at = off;
        /* After a pause the rest is fed again, even when nothing is left:
         * that runs the steps the pause deferred. */
        for (int more = 1; more;) {
            size_t consumed = SIZE_MAX;
            llhttp_errno_t err = tide__http_parser_execute(&r.parser, d + at, end - at, &consumed);
            CHECK(consumed <= end - at);
            if (err == HPE_OK) {
                CHECK(consumed == end - at);
                CHECK(r.parser.guard.ahead == 0 && !r.parser.guard.paused);
                CHECK(!r.owner_paused);
                more = 0;
            } else if (err == HPE_PAUSED) {
                CHECK(r.owner_paused); /* the guard's own pauses never get out */
                r.owner_paused = 0;
                /* Paused means paused: nothing moves until resumed. */
                size_t again = SIZE_MAX;
                CHECK(tide__http_parser_execute(&r.parser, d + at + consumed, end - at - consumed,
                                                &again) == HPE_PAUSED && again == 0);
                tide__http_parser_resume(&r.parser);
                at += consumed;
            } else if (err == HPE_PAUSED_UPGRADE) {
                out->verdict = V_UPGRADE;
                out->upgrade_at = at + consumed;
                goto done;
            } else {
                /* An error sticks, consumes nothing more, and has a reason. */
                size_t again = SIZE_MAX;
                CHECK(tide__http_parser_execute(&r.parser, d, n, &again) == err && again == 0);
                CHECK(tide__http_parser_reason(&r.parser) != NULL);
                out->verdict = V_ERROR;
                goto done;
            }
        }
        off = end;
    }
    r.pauses = 0; /* no bytes are left to pause before */
    out->finish = tide__http_parser_finish(&r.parser);
done:
    out->digest = r.done_digest;
    out->messages = r.messages;
}

static void same(const result_t *a, const result_t *b, int how)
{
    if (a->verdict == b->verdict && a->digest == b->digest && a->messages == b->messages &&
        a->upgrade_at == b->upgrade_at && (a->verdict != V_OK || a->finish == b->finish))
        return;
    fprintf(stderr, "whole: verdict %d, %u messages, upgrade at %zu, finish %d\n"
                    "way %d: verdict %d, %u messages, upgrade at %zu, finish %d\n",
            a->verdict, a->messages, a->upgrade_at, a->finish, how, b->verdict, b->messages,
            b->upgrade_at, b->finish);
    CHECK(!"the same bytes split another way got another verdict");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    int response = data[0] & 1, pauses = data[0] & 2;
    uint64_t seed = (uint64_t)data[1] << 8 | data[2];
    unsigned max_piece = 1 + (data[1] & 63);
    const char *d = (const char *)data + 3;
    size_t n = size - 3;

    result_t whole, other;
    run(d, n, response, seed, max_piece, WHOLE, &whole);
    run(d, n, response, seed, max_piece, PIECES, &other);
    same(&whole, &other, PIECES);
    if (pauses) {
        run(d, n, response, seed, max_piece, PAUSES, &other);
        same(&whole, &other, PAUSES);
    }
    if (n <= 2048) {
        run(d, n, response, seed, max_piece, BYTES, &other);
        same(&whole, &other, BYTES);
    }
    return 0;
}
