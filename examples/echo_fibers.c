/* examples/echo_fibers.c - the same echo server written top to bottom:
 * one async function accepts, and each connection gets an async function
 * that awaits a chunk, awaits its write, and loops. Node's
 *
 *     for await (const c of on(server, 'connection')) (async () => {
 *         for await (const chunk of c) await write(c, chunk);
 *         c.end();
 *     })();
 *
 * Usage: echo_fibers [port]   (default 7001) */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

static tide_result_t serve(tide_loop_t *loop, void *arg)
{
    tide_stream_t *conn = arg;
    const tide_chunk_t *chunk;
    int rc;
    while ((rc = tide_stream_read_await(conn, &chunk, NULL)) == 1) {
        /* The chunk's bytes go back as they are; waits only when the
         * client is slow (write() said false). */
        rc = tide_stream_write_chunk_await(conn, chunk, NULL);
        tide_chunk_release(chunk);
        if (rc != 1) break;
    }
    if (rc == 0) tide_stream_end_await(conn, NULL); /* the client's end: ours */
    else tide_stream_destroy(conn, NULL);
    tide_stream_release(conn);
    return tide_ok(NULL);
}

static tide_result_t accept_loop(tide_loop_t *loop, void *arg)
{
    tide_server_t *server = arg;
    tide_stream_t *conn;
    while (tide_server_accept_await(server, &conn, NULL) == 1) {
        if (tide_async(loop, serve, conn, NULL) != 0) {
            tide_stream_destroy(conn, NULL);
            tide_stream_release(conn);
        }
    }
    return tide_ok(NULL);
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 7001;
    tide_loop_t *loop;
    tide_server_t *server;
    if (tide_loop_new(&loop) != 0) return 1;
    /* No callback: connections go to whoever awaits them. */
    int err = tide_tcp_listen(loop, "127.0.0.1", port, NULL, NULL, NULL, &server);
    if (err) {
        fprintf(stderr, "listen: %s\n", tide_strerror(err));
        return 1;
    }
    printf("echo server (fibers) on 127.0.0.1:%d\n", tide_server_port(server));
    fflush(stdout);
    tide_async(loop, accept_loop, server, NULL);
    tide_run(loop, TIDE_RUN_DEFAULT);
    tide_loop_close(loop);
    return 0;
}
