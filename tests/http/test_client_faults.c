/* tests/http/test_client_faults.c - the HTTP client when memory runs out:
 * every allocation of a life (loop, server, agent, a POST through the
 * client and its answer) is made to fail in turn, and each time the
 * request's callback runs exactly once, with the response or an error,
 * nothing hangs, and once the loop is closed nothing allocated is left. */
#include "http/client_test.h"
#include "test_alloc.h"
#include "tide/http.h"

static void on_request(tide_http_req_t *req, tide_http_res_t *res, void *data)
{
    (void)req, (void)data;
    if (tide_http_res_set_header(res, "X-Answer", "42") != 0) {
        tide_http_res_status(res, 500);
        tide_http_res_end(res, NULL, 0);
        return;
    }
    tide_http_res_send(res, 200, "text/plain", "answered", 8);
}

/* One life with the allocator's budget given; 1 when it was never
 * reached (the whole exchange succeeded without a failure). */
static int one_life(long budget)
{
    alloc_budget = budget;
    tide_loop_t *loop;
    if (tide_loop_new(&loop) != 0) return 0;
    tide_http_server_t *srv;
    tide_http_agent_t *agent;
    fetched_t f = {0};
    int started = 0;
    if (tide_http_listen(loop, "127.0.0.1", 0, NULL, on_request, NULL, &srv) == 0) {
        if (tide_http_agent_new(loop, NULL, &agent) == 0) {
            char url[64];
            snprintf(url, sizeof url, "http://127.0.0.1:%d/q?a=b", tide_http_server_port(srv));
            tide_http_header_t h = {"X-Question", "life"};
            tide_http_request_opts_t o;
            memset(&o, 0, sizeof o);
            o.url = url;
            o.method = "POST";
            o.headers = &h;
            o.nheaders = 1;
            o.body = "the universe";
            o.body_len = 12;
            o.agent = agent;
            if (tide_http_fetch(loop, &o, on_fetched, &f) == 0) {
                started = 1;
                RUN_WHILE(loop, !f.done);
                if (f.code == 0) {
                    /* The handler's own answer when it could not add its header. */
                    if (tide_http_response_status(f.res) == 500) ASSERT_STR_EQ(body_of(f.res), "");
                    else ASSERT_STR_EQ(body_of(f.res), "answered");
                    tide_http_response_release(f.res);
                }
            }
            tide_http_agent_destroy(agent);
        }
        (void)tide_http_server_close(srv, NULL, NULL);
        while (tide_run(loop, TIDE_RUN_ONCE) > 0) {
        }
    }
    ASSERT_EQ(f.done, started); /* once when started, never otherwise */
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
