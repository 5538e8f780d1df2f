/* tests/io/test_tcp.c - TCP over 127.0.0.1: an echo round trip, Node's
 * half-close rules (allowHalfOpen off and on), addresses and options,
 * connect refused / timed out / aborted, the promise and fiber forms with
 * an awaiting accept, a peer reset in the middle of a large write (only
 * that socket fails), and a reader that stops reading (write() says false
 * and the writer's buffer stays at the high-water mark). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "net_test.h"

static int echo_conn_count;

static void echo_conn(tide_server_t *srv, tide_stream_t *c, void *data)
{
    echo_conn_count++;
    echo_attach(c);
}

static tide_server_t *echo_server(tide_loop_t *loop, unsigned flags, int *port)
{
    tide_server_t *srv;
    tide_listen_opts_t o = {0};
    o.flags = flags;
    ASSERT_OK(tide_tcp_listen(loop, "127.0.0.1", 0, &o, echo_conn, NULL, &srv));
    *port = tide_server_port(srv);
    ASSERT_GT(*port, 0);
    return srv;
}

static int connect_status = 1;
static void on_connect(tide_stream_t *s, int status, void *data)
{
    connect_status = status;
    if (data) test_log(&log_, data);
}

static void close_server_on_close(tide_server_t *srv, void *data) { test_log(&log_, "srv-closed"); }

static void test_echo(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int port;
    tide_server_t *srv = echo_server(loop, 0, &port);
    tide_stream_t *c;
    log_reset();
    /* A timeout and a signal that never fire: both let go at the connect
     * (a timer left behind would keep the run below going for a minute). */
    tide_abort_controller_t *ctrl;
    ASSERT_OK(tide_abort_controller_new(loop, &ctrl));
    tide_connect_opts_t co = {.timeout_ms = 60000, .signal = tide_abort_controller_signal(ctrl)};
    ASSERT_OK(tide_tcp_connect(loop, "127.0.0.1", port, &co, on_connect, "connected", &c));
    /* Written before the connection is up: sent once it is. */
    ASSERT_EQ(tide_stream_write(c, "hello ", 6, NULL, NULL), 1);
    ASSERT_EQ(tide_stream_write(c, "tcp", 3, NULL, NULL), 1);
    ASSERT_OK(tide_stream_end(c, NULL, NULL, NULL));
    collect_t got;
    collect_init(&got, 64);
    collect_attach(&got, c);
    run_until(loop, &got.closed);
    ASSERT_EQ(connect_status, 0);
    ASSERT_OK(tide_abort(ctrl, NULL)); /* too late to matter */
    tide_abort_controller_free(ctrl);
    ASSERT_EQ(got.len, 9);
    ASSERT(memcmp(got.buf, "hello tcp", 9) == 0);
    ASSERT_EQ(got.ended, 1);
    ASSERT_EQ(tide_net_bytes_written(c), 9);
    ASSERT_EQ(tide_net_bytes_read(c), 9);
    ASSERT_EQ(tide_server_accepted(srv), 1);
    ASSERT_OK(tide_server_close(srv, close_server_on_close, NULL));
    ASSERT_EQ(tide_server_close(srv, NULL, NULL), -EALREADY);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_STR_EQ(log_.buf, "connected srv-closed");
    tide_stream_release(c);
    free(got.buf);
    ASSERT_OK(tide_loop_close(loop));
}

/* ---- half-close --------------------------------------------------------------- */

typedef struct {
    collect_t got;
    tide_stream_t *conn;
    int reply_on_end;
} half_t;

static int half_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    half_t *h = data;
    tide_stream_t *s = tide_stream_of(em);
    test_log(&log_, tide_stream_writable(s) ? "srv-end:writable" : "srv-end:ended");
    if (h->reply_on_end) {
        ASSERT_EQ(tide_stream_write(s, "reply", 5, NULL, NULL), 1);
        ASSERT_OK(tide_stream_end(s, NULL, NULL, NULL));
    }
    return 0;
}

static void half_conn(tide_server_t *srv, tide_stream_t *c, void *data)
{
    half_t *h = data;
    collect_attach(&h->got, c);
    ASSERT_OK(tide_stream_on(c, TIDE_EVENT_END, half_end, h));
}

static void run_half_close(unsigned server_flags, const char *want_log, const char *want_reply)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    half_t h = {0};
    collect_init(&h.got, 64);
    h.reply_on_end = server_flags & TIDE_NET_ALLOW_HALF_OPEN;
    tide_server_t *srv;
    tide_listen_opts_t lo = {.flags = server_flags};
    ASSERT_OK(tide_tcp_listen(loop, "127.0.0.1", 0, &lo, half_conn, &h, &srv));
    tide_connect_opts_t co = {.flags = TIDE_NET_ALLOW_HALF_OPEN};
    tide_stream_t *c;
    ASSERT_OK(tide_tcp_connect(loop, "127.0.0.1", tide_server_port(srv), &co, NULL, NULL, &c));
    collect_t got;
    collect_init(&got, 64);
    collect_attach(&got, c);
    log_reset();
    tide_stream_write(c, "abc", 3, NULL, NULL);
    ASSERT_OK(tide_stream_end(c, NULL, NULL, NULL));
    run_until(loop, &got.closed);
    ASSERT_EQ(h.got.len, 3);
    ASSERT_EQ(got.ended, 1);
    ASSERT_STR_EQ(log_.buf, want_log);
    ASSERT_EQ(got.len, strlen(want_reply));
    ASSERT(memcmp(got.buf, want_reply, got.len) == 0);
    tide_server_close(srv, NULL, NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(h.got.closed, 1);
    tide_stream_release(c);
    free(got.buf);
    free(h.got.buf);
    ASSERT_OK(tide_loop_close(loop));
}

static void test_half_close(void)
{
    /* Node's default (allowHalfOpen: false): the peer's end ends ours, on
     * the tick after 'end' (Node's socket is still writable in 'end'). */
    run_half_close(0, "srv-end:writable", "");
    /* allowHalfOpen: the server still answers after the client's end. */
    run_half_close(TIDE_NET_ALLOW_HALF_OPEN, "srv-end:writable", "reply");
}

/* ---- addresses and options ------------------------------------------------------ */

static tide_stream_t *accepted;
static void keep_conn(tide_server_t *srv, tide_stream_t *c, void *data)
{
    accepted = tide_stream_ref(c);
}

static void test_addresses_and_options(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_server_t *srv;
    tide_listen_opts_t lo = {.flags = TIDE_NET_NODELAY | TIDE_NET_KEEPALIVE | TIDE_NET_REUSEPORT,
                             .keepalive_delay_ms = 30000};
    ASSERT_OK(tide_tcp_listen(loop, "127.0.0.1", 0, &lo, keep_conn, NULL, &srv));
    struct sockaddr_storage ss;
    socklen_t len;
    ASSERT_OK(tide_server_address(srv, &ss, &len));
    char name[64];
    int port;
    ASSERT_OK(tide_net_addr_name((struct sockaddr *)&ss, name, sizeof name, &port));
    ASSERT_STR_EQ(name, "127.0.0.1");
    ASSERT_EQ(port, tide_server_port(srv));
    int one = 0;
    socklen_t ol = sizeof one;
    ASSERT_EQ(tide_net_fd(NULL), -EINVAL);
    ASSERT_OK(getsockopt(srv->io.fd, SOL_SOCKET, SO_REUSEADDR, &one, &ol));
    ASSERT_EQ(one, 1);
    tide_stream_t *c;
    accepted = NULL;
    connect_status = 1;
    ASSERT_OK(tide_tcp_connect(loop, "localhost", port, NULL, on_connect, NULL, &c));
    while (!accepted || connect_status == 1) ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(connect_status, 0);
    /* Options given to listen reach each connection. */
    int fd = tide_net_fd(accepted);
    ASSERT_OK(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, &ol));
    ASSERT_EQ(one, 1);
    ASSERT_OK(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, &ol));
    ASSERT_EQ(one, 1);
    ASSERT_OK(getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &one, &ol));
    ASSERT_EQ(one, 30);
    /* The client's local address is the server side's peer. */
    struct sockaddr_storage a, b;
    socklen_t al, bl;
    ASSERT_OK(tide_net_local_address(c, &a, &al));
    ASSERT_OK(tide_net_peer_address(accepted, &b, &bl));
    ASSERT_EQ(al, bl);
    ASSERT(memcmp(&a, &b, al) == 0);
    ASSERT_OK(tide_tcp_set_nodelay(c, 1));
    ASSERT_OK(getsockopt(tide_net_fd(c), IPPROTO_TCP, TCP_NODELAY, &one, &ol));
    ASSERT_EQ(one, 1);
    ASSERT_OK(tide_tcp_set_keepalive(c, 1, 5000));
    ASSERT_OK(getsockopt(tide_net_fd(c), IPPROTO_TCP, TCP_KEEPIDLE, &one, &ol));
    ASSERT_EQ(one, 5);
    ASSERT_OK(tide_tcp_set_keepalive(c, 0, 0));
    /* Bad input is refused, never a crash. */
    ASSERT_EQ(tide_tcp_connect(loop, "not-an-address", port, NULL, NULL, NULL, &c), -EINVAL);
    ASSERT_EQ(tide_tcp_connect(loop, "127.0.0.1", 70000, NULL, NULL, NULL, &c), -EINVAL);
    ASSERT_EQ(tide_tcp_listen(loop, "127.0.0.1", -1, NULL, keep_conn, NULL, &srv), -EINVAL);
    ASSERT_EQ(tide_tcp_set_nodelay(NULL, 1), -EINVAL);
    tide_server_t *dup;
    ASSERT_EQ(tide_tcp_listen(loop, "127.0.0.1", port, NULL, keep_conn, NULL, &dup), -EADDRINUSE);
    /* IPv6 loopback, when the machine has it. */
    tide_server_t *v6;
    int err = tide_tcp_listen(loop, "::1", 0, NULL, keep_conn, NULL, &v6);
    if (err == 0) {
        ASSERT_GT(tide_server_port(v6), 0);
        tide_server_close(v6, NULL, NULL);
    } else {
        ASSERT(err == -EADDRNOTAVAIL || err == -EAFNOSUPPORT);
    }
    tide_stream_destroy(c, NULL);
    tide_stream_destroy(accepted, NULL);
    tide_server_close(srv, NULL, NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    tide_stream_release(c);
    tide_stream_release(accepted);
    ASSERT_OK(tide_loop_close(loop));
}

/* ---- connect failures -------------------------------------------------------------- */

/* A listener whose accept queue is full: a connect to it stays in progress. */
static int full_listener(int *port, int clients[3])
{
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ASSERT_OK(bind(l, (struct sockaddr *)&sin, sizeof sin));
    ASSERT_OK(listen(l, 0));
    socklen_t len = sizeof sin;
    ASSERT_OK(getsockname(l, (struct sockaddr *)&sin, &len));
    *port = ntohs(sin.sin_port);
    for (int i = 0; i < 3; i++) {
        clients[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        connect(clients[i], (struct sockaddr *)&sin, sizeof sin);
    }
    return l;
}

static void abort_now(tide_loop_t *loop, void *ctrl) { tide_abort(ctrl, NULL); }

static void test_connect_failures(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    /* Refused: a port nobody listens on. */
    int port;
    tide_server_t *srv = echo_server(loop, 0, &port);
    tide_server_close(srv, NULL, NULL);
    tide_stream_t *c;
    connect_status = 1;
    ASSERT_OK(tide_tcp_connect(loop, "127.0.0.1", port, NULL, on_connect, NULL, &c));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(connect_status, -ECONNREFUSED);
    ASSERT(tide_stream_destroyed(c));
    tide_stream_release(c);

    /* Timed out. */
    int clients[3];
    int l = full_listener(&port, clients);
    tide_connect_opts_t co = {.timeout_ms = 30};
    connect_status = 1;
    ASSERT_OK(tide_tcp_connect(loop, "127.0.0.1", port, &co, on_connect, NULL, &c));
    collect_t ev;
    collect_init(&ev, 0);
    ASSERT_OK(tide_stream_on(c, TIDE_EVENT_ERROR, collect_event, &ev));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(connect_status, -ETIMEDOUT);
    ASSERT_EQ(ev.error, -ETIMEDOUT); /* it had an 'error' listener */
    tide_stream_release(c);

    /* Aborted while connecting, and aborted before starting. */
    tide_abort_controller_t *ctrl;
    ASSERT_OK(tide_abort_controller_new(loop, &ctrl));
    co.timeout_ms = 0;
    co.signal = tide_abort_controller_signal(ctrl);
    connect_status = 1;
    ASSERT_OK(tide_tcp_connect(loop, "127.0.0.1", port, &co, on_connect, NULL, &c));
    tide_set_timeout(loop, abort_now, ctrl, 1);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(connect_status, -ECANCELED);
    tide_stream_release(c);
    ASSERT_EQ(tide_tcp_connect(loop, "127.0.0.1", port, &co, on_connect, NULL, &c), -ECANCELED);
    tide_abort_controller_free(ctrl);

    /* Destroyed while connecting: the callback hears of it. */
    connect_status = 1;
    ASSERT_OK(tide_tcp_connect(loop, "127.0.0.1", port, NULL, on_connect, NULL, &c));
    tide_stream_destroy(c, NULL);
    ASSERT_EQ(connect_status, -ECANCELED);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    tide_stream_release(c);

    for (int i = 0; i < 3; i++) close(clients[i]);
    close(l);
    free(ev.buf);
    ASSERT_OK(tide_loop_close(loop));
}

/* ---- promise and fiber forms --------------------------------------------------------- */

typedef struct {
    tide_server_t *srv;
    int port;
    int served;
    char line[64];
} fiber_t;

static tide_result_t serve_one(tide_loop_t *loop, void *arg)
{
    fiber_t *f = arg;
    tide_stream_t *c;
    ASSERT_EQ(tide_server_accept_await(f->srv, &c, NULL), 1);
    char line[64];
    ASSERT_EQ(tide_stream_read_line_await(c, line, sizeof line, NULL, NULL), 1);
    char reply[80];
    int n = snprintf(reply, sizeof reply, "echo: %s", line);
    ASSERT_EQ(tide_stream_write_await(c, reply, (size_t)n, NULL), 1);
    ASSERT_EQ(tide_stream_end_await(c, NULL), 1);
    tide_stream_destroy(c, NULL); /* nothing more to read either */
    tide_stream_release(c);
    f->served++;
    return tide_ok(NULL);
}

static tide_result_t client_one(tide_loop_t *loop, void *arg)
{
    fiber_t *f = arg;
    tide_stream_t *c;
    ASSERT_OK(tide_tcp_connect_await(loop, "127.0.0.1", f->port, NULL, &c));
    ASSERT_EQ(tide_stream_write_await(c, "hi there\n", 9, NULL), 1);
    ASSERT_EQ(tide_stream_read_line_await(c, f->line, sizeof f->line, NULL, NULL), 1);
    tide_stream_destroy(c, NULL);
    tide_stream_release(c);
    return tide_ok(NULL);
}

static tide_result_t accept_after_close(tide_loop_t *loop, void *arg)
{
    fiber_t *f = arg;
    tide_stream_t *c;
    /* The promise's connection waited in the backlog for a taker. */
    ASSERT_EQ(tide_server_accept_await(f->srv, &c, NULL), 1);
    tide_stream_destroy(c, NULL);
    tide_stream_release(c);
    /* Nobody connects: a deadline ends the wait. */
    tide_await_opts_t o = {.deadline_ns = tide_now_ns(loop) + 5 * 1000000ull};
    ASSERT_EQ(tide_server_accept_await(f->srv, &c, &o), -ETIMEDOUT);
    tide_server_close(f->srv, NULL, NULL);
    ASSERT_EQ(tide_server_accept_await(f->srv, &c, NULL), -EBADF);
    return tide_ok(NULL);
}

static void test_fibers(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    fiber_t f = {0};
    ASSERT_OK(tide_tcp_listen(loop, "127.0.0.1", 0, NULL, NULL, NULL, &f.srv));
    f.port = tide_server_port(f.srv);
    ASSERT_OK(tide_async(loop, serve_one, &f, NULL));
    ASSERT_OK(tide_async(loop, client_one, &f, NULL));
    tide_promise_t *p;
    ASSERT_OK(tide_tcp_connect_promise(loop, "127.0.0.1", f.port, NULL, &p));
    /* Run until both fibers are done; the promise's connection is then
     * accepted by nobody (no callback, no waiter) but still connects. */
    while (f.served == 0 || !f.line[0]) ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_STR_EQ(f.line, "echo: hi there\n");
    while (tide_promise_state_of(p) == TIDE_PROMISE_PENDING) tide_run(loop, TIDE_RUN_ONCE);
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_FULFILLED);
    tide_stream_t *pc = tide_promise_value(p);
    tide_stream_destroy(pc, NULL);
    tide_promise_release(p);
    ASSERT_OK(tide_async(loop, accept_after_close, &f, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(tide_tcp_connect_await(loop, "127.0.0.1", f.port, NULL, &pc), -EPERM);
    ASSERT_OK(tide_loop_close(loop));
}

/* ---- a reset in the middle of a write --------------------------------------------------- */

typedef struct {
    tide_stream_t *big_writer;
    collect_t ev;
    char *big;
    size_t n;
    int conns;
} reset_t;

static void reset_conn(tide_server_t *srv, tide_stream_t *c, void *data)
{
    reset_t *r = data;
    if (r->conns++ == 0) {
        /* The first client gets far more than its buffers hold. */
        r->big_writer = c;
        ASSERT_OK(tide_stream_on(c, TIDE_EVENT_ERROR, collect_event, &r->ev));
        ASSERT_OK(tide_stream_on(c, TIDE_EVENT_CLOSE, collect_event, &r->ev));
        tide_stream_write(c, r->big, r->n, NULL, NULL);
    } else {
        echo_attach(c);
    }
}

static int reset_when_read(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    tide_stream_t *s = tide_stream_of(em);
    if (tide_net_bytes_read(s) >= 100000 && !tide_stream_destroyed(s)) tide_tcp_reset(s);
    return 0;
}

static void test_reset_mid_write(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    reset_t r = {0};
    r.n = 32u << 20;
    r.big = calloc(1, r.n);
    collect_init(&r.ev, 0);
    tide_server_t *srv;
    ASSERT_OK(tide_tcp_listen(loop, "127.0.0.1", 0, NULL, reset_conn, &r, &srv));
    int port = tide_server_port(srv);
    tide_stream_t *victim, *other;
    ASSERT_OK(tide_tcp_connect(loop, "127.0.0.1", port, NULL, NULL, NULL, &victim));
    ASSERT_OK(tide_stream_on(victim, TIDE_EVENT_DATA, reset_when_read, NULL));
    ASSERT_OK(tide_tcp_connect(loop, "127.0.0.1", port, NULL, NULL, NULL, &other));
    collect_t got;
    collect_init(&got, 16);
    collect_attach(&got, other);
    while (!r.ev.closed) ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT(r.ev.error == -ECONNRESET || r.ev.error == -EPIPE);
    /* The server and its other connection go on. */
    tide_stream_write(other, "still here", 10, NULL, NULL);
    tide_stream_end(other, NULL, NULL, NULL);
    run_until(loop, &got.closed);
    ASSERT_EQ(got.len, 10);
    ASSERT_EQ(got.error, 0);
    tide_server_close(srv, NULL, NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    tide_stream_release(victim);
    tide_stream_release(other);
    free(r.big);
    free(r.ev.buf);
    free(got.buf);
    ASSERT_OK(tide_loop_close(loop));
}

/* ---- a reader that stops ------------------------------------------------------------------ */

typedef struct {
    tide_stream_t *conn;
    char chunk[16384];
    int refused;     /* write() said false */
    int drains;
    size_t max_len;  /* the largest writable length seen */
    size_t queued;
} flood_t;

static void flood_fill(flood_t *f)
{
    while (!f->refused) {
        int rc = tide_stream_write(f->conn, f->chunk, sizeof f->chunk, NULL, NULL);
        ASSERT_GE(rc, 0);
        f->queued += sizeof f->chunk;
        size_t len = tide_stream_writable_length(f->conn);
        if (len > f->max_len) f->max_len = len;
        if (rc == 0) f->refused = 1;
    }
}

static int flood_drain(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    flood_t *f = data;
    f->drains++;
    f->refused = 0;
    flood_fill(f);
    return 0;
}

static void flood_conn(tide_server_t *srv, tide_stream_t *c, void *data)
{
    flood_t *f = data;
    f->conn = tide_stream_ref(c);
    ASSERT_OK(tide_stream_on(c, TIDE_EVENT_DRAIN, flood_drain, f));
    flood_fill(f);
}

static void stalled(tide_loop_t *loop, void *flag) { *(int *)flag = 1; }

static void test_slow_reader(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    flood_t f = {0};
    tide_server_t *srv;
    ASSERT_OK(tide_tcp_listen(loop, "127.0.0.1", 0, NULL, flood_conn, &f, &srv));
    tide_stream_t *c;
    ASSERT_OK(tide_tcp_connect(loop, "127.0.0.1", tide_server_port(srv), NULL, NULL, NULL, &c));
    /* The client reads nothing: the kernel's buffers fill, then the
     * server's writes wait and its buffer stops at the high-water mark. */
    while (!f.conn || !f.refused) ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    int quiet = 0;
    int drains = -1;
    while (drains != f.drains) {
        /* Until an interval passes with no 'drain': the kernel is full. */
        drains = f.drains;
        quiet = 0;
        tide_set_timeout(loop, stalled, &quiet, 50);
        run_until(loop, &quiet);
    }
    size_t hwm = tide_stream_writable_hwm(f.conn);
    ASSERT(f.refused);
    ASSERT_LE(f.max_len, hwm + sizeof f.chunk);
    ASSERT_GE(tide_stream_writable_length(f.conn), hwm);
    ASSERT_LT(tide_net_bytes_written(f.conn), f.queued);
    /* The client takes it all once it reads. */
    tide_stream_destroy(f.conn, NULL);
    tide_stream_destroy(c, NULL);
    tide_server_close(srv, NULL, NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    tide_stream_release(f.conn);
    tide_stream_release(c);
    ASSERT_OK(tide_loop_close(loop));
}

static void keep_echo_conn(tide_server_t *srv, tide_stream_t *c, void *data)
{
    keep_conn(srv, c, data);
    echo_attach(c);
}

/* ---- ref and unref ----------------------------------------------------------------- */

static void test_ref_unref(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_server_t *srv;
    ASSERT_OK(tide_tcp_listen(loop, "127.0.0.1", 0, NULL, keep_echo_conn, NULL, &srv));
    int port = tide_server_port(srv);
    tide_server_unref(srv);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT)); /* nothing keeps it going */
    tide_server_ref(srv);
    ASSERT(tide_loop_alive(loop));
    tide_stream_t *c;
    ASSERT_OK(tide_tcp_connect(loop, "127.0.0.1", port, NULL, NULL, NULL, &c));
    collect_t got;
    collect_init(&got, 16);
    collect_attach(&got, c);
    tide_stream_write(c, "x", 1, NULL, NULL);
    while (got.len < 1) ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    /* Reading sockets keep the loop alive, until unref'd with the server. */
    tide_server_unref(srv);
    tide_net_unref(accepted);
    ASSERT(tide_loop_alive(loop));
    tide_net_unref(c);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    tide_net_ref(c);
    ASSERT(tide_loop_alive(loop));
    tide_stream_destroy(c, NULL);
    tide_server_close(srv, NULL, NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    tide_stream_release(c);
    tide_stream_release(accepted);
    free(got.buf);
    ASSERT_OK(tide_loop_close(loop));
}

int main(void)
{
    test_echo();
    test_ref_unref();
    test_half_close();
    test_addresses_and_options();
    test_connect_failures();
    test_fibers();
    test_reset_mid_write();
    test_slow_reader();
    return 0;
}
