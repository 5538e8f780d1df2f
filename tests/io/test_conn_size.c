/* tests/io/test_conn_size.c - what an idle TCP connection with a 'data'
 * and an 'error' listener costs: its one pooled record (the stream with
 * the socket after it) stays within its budget, no write record is held, and accepting it and adding both listeners makes
 * one malloc'd block (the emitter's small record) and no ring, so nothing
 * else grows per connection behind their back. */
#include "net_test.h"
#include "test_alloc.h"

/* Pool objects are rounded up to 16 bytes: these are what a pool hands out. */
#define POOLED(n) (((n) + 15) & ~(size_t)15)

static int on_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data) { return 0; }
static int on_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data) { return 0; }

static tide_server_t *server;
static tide_stream_t *accepted, *client;
static long live_before;

static void on_connection(tide_server_t *srv, tide_stream_t *conn, void *data)
{
    /* Only what the two listeners add is counted. */
    live_before = alloc_live;
    ASSERT_OK(tide_stream_on(conn, TIDE_EVENT_DATA, on_data, NULL));
    ASSERT_OK(tide_stream_on(conn, TIDE_EVENT_ERROR, on_error, NULL));
    ASSERT_EQ(alloc_live - live_before, 1); /* the emitter's small record */
    /* Nothing buffered: neither side has made its ring. */
    ASSERT(conn->r.buffer.b == NULL && conn->w.buffered.b == NULL);
    /* No write in flight: no write record; the socket shares the stream's object. */
    ASSERT(conn->w.flight == NULL);
    ASSERT((void *)tide__sock_of(conn) == (void *)conn);
    accepted = conn;
    tide_stream_destroy(conn, NULL);
    tide_stream_destroy(client, NULL);
    tide_server_close(srv, NULL, NULL);
}

int main(void)
{
    ASSERT_LE(POOLED(sizeof(tide_stream_t)), 144);
    ASSERT_LE(POOLED(sizeof(tide__sock_t)), 192); /* the stream and the socket */

    counting_alloc_install();
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_tcp_listen(loop, "127.0.0.1", 0, NULL, on_connection, NULL, &server));
    ASSERT_OK(tide_tcp_connect(loop, "127.0.0.1", tide_server_port(server), NULL, NULL, NULL,
                               &client));
    tide_run(loop, TIDE_RUN_DEFAULT);
    ASSERT(accepted != NULL);
    tide_stream_release(client);
    ASSERT_OK(tide_loop_close(loop));
    printf("connection size tests passed (stream %zu, socket %zu bytes)\n", sizeof(tide_stream_t),
           sizeof(tide__sock_t));
    return 0;
}
