/* tests/http/test_server_basic.c - the server's core: a request's line,
 * headers and strings, res_send / res_end framing, keep-alive reuse of
 * one connection, HTTP/1.0 with and without keep-alive, Connection:
 * close, HEAD, the Date header, response headers, and graceful close. */
#include "http_test.h"

static void hello(tide_http_req_t *req, tide_http_res_t *res, void *data)
{
    int *count = data;
    if (count) (*count)++;
    if (!strcmp(tide_http_req_path(req), "/info")) {
        char body[512];
        const char *name, *value;
        int n = snprintf(body, sizeof body, "%s %s %s q=%s 1.%d ka=%d h=%zu", tide_http_req_method(req),
                         tide_http_req_url(req), tide_http_req_path(req), tide_http_req_query(req),
                         tide_http_req_version_minor(req), tide_http_req_keep_alive(req),
                         tide_http_req_header_count(req));
        for (size_t i = 0; tide_http_req_header_at(req, i, &name, &value); i++)
            n += snprintf(body + n, sizeof body - (size_t)n, " [%s=%s]", name, value);
        const char *x = tide_http_req_header(req, "x-ONE");
        n += snprintf(body + n, sizeof body - (size_t)n, " x-one=%s", x ? x : "-");
        ASSERT_OK(tide_http_res_set_header(res, "X-Test", "yes"));
        ASSERT_OK(tide_http_res_add_header(res, "Set-Cookie", "a=1"));
        ASSERT_OK(tide_http_res_add_header(res, "Set-Cookie", "b=2"));
        ASSERT_EQ(tide_http_res_set_header(res, "X-Bad", "a\r\nInjected: 1"),
                  TIDE_ERR_HTTP_INVALID_HEADER_VALUE);
        ASSERT_STR_EQ(tide_http_res_get_header(res, "x-test"), "yes");
        ASSERT_OK(tide_http_res_send(res, 200, "text/plain", body, (size_t)n));
        return;
    }
    if (!strcmp(tide_http_req_path(req), "/empty")) {
        ASSERT_OK(tide_http_res_status(res, 204));
        ASSERT_OK(tide_http_res_end(res, NULL, 0));
        return;
    }
    ASSERT_EQ(tide_http_res_headers_sent(res), 0);
    ASSERT_OK(tide_http_res_send(res, 200, "text/plain", "Hello, World!", 13));
}

static void test_keep_alive(tide_loop_t *loop)
{
    int count = 0;
    tide_http_server_t *srv;
    ASSERT_OK(tide_http_listen(loop, "127.0.0.1", 0, NULL, hello, &count, &srv));
    int port = tide_http_server_port(srv);
    ASSERT_GT(port, 0);
    client_t cl;
    client_open(&cl, loop, port);
    for (int i = 1; i <= 3; i++) {
        client_send(&cl, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        client_wait_count(&cl, "Hello, World!", i);
    }
    ASSERT_EQ(count, 3);
    ASSERT_EQ(tide_http_server_connections(srv), 1u);
    ASSERT_EQ(tide_http_server_requests(srv), 3u);
    ASSERT(strstr(cl.buf, "Date: ") != NULL);
    char *u = undated(cl.buf);
    const char *one = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
                      "Hello, World!";
    char expected[1024];
    snprintf(expected, sizeof expected, "%s%s%s", one, one, one);
    ASSERT_STR_EQ(u, expected);
    free(u);
    client_close(&cl);
    wait_no_connections(loop, srv);
    ASSERT_OK(tide_http_server_close(srv, NULL, NULL));
    ASSERT_EQ(tide_http_server_close(srv, NULL, NULL), -EALREADY);
    tide_run(loop, TIDE_RUN_DEFAULT);
}

static void test_request_strings(tide_loop_t *loop)
{
    tide_http_server_t *srv;
    ASSERT_OK(tide_http_listen(loop, "127.0.0.1", 0, NULL, hello, NULL, &srv));
    client_t cl;
    client_open(&cl, loop, tide_http_server_port(srv));
    /* the request split byte by byte: spans cross reads */
    const char *req = "POST /info?x=1&y=2 HTTP/1.1\r\nHost: h\r\nX-One: first value\r\n"
                      "Content-Length: 0\r\n\r\n";
    for (const char *p = req; *p; p++) {
        client_send_n(&cl, p, 1);
        tide_run(loop, TIDE_RUN_NOWAIT);
    }
    client_wait_for(&cl, "x-one=first value");
    ASSERT(strstr(cl.buf, "POST /info?x=1&y=2 /info q=x=1&y=2 1.1 ka=1 h=3 [Host=h] "
                          "[X-One=first value] [Content-Length=0] x-one=first value"));
    ASSERT(strstr(cl.buf, "X-Test: yes\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"));
    ASSERT(!strstr(cl.buf, "Injected"));
    client_close(&cl);
    wait_no_connections(loop, srv);
    ASSERT_OK(tide_http_server_close(srv, NULL, NULL));
    tide_run(loop, TIDE_RUN_DEFAULT);
}

static void test_http10_and_close(tide_loop_t *loop)
{
    tide_http_server_t *srv;
    ASSERT_OK(tide_http_listen(loop, "127.0.0.1", 0, NULL, hello, NULL, &srv));
    int port = tide_http_server_port(srv);
    client_t cl;
    /* HTTP/1.0 without keep-alive: answered, then closed */
    client_open(&cl, loop, port);
    client_send(&cl, "GET / HTTP/1.0\r\n\r\n");
    client_wait_eof(&cl);
    ASSERT_REPLY(&cl, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
                      "Connection: close\r\n\r\nHello, World!");
    client_close(&cl);
    /* HTTP/1.0 with keep-alive: stays open */
    client_open(&cl, loop, port);
    client_send(&cl, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    client_wait_for(&cl, "World!");
    client_send(&cl, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    client_wait_count(&cl, "World!", 2);
    ASSERT_EQ(cl.eof, 0);
    ASSERT_EQ(count_of(cl.buf, "Connection: keep-alive\r\n"), 2);
    client_close(&cl);
    /* Connection: close on HTTP/1.1 */
    client_open(&cl, loop, port);
    client_send(&cl, "GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n");
    client_wait_eof(&cl);
    ASSERT_REPLY(&cl, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
                      "Connection: close\r\n\r\nHello, World!");
    client_close(&cl);
    /* HEAD: the same head, no body; 204 without framing */
    client_open(&cl, loop, port);
    client_send(&cl, "HEAD / HTTP/1.1\r\n\r\nGET /empty HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
    client_wait_for(&cl, "World!");
    ASSERT_REPLY(&cl, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
                      "HTTP/1.1 204 No Content\r\n\r\n"
                      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
                      "Hello, World!");
    client_close(&cl);
    wait_no_connections(loop, srv);
    ASSERT_OK(tide_http_server_close(srv, NULL, NULL));
    tide_run(loop, TIDE_RUN_DEFAULT);
}

int main(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    test_keep_alive(loop);
    test_request_strings(loop);
    test_http10_and_close(loop);
    ASSERT_STR_EQ(tide_http_status_text(404), "Not Found");
    ASSERT_STR_EQ(tide_http_status_text(799), "Unknown");
    TEST_CLOSE_LOOP(loop);
    return 0;
}
