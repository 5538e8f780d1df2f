/* tests/http/test_client_node.c - tide's HTTP client against Node's http
 * server (client_server.js, spawned as a child): GET, POST, chunked both
 * ways, trailers, keep-alive reuse, max sockets queueing, the free socket
 * timeout, 100-continue, HEAD/204/304, redirects, timeouts, aborts, a
 * cut-short body, backpressure, and the awaiting form in a fiber. */
#include <errno.h>

#include "http/client_test.h"

static tide_loop_t *loop;
static node_server_t node;
static char url_buf[256];

static const char *url(const char *path)
{
    snprintf(url_buf, sizeof url_buf, "http://127.0.0.1:%d%s", node.port, path);
    return url_buf;
}

static tide_http_request_opts_t get(const char *path, tide_http_agent_t *agent)
{
    tide_http_request_opts_t o;
    memset(&o, 0, sizeof o);
    o.url = url(path);
    o.agent = agent;
    return o;
}

static int node_connections(tide_http_agent_t *agent)
{
    tide_http_request_opts_t o = get("/stats", agent);
    tide_http_response_t *res;
    ASSERT_OK(fetch_wait(loop, &o, &res));
    int n = atoi(body_of(res));
    tide_http_response_release(res);
    return n;
}

static void test_get_and_reuse(void)
{
    tide_http_agent_t *agent;
    ASSERT_OK(tide_http_agent_new(loop, NULL, &agent));
    int before = node_connections(agent);
    for (int i = 0; i < 3; i++) {
        tide_http_request_opts_t o = get("/hello", agent);
        tide_http_response_t *res;
        ASSERT_OK(fetch_wait(loop, &o, &res));
        ASSERT_EQ(tide_http_response_status(res), 200);
        ASSERT_STR_EQ(tide_http_response_status_text(res), "OK");
        ASSERT_STR_EQ(body_of(res), "hello");
        ASSERT_STR_EQ(tide_http_response_header(res, "CONTENT-length"), "5");
        ASSERT_EQ(tide_http_response_reused_socket(res), 1); /* the /stats socket */
        tide_http_response_release(res);
    }
    ASSERT_EQ(node_connections(agent), before); /* no new connection */
    tide_http_agent_stats_t st;
    tide_http_agent_stats(agent, &st);
    ASSERT_EQ(st.connections, 1);
    ASSERT_EQ(st.requests, 5);
    ASSERT_EQ(st.reused, 4);
    ASSERT_EQ(st.free, 1);
    tide_http_agent_destroy(agent);
}

static void test_post_buffer_and_headers(void)
{
    tide_http_header_t h[] = {{"X-Custom", "yes"}};
    tide_http_request_opts_t o = get("/echo", NULL);
    o.method = "POST";
    o.body = "payload bytes";
    o.body_len = 13;
    o.headers = h;
    o.nheaders = 1;
    tide_http_response_t *res;
    ASSERT_OK(fetch_wait(loop, &o, &res));
    ASSERT_STR_EQ(body_of(res), "payload bytes");
    ASSERT_STR_EQ(tide_http_response_header(res, "x-cl"), "13");
    ASSERT_STR_EQ(tide_http_response_header(res, "x-method"), "POST");
    ASSERT_STR_EQ(tide_http_response_header(res, "x-custom"), "yes");
    size_t n = tide_http_response_header_count(res);
    ASSERT_GE(n, 5);
    const char *name, *value;
    ASSERT_EQ(tide_http_response_header_at(res, 0, &name, &value), 1);
    ASSERT_EQ(tide_http_response_header_at(res, n, &name, &value), 0);
    tide_http_response_release(res);

    /* CR/LF in a value, a bad name, other schemes, bad URLs: refused at once */
    tide_http_header_t bad[] = {{"X-Evil", "a\r\nX-Injected: 1"}};
    o.headers = bad;
    ASSERT_EQ(tide_http_fetch(loop, &o, on_fetched, NULL), TIDE_ERR_HTTP_INVALID_HEADER_VALUE);
    tide_http_header_t ctl[] = {{"X-Ctl", "a\x01b"}}; /* Node refuses control bytes too */
    o.headers = ctl;
    ASSERT_EQ(tide_http_fetch(loop, &o, on_fetched, NULL), TIDE_ERR_HTTP_INVALID_HEADER_VALUE);
    tide_http_header_t badname[] = {{"X Evil", "a"}};
    o.headers = badname;
    ASSERT_EQ(tide_http_fetch(loop, &o, on_fetched, NULL), TIDE_ERR_HTTP_INVALID_HEADER_VALUE);
    o.headers = NULL;
    o.nheaders = 0;
    o.url = "https://127.0.0.1/";
    ASSERT_EQ(tide_http_fetch(loop, &o, on_fetched, NULL), -EPROTONOSUPPORT);
    const char *bad_urls[] = {"127.0.0.1/x", "http://", "http://h:0/", "http://h:99999/",
                              "http://[::1/", "http://u@h/", "http://h:8x/"};
    for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
        o.url = bad_urls[i];
        ASSERT_EQ(tide_http_fetch(loop, &o, on_fetched, NULL), -EINVAL);
    }
}

static int drained;
/* The body drained: an empty write (which must not end the chunked
 * body early), then the end. */
static int on_drain(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    tide_stream_t *body = tide_stream_of(em);
    drained++;
    ASSERT_EQ(tide_stream_write(body, "", 0, NULL, NULL), 1);
    ASSERT_OK(tide_stream_end(body, NULL, NULL, NULL));
    return 0;
}

typedef struct {
    char buf[1 << 16];
    size_t len;
    int ended, errors, closed;
    int err_code;
} sink_t;

static int sink_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    sink_t *k = data;
    const tide_chunk_t *c = arg;
    if (k->len + c->len < sizeof k->buf) memcpy(k->buf + k->len, c->base, c->len);
    k->len += c->len;
    return 0;
}

static int sink_event(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    sink_t *k = data;
    if (ev == TIDE_EVENT_END) k->ended++;
    if (ev == TIDE_EVENT_CLOSE) k->closed++;
    if (ev == TIDE_EVENT_ERROR) {
        k->errors++;
        k->err_code = ((tide_error_t *)arg)->code;
    }
    return 0;
}

static void sink_attach(sink_t *k, tide_stream_t *s)
{
    memset(k, 0, sizeof *k);
    ASSERT_OK(tide_stream_on(s, TIDE_EVENT_DATA, sink_data, k));
    ASSERT_OK(tide_stream_on(s, TIDE_EVENT_END, sink_event, k));
    ASSERT_OK(tide_stream_on(s, TIDE_EVENT_ERROR, sink_event, k));
    ASSERT_OK(tide_stream_on(s, TIDE_EVENT_CLOSE, sink_event, k));
}

static void test_chunked_upload(void)
{
    tide_http_request_opts_t o = get("/echo", NULL);
    o.method = "PUT";
    o.flags = TIDE_HTTP_BODY_STREAM;
    o.body_hwm = 8;
    fetched_t f = {0};
    tide_stream_t *body;
    ASSERT_OK(tide_http_request(loop, &o, on_fetched, &f, &body));
    ASSERT_OK(tide_stream_on(body, TIDE_EVENT_DRAIN, on_drain, NULL));
    drained = 0;
    ASSERT_EQ(tide_stream_write(body, "first,", 6, NULL, NULL), 1);
    ASSERT_EQ(tide_stream_write(body, "second,", 7, NULL, NULL), 0); /* over the mark */
    RUN_WHILE(loop, !f.done);
    ASSERT_OK(f.code);
    sink_t k;
    sink_attach(&k, tide_http_response_body(f.res));
    RUN_WHILE(loop, !k.ended);
    ASSERT_EQ(drained, 1);
    ASSERT_EQ(k.len, 13);
    ASSERT(memcmp(k.buf, "first,second,", 13) == 0);
    ASSERT_STR_EQ(tide_http_response_header(f.res, "x-te"), "chunked");
    tide_http_response_release(f.res);
    tide_stream_release(body);
}

static void test_chunked_response_trailers(void)
{
    tide_http_request_opts_t o = get("/chunked", NULL);
    tide_http_response_t *res;
    ASSERT_OK(fetch_wait(loop, &o, &res));
    ASSERT_STR_EQ(body_of(res), "one,two,three");
    ASSERT_STR_EQ(tide_http_response_header(res, "transfer-encoding"), "chunked");
    ASSERT_STR_EQ(tide_http_response_trailer(res, "X-Sum"), "three");
    ASSERT_EQ(tide_http_response_trailer_count(res), 1);
    tide_http_response_release(res);
}

static void test_no_body_responses(void)
{
    tide_http_agent_t *agent;
    tide_http_agent_opts_t ao = {.max_sockets = 1};
    ASSERT_OK(tide_http_agent_new(loop, &ao, &agent));
    const char *paths[] = {"/head", "/204", "/304", "/hello"};
    const char *methods[] = {"HEAD", "GET", "GET", "GET"};
    for (int i = 0; i < 4; i++) {
        tide_http_request_opts_t o = get(paths[i], agent);
        o.method = methods[i];
        tide_http_response_t *res;
        ASSERT_OK(fetch_wait(loop, &o, &res));
        const void *b;
        size_t n;
        ASSERT_OK(tide_http_response_bytes(res, &b, &n));
        if (i == 0) {
            ASSERT_EQ(tide_http_response_status(res), 200);
            ASSERT_STR_EQ(tide_http_response_header(res, "content-length"), "5");
            ASSERT_EQ(n, 0);
        } else if (i < 3) {
            ASSERT_EQ(tide_http_response_status(res), i == 1 ? 204 : 304);
            ASSERT_EQ(n, 0);
        } else {
            ASSERT_STR_EQ(b, "hello");
        }
        tide_http_response_release(res);
    }
    tide_http_agent_stats_t st;
    tide_http_agent_stats(agent, &st);
    ASSERT_EQ(st.connections, 1); /* bodiless answers left the socket reusable */
    tide_http_agent_destroy(agent);
}

static void test_redirects(void)
{
    tide_http_request_opts_t o = get("/redirect/3", NULL);
    tide_http_response_t *res;
    ASSERT_OK(fetch_wait(loop, &o, &res)); /* off: the 302 itself */
    ASSERT_EQ(tide_http_response_status(res), 302);
    ASSERT_STR_EQ(tide_http_response_header(res, "location"), "/redirect/2");
    ASSERT_STR_EQ(body_of(res), "moved");
    tide_http_response_release(res);

    o.max_redirects = 5;
    ASSERT_OK(fetch_wait(loop, &o, &res));
    ASSERT_EQ(tide_http_response_status(res), 200);
    ASSERT_STR_EQ(body_of(res), "landed");
    ASSERT_EQ(tide_http_response_redirects(res), 3);
    ASSERT_STR_EQ(tide_http_response_url(res), url("/redirect/0"));
    tide_http_response_release(res);

    o.url = url("/redirect/3");
    o.max_redirects = 2;
    ASSERT_EQ(fetch_wait(loop, &o, &res), TIDE_ERR_HTTP_TOO_MANY_REDIRECTS);

    o.url = url("/redirect/1");
    o.method = "POST"; /* only GET and HEAD follow */
    ASSERT_OK(fetch_wait(loop, &o, &res));
    ASSERT_EQ(tide_http_response_status(res), 302);
    tide_http_response_release(res);
}

static void test_timeouts_and_abort(void)
{
    tide_http_request_opts_t o = get("/never", NULL);
    o.timeout_ms = 100;
    tide_http_response_t *res;
    ASSERT_EQ(fetch_wait(loop, &o, &res), -ETIMEDOUT);

    /* connect timeout to an address that never answers is environment
     * dependent; a refused connect is not */
    tide_http_request_opts_t r;
    memset(&r, 0, sizeof r);
    r.url = "http://127.0.0.1:1/";
    ASSERT_EQ(fetch_wait(loop, &r, &res), -ECONNREFUSED);

    /* abort while waiting for the answer: the reason comes back */
    tide_abort_controller_t *ctl;
    ASSERT_OK(tide_abort_controller_new(loop, &ctl));
    o = get("/never", NULL);
    o.signal = tide_abort_controller_signal(ctl);
    fetched_t f = {0};
    ASSERT_OK(tide_http_fetch(loop, &o, on_fetched, &f));
    ASSERT_OK(tide_run(loop, TIDE_RUN_NOWAIT) < 0);
    ASSERT_OK(tide_abort(ctl, tide_error_new(-EINTR, "stop")));
    RUN_WHILE(loop, !f.done);
    ASSERT_EQ(f.code, -EINTR);
    /* an aborted signal refuses at once */
    ASSERT_EQ(tide_http_fetch(loop, &o, on_fetched, &f), -EINTR);
    tide_abort_controller_free(ctl);

    /* abort mid-response: the body stream fails with the reason */
    ASSERT_OK(tide_abort_controller_new(loop, &ctl));
    o = get("/drip", NULL);
    o.signal = tide_abort_controller_signal(ctl);
    memset(&f, 0, sizeof f);
    ASSERT_OK(tide_http_request(loop, &o, on_fetched, &f, NULL));
    RUN_WHILE(loop, !f.done);
    ASSERT_OK(f.code);
    sink_t k;
    sink_attach(&k, tide_http_response_body(f.res));
    RUN_WHILE(loop, k.len < 3000);
    ASSERT_OK(tide_abort(ctl, NULL));
    RUN_WHILE(loop, !k.closed);
    ASSERT_EQ(k.ended, 0);
    ASSERT_EQ(k.err_code, -ECANCELED);
    tide_http_response_release(f.res);
    tide_abort_controller_free(ctl);
}

static void test_cut_short(void)
{
    tide_http_request_opts_t o = get("/half", NULL);
    tide_http_response_t *res;
    ASSERT_EQ(fetch_wait(loop, &o, &res), TIDE_ERR_HTTP_CONTENT_LENGTH_MISMATCH);
}

static void test_expect_continue(void)
{
    tide_http_request_opts_t o = get("/echo", NULL);
    o.method = "POST";
    o.body = "after the 100";
    o.body_len = 13;
    o.flags = TIDE_HTTP_EXPECT_CONTINUE;
    o.continue_timeout_ms = 60000; /* only the 100 can release the body */
    tide_http_response_t *res;
    ASSERT_OK(fetch_wait(loop, &o, &res));
    ASSERT_STR_EQ(body_of(res), "after the 100");
    tide_http_response_release(res);
}

static void test_max_sockets_queue(void)
{
    tide_http_agent_t *agent;
    tide_http_agent_opts_t ao = {.max_sockets = 1};
    ASSERT_OK(tide_http_agent_new(loop, &ao, &agent));
    fetched_t f[3] = {{0}};
    char paths[3][32];
    for (int i = 0; i < 3; i++) {
        snprintf(paths[i], sizeof paths[i], "/big?n=%d", i + 1);
        tide_http_request_opts_t o = get(paths[i], agent);
        ASSERT_OK(tide_http_fetch(loop, &o, on_fetched, &f[i]));
    }
    tide_http_agent_stats_t st;
    tide_http_agent_stats(agent, &st);
    ASSERT_EQ(st.sockets, 1);
    ASSERT_EQ(st.pending, 2);
    RUN_WHILE(loop, !f[2].done);
    /* FIFO: each finished before the next began */
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(f[i].done, 1);
        const void *b;
        size_t n;
        ASSERT_OK(tide_http_response_bytes(f[i].res, &b, &n));
        ASSERT_EQ(n, i + 1);
        tide_http_response_release(f[i].res);
    }
    tide_http_agent_stats(agent, &st);
    ASSERT_EQ(st.connections, 1);
    ASSERT_EQ(st.pending, 0);
    tide_http_agent_destroy(agent);
}

static void test_free_socket_timeout(void)
{
    tide_http_agent_t *agent;
    tide_http_agent_opts_t ao = {.free_timeout_ms = 50};
    ASSERT_OK(tide_http_agent_new(loop, &ao, &agent));
    tide_http_request_opts_t o = get("/hello", agent);
    tide_http_response_t *res;
    ASSERT_OK(fetch_wait(loop, &o, &res));
    tide_http_response_release(res);
    tide_http_agent_stats_t st;
    tide_http_agent_stats(agent, &st);
    ASSERT_EQ(st.free, 1);
    while (st.sockets) {
        tide_run(loop, TIDE_RUN_ONCE);
        tide_http_agent_stats(agent, &st);
    }
    ASSERT_EQ(st.free, 0);
    ASSERT_OK(fetch_wait(loop, &o, &res)); /* a fresh socket */
    ASSERT_EQ(tide_http_response_reused_socket(res), 0);
    tide_http_response_release(res);
    tide_http_agent_stats(agent, &st);
    ASSERT_EQ(st.connections, 2);
    tide_http_agent_destroy(agent);
}

/* The body is not read for a while: the socket pauses, so at most about a
 * read's worth beyond the mark is buffered; then everything arrives. */
static fetched_t bp;
static void bp_check(tide_loop_t *l, void *data)
{
    int *checked = data;
    tide_stream_t *b = tide_http_response_body(bp.res);
    ASSERT_LT(tide_stream_readable_length(b), 16384 + 2 * 65536);
    *checked = 1;
}

static void test_backpressure(void)
{
    enum { N = 4 << 20 };
    char path[64];
    snprintf(path, sizeof path, "/big?n=%d", N);
    tide_http_request_opts_t o = get(path, NULL);
    memset(&bp, 0, sizeof bp);
    ASSERT_OK(tide_http_request(loop, &o, on_fetched, &bp, NULL));
    RUN_WHILE(loop, !bp.done);
    ASSERT_OK(bp.code);
    tide_stream_t *b = tide_http_response_body(bp.res);
    ASSERT_OK(tide_stream_pause(b));
    const tide_chunk_t *none;
    ASSERT_EQ(tide_stream_read(b, 0, &none), 0); /* start the first fill */
    int checked = 0;
    ASSERT(tide_set_timeout(loop, bp_check, &checked, 100) > 0);
    RUN_WHILE(loop, !checked);
    sink_t *k = malloc(sizeof *k);
    sink_attach(k, b);
    ASSERT_OK(tide_stream_resume(b));
    RUN_WHILE(loop, !k->ended);
    ASSERT_EQ(k->len, N);
    tide_http_response_release(bp.res);
    free(k);
}

/* ---- the awaiting form --------------------------------------------------- */

static tide_result_t fiber_body(tide_loop_t *l, void *arg)
{
    int *ok = arg;
    tide_http_request_opts_t o = get("/hello", NULL);
    tide_http_response_t *res;
    ASSERT_OK(tide_http_fetch_await(l, &o, &res));
    ASSERT_STR_EQ(body_of(res), "hello");
    tide_http_response_release(res);
    o = get("/big?n=100000", NULL);
    o.max_body = 1000;
    ASSERT_EQ(tide_http_fetch_await(l, &o, &res), TIDE_ERR_HTTP_BODY_TOO_LARGE);
    *ok = 1;
    return tide_ok(NULL);
}

static void test_await_in_fiber(void)
{
    int ok = 0;
    tide_http_response_t *res;
    tide_http_request_opts_t o = get("/hello", NULL);
    ASSERT_EQ(tide_http_fetch_await(loop, &o, &res), -EPERM);
    tide_promise_t *p;
    ASSERT_OK(tide_async(loop, fiber_body, &ok, &p));
    RUN_WHILE(loop, !ok || tide_promise_state_of(p) == TIDE_PROMISE_PENDING);
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_FULFILLED);
    tide_promise_release(p);

    /* the promise form */
    ASSERT_OK(tide_http_fetch_promise(loop, &o, &p));
    RUN_WHILE(loop, tide_promise_state_of(p) == TIDE_PROMISE_PENDING);
    ASSERT_EQ(tide_http_response_status(tide_promise_value(p)), 200);
    tide_promise_release(p);
}

int main(void)
{
    ASSERT_OK(tide_loop_new(&loop));
    node_start(loop, &node, __FILE__, "client_server.js");
    test_get_and_reuse();
    test_post_buffer_and_headers();
    test_chunked_upload();
    test_chunked_response_trailers();
    test_no_body_responses();
    test_redirects();
    test_timeouts_and_abort();
    test_cut_short();
    test_expect_continue();
    test_max_sockets_queue();
    test_free_socket_timeout();
    test_backpressure();
    test_await_in_fiber();
    tide_http_agent_destroy(tide_http_agent_default(loop));
    node_stop(loop, &node);
    tide_run(loop, TIDE_RUN_DEFAULT);
    ASSERT_OK(tide_loop_close(loop));
    printf("ok\n");
    return 0;
}
