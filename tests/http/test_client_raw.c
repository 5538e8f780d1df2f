/* tests/http/test_client_raw.c - tide's HTTP client against scripted
 * servers on raw tide sockets, for byte-exact cases: a malformed answer,
 * a server that hangs up before answering, one that closes its idle
 * keep-alive socket, and the race where it closes a pooled socket just
 * as the next request goes out (an idempotent request is retried once on
 * a fresh socket; a POST is not). */
#include <errno.h>

#include "http/client_test.h"

static tide_loop_t *loop;
static tide_server_t *server;
static int port;
static int accepted;
/* What the server does with each request it reads, by its order on its
 * connection: 'A' answer (keep-alive), 'G' answer garbage, 'H' hang up,
 * 'C' answer with Connection: close, 'K' answer keep-alive and close the
 * socket anyway. One script per connection. */
static const char *scripts[8];

typedef struct {
    tide_stream_t *s;
    const char *script;
    int n;
    char buf[4096];
    size_t len;
} peer_t;

static int peer_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    peer_t *p = data;
    const tide_chunk_t *c = arg;
    ASSERT(p->len + c->len < sizeof p->buf);
    memcpy(p->buf + p->len, c->base, c->len);
    p->len += c->len;
    p->buf[p->len] = '\0';
    char *end;
    while ((end = strstr(p->buf, "\r\n\r\n")) != NULL) { /* one request head (no bodies here) */
        size_t used = (size_t)(end + 4 - p->buf);
        memmove(p->buf, p->buf + used, p->len - used + 1);
        p->len -= used;
        char what = p->script[p->n] ? p->script[p->n] : 'H';
        p->n++;
        static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        static const char okc[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        static const char bad[] = "HTTP/1.1 200 OK\r\nContent-Length: zz\r\n\r\n";
        if (what == 'A' || what == 'K') tide_stream_write(p->s, ok, sizeof ok - 1, NULL, NULL);
        if (what == 'C') tide_stream_write(p->s, okc, sizeof okc - 1, NULL, NULL);
        if (what == 'G') tide_stream_write(p->s, bad, sizeof bad - 1, NULL, NULL);
        if (what == 'H' || what == 'C' || what == 'K') {
            tide_stream_end(p->s, NULL, NULL, NULL);
            return 0;
        }
    }
    return 0;
}

static int peer_close(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    peer_t *p = data;
    tide_stream_release(p->s);
    free(p);
    return 0;
}

static void on_conn(tide_server_t *srv, tide_stream_t *conn, void *data)
{
    peer_t *p = calloc(1, sizeof *p);
    ASSERT(p != NULL);
    p->s = tide_stream_ref(conn);
    p->script = scripts[accepted] ? scripts[accepted] : "";
    accepted++;
    ASSERT_OK(tide_stream_on(conn, TIDE_EVENT_DATA, peer_data, p));
    ASSERT_OK(tide_stream_on(conn, TIDE_EVENT_CLOSE, peer_close, p));
}

static void reset(const char *s0, const char *s1)
{
    memset(scripts, 0, sizeof scripts);
    scripts[0] = s0;
    scripts[1] = s1;
    accepted = 0;
}

static tide_http_request_opts_t req(tide_http_agent_t *agent, const char *method)
{
    static char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/x", port);
    tide_http_request_opts_t o;
    memset(&o, 0, sizeof o);
    o.url = url;
    o.agent = agent;
    o.method = method;
    return o;
}

static void expect_ok(tide_http_request_opts_t *o, int reused)
{
    tide_http_response_t *res;
    ASSERT_OK(fetch_wait(loop, o, &res));
    ASSERT_STR_EQ(body_of(res), "ok");
    ASSERT_EQ(tide_http_response_reused_socket(res), reused);
    tide_http_response_release(res);
}

static void test_malformed_and_hang_up(void)
{
    tide_http_agent_t *agent;
    ASSERT_OK(tide_http_agent_new(loop, NULL, &agent));
    tide_http_response_t *res;
    reset("G", "H");
    tide_http_request_opts_t o = req(agent, NULL);
    ASSERT_EQ(fetch_wait(loop, &o, &res), TIDE_ERR_HTTP_PARSE);
    ASSERT_EQ(fetch_wait(loop, &o, &res), TIDE_ERR_HTTP_SOCKET_HANG_UP);
    tide_http_agent_stats_t st;
    tide_http_agent_stats(agent, &st);
    ASSERT_EQ(st.sockets, 0); /* neither socket was pooled */
    tide_http_agent_destroy(agent);
}

static void test_connection_close_not_reused(void)
{
    tide_http_agent_t *agent;
    ASSERT_OK(tide_http_agent_new(loop, NULL, &agent));
    reset("C", "A");
    tide_http_request_opts_t o = req(agent, NULL);
    expect_ok(&o, 0);
    expect_ok(&o, 0); /* the first said Connection: close */
    ASSERT_EQ(accepted, 2);
    tide_http_agent_destroy(agent);
}

/* The server closes a pooled socket while it is idle: the agent sees the
 * end, drops it, and the next request connects afresh. */
static void test_idle_close(void)
{
    tide_http_agent_t *agent;
    ASSERT_OK(tide_http_agent_new(loop, NULL, &agent));
    reset("K", "A");
    tide_http_request_opts_t o = req(agent, NULL);
    expect_ok(&o, 0);
    tide_http_agent_stats_t st;
    tide_http_agent_stats(agent, &st);
    while (st.sockets) { /* pooled, then the server's FIN closes it */
        tide_run(loop, TIDE_RUN_ONCE);
        tide_http_agent_stats(agent, &st);
    }
    expect_ok(&o, 0);
    tide_http_agent_stats(agent, &st);
    ASSERT_EQ(st.retries, 0);
    ASSERT_EQ(st.connections, 2);
    ASSERT_EQ(accepted, 2);
    tide_http_agent_destroy(agent);
}

/* The race: the pooled socket is closed by the server as the request
 * goes out ('H' on the second request). GET is retried on a fresh socket
 * and succeeds; POST fails with the hang-up. */
static void test_reused_socket_race(void)
{
    tide_http_agent_t *agent;
    ASSERT_OK(tide_http_agent_new(loop, NULL, &agent));
    reset("AH", "A");
    tide_http_request_opts_t o = req(agent, NULL);
    expect_ok(&o, 0);
    expect_ok(&o, 0); /* retried: the answer came on a new socket */
    tide_http_agent_stats_t st;
    tide_http_agent_stats(agent, &st);
    ASSERT_EQ(st.retries, 1);
    ASSERT_EQ(st.connections, 2);
    ASSERT_EQ(accepted, 2);

    reset("AH", "A");
    tide_http_agent_destroy(agent);
    ASSERT_OK(tide_http_agent_new(loop, NULL, &agent));
    o = req(agent, "POST");
    expect_ok(&o, 0);
    tide_http_response_t *res;
    ASSERT_EQ(fetch_wait(loop, &o, &res), TIDE_ERR_HTTP_SOCKET_HANG_UP);
    tide_http_agent_stats(agent, &st);
    ASSERT_EQ(st.retries, 0);
    tide_http_agent_destroy(agent);
}

int main(void)
{
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_tcp_listen(loop, "127.0.0.1", 0, NULL, on_conn, NULL, &server));
    port = tide_server_port(server);
    test_malformed_and_hang_up();
    test_connection_close_not_reused();
    test_idle_close();
    test_reused_socket_race();
    ASSERT_OK(tide_server_close(server, NULL, NULL));
    tide_run(loop, TIDE_RUN_DEFAULT);
    ASSERT_OK(tide_loop_close(loop));
    printf("ok\n");
    return 0;
}
