/* tests/http/test_server_hostile.c - clients that mean harm: request
 * smuggling shapes (Content-Length with Transfer-Encoding, two
 * Content-Lengths, obs-fold, bare LF, bad chunk sizes) get 400 and the
 * close; slowloris headers meet the headers timeout; oversized headers
 * and bodies get their status; a client that disconnects in the middle
 * of a response; a pipelined flood from a client that never reads, while
 * another client is still served promptly and the server's memory stays
 * bounded; Upgrade and CONNECT with and without a handler. */
#include "http_test.h"

static tide_http_res_t *held;
static int closes;

static void on_res_close(tide_http_res_t *res, void *data)
{
    closes++;
    ASSERT_EQ(tide_http_res_write(res, "x", 1, NULL, NULL), -EPIPE);
    ASSERT_EQ(tide_http_res_end(res, NULL, 0), -EPIPE);
    held = NULL;
}

static int on_body_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    ASSERT_OK(tide_http_res_send(data, 200, NULL, "ok", 2));
    return 0;
}

static int on_body_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    return 0;
}

static int on_body_close(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    if (!tide_stream_readable_ended(tide_stream_of(em))) tide_http_res_end(data, NULL, 0);
    return 0;
}

static void handler(tide_http_req_t *req, tide_http_res_t *res, void *data)
{
    if (tide_http_req_has_body(req)) {
        /* read the body, answer at its end (the smuggling cases never get there) */
        tide_stream_t *body = tide_http_req_body(req);
        tide_stream_on(body, TIDE_EVENT_DATA, on_body_error, NULL);
        tide_stream_on(body, TIDE_EVENT_END, on_body_end, res);
        tide_stream_on(body, TIDE_EVENT_ERROR, on_body_error, NULL);
        tide_stream_on(body, TIDE_EVENT_CLOSE, on_body_close, res);
        return;
    }
    if (!strcmp(tide_http_req_path(req), "/hold")) {
        ASSERT_OK(tide_http_res_on_close(res, on_res_close, NULL));
        ASSERT_OK(tide_http_res_write_head(res, 200));
        held = res;
        return;
    }
    ASSERT_OK(tide_http_res_send(res, 200, NULL, "ok", 2));
}

static const char *R400 = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";

static void expect_close(tide_loop_t *loop, int port, const char *req, const char *reply)
{
    client_t cl;
    client_open(&cl, loop, port);
    client_send(&cl, req);
    client_wait_eof(&cl);
    ASSERT_REPLY(&cl, reply);
    client_close(&cl);
}

static void test_smuggling(tide_loop_t *loop, tide_http_server_t *srv)
{
    int port = tide_http_server_port(srv);
    static const char *bad[] = {
        "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "GET / HTTP/1.1\r\nX-A: a\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\nHost: x\n\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
        "NOT A REQUEST\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        expect_close(loop, port, bad[i], R400);
    }
    /* a valid request then garbage: the answer, then 400 */
    expect_close(loop, port, "GET / HTTP/1.1\r\n\r\n\x01\x02garbage",
                 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                 "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
}

static void test_disconnect_mid_response(tide_loop_t *loop, tide_http_server_t *srv)
{
    client_t cl;
    client_open(&cl, loop, tide_http_server_port(srv));
    client_send(&cl, "GET /hold HTTP/1.1\r\n\r\n");
    client_wait_for(&cl, "\r\n\r\n");
    ASSERT(held);
    closes = 0;
    client_close(&cl);
    while (!closes) tide_run(loop, TIDE_RUN_ONCE);
    ASSERT(held == NULL);
    wait_no_connections(loop, srv);
}

static void test_flood(tide_loop_t *loop, tide_http_server_t *srv)
{
    /* a client that pipelines without end and never reads */
    client_t flood, good;
    client_open_rcvbuf(&flood, loop, tide_http_server_port(srv), 4096);
    client_pause(&flood, 1);
    client_open(&good, loop, tide_http_server_port(srv));
    static char burst[64 * 1024];
    const char *one = "GET / HTTP/1.1\r\n\r\n";
    size_t n = strlen(one), used = 0;
    while (used + n <= sizeof burst) {
        memcpy(burst + used, one, n);
        used += n;
    }
    /* write until the flood's socket is full both ways */
    int rounds = 0;
    for (;;) {
        ssize_t w = send(flood.fd, burst, used, MSG_NOSIGNAL | MSG_DONTWAIT);
        tide_run(loop, TIDE_RUN_NOWAIT);
        if (w < 0) {
            ASSERT_EQ(errno, EAGAIN);
            if (++rounds > 50) break;
        }
        /* the other client is answered at every step */
        good.len = 0;
        good.buf[0] = '\0';
        client_send(&good, "GET / HTTP/1.1\r\n\r\n");
        client_wait_for(&good, "\r\n\r\nok");
    }
    /* still both connected: the flood was paused, not dropped */
    ASSERT_EQ(tide_http_server_connections(srv), 2u);
    client_close(&flood);
    client_close(&good);
    wait_no_connections(loop, srv);
}

static void on_upgrade(tide_http_req_t *req, tide_stream_t *socket, const tide_chunk_t *head,
                       void *data)
{
    ASSERT_STR_EQ(tide_http_req_header(req, "upgrade"), "echo");
    const char *reply = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n";
    tide_stream_write(socket, reply, strlen(reply), NULL, NULL);
    const tide_chunk_t *copy;
    ASSERT_OK(tide_chunk_copy(tide_http_req_loop(req), head->base, head->len, &copy));
    tide_stream_end(socket, copy, NULL, NULL);
    tide_chunk_release(copy);
    tide_stream_release(socket);
}

static void test_upgrade(tide_loop_t *loop)
{
    tide_http_server_t *plain, *up;
    ASSERT_OK(tide_http_listen(loop, "127.0.0.1", 0, NULL, handler, NULL, &plain));
    tide_http_server_opts_t o = {.on_upgrade = on_upgrade};
    ASSERT_OK(tide_http_listen(loop, "127.0.0.1", 0, &o, handler, NULL, &up));
    const char *req = "GET /ws HTTP/1.1\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhello after";
    expect_close(loop, tide_http_server_port(up), req,
                 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"
                 "hello after");
    /* without a handler: an Upgrade is a plain request (Node 20), CONNECT gets 501 */
    client_t cl;
    client_open(&cl, loop, tide_http_server_port(plain));
    client_send(&cl, "GET /ws HTTP/1.1\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"
                     "GET / HTTP/1.1\r\n\r\n");
    client_wait_count(&cl, "ok", 2);
    client_close(&cl);
    expect_close(loop, tide_http_server_port(plain), "CONNECT host:443 HTTP/1.1\r\n\r\n",
                 "HTTP/1.1 501 Not Implemented\r\nConnection: close\r\n\r\n");
    wait_no_connections(loop, plain);
    ASSERT_OK(tide_http_server_close(plain, NULL, NULL));
    ASSERT_OK(tide_http_server_close(up, NULL, NULL));
    tide_run(loop, TIDE_RUN_DEFAULT);
}

int main(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_http_server_t *srv;
    tide_http_server_opts_t o = {.headers_timeout_ms = 50};
    ASSERT_OK(tide_http_listen(loop, "127.0.0.1", 0, &o, handler, NULL, &srv));
    test_smuggling(loop, srv);
    /* slowloris, one byte at a time, ends with the headers timeout */
    expect_close(loop, tide_http_server_port(srv), "GET / HTTP/1.1\r\nX: ",
                 "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n");
    test_disconnect_mid_response(loop, srv);
    test_flood(loop, srv);
    wait_no_connections(loop, srv);
    ASSERT_OK(tide_http_server_close(srv, NULL, NULL));
    tide_run(loop, TIDE_RUN_DEFAULT);
    test_upgrade(loop);
    TEST_CLOSE_LOOP(loop);
    return 0;
}
