/* bench/echo/tide.c - the echo server on tide, as the Node one is written:
 * a TCP server whose connections write each 'data' chunk straight back
 * (the same bytes, no copy: the chunk views the loop's read buffer until
 * the write is done) and swallow their 'error' (a client that resets goes
 * alone). Without allowHalfOpen, the client's end ends the connection. */
#include <tide.h>

#include "../common/net.h"

static int on_data(tide_emitter_t *em, tide_event_t ev, void *chunk, void *data)
{
    (void)ev, (void)data;
    tide_stream_write_chunk(tide_stream_of(em), chunk, NULL, NULL);
    return 0;
}

static int on_error(tide_emitter_t *em, tide_event_t ev, void *err, void *data)
{
    (void)em, (void)ev, (void)err, (void)data;
    return 0;
}

static void on_connection(tide_server_t *server, tide_stream_t *conn, void *data)
{
    (void)server, (void)data;
    tide_stream_on(conn, TIDE_EVENT_DATA, on_data, NULL);
    tide_stream_on(conn, TIDE_EVENT_ERROR, on_error, NULL);
}

int main(void)
{
    bench_raise_fd_limit();
    tide_loop_t *loop;
    tide_server_t *server;
    tide_listen_opts_t opts = {.backlog = 4096, .flags = TIDE_NET_NODELAY};
    if (tide_loop_new(&loop) != 0 ||
        tide_tcp_listen(loop, "127.0.0.1", 0, &opts, on_connection, NULL, &server) != 0)
        return 2;
    bench_announce(tide_server_port(server));
    tide_run(loop, TIDE_RUN_DEFAULT);
    return 0;
}
