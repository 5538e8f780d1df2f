/* tests/http/test_client_server.c - tide's HTTP client against tide's
 * HTTP server in one loop: keep-alive reuse across many requests, a
 * streamed (chunked) upload echoed back, concurrent requests through a
 * two-socket agent, and the awaiting form in a fiber. */
#include <errno.h>

#include "http/client_test.h"

static tide_loop_t *loop;
static tide_http_server_t *server;
static char url_buf[128];

typedef struct {
    tide_http_res_t *res;
    char buf[65536];
    size_t len;
} echo_t;

static int echo_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    echo_t *e = data;
    const tide_chunk_t *c = arg;
    ASSERT(e->len + c->len <= sizeof e->buf);
    memcpy(e->buf + e->len, c->base, c->len);
    e->len += c->len;
    return 0;
}

static int echo_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    echo_t *e = data;
    ASSERT_OK(tide_http_res_end(e->res, e->buf, e->len));
    free(e);
    return 0;
}

static void handler(tide_http_req_t *req, tide_http_res_t *res, void *data)
{
    if (strcmp(tide_http_req_path(req), "/echo") == 0) {
        echo_t *e = calloc(1, sizeof *e);
        e->res = res;
        tide_stream_t *b = tide_http_req_body(req);
        ASSERT_OK(tide_stream_on(b, TIDE_EVENT_DATA, echo_data, e));
        ASSERT_OK(tide_stream_on(b, TIDE_EVENT_END, echo_end, e));
        return;
    }
    ASSERT_OK(tide_http_res_set_header(res, "X-Path", tide_http_req_path(req)));
    ASSERT_OK(tide_http_res_end(res, "served", 6));
}

static const char *url(const char *path)
{
    snprintf(url_buf, sizeof url_buf, "http://127.0.0.1:%d%s", tide_http_server_port(server), path);
    return url_buf;
}

static void test_reuse(tide_http_agent_t *agent)
{
    for (int i = 0; i < 20; i++) {
        tide_http_request_opts_t o;
        memset(&o, 0, sizeof o);
        o.url = url("/a?i=1");
        o.agent = agent;
        tide_http_response_t *res;
        ASSERT_OK(fetch_wait(loop, &o, &res));
        ASSERT_EQ(tide_http_response_status(res), 200);
        ASSERT_STR_EQ(tide_http_response_header(res, "x-path"), "/a");
        ASSERT_STR_EQ(body_of(res), "served");
        tide_http_response_release(res);
    }
    tide_http_agent_stats_t st;
    tide_http_agent_stats(agent, &st);
    ASSERT_EQ(st.connections, 1);
    ASSERT_EQ(tide_http_server_connections(server), 1);
}

typedef struct {
    size_t total;
    int ended;
} zsink_t;

static int zsink_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    zsink_t *z = data;
    const tide_chunk_t *c = arg;
    for (size_t i = 0; i < c->len; i++) ASSERT_EQ(((char *)c->base)[i], 'z');
    z->total += c->len;
    return 0;
}

static int zsink_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    ((zsink_t *)data)->ended = 1;
    return 0;
}

static void test_streamed_upload(tide_http_agent_t *agent)
{
    tide_http_request_opts_t o;
    memset(&o, 0, sizeof o);
    o.url = url("/echo");
    o.agent = agent;
    o.method = "POST";
    o.flags = TIDE_HTTP_BODY_STREAM | TIDE_HTTP_EXPECT_CONTINUE;
    o.continue_timeout_ms = 60000;
    fetched_t f = {0};
    tide_stream_t *body;
    ASSERT_OK(tide_http_request(loop, &o, on_fetched, &f, &body));
    static char part[4096];
    memset(part, 'z', sizeof part);
    for (int i = 0; i < 8; i++) ASSERT(tide_stream_write(body, part, sizeof part, NULL, NULL) >= 0);
    ASSERT_OK(tide_stream_end(body, NULL, NULL, NULL));
    tide_stream_release(body);
    RUN_WHILE(loop, !f.done);
    ASSERT_OK(f.code);
    tide_stream_t *b = tide_http_response_body(f.res);
    zsink_t z = {0};
    ASSERT_OK(tide_stream_on(b, TIDE_EVENT_DATA, zsink_data, &z));
    ASSERT_OK(tide_stream_on(b, TIDE_EVENT_END, zsink_end, &z));
    RUN_WHILE(loop, !z.ended);
    size_t total = z.total;
    ASSERT_EQ(total, 8 * sizeof part);
    tide_http_response_release(f.res);
}

static void test_concurrent(void)
{
    tide_http_agent_t *agent;
    tide_http_agent_opts_t ao = {.max_sockets = 2};
    ASSERT_OK(tide_http_agent_new(loop, &ao, &agent));
    fetched_t f[6] = {{0}};
    for (int i = 0; i < 6; i++) {
        tide_http_request_opts_t o;
        memset(&o, 0, sizeof o);
        o.url = url("/c");
        o.agent = agent;
        ASSERT_OK(tide_http_fetch(loop, &o, on_fetched, &f[i]));
    }
    RUN_WHILE(loop, !f[5].done);
    for (int i = 0; i < 6; i++) {
        ASSERT_EQ(f[i].done, 1);
        ASSERT_STR_EQ(body_of(f[i].res), "served");
        tide_http_response_release(f[i].res);
    }
    tide_http_agent_stats_t st;
    tide_http_agent_stats(agent, &st);
    ASSERT_EQ(st.connections, 2);
    tide_http_agent_destroy(agent);
}

static tide_result_t in_fiber(tide_loop_t *l, void *arg)
{
    tide_http_request_opts_t o;
    memset(&o, 0, sizeof o);
    o.url = url("/fiber");
    tide_http_response_t *res;
    ASSERT_OK(tide_http_fetch_await(l, &o, &res));
    ASSERT_STR_EQ(tide_http_response_header(res, "x-path"), "/fiber");
    tide_http_response_release(res);
    return tide_ok(arg);
}

int main(void)
{
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_http_listen(loop, "127.0.0.1", 0, NULL, handler, NULL, &server));
    tide_http_agent_t *agent;
    ASSERT_OK(tide_http_agent_new(loop, NULL, &agent));
    test_reuse(agent);
    test_streamed_upload(agent);
    tide_http_agent_destroy(agent);
    test_concurrent();
    tide_promise_t *p;
    ASSERT_OK(tide_async(loop, in_fiber, NULL, &p));
    RUN_WHILE(loop, tide_promise_state_of(p) == TIDE_PROMISE_PENDING);
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_FULFILLED);
    tide_promise_release(p);
    tide_http_agent_destroy(tide_http_agent_default(loop));
    ASSERT_OK(tide_http_server_close(server, NULL, NULL));
    tide_run(loop, TIDE_RUN_DEFAULT);
    ASSERT_OK(tide_loop_close(loop));
    printf("ok\n");
    return 0;
}
