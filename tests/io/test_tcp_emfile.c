/* tests/io/test_tcp_emfile.c - a server out of file descriptors: with the
 * process's fd table full (RLIMIT_NOFILE lowered, the rest filled), the
 * pending connections are closed rather than left to spin the loop, the
 * established connection is still served, and once fds are free again
 * new connections are accepted. Then the same with EMFILE that does not
 * go away (injected): accepting pauses instead of spinning. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "net_test.h"
#include "test_emfile.h"

static void echo_conn(tide_server_t *srv, tide_stream_t *c, void *data) { echo_attach(c); }

/* Echo "msg" over an open client stream and wait for it back. */
static void round_trip(tide_loop_t *loop, tide_stream_t *c, collect_t *got, const char *msg)
{
    size_t want = got->len + strlen(msg);
    ASSERT_GE(tide_stream_write(c, msg, strlen(msg), NULL, NULL), 0);
    while (got->len < want) ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT(memcmp(got->buf + want - strlen(msg), msg, strlen(msg)) == 0);
}

static int raw_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int r = connect(fd, (struct sockaddr *)&sin, sizeof sin);
    ASSERT(r == 0 || errno == EINPROGRESS);
    return fd;
}

static void test_fd_table_full(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_server_t *srv;
    ASSERT_OK(tide_tcp_listen(loop, "127.0.0.1", 0, NULL, echo_conn, NULL, &srv));
    int port = tide_server_port(srv);
    tide_stream_t *old;
    ASSERT_OK(tide_tcp_connect(loop, "127.0.0.1", port, NULL, NULL, NULL, &old));
    collect_t got;
    collect_init(&got, 256);
    collect_attach(&got, old);
    round_trip(loop, old, &got, "before ");

    /* Three clients made now, connected once the table is full. */
    int clients[3];
    for (int i = 0; i < 3; i++) clients[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    fd_table_fill_t table;
    fd_table_fill(&table);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    for (int i = 0; i < 3; i++) {
        int r = connect(clients[i], (struct sockaddr *)&sin, sizeof sin);
        ASSERT(r == 0 || errno == EINPROGRESS);
    }
    /* The pending connections are taken and closed with the spare fd:
     * each client sees EOF or a reset, not a hang in the backlog. */
    char b;
    for (int i = 0; i < 3; i++) {
        ssize_t n;
        while ((n = read(clients[i], &b, 1)) < 0 && errno == EAGAIN)
            ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
        ASSERT_LE(n, 0);
    }
    /* Valgrind emulates the limit and closes the first one itself. */
    ASSERT_GE(tide_server_dropped(srv), 2);
    ASSERT_EQ(tide_server_accepted(srv), 1);
    /* No spinning on the listening fd, and the old connection is served. */
    ASSERT_LT(iterations_while_waiting(loop), 10);
    round_trip(loop, old, &got, "during ");

    /* Descriptors come back: new connections are accepted again. */
    fd_table_release(&table);
    tide_stream_t *fresh;
    ASSERT_OK(tide_tcp_connect(loop, "127.0.0.1", port, NULL, NULL, NULL, &fresh));
    collect_t got2;
    collect_init(&got2, 64);
    collect_attach(&got2, fresh);
    round_trip(loop, fresh, &got2, "after");
    ASSERT_EQ(tide_server_accepted(srv), 2);
    round_trip(loop, old, &got, "still");

    for (int i = 0; i < 3; i++) close(clients[i]);
    tide_stream_destroy(old, NULL);
    tide_stream_destroy(fresh, NULL);
    tide_server_close(srv, NULL, NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    tide_stream_release(old);
    tide_stream_release(fresh);
    free(got.buf);
    free(got2.buf);
    ASSERT_OK(tide_loop_close(loop));
}

static void test_emfile_that_stays(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide__sys.accept4 = flaky_accept4;
    tide_server_t *srv;
    ASSERT_OK(tide_tcp_listen(loop, "127.0.0.1", 0, NULL, echo_conn, NULL, &srv));
    int port = tide_server_port(srv);
    tide_stream_t *old;
    ASSERT_OK(tide_tcp_connect(loop, "127.0.0.1", port, NULL, NULL, NULL, &old));
    collect_t got;
    collect_init(&got, 64);
    collect_attach(&got, old);
    round_trip(loop, old, &got, "a");
    always_emfile = 1;
    int waiting = raw_connect(port);
    /* Paused for a while instead of spinning on the pending connection. */
    ASSERT_LT(iterations_while_waiting(loop), 10);
    round_trip(loop, old, &got, "b");
    always_emfile = 0;
    /* Accepting resumes by itself. */
    while (tide_server_accepted(srv) < 2) ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    close(waiting);
    tide__sys = tide__sys_default;
    tide_stream_destroy(old, NULL);
    tide_server_close(srv, NULL, NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    tide_stream_release(old);
    free(got.buf);
    ASSERT_OK(tide_loop_close(loop));
}

int main(void)
{
    test_fd_table_full();
    test_emfile_that_stays();
    return 0;
}
