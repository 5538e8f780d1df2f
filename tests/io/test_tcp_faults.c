/* tests/io/test_tcp_faults.c - TCP with failures injected through the
 * system-call table: accept4 interrupted or aborted, sendmsg refusing
 * (EAGAIN) and taking a few bytes at a time, connect interrupted, socket()
 * out of fds, no memory for an accepted connection. Each must leave the
 * program running with the data intact or a clear error. */
#include "net_test.h"

static int accept_faults, send_eagain, send_short, connect_eintr, socket_emfile, fail_socks;

static int flaky_accept4(int fd, struct sockaddr *a, socklen_t *l, int flags)
{
    if (accept_faults > 0) {
        errno = (accept_faults-- % 2) ? EINTR : ECONNABORTED;
        return -1;
    }
    return accept4(fd, a, l, flags);
}

static ssize_t flaky_sendmsg(int fd, const struct msghdr *msg, int flags)
{
    if (send_eagain > 0) {
        send_eagain--;
        errno = EAGAIN;
        return -1;
    }
    if (send_short) {
        struct msghdr m = *msg;
        struct iovec one = msg->msg_iov[0];
        if (one.iov_len > 7) one.iov_len = 7;
        m.msg_iov = &one;
        m.msg_iovlen = 1;
        return sendmsg(fd, &m, flags);
    }
    return sendmsg(fd, msg, flags);
}

static int flaky_connect(int fd, const struct sockaddr *a, socklen_t l)
{
    int r = connect(fd, a, l);
    if (connect_eintr && r < 0 && errno == EINPROGRESS) {
        connect_eintr = 0;
        errno = EINTR; /* the connect goes on in the background */
    }
    return r;
}

static int flaky_socket(int d, int t, int p)
{
    if (socket_emfile) {
        errno = EMFILE;
        return -1;
    }
    return socket(d, t, p);
}

/* Every allocation fails while fail_socks is set. */
static void *flaky_malloc(size_t n)
{
    if (fail_socks) {
        errno = ENOMEM;
        return NULL;
    }
    return malloc(n);
}

/* An echo that gives up on a connection it cannot listen on. */
static void echo_conn(tide_server_t *srv, tide_stream_t *c, void *data)
{
    if (tide_stream_on(c, TIDE_EVENT_DATA, echo_data, NULL) != 0 ||
        tide_stream_on(c, TIDE_EVENT_DRAIN, echo_drain, NULL) != 0 ||
        tide_stream_on(c, TIDE_EVENT_END, echo_end, NULL) != 0)
        tide_stream_destroy(c, NULL);
}

static void exchange(tide_loop_t *loop, int port, const char *msg)
{
    tide_stream_t *c;
    ASSERT_OK(tide_tcp_connect(loop, "127.0.0.1", port, NULL, NULL, NULL, &c));
    collect_t got;
    collect_init(&got, 4096);
    collect_attach(&got, c);
    size_t n = strlen(msg);
    /* In pieces, so writev gathers several chunks per call. */
    tide_stream_cork(c);
    for (size_t i = 0; i < n; i += 5)
        tide_stream_write(c, msg + i, n - i < 5 ? n - i : 5, NULL, NULL);
    tide_stream_uncork(c);
    tide_stream_end(c, NULL, NULL, NULL);
    run_until(loop, &got.closed);
    ASSERT_EQ(got.error, 0);
    ASSERT_EQ(got.len, n);
    ASSERT(memcmp(got.buf, msg, n) == 0);
    tide_stream_release(c);
    free(got.buf);
}

int main(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide__sys.accept4 = flaky_accept4;
    tide__sys.sendmsg = flaky_sendmsg;
    tide__sys.connect = flaky_connect;
    tide__sys.socket = flaky_socket;
    tide_server_t *srv;
    ASSERT_OK(tide_tcp_listen(loop, "127.0.0.1", 0, NULL, echo_conn, NULL, &srv));
    int port = tide_server_port(srv);
    const char *msg = "every byte of this message arrives once, in order, whatever the "
                      "system calls do on the way";

    accept_faults = 4;
    send_eagain = 3;
    exchange(loop, port, msg);
    ASSERT_EQ(accept_faults, 0);
    ASSERT_EQ(send_eagain, 0);

    send_short = 1;
    connect_eintr = 1;
    exchange(loop, port, msg);
    send_short = 0;
    ASSERT_EQ(connect_eintr, 0);

    /* Out of fds for a new socket: an error at once, nothing started. */
    socket_emfile = 1;
    tide_stream_t *c;
    ASSERT_EQ(tide_tcp_connect(loop, "127.0.0.1", port, NULL, NULL, NULL, &c), -EMFILE);
    tide_server_t *srv2;
    ASSERT_EQ(tide_tcp_listen(loop, "127.0.0.1", 0, NULL, echo_conn, NULL, &srv2), -EMFILE);
    socket_emfile = 0;

    /* No memory for accepted connections: each is closed, the server
     * lives on. The clients' sockets are made first, while memory lasts. */
    int before = (int)tide_server_accepted(srv);
    int clients[70];
    for (int i = 0; i < 70; i++) {
        clients[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_storage ss;
        socklen_t len;
        ASSERT_OK(tide_net_addr("127.0.0.1", port, &ss, &len));
        ASSERT_OK(connect(clients[i], (struct sockaddr *)&ss, len));
        ASSERT_EQ(write(clients[i], "?", 1), 1);
    }
    tide__sys.malloc = flaky_malloc;
    fail_socks = 1;
    /* Whatever the server could not allocate, it closed: each client
     * gets its byte back, or its connection closed, never a hang. */
    char b;
    int closed = 0;
    for (int i = 0; i < 70; i++) {
        ssize_t n;
        while ((n = recv(clients[i], &b, 1, MSG_DONTWAIT)) < 0 && errno == EAGAIN)
            ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
        if (n <= 0) closed++;
    }
    ASSERT_EQ(closed, 70); /* no memory for any of them */
    fail_socks = 0;
    tide__sys.malloc = tide__sys_default.malloc;
    for (int i = 0; i < 70; i++) close(clients[i]);
    exchange(loop, port, "and then it serves again");
    ASSERT_GT((int)tide_server_accepted(srv), before);

    tide__sys = tide__sys_default;
    tide_server_close(srv, NULL, NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_OK(tide_loop_close(loop));
    return 0;
}
