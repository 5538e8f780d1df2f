/* tests/http/test_app_faults.c - the application layer when memory runs
 * out: every allocation of a life (loop, app, routes, server, one request
 * through the JSON body parser, compression, a cookie, a routed handler
 * with a path param and a query, a JSON answer) is made to fail in turn.
 * Each time the client gets a whole answer (the handler's 200, or the
 * app's 4xx/5xx) or a closed connection, never a hang, and once the loop
 * is closed nothing tide allocated is left. */
#include "app_test.h"
#include "test_alloc.h"

static const char request[] =
    "POST /items/7?tag=blue HTTP/1.1\r\nHost: t\r\nCookie: sid=abc; theme=dark\r\n"
    "Content-Type: application/json\r\nContent-Length: 9\r\nConnection: close\r\n\r\n"
    "{\"n\": 41}";

static void item(tide_http_ctx_t *ctx, void *data)
{
    (void)data;
    json_t *body = tide_http_body_json(ctx);
    const char *id = tide_http_param(ctx, "id");
    const char *tag = tide_http_query(ctx, "tag");
    const char *sid = tide_http_cookie(ctx, "sid");
    if (!body || !id || !tag || !sid) {
        tide_http_next_error(ctx, tide_http_error_new(500, "lost a piece of the request"));
        return;
    }
    json_t *out = json_pack("{s:s, s:s, s:s, s:I}", "id", id, "tag", tag, "sid", sid, "n",
                            (json_int_t)json_integer_value(json_object_get(body, "n")) + 1);
    ASSERT(out != NULL);
    if (tide_http_set_cookie(ctx, "seen", "1", NULL) != 0) {
        json_decref(out);
        tide_http_next_error(ctx, tide_http_error_new(500, "no cookie"));
        return;
    }
    (void)tide_http_send_json(ctx, 200, out);
    json_decref(out);
}

/* Read the reply to the close; 1 when the server sent a whole answer,
 * which must then be the handler's or an error status the app chose. */
static int read_reply(tide_loop_t *loop, int fd, char *buf, size_t cap)
{
    size_t len = 0;
    for (;;) {
        ssize_t r = recv(fd, buf + len, cap - 1 - len, 0);
        if (r > 0) {
            len += (size_t)r;
            continue;
        }
        if (r == 0 || (errno != EAGAIN && errno != EINTR)) break;
        ASSERT_GE(tide_run(loop, TIDE_RUN_NOWAIT), 0);
    }
    buf[len] = '\0';
    const char *cl = strstr(buf, "Content-Length: ");
    const char *body = strstr(buf, "\r\n\r\n");
    if (!cl || !body || strlen(body + 4) != strtoul(cl + 16, NULL, 10)) return 0; /* cut short */
    int status = reply_status(buf);
    if (status == 200) {
        json_t *j = json_loads(body + 4, 0, NULL);
        ASSERT(j != NULL);
        ASSERT_STR_EQ(json_string_value(json_object_get(j, "id")), "7");
        ASSERT_STR_EQ(json_string_value(json_object_get(j, "tag")), "blue");
        ASSERT_STR_EQ(json_string_value(json_object_get(j, "sid")), "abc");
        ASSERT_EQ(json_integer_value(json_object_get(j, "n")), 42);
        json_decref(j);
        ASSERT(strstr(buf, "Set-Cookie: seen=1") != NULL);
    } else {
        ASSERT(status == 500 || status == 503 || status == 400 || status == 413);
    }
    return 1;
}

static int one_life(long budget)
{
    alloc_budget = budget;
    tide_loop_t *loop;
    if (tide_loop_new(&loop) != 0) return 0;
    tide_http_app_t *app = NULL;
    tide_http_server_t *srv = NULL;
    static tide_http_compress_opts_t gzip = {.threshold = 1};
    if (tide_http_app_new(loop, &app) == 0 && tide_http_app_use(app, tide_http_compress, &gzip) == 0 &&
        tide_http_app_use(app, tide_http_json_parser, NULL) == 0 &&
        tide_http_app_post(app, "/items/:id", item, NULL) == 0 &&
        tide_http_app_listen(app, "127.0.0.1", 0, NULL, &srv) == 0) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)tide_http_server_port(srv)),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        ASSERT_OK(connect(fd, (struct sockaddr *)&sa, sizeof sa));
        ASSERT_OK(fcntl(fd, F_SETFL, O_NONBLOCK));
        ASSERT_EQ(send(fd, request, sizeof request - 1, MSG_NOSIGNAL), (ssize_t)sizeof request - 1);
        char buf[4096];
        (void)read_reply(loop, fd, buf, sizeof buf);
        close(fd);
        (void)tide_http_server_close(srv, NULL, NULL);
    }
    while (tide_run(loop, TIDE_RUN_ONCE) > 0) {
    }
    if (app) tide_http_app_free(app);
    int whole = alloc_budget != 0;
    alloc_budget = -1;
    ASSERT_OK(tide_loop_close(loop));
    return whole;
}

int main(void)
{
    alloc_sweep(one_life);
    printf("ok\n");
    return 0;
}
