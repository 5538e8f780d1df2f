/* tests/http/test_client_edges.c - the client's edges that need no peer
 * program: a connect that never completes (a listener whose accept queue
 * is full drops the SYN) ends with -ETIMEDOUT at connect_timeout_ms, a
 * request aborted while it waits for a socket (max_sockets) fails with
 * the reason and is never sent, a request over IPv6 ("[::1]") to a tide
 * server listening there, and a name with several addresses (the
 * resolver is replaced through tide__sys): a refused or silent address
 * gives way to the next, families alternate, the last error is reported. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/sys.h"
#include "http/client_test.h"
#include "tide/http.h"

static tide_loop_t *loop;

/* A listener with a backlog of 0 that never accepts, and one connection
 * parked in its accept queue: the queue is full, so the kernel drops
 * every further SYN and a connect stays pending until its timeout. */
static int full_listener(int *parked, int *port)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT(l >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ASSERT_OK(bind(l, (struct sockaddr *)&sa, sizeof sa));
    ASSERT_OK(listen(l, 0));
    socklen_t len = sizeof sa;
    ASSERT_OK(getsockname(l, (struct sockaddr *)&sa, &len));
    *port = ntohs(sa.sin_port);
    *parked = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT(*parked >= 0);
    ASSERT_OK(connect(*parked, (struct sockaddr *)&sa, sizeof sa)); /* blocking: queued once it returns */
    return l;
}

static void test_connect_timeout(void)
{
    int parked, port;
    int l = full_listener(&parked, &port);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
    tide_http_agent_t *agent;
    ASSERT_OK(tide_http_agent_new(loop, NULL, &agent));
    tide_http_request_opts_t o;
    memset(&o, 0, sizeof o);
    o.url = url;
    o.agent = agent;
    o.connect_timeout_ms = 50;
    uint64_t t0 = tide_hrtime();
    tide_http_response_t *res;
    ASSERT_EQ(fetch_wait(loop, &o, &res), -ETIMEDOUT);
    ASSERT_GE(tide_hrtime() - t0, 50 * 1000000ull); /* not before the timeout */
    tide_http_agent_stats_t st;
    tide_http_agent_stats(agent, &st);
    ASSERT_EQ(st.sockets, 0); /* the half-open socket was closed */
    tide_http_agent_destroy(agent);
    close(parked);
    close(l);
}

/* ---- a tide server for the other cases ---------------------------------- */

static int served;
static tide_http_res_t *held; /* the first request's response, answered late */

static void on_request(tide_http_req_t *req, tide_http_res_t *res, void *data)
{
    (void)data;
    served++;
    if (strcmp(tide_http_req_path(req), "/hold") == 0) {
        held = res;
        return;
    }
    const char *family = tide_http_req_header(req, "x-family");
    tide_http_res_send(res, 200, "text/plain", family ? family : "none", strlen(family ? family : "none"));
}

static void test_abort_while_queued(void)
{
    tide_http_server_t *server;
    ASSERT_OK(tide_http_listen(loop, "127.0.0.1", 0, NULL, on_request, NULL, &server));
    char hold[64], other[64];
    snprintf(hold, sizeof hold, "http://127.0.0.1:%d/hold", tide_http_server_port(server));
    snprintf(other, sizeof other, "http://127.0.0.1:%d/other", tide_http_server_port(server));
    tide_http_agent_t *agent;
    tide_http_agent_opts_t ao = {.max_sockets = 1};
    ASSERT_OK(tide_http_agent_new(loop, &ao, &agent));

    tide_http_request_opts_t first;
    memset(&first, 0, sizeof first);
    first.url = hold;
    first.agent = agent;
    fetched_t f1 = {0}, f2 = {0};
    ASSERT_OK(tide_http_fetch(loop, &first, on_fetched, &f1));
    tide_abort_controller_t *ctl;
    ASSERT_OK(tide_abort_controller_new(loop, &ctl));
    tide_http_request_opts_t second = first;
    second.url = other;
    second.signal = tide_abort_controller_signal(ctl);
    ASSERT_OK(tide_http_fetch(loop, &second, on_fetched, &f2));
    RUN_WHILE(loop, !held); /* the first is at the server, the second waits */
    tide_http_agent_stats_t st;
    tide_http_agent_stats(agent, &st);
    ASSERT_EQ(st.pending, 1);

    ASSERT_OK(tide_abort(ctl, tide_error_new(-EINTR, "no longer wanted")));
    RUN_WHILE(loop, !f2.done);
    ASSERT_EQ(f2.code, -EINTR);
    tide_http_agent_stats(agent, &st);
    ASSERT_EQ(st.pending, 0);

    /* The first still completes, and the aborted one never reached the
     * server, before or after the socket came free. */
    tide_http_res_send(held, 200, "text/plain", "late", 4);
    RUN_WHILE(loop, !f1.done);
    ASSERT_OK(f1.code);
    ASSERT_STR_EQ(body_of(f1.res), "late");
    tide_http_response_release(f1.res);
    ASSERT_EQ(served, 1);
    ASSERT_EQ(f2.done, 1);
    tide_abort_controller_free(ctl);
    tide_http_agent_destroy(agent);
    ASSERT_OK(tide_http_server_close(server, NULL, NULL));
}

static void test_ipv6(void)
{
    tide_http_server_t *server;
    ASSERT_OK(tide_http_listen(loop, "::1", 0, NULL, on_request, NULL, &server));
    char url[64];
    snprintf(url, sizeof url, "http://[::1]:%d/v6", tide_http_server_port(server));
    tide_http_request_opts_t o;
    memset(&o, 0, sizeof o);
    o.url = url;
    tide_http_header_t h = {"X-Family", "six"};
    o.headers = &h;
    o.nheaders = 1;
    tide_http_response_t *res;
    ASSERT_OK(fetch_wait(loop, &o, &res));
    ASSERT_EQ(tide_http_response_status(res), 200);
    ASSERT_STR_EQ(body_of(res), "six");
    tide_http_response_release(res);
    ASSERT_OK(tide_http_server_close(server, NULL, NULL));
}

/* ---- several addresses for one name ------------------------------------ */

/* What "multi.test" resolves to, in the resolver's order. */
static const char *multi_addrs[4];

static int multi_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                             struct addrinfo **res)
{
    if (strcmp(node, "multi.test") != 0) return getaddrinfo(node, service, hints, res);
    struct addrinfo numeric = *hints, *head = NULL, **tail = &head;
    numeric.ai_flags |= AI_NUMERICHOST;
    for (int i = 0; i < 4 && multi_addrs[i]; i++) {
        int rc = getaddrinfo(multi_addrs[i], service, &numeric, tail);
        if (rc) return rc;
        while (*tail) tail = &(*tail)->ai_next;
    }
    *res = head;
    return 0;
}

/* Fetch http://multi.test:port/ with the addresses given; the error, and
 * the sockets the agent opened in *attempts. */
static int fetch_multi(int port, const char *a0, const char *a1, const char *a2,
                       unsigned *attempts, uint64_t *ms)
{
    multi_addrs[0] = a0, multi_addrs[1] = a1, multi_addrs[2] = a2, multi_addrs[3] = NULL;
    char url[64];
    snprintf(url, sizeof url, "http://multi.test:%d/", port);
    tide_http_agent_t *agent;
    ASSERT_OK(tide_http_agent_new(loop, NULL, &agent));
    tide_http_request_opts_t o;
    memset(&o, 0, sizeof o);
    o.url = url;
    o.agent = agent;
    tide_http_header_t h = {"X-Family", "reached"};
    o.headers = &h;
    o.nheaders = 1;
    uint64_t t0 = tide_hrtime();
    tide_http_response_t *res;
    int rc = fetch_wait(loop, &o, &res);
    *ms = (tide_hrtime() - t0) / 1000000;
    if (rc == 0) {
        ASSERT_STR_EQ(body_of(res), "reached");
        tide_http_response_release(res);
    }
    tide_http_agent_stats_t st;
    tide_http_agent_stats(agent, &st);
    *attempts = (unsigned)st.connections;
    tide_http_agent_destroy(agent);
    return rc;
}

static void test_several_addresses(void)
{
    tide__sys.getaddrinfo = multi_getaddrinfo;
    unsigned attempts;
    uint64_t ms;

    /* Refused on IPv6, answered on IPv4. */
    tide_http_server_t *server;
    ASSERT_OK(tide_http_listen(loop, "127.0.0.1", 0, NULL, on_request, NULL, &server));
    int port = tide_http_server_port(server);
    ASSERT_OK(fetch_multi(port, "::1", "127.0.0.1", NULL, &attempts, &ms));
    ASSERT_EQ(attempts, 2);
    /* Every address refuses: all tried, the last error reported. */
    ASSERT_EQ(fetch_multi(port, "127.0.0.2", "::1", "127.0.0.3", &attempts, &ms), -ECONNREFUSED);
    ASSERT_EQ(attempts, 3);
    ASSERT_OK(tide_http_server_close(server, NULL, NULL));

    /* Families alternate: ::1 is tried second, before the other IPv4. */
    ASSERT_OK(tide_http_listen(loop, "::1", 0, NULL, on_request, NULL, &server));
    port = tide_http_server_port(server);
    ASSERT_OK(fetch_multi(port, "127.0.0.2", "127.0.0.3", "::1", &attempts, &ms));
    ASSERT_EQ(attempts, 2);
    ASSERT_OK(tide_http_server_close(server, NULL, NULL));

    /* An address that never answers gives way after the attempt time. */
    int parked, silent = -1, l = -1;
    for (int tries = 0; tries < 20 && silent < 0; tries++) {
        l = full_listener(&parked, &port);
        if (tide_http_listen(loop, "::1", port, NULL, on_request, NULL, &server) == 0) silent = l;
        else close(parked), close(l);
    }
    ASSERT(silent >= 0);
    ASSERT_OK(fetch_multi(port, "127.0.0.1", "::1", NULL, &attempts, &ms));
    ASSERT_EQ(attempts, 2);
    ASSERT_GE(ms, 250);
    ASSERT_OK(tide_http_server_close(server, NULL, NULL));
    close(parked);
    close(silent);
    tide__sys.getaddrinfo = getaddrinfo;
}

int main(void)
{
    ASSERT_OK(tide_loop_new(&loop));
    test_connect_timeout();
    test_abort_while_queued();
    test_ipv6();
    test_several_addresses();
    tide_http_agent_destroy(tide_http_agent_default(loop));
    tide_run(loop, TIDE_RUN_DEFAULT);
    ASSERT_OK(tide_loop_close(loop));
    printf("ok\n");
    return 0;
}
