/* test_parser.c - tide__http_parser's contract beyond what the Node oracle
 * checks (tests/http/parser_oracle.*): each kind of rejection with its
 * errno, reason and offending byte, the same when fed byte by byte; owner
 * pauses and the bytes they report consumed; errors that stick until a
 * reset; the chunk-extension cap per chunk-size line; bodiless 1xx, 204
 * and 304 responses, also across a pause; finish after a pause on the last
 * byte; a parser moved between reads. */
#include "http/parser.h"

#include "test.h"

typedef struct {
    tide__http_parser_t parser;
    int messages, headers;
    int pause_complete, pause_headers; /* pause in these callbacks */
    char body[64];
    size_t body_len;
} owner_t;

static owner_t *owner_of(llhttp_t *ll) { return ll->data; }

static int on_headers(llhttp_t *ll)
{
    owner_t *o = owner_of(ll);
    o->headers++;
    return o->pause_headers ? HPE_PAUSED : 0;
}

static int on_body(llhttp_t *ll, const char *at, size_t n)
{
    owner_t *o = owner_of(ll);
    ASSERT_LE(o->body_len + n, sizeof(o->body));
    memcpy(o->body + o->body_len, at, n);
    o->body_len += n;
    return 0;
}

static int on_complete(llhttp_t *ll)
{
    owner_t *o = owner_of(ll);
    o->messages++;
    return o->pause_complete ? HPE_PAUSED : 0;
}

static const llhttp_settings_t settings = {
    .on_headers_complete = on_headers,
    .on_body = on_body,
    .on_message_complete = on_complete,
};

static void owner_init(owner_t *o, llhttp_type_t type)
{
    memset(o, 0, sizeof(*o));
    if (tide__http_parser_init(&o->parser, type, &settings, o) != 0) abort();
}

/* Feeds all of s in pieces of step bytes (0: whole), resuming after owner
 * pauses; returns the final errno and in *bad the offset it stopped at. */
static llhttp_errno_t feed(owner_t *o, const char *s, size_t len, size_t step, size_t *bad)
{
    size_t off = 0;
    while (off < len) {
        size_t n = step && len - off > step ? step : len - off, consumed;
        llhttp_errno_t err = tide__http_parser_execute(&o->parser, s + off, n, &consumed);
        ASSERT_LE(consumed, n);
        if (err == HPE_PAUSED) {
            tide__http_parser_resume(&o->parser);
            off += consumed;
            continue;
        }
        if (err != HPE_OK) {
            *bad = off + consumed;
            return err;
        }
        off += n;
    }
    *bad = len;
    return HPE_OK;
}

static void test_rejections(void)
{
    static const struct {
        llhttp_type_t type;
        const char *input;
        llhttp_errno_t code;
        const char *reason; /* a word of it */
        size_t bad;         /* the offending byte */
    } cases[] = {
        {HTTP_REQUEST, "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", HPE_INVALID_HEADER_TOKEN, "obs-fold", 22},
        {HTTP_REQUEST, "GET / HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n", HPE_INVALID_HEADER_TOKEN, "obs-fold", 22},
        {HTTP_REQUEST, "GET / HTTP/1.1\r\n: b\r\n\r\n", HPE_INVALID_HEADER_TOKEN, "empty field name", 16},
        {HTTP_REQUEST, "GET / HTTP/1.1\nHost: a\r\n\r\n", HPE_CR_EXPECTED, "Bare LF", 14},
        {HTTP_REQUEST, "GET / HTTP/1.1\r\nHost: a\r\n\n", HPE_CR_EXPECTED, "Bare LF", 25},
        {HTTP_REQUEST, "GET / HTTP/1.1\r\nHost: a\r\n\rX", HPE_LF_EXPECTED, "Bare CR", 26},
        {HTTP_REQUEST, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: 1\r\n x\r\n\r\n",
         HPE_INVALID_HEADER_TOKEN, "obs-fold", 56},
        {HTTP_REQUEST, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\n", HPE_CR_EXPECTED,
         "Bare LF", 50},
        {HTTP_RESPONSE, "HTTP/1.1 20 OK\r\n\r\n", HPE_INVALID_STATUS, "status", 11},
        {HTTP_RESPONSE, "HTTP/1.1  200 OK\r\n\r\n", HPE_INVALID_STATUS, "status", 9},
        {HTTP_RESPONSE, "HTTP/1.1 2000 OK\r\n\r\n", HPE_INVALID_STATUS, "status", 12},
        {HTTP_RESPONSE, "HTTP/1.1 200 OK\nA: b\r\n\r\n", HPE_CR_EXPECTED, "Bare LF", 15},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (size_t step = 0; step <= 2; step++) { /* whole, byte by byte, in twos */
            owner_t o;
            size_t bad;
            owner_init(&o, cases[i].type);
            llhttp_errno_t err = feed(&o, cases[i].input, strlen(cases[i].input), step, &bad);
            if (err != cases[i].code || bad != cases[i].bad ||
                !strstr(tide__http_parser_reason(&o.parser), cases[i].reason))
                TEST_FAIL("case %zu step %zu: %s at %zu (%s)", i, step, llhttp_errno_name(err), bad,
                          tide__http_parser_reason(&o.parser));
            ASSERT_EQ(o.messages, 0); /* rejected before llhttp finished the block */
        }
    }
}

static void test_errors_stick(void)
{
    owner_t o;
    size_t consumed = 99;
    owner_init(&o, HTTP_REQUEST);
    const char *bad = "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n";
    ASSERT_EQ(tide__http_parser_execute(&o.parser, bad, strlen(bad), &consumed), HPE_INVALID_HEADER_TOKEN);
    ASSERT_EQ(consumed, 22);
    const char *good = "GET / HTTP/1.1\r\n\r\n";
    ASSERT_EQ(tide__http_parser_execute(&o.parser, good, strlen(good), &consumed), HPE_INVALID_HEADER_TOKEN);
    ASSERT_EQ(consumed, 0);
    ASSERT_EQ(tide__http_parser_finish(&o.parser), HPE_INVALID_HEADER_TOKEN);
    tide__http_parser_reset(&o.parser);
    ASSERT_EQ(tide__http_parser_execute(&o.parser, good, strlen(good), &consumed), HPE_OK);
    ASSERT_EQ(consumed, strlen(good));
    ASSERT_EQ(o.messages, 1);
}

static void test_owner_pauses(void)
{
    const char *three = "GET /1 HTTP/1.1\r\n\r\n"
                        "POST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
                        "GET /3 HTTP/1.1\r\nA: b\r\n\r\n";
    size_t len = strlen(three), ends[] = {19, 61, len};
    owner_t o;
    owner_init(&o, HTTP_REQUEST);
    o.pause_complete = 1;
    size_t off = 0;
    for (int i = 0; i < 3; i++) {
        size_t consumed;
        ASSERT_EQ(tide__http_parser_execute(&o.parser, three + off, len - off, &consumed), HPE_PAUSED);
        ASSERT_EQ(off + consumed, ends[i]);
        ASSERT_EQ(o.messages, i + 1);
        /* Paused: nothing moves until resumed. */
        size_t again;
        ASSERT_EQ(tide__http_parser_execute(&o.parser, three + off + consumed, 1, &again), HPE_PAUSED);
        ASSERT_EQ(again, 0);
        tide__http_parser_resume(&o.parser);
        off += consumed;
    }
    ASSERT_EQ(tide__http_parser_execute(&o.parser, three + off, 0, NULL), HPE_OK);
    ASSERT_EQ(tide__http_parser_finish(&o.parser), HPE_OK);
    ASSERT_EQ(o.body_len, 3);
}

static void test_finish_after_last_byte_pause(void)
{
    owner_t o;
    owner_init(&o, HTTP_REQUEST);
    o.pause_headers = 1;
    const char *get = "GET / HTTP/1.1\r\n\r\n";
    size_t consumed;
    ASSERT_EQ(tide__http_parser_execute(&o.parser, get, strlen(get), &consumed), HPE_PAUSED);
    ASSERT_EQ(o.messages, 0); /* on_message_complete waits for the resume */
    tide__http_parser_resume(&o.parser);
    o.pause_headers = 0;
    ASSERT_EQ(tide__http_parser_finish(&o.parser), HPE_OK);
    ASSERT_EQ(o.messages, 1);
}

static void test_chunk_extensions(void)
{
    char buf[40000];
    const char *head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    static const struct {
        size_t first, last; /* extension bytes on the first and the last chunk line */
        llhttp_errno_t code;
    } cases[] = {{16384, 0, HPE_OK}, {16385, 0, HPE_USER}, {9000, 9000, HPE_OK}, {0, 16385, HPE_USER}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = (size_t)sprintf(buf, "%s1", head);
        if (cases[i].first) {
            buf[n++] = ';';
            memset(buf + n, 'e', cases[i].first);
            n += cases[i].first;
        }
        n += (size_t)sprintf(buf + n, "\r\nx\r\n0");
        if (cases[i].last) {
            buf[n++] = ';';
            memset(buf + n, 'e', cases[i].last);
            n += cases[i].last;
        }
        n += (size_t)sprintf(buf + n, "\r\n\r\n");
        for (size_t step = 0; step <= 7; step += 7) {
            owner_t o;
            size_t bad;
            owner_init(&o, HTTP_REQUEST);
            ASSERT_EQ(feed(&o, buf, n, step, &bad), cases[i].code);
            ASSERT_EQ(o.messages, cases[i].code == HPE_OK);
            if (cases[i].code != HPE_OK)
                ASSERT(strstr(tide__http_parser_reason(&o.parser), "Chunk extensions overflow"));
        }
    }
}

static void test_bodiless_responses(void)
{
    const char *replies = "HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\n"
                          "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"
                          "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
    for (int pause = 0; pause <= 1; pause++) {
        owner_t o;
        size_t bad;
        owner_init(&o, HTTP_RESPONSE);
        o.pause_headers = pause;
        ASSERT_EQ(feed(&o, replies, strlen(replies), 0, &bad), HPE_OK);
        ASSERT_EQ(o.messages, 4);
        ASSERT_EQ(o.body_len, 2);
        ASSERT(memcmp(o.body, "hi", 2) == 0);
    }
}

static void test_moved_between_reads(void)
{
    owner_t a, b;
    owner_init(&a, HTTP_REQUEST);
    const char *req = "GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n";
    size_t half = 20;
    ASSERT_EQ(tide__http_parser_execute(&a.parser, req, half, NULL), HPE_OK);
    memcpy(&b, &a, sizeof(a));
    memset(&a, 0xff, sizeof(a)); /* the old place is gone */
    b.parser.ll.data = &b;
    ASSERT_EQ(tide__http_parser_execute(&b.parser, req + half, strlen(req) - half, NULL), HPE_OK);
    ASSERT_EQ(b.messages, 1);
}

int main(void)
{
    test_rejections();
    test_errors_stick();
    test_owner_pauses();
    test_finish_after_last_byte_pause();
    test_chunk_extensions();
    test_bodiless_responses();
    test_moved_between_reads();
    printf("parser: ok\n");
    return 0;
}
