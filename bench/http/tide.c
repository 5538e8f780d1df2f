/* bench/http/tide.c - the HTTP benchmark's server on tide, as the Node one
 * is written: every request answered with tide_http_res_send (status,
 * Content-Type and the 13-byte body in one call; the server adds Date and
 * Content-Length). Idle keep-alive connections are kept for a minute, as
 * every server in bench/http/run.sh is told to. */
#include <tide.h>

#include "../common/net.h"

static void on_request(tide_http_req_t *req, tide_http_res_t *res, void *data)
{
    (void)req, (void)data;
    tide_http_res_send(res, 200, "text/plain", "Hello, World!", 13);
}

int main(void)
{
    bench_raise_fd_limit();
    tide_loop_t *loop;
    tide_http_server_t *server;
    tide_http_server_opts_t opts = {
        .listen = {.backlog = 4096, .flags = TIDE_NET_NODELAY},
        .keepalive_timeout_ms = 60000,
    };
    if (tide_loop_new(&loop) != 0 ||
        tide_http_listen(loop, "127.0.0.1", 0, &opts, on_request, NULL, &server) != 0)
        return 2;
    bench_announce(tide_http_server_port(server));
    tide_run(loop, TIDE_RUN_DEFAULT);
    return 0;
}
