/* bench/echo/libuv.c - the echo server on libuv, written as well as libuv
 * allows: one static read buffer handed out by alloc_cb (read_cb is done
 * with it before the next read), uv_try_write first, and a heap copy with
 * a write request only for what the socket does not take at once. */
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "../common/net.h"

typedef struct {
    uv_write_t req;
    uv_buf_t buf;
} write_t;

static char buf[65536];

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *out)
{
    (void)h, (void)hint;
    *out = uv_buf_init(buf, sizeof buf);
}

static void on_close(uv_handle_t *h) { free(h); }

static void on_written(uv_write_t *req, int status)
{
    write_t *w = (write_t *)req;
    if (status < 0 && !uv_is_closing((uv_handle_t *)req->handle))
        uv_close((uv_handle_t *)req->handle, on_close);
    free(w->buf.base);
    free(w);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *in)
{
    if (n < 0) {
        uv_close((uv_handle_t *)s, on_close);
        return;
    }
    if (n == 0) return;
    uv_buf_t b = uv_buf_init(in->base, (unsigned)n);
    int sent = uv_try_write(s, &b, 1);
    if (sent == n) return;
    if (sent < 0 && sent != UV_EAGAIN) {
        uv_close((uv_handle_t *)s, on_close);
        return;
    }
    if (sent < 0) sent = 0;
    write_t *w = malloc(sizeof *w);
    w->buf = uv_buf_init(malloc((size_t)(n - sent)), (unsigned)(n - sent));
    memcpy(w->buf.base, in->base + sent, (size_t)(n - sent));
    uv_write(&w->req, s, &w->buf, 1, on_written);
}

static void on_connection(uv_stream_t *server, int status)
{
    if (status < 0) return;
    uv_tcp_t *c = malloc(sizeof *c);
    uv_tcp_init(server->loop, c);
    if (uv_accept(server, (uv_stream_t *)c) != 0) {
        uv_close((uv_handle_t *)c, on_close);
        return;
    }
    uv_tcp_nodelay(c, 1);
    uv_read_start((uv_stream_t *)c, on_alloc, on_read);
}

int main(void)
{
    bench_raise_fd_limit();
    uv_loop_t *loop = uv_default_loop();
    uv_tcp_t server;
    struct sockaddr_in sa;
    struct sockaddr_storage bound;
    int len = sizeof bound;
    uv_tcp_init(loop, &server);
    uv_ip4_addr("127.0.0.1", 0, &sa);
    if (uv_tcp_bind(&server, (struct sockaddr *)&sa, 0) != 0 ||
        uv_listen((uv_stream_t *)&server, 4096, on_connection) != 0 ||
        uv_tcp_getsockname(&server, (struct sockaddr *)&bound, &len) != 0)
        return 2;
    bench_announce(ntohs(((struct sockaddr_in *)&bound)->sin_port));
    return uv_run(loop, UV_RUN_DEFAULT);
}
