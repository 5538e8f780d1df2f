/* tests/http/test_server_limits.c - Node's timeouts and the limits with
 * their status codes: headers timeout (408), request timeout (408),
 * keep-alive timeout (a quiet close), header block size and header count
 * (431), URL length (414), body size (413, declared or chunked), requests
 * per connection, and graceful close (idle connections go at once, the
 * one in flight finishes with Connection: close, then the callback). Every
 * wait is on the event itself (the close), never a sleep. */
#include "http_test.h"

static int client_errors, last_code, last_status;
static tide_http_res_t *held;
static int closed_cb;

static void on_client_error(tide_http_server_t *srv, int code, int status, void *data)
{
    client_errors++;
    last_code = code;
    last_status = status;
}

static int on_body_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data) { return 0; }

static void on_res_close(tide_http_res_t *res, void *data)
{
    closed_cb++;
    ASSERT_EQ(tide_http_res_end(res, NULL, 0), -EPIPE);
    held = NULL;
}

static void handler(tide_http_req_t *req, tide_http_res_t *res, void *data)
{
    if (!strcmp(tide_http_req_path(req), "/wait")) {
        /* waits for a body that never completes, or to be ended by the test */
        tide_stream_t *body = tide_http_req_body(req);
        tide_stream_on(body, TIDE_EVENT_ERROR, on_body_error, NULL);
        ASSERT_OK(tide_http_res_on_close(res, on_res_close, NULL));
        held = res;
        return;
    }
    ASSERT_OK(tide_http_res_send(res, 200, NULL, "ok", 2));
}

static tide_http_server_t *start(tide_loop_t *loop, tide_http_server_opts_t *o)
{
    tide_http_server_t *srv;
    o->on_client_error = on_client_error;
    ASSERT_OK(tide_http_listen(loop, "127.0.0.1", 0, o, handler, NULL, &srv));
    return srv;
}

static void stop(tide_loop_t *loop, tide_http_server_t *srv)
{
    wait_no_connections(loop, srv);
    ASSERT_OK(tide_http_server_close(srv, NULL, NULL));
    tide_run(loop, TIDE_RUN_DEFAULT);
}

/* Send req on a new connection and expect exactly reply then the close. */
static void expect_close(tide_loop_t *loop, tide_http_server_t *srv, const char *req,
                         const char *reply)
{
    client_t cl;
    client_open(&cl, loop, tide_http_server_port(srv));
    client_send(&cl, req);
    client_wait_eof(&cl);
    ASSERT_REPLY(&cl, reply);
    client_close(&cl);
}

static const char *R408 = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n";
static const char *R431 = "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n";

static void test_timeouts(tide_loop_t *loop)
{
    tide_http_server_opts_t o = {.headers_timeout_ms = 40, .request_timeout_ms = 80,
                                 .keepalive_timeout_ms = 30};
    tide_http_server_t *srv = start(loop, &o);
    /* slowloris: the header block never ends */
    client_errors = 0;
    expect_close(loop, srv, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: 1", R408);
    ASSERT_EQ(client_errors, 1);
    ASSERT_EQ(last_code, TIDE_ERR_HTTP_REQUEST_TIMEOUT);
    ASSERT_EQ(last_status, 408);
    /* a client that connects and says nothing */
    expect_close(loop, srv, "", R408);
    /* the body never completes: the request timeout; the handler hears of it */
    closed_cb = 0;
    expect_close(loop, srv, "POST /wait HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", R408);
    while (!closed_cb) tide_run(loop, TIDE_RUN_ONCE);
    ASSERT(held == NULL);
    /* keep-alive: an idle connection is closed without a word */
    client_t cl;
    client_open(&cl, loop, tide_http_server_port(srv));
    client_send(&cl, "GET / HTTP/1.1\r\n\r\n");
    client_wait_eof(&cl);
    ASSERT_REPLY(&cl, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    client_close(&cl);
    stop(loop, srv);
}

static void test_limits(tide_loop_t *loop)
{
    tide_http_server_opts_t o = {.max_header_size = 1024, .max_headers = 5, .max_url_size = 100,
                                 .max_body_size = 10, .max_requests_per_conn = 2};
    tide_http_server_t *srv = start(loop, &o);
    char big[4096];
    snprintf(big, sizeof big, "GET / HTTP/1.1\r\nX-Big: %01500d\r\n\r\n", 7);
    client_errors = 0;
    expect_close(loop, srv, big, R431);
    ASSERT_EQ(last_code, TIDE_HPE_HEADER_OVERFLOW);
    expect_close(loop, srv, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\n\r\n", R431);
    snprintf(big, sizeof big, "GET /%0200d HTTP/1.1\r\n\r\n", 1);
    expect_close(loop, srv, big, "HTTP/1.1 414 URI Too Long\r\nConnection: close\r\n\r\n");
    ASSERT_EQ(last_code, TIDE_ERR_HTTP_URI_TOO_LONG);
    expect_close(loop, srv, "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n",
                 "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n");
    ASSERT_EQ(last_code, TIDE_ERR_HTTP_BODY_TOO_LARGE);
    expect_close(loop, srv, "POST /wait HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n",
                 "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n");
    while (held) tide_run(loop, TIDE_RUN_ONCE); /* its on_close ended it */
    ASSERT_EQ(client_errors, 5);
    /* two requests per connection: the second says close, the third is not read */
    expect_close(loop, srv, "GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n",
                 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    stop(loop, srv);
}

static void on_closed(tide_http_server_t *srv, void *data)
{
    ASSERT(srv != NULL);
    (*(int *)data)++;
}

static void test_graceful_close(tide_loop_t *loop)
{
    tide_http_server_opts_t o = {0};
    tide_http_server_t *srv = start(loop, &o);
    client_t idle, busy;
    client_open(&idle, loop, tide_http_server_port(srv));
    client_send(&idle, "GET / HTTP/1.1\r\n\r\n");
    client_wait_for(&idle, "ok");
    client_open(&busy, loop, tide_http_server_port(srv));
    client_send(&busy, "GET /wait HTTP/1.1\r\n\r\n");
    while (!held) tide_run(loop, TIDE_RUN_ONCE);
    ASSERT_EQ(tide_http_server_connections(srv), 2u);
    int done = 0;
    ASSERT_OK(tide_http_server_close(srv, on_closed, &done));
    client_wait_eof(&idle); /* the idle one goes at once */
    ASSERT_EQ(done, 0);
    ASSERT_OK(tide_http_res_send(held, 200, NULL, "late", 4));
    held = NULL;
    client_wait_eof(&busy);
    ASSERT_REPLY(&busy, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nlate");
    while (!done) tide_run(loop, TIDE_RUN_ONCE);
    client_close(&idle);
    client_close(&busy);
    tide_run(loop, TIDE_RUN_DEFAULT);

    /* close_all: the request in flight goes too; its handler hears of it */
    srv = start(loop, &o);
    client_open(&busy, loop, tide_http_server_port(srv));
    client_send(&busy, "GET /wait HTTP/1.1\r\n\r\n");
    while (!held) tide_run(loop, TIDE_RUN_ONCE);
    closed_cb = 0;
    tide_http_server_close_all(srv);
    client_wait_eof(&busy);
    while (!closed_cb) tide_run(loop, TIDE_RUN_ONCE);
    client_close(&busy);
    stop(loop, srv);
}

int main(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    test_timeouts(loop);
    test_limits(loop);
    test_graceful_close(loop);
    TEST_CLOSE_LOOP(loop);
    return 0;
}
