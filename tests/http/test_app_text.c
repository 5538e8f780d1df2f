/* test_app_text.c - the application layer's pure parts, without a server:
 * percent-decoding, query strings, cookies both ways, route patterns and
 * matching, byte ranges, ETags and If-None-Match, HTTP dates, media types
 * and the compressible test. */
#include <errno.h>

#include "http/app_internal.h"
#include "test.h"

static tide__arena_t arena;

static void test_decode(void)
{
    char out[64];
    ASSERT_EQ(tide__http_pct_decode(out, "a%20b+c", 7, 1, 0), 5);
    ASSERT_STR_EQ(out, "a b+c");
    ASSERT_EQ(tide__http_pct_decode(out, "a%20b+c", 7, 0, 1), 5);
    ASSERT_STR_EQ(out, "a b c");
    ASSERT_EQ(tide__http_pct_decode(out, "%zz", 3, 1, 0), -EINVAL);
    ASSERT_EQ(tide__http_pct_decode(out, "%4", 2, 1, 0), -EINVAL);
    ASSERT_EQ(tide__http_pct_decode(out, "a%00", 4, 1, 0), -EINVAL);
    ASSERT_EQ(tide__http_pct_decode(out, "%zz%4", 5, 0, 0), 5); /* lenient: kept */
    ASSERT_STR_EQ(out, "%zz%4");
    ASSERT_EQ(tide__http_pct_decode(out, "%C3%A9", 6, 1, 0), 2);
    ASSERT_STR_EQ(out, "\xc3\xa9");
}

static void test_query(void)
{
    tide__pairs_t q = {0};
    const char *s = "a=1&b=x+y&a=%32&&c&=skip&d=%zz&e=";
    ASSERT_OK(tide__http_parse_query(&arena, s, strlen(s), &q));
    ASSERT_EQ(q.n, 6);
    ASSERT_STR_EQ(q.items[0].name, "a");
    ASSERT_STR_EQ(q.items[0].value, "1");
    ASSERT_STR_EQ(q.items[1].value, "x y");
    ASSERT_STR_EQ(q.items[2].value, "2");
    ASSERT_STR_EQ(q.items[3].name, "c");
    ASSERT_STR_EQ(q.items[3].value, "");
    ASSERT_STR_EQ(q.items[4].value, "%zz");
    ASSERT_STR_EQ(q.items[5].value, "");
    ASSERT_STR_EQ(tide__pairs_get(&q, "a"), "1");
    ASSERT(tide__pairs_get(&q, "zz") == NULL);
    tide__pairs_free(&q);
    ASSERT_OK(tide__http_parse_query(&arena, "", 0, &q));
    ASSERT_EQ(q.n, 0);
    tide__pairs_free(&q);
}

static void test_cookies(void)
{
    tide__pairs_t c = {0};
    ASSERT_OK(tide__http_parse_cookies(&arena, " a=1; b=\"two words\";c=%E2%9C%93; a=2; bad; d=%zz ", &c));
    ASSERT_STR_EQ(tide__pairs_get(&c, "a"), "1"); /* the first wins */
    ASSERT_STR_EQ(tide__pairs_get(&c, "b"), "two words");
    ASSERT_STR_EQ(tide__pairs_get(&c, "c"), "\xe2\x9c\x93");
    ASSERT_STR_EQ(tide__pairs_get(&c, "d"), "%zz"); /* undecodable: raw */
    ASSERT(tide__pairs_get(&c, "bad") == NULL);
    tide__pairs_free(&c);

    char buf[512];
    tide_http_cookie_opts_t o = {0};
    ASSERT_GT(tide__http_cookie_format(buf, sizeof buf, "sid", "a b;c", NULL, 0), 0);
    ASSERT_STR_EQ(buf, "sid=a%20b%3Bc; Path=/");
    o.has_max_age = 1;
    o.max_age_s = 60;
    o.domain = "example.com";
    o.path = "/app";
    o.secure = 1;
    o.http_only = 1;
    o.same_site = TIDE_SAMESITE_LAX;
    ASSERT_GT(tide__http_cookie_format(buf, sizeof buf, "k", "v", &o, 784111777 - 60), 0);
    ASSERT_STR_EQ(buf, "k=v; Max-Age=60; Domain=example.com; Path=/app; "
                       "Expires=Sun, 06 Nov 1994 08:49:37 GMT; HttpOnly; Secure; SameSite=Lax");
    ASSERT_EQ(tide__http_cookie_format(buf, sizeof buf, "bad name", "v", NULL, 0), -EINVAL);
    ASSERT_EQ(tide__http_cookie_format(buf, sizeof buf, "", "v", NULL, 0), -EINVAL);
    tide_http_cookie_opts_t inj = {0};
    inj.path = "/; Domain=evil";
    ASSERT_EQ(tide__http_cookie_format(buf, sizeof buf, "k", "v", &inj, 0), -EINVAL);
    ASSERT_EQ(tide__http_cookie_format(buf, 8, "k", "a long value", NULL, 0), -ENOSPC);
    tide_http_cookie_opts_t none = {0};
    none.same_site = TIDE_SAMESITE_NONE;
    none.expires = 1;
    ASSERT_GT(tide__http_cookie_format(buf, sizeof buf, "k", "", &none, 0), 0);
    ASSERT_STR_EQ(buf, "k=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; SameSite=None");
}

/* Patterns stay alive to the end: params name their segments. */
static tide__pattern_t patterns[32];
static size_t npatterns;

static int match(const char *pattern, const char *path, int prefix, size_t *consumed,
                 tide__param_t *params, size_t *np)
{
    tide__pattern_t *p = &patterns[npatterns++];
    tide__pseg_t *segs;
    size_t n;
    ASSERT_LT(npatterns, 32);
    ASSERT_OK(tide__pattern_compile(pattern, p));
    ASSERT_OK(tide__path_split(&arena, path, &segs, &n));
    return tide__pattern_match(&arena, p, segs, n, prefix, params, np, consumed);
}

static void test_patterns(void)
{
    tide__param_t pr[TIDE__MAX_PARAMS];
    size_t np, used;
    ASSERT(match("/", "/", 0, &used, pr, &np));
    ASSERT(match("/users", "/USERS/", 0, &used, pr, &np)); /* case, trailing slash */
    ASSERT(!match("/users", "/users/1", 0, &used, pr, &np));
    ASSERT(match("/users/:id", "/users/a%20b", 0, &used, pr, &np));
    ASSERT_EQ(np, 1);
    ASSERT_STR_EQ(pr[0].name, "id");
    ASSERT_STR_EQ(pr[0].value, "a b");
    ASSERT(!match("/users/:id", "/users", 0, &used, pr, &np));
    ASSERT(!match("/users/:id", "/users//", 0, &used, pr, &np));
    ASSERT(match("/users/:id?", "/users", 0, &used, pr, &np));
    ASSERT_EQ(np, 1);
    ASSERT(pr[0].value == NULL);
    ASSERT(match("/a/:x/b/:y", "/a/1/b/2", 0, &used, pr, &np));
    ASSERT_STR_EQ(pr[1].value, "2");
    ASSERT(match("/files/*", "/files/x/y%2Fz", 0, &used, pr, &np));
    ASSERT_STR_EQ(pr[0].name, "*");
    ASSERT_STR_EQ(pr[0].value, "x/y/z");
    ASSERT(match("/files/*", "/files", 0, &used, pr, &np));
    ASSERT_STR_EQ(pr[0].value, "");
    ASSERT(match("/api", "/api/v1/x", 1, &used, pr, &np));
    ASSERT_EQ(used, 1);
    ASSERT(!match("/api", "/apix", 1, &used, pr, &np));
    ASSERT(match("/", "/anything/at/all", 1, &used, pr, &np));
    ASSERT_EQ(used, 0);

    tide__pattern_t p;
    ASSERT_EQ(tide__pattern_compile("/a/*/b", &p), -EINVAL);
    ASSERT_EQ(tide__pattern_compile("/a/:", &p), -EINVAL);
    tide__pseg_t *segs;
    size_t n;
    ASSERT_EQ(tide__path_split(&arena, "/a/%zz", &segs, &n), -EINVAL);
    ASSERT_EQ(tide__path_split(&arena, "/a/%00", &segs, &n), -EINVAL);
    ASSERT_OK(tide__path_split(&arena, "/", &segs, &n));
    ASSERT_EQ(n, 0);
    ASSERT_OK(tide__path_split(&arena, "/a//b/", &segs, &n));
    ASSERT_EQ(n, 3);
    ASSERT_STR_EQ(segs[1].dec, "");
}

static void test_ranges(void)
{
    uint64_t a, b;
    ASSERT_EQ(tide__http_parse_range("bytes=0-99", 1000, &a, &b), 1);
    ASSERT_EQ(a, 0);
    ASSERT_EQ(b, 99);
    ASSERT_EQ(tide__http_parse_range("bytes=900-", 1000, &a, &b), 1);
    ASSERT_EQ(b, 999);
    ASSERT_EQ(tide__http_parse_range("bytes=-100", 1000, &a, &b), 1);
    ASSERT_EQ(a, 900);
    ASSERT_EQ(tide__http_parse_range("bytes=-5000", 1000, &a, &b), 1);
    ASSERT_EQ(a, 0);
    ASSERT_EQ(tide__http_parse_range("bytes=500-5000", 1000, &a, &b), 1);
    ASSERT_EQ(b, 999);
    ASSERT_EQ(tide__http_parse_range("bytes=1000-", 1000, &a, &b), -1);
    ASSERT_EQ(tide__http_parse_range("bytes=-0", 1000, &a, &b), -1);
    ASSERT_EQ(tide__http_parse_range("bytes=0-1,5-6", 1000, &a, &b), 0); /* multi: whole */
    ASSERT_EQ(tide__http_parse_range("bytes=0-4,5-9", 1000, &a, &b), 1); /* combined */
    ASSERT_EQ(b, 9);
    ASSERT_EQ(tide__http_parse_range("bytes=5-1", 1000, &a, &b), 0);
    ASSERT_EQ(tide__http_parse_range("bytes=x-1", 1000, &a, &b), 0);
    ASSERT_EQ(tide__http_parse_range("items=0-1", 1000, &a, &b), 0);
    ASSERT_EQ(tide__http_parse_range("bytes=", 1000, &a, &b), 0);
    ASSERT_EQ(tide__http_parse_range(NULL, 1000, &a, &b), 0);
    ASSERT_EQ(tide__http_parse_range("bytes=0-", 0, &a, &b), -1);
}

static void test_etag_dates(void)
{
    char etag[64], date[32];
    tide__http_etag(etag, 1234, 1700000000123LL);
    ASSERT_STR_EQ(etag, "W/\"4d2-18bcfe5687b\"");
    ASSERT(tide__http_etag_match(etag, etag));
    ASSERT(tide__http_etag_match("\"x\", \"4d2-18bcfe5687b\"", etag)); /* weak compare */
    ASSERT(tide__http_etag_match("*", etag));
    ASSERT(!tide__http_etag_match("\"4d2\"", etag));
    tide__http_fmt_date(date, 784111777);
    ASSERT_STR_EQ(date, "Sun, 06 Nov 1994 08:49:37 GMT");
    ASSERT_EQ(tide__http_parse_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
    ASSERT_EQ(tide__http_parse_date("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
    ASSERT_EQ(tide__http_parse_date("Sun Nov  6 08:49:37 1994"), 784111777);
    ASSERT_EQ(tide__http_parse_date("yesterday"), -1);
    ASSERT_EQ(tide__http_parse_date("Sun, 06 Foo 1994 08:49:37 GMT"), -1);
}

static void test_mime(void)
{
    ASSERT_STR_EQ(tide_http_mime_type("index.html"), "text/html; charset=UTF-8");
    ASSERT_STR_EQ(tide_http_mime_type("/a.b/app.JS"), "text/javascript; charset=UTF-8");
    ASSERT_STR_EQ(tide_http_mime_type("x.png"), "image/png");
    ASSERT_STR_EQ(tide_http_mime_type("noext"), "application/octet-stream");
    ASSERT_STR_EQ(tide_http_mime_type("dir.d/noext"), "application/octet-stream");
    ASSERT_STR_EQ(tide_http_mime_type("x.unknown"), "application/octet-stream");
    ASSERT(tide__http_compressible("text/plain; charset=utf-8"));
    ASSERT(tide__http_compressible("application/json"));
    ASSERT(tide__http_compressible("application/vnd.api+json"));
    ASSERT(tide__http_compressible("image/svg+xml"));
    ASSERT(!tide__http_compressible("image/png"));
    ASSERT(!tide__http_compressible("application/gzip"));
    ASSERT(!tide__http_compressible(NULL));
    char buf[64];
    tide__http_media_type(" Application/JSON ; charset=UTF-8", buf, sizeof buf);
    ASSERT_STR_EQ(buf, "application/json");
    ASSERT(tide__http_header_param("text/plain; Charset=\"ISO-8859-1\"", "charset", buf, sizeof buf));
    ASSERT_STR_EQ(buf, "iso-8859-1");
    ASSERT(!tide__http_header_param("text/plain", "charset", buf, sizeof buf));
}

static void test_errors(void)
{
    tide_error_t *e = tide_http_error_new(418, "teapot");
    ASSERT_EQ(tide_http_error_status(e), 418);
    tide_error_release(e);
    e = tide_http_error_new(200, NULL); /* not an error status */
    ASSERT_EQ(tide_http_error_status(e), 500);
    tide_error_release(e);
    e = tide_error_new(-ENOENT, NULL);
    ASSERT_EQ(tide_http_error_status(e), 404);
    tide_error_release(e);
    e = tide_error_new(TIDE_ERR_HTTP_BODY_TOO_LARGE, NULL);
    ASSERT_EQ(tide_http_error_status(e), 413);
    tide_error_release(e);
    e = tide_error_new(-EIO, NULL);
    ASSERT_EQ(tide_http_error_status(e), 500);
    tide_error_release(e);
}

int main(void)
{
    test_decode();
    test_query();
    test_cookies();
    test_patterns();
    test_ranges();
    test_etag_dates();
    test_mime();
    test_errors();
    for (size_t i = 0; i < npatterns; i++) tide__pattern_free(&patterns[i]);
    tide__arena_free(&arena);
    printf("ok\n");
    return 0;
}
