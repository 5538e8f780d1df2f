/* tests/http/test_server_body.c - bodies both ways: Content-Length and
 * chunked uploads read through the body stream, Expect: 100-continue,
 * chunked responses from writes, a large upload read slowly (the server
 * stops reading the socket: its buffered bytes stay bounded), a client
 * that does not read (write returns 0, drain follows), the response as a
 * writable stream, pipelined requests answered in order behind a slow
 * handler, and an unread body discarded with the connection kept. */
#include "http_test.h"

typedef struct {
    tide_http_res_t *res;
    char *buf;
    size_t len;
    size_t max_buffered;
    int slow;
} upload_t;

static int on_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);

static void resume_later(tide_loop_t *loop, void *data)
{
    tide_stream_t *s = data;
    tide_stream_resume(s);
    tide_stream_release(s); /* the body is lent: held across the timer */
}

static int on_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    upload_t *u = data;
    const tide_chunk_t *c = arg;
    tide_stream_t *s = tide_stream_of(em);
    size_t buffered = tide_stream_readable_length(s);
    if (buffered > u->max_buffered) u->max_buffered = buffered;
    if (u->slow) {
        u->len += c->len; /* count only */
        tide_stream_pause(s);
        tide_set_timeout(tide_stream_loop(s), resume_later, tide_stream_ref(s), 0);
    } else {
        u->buf = realloc(u->buf, u->len + c->len + 1);
        memcpy(u->buf + u->len, c->base, c->len);
        u->len += c->len;
    }
    return 0;
}

static int on_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    upload_t *u = data;
    char reply[64];
    if (u->slow) {
        int n = snprintf(reply, sizeof reply, "got %zu", u->len);
        ASSERT_OK(tide_http_res_send(u->res, 200, NULL, reply, (size_t)n));
    } else {
        ASSERT_OK(tide_http_res_send(u->res, 200, NULL, u->buf ? u->buf : "", u->len));
    }
    free(u->buf);
    u->buf = NULL;
    u->len = 0;
    return 0;
}

static upload_t upload;
static int order[8], norder;
static tide_http_res_t *slow_res;
static int saw_zero, drains;
static size_t big_sent;

static void end_slow(tide_loop_t *loop, void *data)
{
    order[norder++] = 2;
    ASSERT_OK(tide_http_res_send(slow_res, 200, NULL, "slow", 4));
}

#define BIG (16u << 20)
static char piece[65536];

static void pump(tide_http_res_t *res, void *data)
{
    drains += data != NULL;
    while (big_sent < BIG) {
        big_sent += sizeof piece;
        int r = tide_http_res_write(res, piece, sizeof piece, NULL, NULL);
        ASSERT_GE(r, 0);
        if (r == 0) {
            saw_zero++;
            return; /* on_drain continues */
        }
    }
    ASSERT_OK(tide_http_res_end(res, NULL, 0));
}

static void handler(tide_http_req_t *req, tide_http_res_t *res, void *data)
{
    const char *path = tide_http_req_path(req);
    if (!strcmp(path, "/echo") || !strcmp(path, "/slowread")) {
        upload.res = res;
        upload.slow = !strcmp(path, "/slowread");
        tide_stream_t *body = tide_http_req_body(req);
        ASSERT(body);
        ASSERT(tide_http_req_body(req) == body);
        ASSERT_OK(tide_stream_on(body, TIDE_EVENT_DATA, on_data, &upload));
        ASSERT_OK(tide_stream_on(body, TIDE_EVENT_END, on_end, &upload));
    } else if (!strcmp(path, "/chunked")) {
        ASSERT_EQ(tide_http_res_write(res, "hello ", 6, NULL, NULL), 1);
        ASSERT_EQ(tide_http_res_write_copy(res, "world", 5), 1);
        ASSERT_OK(tide_http_res_end(res, "!", 1));
    } else if (!strcmp(path, "/slow")) {
        order[norder++] = 1;
        slow_res = res;
        tide_set_timeout(tide_http_req_loop(req), end_slow, NULL, 5);
    } else if (!strcmp(path, "/fast")) {
        order[norder++] = 3;
        ASSERT_OK(tide_http_res_send(res, 200, NULL, "fast", 4));
    } else if (!strcmp(path, "/big")) {
        big_sent = 0;
        ASSERT_OK(tide_http_res_on_drain(res, pump, res));
        pump(res, NULL);
    } else if (!strcmp(path, "/file")) {
        char name[] = "/tmp/tide-http-file-XXXXXX";
        int fd = mkstemp(name);
        ASSERT(fd >= 0);
        unlink(name);
        ASSERT_EQ(write(fd, "0123456789", 10), 10);
        ASSERT_OK(tide_http_res_send_file(res, fd, 2, 5));
        close(fd); /* the server keeps its own */
    } else if (!strcmp(path, "/stream")) {
        tide_stream_t *s = tide_http_res_stream(res);
        ASSERT(s);
        ASSERT_OK(tide_http_res_set_header(res, "Content-Type", "text/plain"));
        tide_stream_write(s, "abc", 3, NULL, NULL);
        tide_stream_write(s, "def", 3, NULL, NULL);
        tide_stream_end(s, NULL, NULL, NULL);
    } else {
        /* never reads the body */
        ASSERT_OK(tide_http_res_send(res, 200, NULL, "ignored", 7));
    }
}

static tide_http_server_t *start(tide_loop_t *loop)
{
    tide_http_server_t *srv;
    ASSERT_OK(tide_http_listen(loop, "127.0.0.1", 0, NULL, handler, NULL, &srv));
    return srv;
}

static void stop(tide_loop_t *loop, tide_http_server_t *srv)
{
    wait_no_connections(loop, srv);
    ASSERT_OK(tide_http_server_close(srv, NULL, NULL));
    tide_run(loop, TIDE_RUN_DEFAULT);
}

static void test_upload_and_chunked(tide_loop_t *loop)
{
    tide_http_server_t *srv = start(loop);
    client_t cl;
    client_open(&cl, loop, tide_http_server_port(srv));
    client_send(&cl, "POST /echo HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world");
    client_wait_for(&cl, "hello world");
    client_send(&cl, "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nchunk\r\n6;ext=1\r\ned-bod\r\n1\r\ny\r\n0\r\nX-Trailer: t\r\n\r\n");
    client_wait_for(&cl, "chunked-body");
    client_send(&cl, "GET /chunked HTTP/1.1\r\n\r\n");
    client_wait_for(&cl, "0\r\n\r\n");
    ASSERT_REPLY(&cl, "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world"
                      "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nchunked-body"
                      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "6\r\nhello \r\n5\r\nworld\r\n1\r\n!\r\n0\r\n\r\n");
    client_close(&cl);
    /* 100-continue: sent when the body is first read, then the body */
    client_open(&cl, loop, tide_http_server_port(srv));
    client_send(&cl, "POST /echo HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    client_wait_for(&cl, "HTTP/1.1 100 Continue\r\n\r\n");
    client_send(&cl, "data");
    client_wait_for(&cl, "\r\n\r\ndata");
    ASSERT_REPLY(&cl, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndata");
    client_close(&cl);
    /* the response as a writable stream (chunked: no length known) */
    client_open(&cl, loop, tide_http_server_port(srv));
    client_send(&cl, "GET /stream HTTP/1.1\r\n\r\n");
    client_wait_for(&cl, "0\r\n\r\n");
    ASSERT_REPLY(&cl, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n");
    client_close(&cl);
    /* send_file: a part of a file, then the next pipelined request */
    client_open(&cl, loop, tide_http_server_port(srv));
    client_send(&cl, "GET /file HTTP/1.1\r\n\r\nHEAD /file HTTP/1.1\r\n\r\nGET /chunked HTTP/1.1\r\n\r\n");
    client_wait_for(&cl, "0\r\n\r\n");
    ASSERT_REPLY(&cl, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n23456"
                      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "6\r\nhello \r\n5\r\nworld\r\n1\r\n!\r\n0\r\n\r\n");
    client_close(&cl);
    stop(loop, srv);
}

static void test_pipeline_order(tide_loop_t *loop)
{
    tide_http_server_t *srv = start(loop);
    client_t cl;
    client_open(&cl, loop, tide_http_server_port(srv));
    norder = 0;
    client_send(&cl, "GET /slow HTTP/1.1\r\n\r\nGET /fast HTTP/1.1\r\n\r\n"
                     "POST /nobody HTTP/1.1\r\nContent-Length: 5\r\n\r\n12345GET /fast HTTP/1.1\r\n\r\n");
    client_wait_count(&cl, "fast", 2);
    ASSERT_EQ(norder, 4);
    ASSERT_EQ(order[0], 1);
    ASSERT_EQ(order[1], 2); /* the slow response ended before the next handler ran */
    ASSERT_EQ(order[2], 3);
    ASSERT_REPLY(&cl, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nslow"
                      "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfast"
                      "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nignored"
                      "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfast");
    client_close(&cl);
    stop(loop, srv);
}

static void test_backpressure(tide_loop_t *loop)
{
    tide_http_server_t *srv = start(loop);
    client_t cl;
    client_open(&cl, loop, tide_http_server_port(srv));
    /* 8 MiB upload read one chunk per timer turn */
    size_t total = 8u << 20;
    char head[128];
    snprintf(head, sizeof head, "POST /slowread HTTP/1.1\r\nContent-Length: %zu\r\n\r\n", total);
    client_send(&cl, head);
    static char block[65536];
    memset(block, 'u', sizeof block);
    upload.max_buffered = 0;
    for (size_t sent = 0; sent < total; sent += sizeof block) client_send_n(&cl, block, sizeof block);
    client_wait_for(&cl, "got 8388608");
    /* never more than the stream's mark plus one read in memory */
    ASSERT_LE(upload.max_buffered, 16384u + 65536u);
    client_close(&cl);

    /* a client that does not read: write returns 0, then drains */
    client_open_rcvbuf(&cl, loop, tide_http_server_port(srv), 16384);
    client_pause(&cl, 1);
    saw_zero = drains = 0;
    client_send(&cl, "GET /big HTTP/1.1\r\n\r\n");
    while (!saw_zero) tide_run(loop, TIDE_RUN_ONCE);
    for (int i = 0; i < 200; i++) tide_run(loop, TIDE_RUN_NOWAIT);
    ASSERT_LT(big_sent, BIG); /* the handler waits for drain: nothing piles up */
    client_pause(&cl, 0);
    while (cl.len < BIG) tide_run(loop, TIDE_RUN_ONCE);
    ASSERT_GT(drains, 0);
    char *end = strstr(cl.buf, "\r\n\r\n");
    ASSERT(end);
    ASSERT(strstr(cl.buf, "Transfer-Encoding: chunked"));
    client_wait_for(&cl, "\r\n0\r\n\r\n");
    client_close(&cl);
    stop(loop, srv);
}

/* ---- a body whose last chunk fills the reader's buffer ---------------------
 * The parser pauses on the very last byte it was given (the push said the
 * buffer is full), so nothing is left to stash; once the reader drains the
 * buffer, the parser must still run again for the message to complete. */

typedef struct {
    tide_http_res_t *res;
    tide_stream_t *body;
    size_t len;
} late_reader_t;

static late_reader_t late;

static int late_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    late.len += ((tide_chunk_t *)arg)->len;
    return 0;
}

static int late_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    char reply[32];
    int n = snprintf(reply, sizeof reply, "read %zu", late.len);
    ASSERT_OK(tide_http_res_send(late.res, 200, NULL, reply, (size_t)n));
    return 0;
}

static void late_handler(tide_http_req_t *req, tide_http_res_t *res, void *data)
{
    late.res = res;
    late.len = 0;
    late.body = tide_http_req_body(req); /* read later, by the test */
    ASSERT(late.body != NULL);
}

static void test_pause_on_last_byte(tide_loop_t *loop)
{
    tide_http_server_opts_t opts = {.listen = {.hwm = 4}};
    tide_http_server_t *srv;
    ASSERT_OK(tide_http_listen(loop, "127.0.0.1", 0, &opts, late_handler, NULL, &srv));
    client_t cl;
    client_open(&cl, loop, tide_http_server_port(srv));
    client_send(&cl, "POST /late HTTP/1.1\r\nContent-Length: 5\r\n\r\n");
    while (!late.body) tide_run(loop, TIDE_RUN_ONCE);
    /* Two bytes stay under the mark of 4; the last three cross it with
     * the last byte of the body, and the parser pauses there. */
    client_send(&cl, "he");
    while (tide_stream_readable_length(late.body) < 2) tide_run(loop, TIDE_RUN_ONCE);
    client_send(&cl, "llo");
    while (tide_stream_readable_length(late.body) < 5) tide_run(loop, TIDE_RUN_ONCE);
    ASSERT_OK(tide_stream_on(late.body, TIDE_EVENT_END, late_end, NULL));
    ASSERT_OK(tide_stream_on(late.body, TIDE_EVENT_DATA, late_data, NULL));
    ASSERT(client_wait_for(&cl, "read 5"));
    client_close(&cl);
    stop(loop, srv);
}

int main(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    memset(piece, 'p', sizeof piece);
    test_upload_and_chunked(loop);
    test_pipeline_order(loop);
    test_backpressure(loop);
    test_pause_on_last_byte(loop);
    TEST_CLOSE_LOOP(loop);
    return 0;
}
