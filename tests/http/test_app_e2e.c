/* test_app_e2e.c - the application layer against a real server on
 * 127.0.0.1, with raw requests and curl: middleware order, routes and
 * params, mounted routers, error middleware and the default answers (404,
 * 500 without details, statuses from errors), fiber handlers that await,
 * body parsers (good, malformed, too large, wrong type), forms, cookies,
 * CORS, static files (Range, ETag, 304, 416, traversal) and gzip. */
#include <sys/stat.h>

#include "app_test.h"

static tide_loop_t *loop;
static int port;
static char order[256];

static void note(const char *s)
{
    strncat(order, s, sizeof order - strlen(order) - 1);
}

static void mw_first(tide_http_ctx_t *ctx, void *d) { note("1"); tide_http_next(ctx); }
static void mw_api(tide_http_ctx_t *ctx, void *d)
{
    note("api:");
    note(tide_http_ctx_path(ctx));
    tide_http_next(ctx);
}

static void send_fmt(tide_http_ctx_t *ctx, const char *a, const char *b)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s%s", a, b ? b : "(none)");
    tide_http_send_text(ctx, 200, buf);
}

static void user(tide_http_ctx_t *ctx, void *d) { send_fmt(ctx, "user ", tide_http_param(ctx, "id")); }
static void files(tide_http_ctx_t *ctx, void *d) { send_fmt(ctx, "file ", tide_http_param(ctx, "*")); }
static void opt(tide_http_ctx_t *ctx, void *d) { send_fmt(ctx, "opt ", tide_http_param(ctx, "x")); }
/* Answers through the server's response directly, behind the context's
 * back: the context must still be given back (LeakSanitizer and Valgrind
 * catch it otherwise, as the app is then never freed). */
static void direct(tide_http_ctx_t *ctx, void *d)
{
    tide_http_res_t *res = tide_http_ctx_res(ctx);
    tide_http_res_set_header(res, "Content-Type", "text/plain");
    tide_http_res_end(res, "direct", 6);
}
static void any(tide_http_ctx_t *ctx, void *d) { send_fmt(ctx, "any ", tide_http_ctx_method(ctx)); }
static void created(tide_http_ctx_t *ctx, void *d) { tide_http_send_text(ctx, 201, "created"); }
static void item(tide_http_ctx_t *ctx, void *d)
{
    char buf[256];
    snprintf(buf, sizeof buf, "item %s path %s", tide_http_param(ctx, "id"), tide_http_ctx_path(ctx));
    tide_http_send_text(ctx, 200, buf);
}
static void query(tide_http_ctx_t *ctx, void *d)
{
    const char *v[4];
    size_t n = tide_http_query_all(ctx, "a", v, 4);
    char buf[256];
    snprintf(buf, sizeof buf, "n=%zu a0=%s a1=%s b=%s", n, n > 0 ? v[0] : "", n > 1 ? v[1] : "",
             tide_http_query(ctx, "b"));
    tide_http_send_text(ctx, 200, buf);
}
static void teapot(tide_http_ctx_t *ctx, void *d)
{
    tide_http_next_error(ctx, tide_http_error_new(418, "secret detail"));
}
static void crash(tide_http_ctx_t *ctx, void *d)
{
    tide_http_next_error(ctx, tide_error_new(-EIO, "secret detail"));
}
static void handle_teapot(tide_http_ctx_t *ctx, tide_error_t *err, void *d)
{
    note("E");
    if (tide_http_error_status(err) == 418) tide_http_send_text(ctx, 418, "teapot handled");
    else tide_http_next_error(ctx, tide_error_ref(err));
}

static void later_next(tide_loop_t *l, void *ctx) { tide_http_next(ctx); }
static void later(tide_http_ctx_t *ctx, void *d) { tide_set_immediate(loop, later_next, ctx); }
static void later2(tide_http_ctx_t *ctx, void *d) { tide_http_send_text(ctx, 200, "later"); }

static int slow(tide_http_ctx_t *ctx, void *d)
{
    uint64_t t0 = tide_now(loop);
    int rc = tide_sleep_await(loop, 20, NULL);
    if (rc < 0) return rc;
    char buf[64];
    snprintf(buf, sizeof buf, "slept %s", tide_now(loop) - t0 >= 20 ? "enough" : "too little");
    return tide_http_send_text(ctx, 200, buf);
}
static int slow_fail(tide_http_ctx_t *ctx, void *d)
{
    int rc = tide_sleep_await(loop, 1, NULL);
    return rc < 0 ? rc : -ENOENT;
}
static int read_json(tide_http_ctx_t *ctx, void *d)
{
    json_t *j;
    int rc = tide_http_read_json_await(ctx, 100, &j);
    if (rc < 0) return rc;
    json_t *reply = json_pack("{s:o?}", "got", j);
    rc = tide_http_send_json(ctx, 200, reply);
    json_decref(reply);
    return rc;
}

static void echo_json(tide_http_ctx_t *ctx, void *d)
{
    json_t *j = tide_http_body_json(ctx);
    tide_http_send_json(ctx, 200, j ? j : json_null());
}
static void form(tide_http_ctx_t *ctx, void *d) { send_fmt(ctx, "a=", tide_http_body_field(ctx, "a")); }

static void cookie(tide_http_ctx_t *ctx, void *d)
{
    tide_http_cookie_opts_t o = {.has_max_age = 1, .max_age_s = 10, .http_only = 1,
                                 .same_site = TIDE_SAMESITE_STRICT};
    ASSERT_OK(tide_http_set_cookie(ctx, "seen", "yes please", &o));
    ASSERT_EQ(tide_http_set_cookie(ctx, "bad;name", "x", NULL), -EINVAL);
    send_fmt(ctx, "a=", tide_http_cookie(ctx, "a"));
}
static void redirect(tide_http_ctx_t *ctx, void *d) { tide_http_redirect(ctx, 0, "/users/7"); }

static void big(tide_http_ctx_t *ctx, void *d)
{
    /* 200 KiB of text in 4 KiB writes: compressed as it streams */
    char line[4096];
    for (size_t i = 0; i < sizeof line; i++) line[i] = (char)('a' + i % 26);
    line[sizeof line - 1] = '\n';
    tide_http_res_set_header(tide_http_ctx_res(ctx), "Content-Type", "text/plain");
    for (int i = 0; i < 50; i++) ASSERT_GE(tide_http_write(ctx, line, sizeof line), 0);
    tide_http_end(ctx, NULL, 0);
}
static void small(tide_http_ctx_t *ctx, void *d) { tide_http_send_text(ctx, 200, "tiny"); }

static char dir[64], root[96];

static void write_file(const char *name, const char *text, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ASSERT(f);
    ASSERT_EQ(fwrite(text, 1, len, f), len);
    fclose(f);
}

static char *get(const char *target, const char *headers)
{
    char req[2048];
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%s\r\n", target,
             headers ? headers : "");
    return raw_request(loop, port, req);
}

static char *post(const char *target, const char *type, const char *body)
{
    char req[4096];
    snprintf(req, sizeof req,
             "POST %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: %s\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             target, type, strlen(body), body);
    return raw_request(loop, port, req);
}

#define EXPECT(reply_expr, status, needle)                                               \
    do {                                                                                 \
        char *r_ = (reply_expr);                                                         \
        if (reply_status(r_) != (status) || !strstr(r_, (needle)))                       \
            TEST_FAIL("%s: wanted %d and \"%s\" in:\n%s", #reply_expr, status, needle, r_); \
        free(r_);                                                                        \
    } while (0)

static void test_routing(void)
{
    order[0] = '\0';
    EXPECT(get("/users/42", NULL), 200, "user 42");
    ASSERT_STR_EQ(order, "1");
    EXPECT(get("/users/a%20b", NULL), 200, "user a b");
    EXPECT(get("/USERS/9/", NULL), 200, "user 9");
    EXPECT(get("/files/x/y.txt", NULL), 200, "file x/y.txt");
    EXPECT(get("/opt", NULL), 200, "opt (none)");
    EXPECT(get("/opt/5", NULL), 200, "opt 5");
    EXPECT(get("/direct", NULL), 200, "direct");
    EXPECT(post("/users", "text/plain", "x"), 201, "created");
    EXPECT(raw_request(loop, port, "DELETE /any HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
           200, "any DELETE");
    char *r = raw_request(loop, port, "HEAD /users/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    ASSERT_EQ(reply_status(r), 200);
    ASSERT_STR_EQ(reply_body(r), ""); /* HEAD falls back to GET, without a body */
    free(r);
    order[0] = '\0';
    EXPECT(get("/api/items/3", NULL), 200, "item 3 path /items/3");
    ASSERT_STR_EQ(order, "1api:/items/3");
    EXPECT(get("/q?a=1&a=x+y&b=%41", NULL), 200, "n=2 a0=1 a1=x y b=A");
    EXPECT(get("/later", NULL), 200, "later");
    EXPECT(get("/redirect", NULL), 302, "Location: /users/7");
    EXPECT(get("/nowhere", NULL), 404, "Cannot GET /nowhere");
    EXPECT(post("/users/1", "text/plain", "x"), 404, "Cannot POST /users/1");
    EXPECT(get("/users/%zz", NULL), 400, "Bad Request");
}

static void test_errors(void)
{
    order[0] = '\0';
    EXPECT(get("/teapot", NULL), 418, "teapot handled");
    ASSERT_STR_EQ(order, "1E");
    char *r = get("/crash", NULL);
    ASSERT_EQ(reply_status(r), 500);
    ASSERT(strstr(r, "Internal Server Error"));
    ASSERT(!strstr(r, "secret")); /* no details leak */
    free(r);
    EXPECT(get("/slow", NULL), 200, "slept enough");
    EXPECT(get("/slow-fail", NULL), 404, "Not Found");
}

static void test_bodies(void)
{
    EXPECT(post("/json", "application/json", "{\"a\":[1,2]}"), 200, "{\"a\":[1,2]}");
    EXPECT(post("/json", "application/json; charset=utf-8", "{\"a\":"), 400, "Bad Request");
    EXPECT(post("/json", "application/json", "\"scalar\""), 400, "Bad Request"); /* strict */
    char big_body[200];
    memset(big_body, ' ', sizeof big_body - 3);
    memcpy(big_body + sizeof big_body - 3, "{}", 3);
    EXPECT(post("/json", "application/json", big_body), 413, "Payload Too Large");
    EXPECT(post("/json", "application/json; charset=latin1", "{}"), 415, "Unsupported Media Type");
    /* another type: the parser skips it, the route sees no JSON */
    EXPECT(post("/json", "text/plain", "{}"), 200, "null");
    EXPECT(post("/form", "application/x-www-form-urlencoded", "b=2&a=x+%26+y"), 200, "a=x & y");
    EXPECT(post("/read-json", "application/json", "[true]"), 200, "{\"got\":[true]}");
    EXPECT(post("/read-json", "application/json", "[tru"), 400, "Bad Request");
    EXPECT(post("/read-json", "application/json", big_body), 413, "Payload Too Large");
}

static void test_cookies_cors(void)
{
    char *r = get("/cookie", "Cookie: b=1; a=hello%20there\r\n");
    ASSERT(strstr(r, "a=hello there"));
    ASSERT(strstr(r, "Set-Cookie: seen=yes%20please; Max-Age=10; Path=/; Expires="));
    ASSERT(strstr(r, "; HttpOnly; SameSite=Strict\r\n"));
    free(r);
    r = raw_request(loop, port,
                    "OPTIONS /cors/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    "Origin: https://a.example\r\nAccess-Control-Request-Method: PUT\r\n"
                    "Access-Control-Request-Headers: X-Token\r\n\r\n");
    ASSERT_EQ(reply_status(r), 204);
    ASSERT(strstr(r, "Access-Control-Allow-Origin: https://a.example\r\n"));
    ASSERT(strstr(r, "Access-Control-Allow-Methods: GET,PUT\r\n"));
    ASSERT(strstr(r, "Access-Control-Allow-Headers: X-Token\r\n"));
    ASSERT(strstr(r, "Access-Control-Max-Age: 600\r\n"));
    ASSERT(strstr(r, "Access-Control-Allow-Credentials: true\r\n"));
    free(r);
    r = get("/cors/x", "Origin: https://evil.example\r\n");
    ASSERT(!strstr(r, "Access-Control-Allow-Origin"));
    ASSERT(strstr(r, "Vary: Origin"));
    free(r);
}

static void test_static(void)
{
    char *r = get("/static/hello.txt", NULL);
    ASSERT_EQ(reply_status(r), 200);
    ASSERT_STR_EQ(reply_body(r), "0123456789abcdefghij");
    ASSERT(strstr(r, "Content-Type: text/plain; charset=UTF-8\r\n"));
    ASSERT(strstr(r, "Accept-Ranges: bytes\r\n"));
    char etag[64] = {0};
    const char *e = strstr(r, "ETag: ");
    ASSERT(e);
    sscanf(e + 6, "%63[^\r]", etag);
    ASSERT_EQ(strncmp(etag, "W/\"14-", 6), 0);
    const char *lm = strstr(r, "Last-Modified: ");
    ASSERT(lm);
    char lastmod[64] = {0};
    sscanf(lm + 15, "%63[^\r]", lastmod);
    free(r);

    char h[256];
    snprintf(h, sizeof h, "If-None-Match: %s\r\n", etag);
    EXPECT(get("/static/hello.txt", h), 304, "ETag");
    snprintf(h, sizeof h, "If-Modified-Since: %s\r\n", lastmod);
    EXPECT(get("/static/hello.txt", h), 304, "Last-Modified");
    EXPECT(get("/static/hello.txt", "If-None-Match: \"other\"\r\n"), 200, "0123456789");
    r = get("/static/hello.txt", "Range: bytes=2-5\r\n");
    ASSERT_EQ(reply_status(r), 206);
    ASSERT(strstr(r, "Content-Range: bytes 2-5/20\r\n"));
    ASSERT_STR_EQ(reply_body(r), "2345");
    free(r);
    r = get("/static/hello.txt", "Range: bytes=-3\r\n");
    ASSERT_STR_EQ(reply_body(r), "hij");
    free(r);
    EXPECT(get("/static/hello.txt", "Range: bytes=50-\r\n"), 416, "Content-Range: bytes */20");
    EXPECT(get("/static/hello.txt", "Range: bytes=0-1,5-6\r\n"), 200, "0123456789abcdefghij");
    snprintf(h, sizeof h, "Range: bytes=0-1\r\nIf-Range: \"stale\"\r\n");
    EXPECT(get("/static/hello.txt", h), 200, "0123456789abcdefghij");
    EXPECT(get("/static/sub/", NULL), 200, "<p>index</p>");
    EXPECT(get("/static/sub", NULL), 301, "Location: /static/sub/");
    EXPECT(get("/static/missing.txt", NULL), 404, "Cannot GET");
    EXPECT(get("/static/.hidden", NULL), 404, "Cannot GET");
    /* never the secret beside the root */
    EXPECT(get("/static/../secret.txt", NULL), 403, "Forbidden");
    EXPECT(get("/static/%2e%2e/secret.txt", NULL), 403, "Forbidden");
    EXPECT(get("/static/sub/..%2F..%2Fsecret.txt", NULL), 403, "Forbidden");
    EXPECT(get("/static/a%00b", NULL), 400, "Bad Request");
    r = raw_request(loop, port, "HEAD /static/hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    ASSERT_EQ(reply_status(r), 200);
    ASSERT(strstr(r, "Content-Length: 20\r\n"));
    ASSERT_STR_EQ(reply_body(r), "");
    free(r);
}

static void test_gzip(void)
{
    char *r = get("/gz/big", "Accept-Encoding: gzip, deflate\r\n");
    ASSERT_EQ(reply_status(r), 200);
    ASSERT(strstr(r, "Content-Encoding: gzip\r\n"));
    ASSERT(strstr(r, "Vary: Accept-Encoding\r\n"));
    free(r);
    r = get("/gz/big", "Accept-Encoding: gzip;q=0, deflate\r\n");
    ASSERT(strstr(r, "Content-Encoding: deflate\r\n"));
    free(r);
    r = get("/gz/big", NULL);
    ASSERT(!strstr(r, "Content-Encoding"));
    free(r);
    r = get("/gz/small", "Accept-Encoding: gzip\r\n"); /* under the threshold */
    ASSERT(!strstr(r, "Content-Encoding"));
    ASSERT(strstr(r, "tiny"));
    free(r);

    /* curl inflates it: the content must be the 200 KiB of text */
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/gz/big", port);
    char *argv[] = {"curl", "-sS", "--compressed", "-w", "|%{size_download}", url, NULL};
    int status;
    size_t len;
    char *out = run_child(loop, argv, &status, &len);
    ASSERT_EQ(status, 0);
    char *bar = strrchr(out, '|');
    ASSERT(bar);
    ASSERT_EQ(bar - out, 50 * 4096);
    for (int i = 0; i < 50 * 4096; i++)
        ASSERT_EQ(out[i], i % 4096 == 4095 ? '\n' : 'a' + (i % 4096) % 26);
    ASSERT_LT(atol(bar + 1), 10000); /* what went over the wire */
    free(out);
}

static void on_closed(tide_http_server_t *s, void *data) { *(int *)data = 1; }

int main(void)
{
    ASSERT_OK(tide_loop_new(&loop));
    snprintf(dir, sizeof dir, "/tmp/tide-app-XXXXXX");
    ASSERT(mkdtemp(dir));
    snprintf(root, sizeof root, "%s/pub", dir);
    ASSERT_OK(mkdir(root, 0755));
    char sub[128];
    snprintf(sub, sizeof sub, "%s/sub", root);
    ASSERT_OK(mkdir(sub, 0755));
    write_file("secret.txt", "secret", 6);
    write_file("pub/hello.txt", "0123456789abcdefghij", 20);
    write_file("pub/.hidden", "hidden", 6);
    write_file("pub/sub/index.html", "<p>index</p>", 12);

    tide_http_app_t *app;
    ASSERT_OK(tide_http_app_new(loop, &app));
    static const char *const origins[] = {"https://a.example", NULL};
    static tide_http_cors_opts_t cors = {.origins = origins, .methods = "GET,PUT",
                                         .credentials = 1, .max_age_s = 600};
    static tide_http_body_opts_t json = {.limit = 64};
    tide_http_static_opts_t st = {.root = root};
    tide_http_router_t *api;
    ASSERT_OK(tide_http_router_new(loop, &api));
    ASSERT_OK(tide_http_router_use(api, NULL, mw_api, NULL));
    ASSERT_OK(tide_http_router_route(api, "GET", "/items/:id", item, NULL));

    ASSERT_OK(tide_http_app_use(app, mw_first, NULL));
    ASSERT_OK(tide_http_app_use_path(app, "/gz", tide_http_compress, NULL));
    ASSERT_OK(tide_http_app_use_path(app, "/cors", tide_http_cors, &cors));
    ASSERT_OK(tide_http_app_use_path(app, "/json", tide_http_json_parser, &json));
    ASSERT_OK(tide_http_app_use_path(app, "/form", tide_http_urlencoded_parser, NULL));
    ASSERT_OK(tide_http_app_use_path(app, "/static", tide_http_static, &st));
    ASSERT_OK(tide_http_app_mount(app, "/api", api));
    ASSERT_EQ(tide_http_app_mount(app, "/again", api), -EBUSY);
    ASSERT_OK(tide_http_app_get(app, "/users/:id", user, NULL));
    ASSERT_OK(tide_http_app_post(app, "/users", created, NULL));
    ASSERT_OK(tide_http_app_get(app, "/files/*", files, NULL));
    ASSERT_OK(tide_http_app_get(app, "/opt/:x?", opt, NULL));
    ASSERT_OK(tide_http_app_all(app, "/any", any, NULL));
    ASSERT_OK(tide_http_app_get(app, "/q", query, NULL));
    ASSERT_OK(tide_http_app_get(app, "/later", later, NULL));
    ASSERT_OK(tide_http_app_get(app, "/direct", direct, NULL));
    ASSERT_OK(tide_http_app_get(app, "/later", later2, NULL));
    ASSERT_OK(tide_http_app_get(app, "/redirect", redirect, NULL));
    ASSERT_OK(tide_http_app_get(app, "/teapot", teapot, NULL));
    ASSERT_OK(tide_http_app_get(app, "/crash", crash, NULL));
    ASSERT_OK(tide_http_app_get_async(app, "/slow", slow, NULL));
    ASSERT_OK(tide_http_app_get_async(app, "/slow-fail", slow_fail, NULL));
    ASSERT_OK(tide_http_app_post_async(app, "/read-json", read_json, NULL));
    ASSERT_OK(tide_http_app_post(app, "/json", echo_json, NULL));
    ASSERT_OK(tide_http_app_post(app, "/form", form, NULL));
    ASSERT_OK(tide_http_app_get(app, "/cookie", cookie, NULL));
    ASSERT_OK(tide_http_app_get(app, "/cors/x", small, NULL));
    ASSERT_OK(tide_http_app_get(app, "/gz/big", big, NULL));
    ASSERT_OK(tide_http_app_get(app, "/gz/small", small, NULL));
    ASSERT_OK(tide_http_app_use_error(app, handle_teapot, NULL));
    ASSERT_EQ(tide_http_app_get(app, "/bad/*/x", user, NULL), -EINVAL);

    tide_http_server_t *server;
    ASSERT_OK(tide_http_app_listen(app, "127.0.0.1", 0, NULL, &server));
    port = tide_http_server_port(server);

    test_routing();
    test_errors();
    test_bodies();
    test_cookies_cors();
    test_static();
    test_gzip();

    ASSERT_EQ(tide_http_app_in_flight(app), 0);
    int closed = 0;
    ASSERT_OK(tide_http_server_close(server, on_closed, &closed));
    tide_run(loop, TIDE_RUN_DEFAULT);
    ASSERT(closed);
    tide_http_app_free(app);
    ASSERT_OK(tide_loop_close(loop));
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ASSERT_OK(system(cmd));
    printf("ok\n");
    return 0;
}
