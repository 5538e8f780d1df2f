/* fuzz/fuzz_http_server.c - the server's request path under fuzzing: each
 * input is written into one end of a socketpair whose other end the
 * server adopts as a connection (the same code as an accepted TCP
 * connection), then the writer's end is shut and the loop runs until the
 * server has let the connection go. The handler reads bodies and answers
 * in a few ways (send, chunked writes, a body echo), so pipelining,
 * bodies, discards and errors all get exercised. Crashes, sanitizer
 * reports and leaks are the findings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http_internal.h"

static tide_loop_t *loop;
static tide_http_server_t *srv;

static int on_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    tide_http_res_send(data, 200, "text/plain", "body", 4);
    return 0;
}

static int on_close(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    if (!tide_stream_readable_ended(tide_stream_of(em))) tide_http_res_end(data, NULL, 0);
    return 0;
}

static int ignore(tide_emitter_t *em, tide_event_t ev, void *arg, void *data) { return 0; }

static void handler(tide_http_req_t *req, tide_http_res_t *res, void *data)
{
    const char *path = tide_http_req_path(req);
    tide_http_req_header(req, "host");
    if (tide_http_req_has_body(req) && path[1] != 'n') {
        tide_stream_t *body = tide_http_req_body(req);
        tide_stream_on(body, TIDE_EVENT_DATA, ignore, NULL);
        tide_stream_on(body, TIDE_EVENT_ERROR, ignore, NULL);
        tide_stream_on(body, TIDE_EVENT_END, on_end, res);
        tide_stream_on(body, TIDE_EVENT_CLOSE, on_close, res);
        return;
    }
    if (path[1] == 'c') {
        tide_http_res_write(res, "a", 1, NULL, NULL);
        tide_http_res_end(res, "b", 1);
        return;
    }
    tide_http_res_send(res, 200, NULL, tide_http_req_url(req), strlen(tide_http_req_url(req)));
}

static void setup(void)
{
    if (loop) return;
    if (tide_loop_new(&loop) < 0) abort();
    tide_http_server_opts_t o = {.max_header_size = 4096, .max_body_size = 1 << 20};
    if (tide_http_listen(loop, "127.0.0.1", 0, &o, handler, NULL, &srv) < 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) < 0) return 0;
    if (tide__http_conn_adopt(srv, fds[0]) < 0) {
        close(fds[0]);
        close(fds[1]);
        return 0;
    }
    size_t off = 0;
    char sink[65536];
    for (int i = 0; i < 100000 && tide_http_server_connections(srv); i++) {
        if (off < size) {
            ssize_t w = write(fds[1], data + off, size - off);
            if (w > 0) off += (size_t)w;
            if (off == size) shutdown(fds[1], SHUT_WR);
        } else if (off == 0 && size == 0) {
            shutdown(fds[1], SHUT_WR);
        }
        tide_run(loop, TIDE_RUN_NOWAIT);
        while (read(fds[1], sink, sizeof sink) > 0) {
        }
    }
    tide_http_server_close_all(srv);
    tide_run(loop, TIDE_RUN_NOWAIT);
    close(fds[1]);
    return 0;
}
