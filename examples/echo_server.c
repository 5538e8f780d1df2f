/* examples/echo_server.c - a TCP echo server in callback style: every
 * chunk read is written back as it is (the same bytes, no copy), reading
 * pauses while the client is slow to take the echo, and the client's end
 * ends the echo. Node's
 *
 *     net.createServer(c => c.pipe(c)).listen(7000, '127.0.0.1');
 *
 * Usage: echo_server [port]   (default 7000; try: nc 127.0.0.1 7000) */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

static int on_data(tide_emitter_t *em, tide_event_t ev, void *chunk, void *data)
{
    tide_stream_t *conn = tide_stream_of(em);
    /* false: the client lags; stop reading until its buffer drains. */
    if (tide_stream_write_chunk(conn, chunk, NULL, NULL) == 0) tide_stream_pause(conn);
    return 0;
}

static int on_drain(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    tide_stream_resume(tide_stream_of(em));
    return 0;
}

static int on_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    tide_stream_end(tide_stream_of(em), NULL, NULL, NULL);
    return 0;
}

static int on_error(tide_emitter_t *em, tide_event_t ev, void *err, void *data)
{
    /* A reset client: only its own connection goes. */
    fprintf(stderr, "connection error: %s\n", ((tide_error_t *)err)->message);
    return 0;
}

static void on_connection(tide_server_t *server, tide_stream_t *conn, void *data)
{
    tide_stream_on(conn, TIDE_EVENT_DATA, on_data, NULL);
    tide_stream_on(conn, TIDE_EVENT_DRAIN, on_drain, NULL);
    tide_stream_on(conn, TIDE_EVENT_END, on_end, NULL);
    tide_stream_on(conn, TIDE_EVENT_ERROR, on_error, NULL);
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 7000;
    tide_loop_t *loop;
    tide_server_t *server;
    if (tide_loop_new(&loop) != 0) return 1;
    int err = tide_tcp_listen(loop, "127.0.0.1", port, NULL, on_connection, NULL, &server);
    if (err) {
        fprintf(stderr, "listen: %s\n", tide_strerror(err));
        return 1;
    }
    printf("echo server on 127.0.0.1:%d\n", tide_server_port(server));
    fflush(stdout);
    tide_run(loop, TIDE_RUN_DEFAULT);
    tide_loop_close(loop);
    return 0;
}
