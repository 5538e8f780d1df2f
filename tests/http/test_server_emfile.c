/* tests/http/test_server_emfile.c - an HTTP server out of file
 * descriptors: with the fd table full (RLIMIT_NOFILE lowered, the rest
 * filled) pending connections are taken and closed with the spare fd, not
 * left to spin the loop, a keep-alive connection already open is still
 * served, and new connections are served once fds are free. With EMFILE
 * that does not go away (injected), accepting pauses instead of spinning
 * and resumes when it clears. */
#include "http_test.h"
#include "test_emfile.h"
#include "tide/http.h"

static const char get[] = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";

static void on_request(tide_http_req_t *req, tide_http_res_t *res, void *data)
{
    (void)req, (void)data;
    tide_http_res_send(res, 200, "text/plain", "ok", 2);
}

/* One more request on an open keep-alive connection, answered. */
static void served_again(client_t *cl, int nth)
{
    client_send(cl, get);
    client_wait_count(cl, "\r\n\r\nok", nth);
    ASSERT_EQ(cl->eof, 0);
}

static int connect_to(int fd, int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return connect(fd, (struct sockaddr *)&sa, sizeof sa);
}

static void test_fd_table_full(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_http_server_t *srv;
    ASSERT_OK(tide_http_listen(loop, "127.0.0.1", 0, NULL, on_request, NULL, &srv));
    int port = tide_http_server_port(srv);
    client_t old;
    client_open(&old, loop, port);
    served_again(&old, 1);

    int clients[3];
    for (int i = 0; i < 3; i++) clients[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    fd_table_fill_t table;
    fd_table_fill(&table);
    /* Blocking connects: each is in the backlog once it returns. A client
     * whose connection was shed reads EOF or a reset, never hangs. */
    for (int i = 0; i < 3; i++) {
        ASSERT_OK(connect_to(clients[i], port));
        ASSERT_OK(fcntl(clients[i], F_SETFL, O_NONBLOCK));
        (void)send(clients[i], get, sizeof get - 1, MSG_NOSIGNAL);
    }
    char b;
    for (int i = 0; i < 3; i++) {
        ssize_t n;
        while ((n = read(clients[i], &b, 1)) < 0 && errno == EAGAIN) tide_run(loop, TIDE_RUN_NOWAIT);
        ASSERT_LE(n, 0);
    }
    /* Valgrind emulates the limit and closes the first one itself. */
    ASSERT_GE(tide_http_server_dropped(srv), 2);
    ASSERT_EQ(tide_http_server_requests(srv), 1);
    ASSERT_LT(iterations_while_waiting(loop), 10);
    served_again(&old, 2);

    fd_table_release(&table);
    client_t fresh;
    client_open(&fresh, loop, port);
    served_again(&fresh, 1);
    served_again(&old, 3);

    for (int i = 0; i < 3; i++) close(clients[i]);
    client_close(&old);
    client_close(&fresh);
    ASSERT_OK(tide_http_server_close(srv, NULL, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_OK(tide_loop_close(loop));
}

static void test_emfile_that_stays(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide__sys.accept4 = flaky_accept4;
    tide_http_server_t *srv;
    ASSERT_OK(tide_http_listen(loop, "127.0.0.1", 0, NULL, on_request, NULL, &srv));
    int port = tide_http_server_port(srv);
    client_t old;
    client_open(&old, loop, port);
    served_again(&old, 1);

    always_emfile = 1;
    client_t waiting;
    client_open(&waiting, loop, port); /* in the backlog: accept fails */
    client_send(&waiting, get);
    ASSERT_LT(iterations_while_waiting(loop), 10);
    served_again(&old, 2);
    ASSERT_EQ(waiting.len, 0);

    /* The table frees up: after the pause the waiting client is served. */
    always_emfile = 0;
    client_wait_count(&waiting, "\r\n\r\nok", 1);
    ASSERT_EQ(tide_http_server_dropped(srv), 0);

    client_close(&old);
    client_close(&waiting);
    ASSERT_OK(tide_http_server_close(srv, NULL, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    tide__sys.accept4 = accept4;
    ASSERT_OK(tide_loop_close(loop));
}

int main(void)
{
    test_fd_table_full();
    test_emfile_that_stays();
    printf("ok\n");
    return 0;
}
