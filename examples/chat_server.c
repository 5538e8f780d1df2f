/* examples/chat_server.c - a line-based chat: each client's lines go to
 * every other client, prefixed with who said them. Each client is served
 * by an async function that awaits whole lines; the broadcast writes one
 * shared chunk to every other client without copying it per client, and
 * drops a client whose backlog grows past 1 MiB instead of buffering for
 * it without bound.
 *
 * Usage: chat_server [port]   (default 7002; try two: nc 127.0.0.1 7002) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tide.h>

#define MAX_CLIENTS 256
#define MAX_BACKLOG (1u << 20)

typedef struct {
    tide_stream_t *conn;
    int id;
} client_t;

static client_t *clients[MAX_CLIENTS];
static int next_id = 1;

static void broadcast(tide_loop_t *loop, const client_t *from, const char *text, size_t len)
{
    const tide_chunk_t *chunk;
    if (tide_chunk_copy(loop, text, len, &chunk) != 0) return;
    for (int i = 0; i < MAX_CLIENTS; i++) {
        client_t *c = clients[i];
        if (!c || c == from) continue;
        if (tide_stream_writable_length(c->conn) > MAX_BACKLOG)
            tide_stream_destroy(c->conn, NULL); /* it stopped reading */
        else
            tide_stream_write_chunk(c->conn, chunk, NULL, NULL);
    }
    tide_chunk_release(chunk);
}

static tide_result_t serve(tide_loop_t *loop, void *arg)
{
    client_t self = {arg, next_id++};
    int slot = -1;
    for (int i = 0; i < MAX_CLIENTS && slot < 0; i++)
        if (!clients[i]) slot = i;
    if (slot < 0) {
        tide_stream_write_await(self.conn, "server full\n", 12, NULL);
        tide_stream_end_await(self.conn, NULL);
        tide_stream_release(self.conn);
        return tide_ok(NULL);
    }
    clients[slot] = &self;
    char msg[1100];
    int n = snprintf(msg, sizeof msg, "* client %d joined\n", self.id);
    broadcast(loop, &self, msg, (size_t)n);
    char line[1024];
    size_t len;
    while (tide_stream_read_line_await(self.conn, line, sizeof line, &len, NULL) == 1) {
        if (line[len - 1] != '\n') continue; /* a line longer than 1 KiB: dropped */
        n = snprintf(msg, sizeof msg, "<%d> %s", self.id, line);
        broadcast(loop, &self, msg, (size_t)n);
    }
    clients[slot] = NULL;
    n = snprintf(msg, sizeof msg, "* client %d left\n", self.id);
    broadcast(loop, &self, msg, (size_t)n);
    tide_stream_destroy(self.conn, NULL);
    tide_stream_release(self.conn);
    return tide_ok(NULL);
}

static void on_connection(tide_server_t *server, tide_stream_t *conn, void *data)
{
    tide_stream_ref(conn); /* the fiber's own reference */
    if (tide_async(tide_stream_loop(conn), serve, conn, NULL) != 0) {
        tide_stream_destroy(conn, NULL);
        tide_stream_release(conn);
    }
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 7002;
    tide_loop_t *loop;
    tide_server_t *server;
    if (tide_loop_new(&loop) != 0) return 1;
    int err = tide_tcp_listen(loop, "127.0.0.1", port, NULL, on_connection, NULL, &server);
    if (err) {
        fprintf(stderr, "listen: %s\n", tide_strerror(err));
        return 1;
    }
    printf("chat server on 127.0.0.1:%d\n", tide_server_port(server));
    fflush(stdout);
    tide_run(loop, TIDE_RUN_DEFAULT);
    tide_loop_close(loop);
    return 0;
}
