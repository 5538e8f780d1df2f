/* tests/io/test_unix.c - Unix domain stream sockets: a path (EADDRINUSE
 * while it exists, unlinked at close), an abstract name, connect errors,
 * the awaiting connect, and passing fds with SCM_RIGHTS: fds arrive with
 * their bytes, are close-on-exec, and none leak when nobody takes them or
 * when a stream with fds still queued is destroyed. */
#include <sys/stat.h>

#include "net_test.h"

static char path[108];

static void echo_conn(tide_server_t *srv, tide_stream_t *c, void *data) { echo_attach(c); }

static int connect_status = 1;
static void on_connect(tide_stream_t *s, int status, void *data) { connect_status = status; }

static void echo_over(tide_loop_t *loop, const char *where)
{
    tide_stream_t *c;
    ASSERT_OK(tide_unix_connect(loop, where, NULL, on_connect, NULL, &c));
    collect_t got;
    collect_init(&got, 64);
    collect_attach(&got, c);
    tide_stream_write(c, "unix", 4, NULL, NULL);
    tide_stream_end(c, NULL, NULL, NULL);
    run_until(loop, &got.closed);
    ASSERT_EQ(connect_status, 0);
    ASSERT_EQ(got.len, 4);
    ASSERT(memcmp(got.buf, "unix", 4) == 0);
    ASSERT_EQ(tide_net_bytes_read(c), 4);
    tide_stream_release(c);
    free(got.buf);
}

static void test_paths(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    snprintf(path, sizeof path, "/tmp/tide-unix-test-%d.sock", (int)getpid());
    unlink(path);
    tide_server_t *srv;
    ASSERT_OK(tide_unix_listen(loop, path, NULL, echo_conn, NULL, &srv));
    struct stat st;
    ASSERT_OK(stat(path, &st));
    ASSERT(S_ISSOCK(st.st_mode));
    tide_server_t *dup;
    ASSERT_EQ(tide_unix_listen(loop, path, NULL, echo_conn, NULL, &dup), -EADDRINUSE);
    ASSERT_EQ(tide_server_port(srv), -EINVAL);
    echo_over(loop, path);
    tide_server_close(srv, NULL, NULL);
    ASSERT_EQ(stat(path, &st), -1); /* unlinked at close */
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));

    /* The abstract namespace: nothing in the file system. */
    char name[64];
    snprintf(name, sizeof name, "@tide-unix-test-%d", (int)getpid());
    ASSERT_OK(tide_unix_listen(loop, name, NULL, echo_conn, NULL, &srv));
    echo_over(loop, name);
    tide_server_close(srv, NULL, NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));

    /* Errors: no such socket (through the callback), a name too long. */
    tide_stream_t *c;
    connect_status = 1;
    ASSERT_OK(tide_unix_connect(loop, path, NULL, on_connect, NULL, &c));
    ASSERT_EQ(connect_status, 1); /* never from inside the call */
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(connect_status, -ENOENT);
    tide_stream_release(c);
    char longp[200];
    memset(longp, 'a', sizeof longp - 1);
    longp[0] = '/';
    longp[sizeof longp - 1] = '\0';
    ASSERT_EQ(tide_unix_connect(loop, longp, NULL, NULL, NULL, &c), -ENAMETOOLONG);
    ASSERT_EQ(tide_unix_listen(loop, "", NULL, echo_conn, NULL, &srv), -EINVAL);
    ASSERT_OK(tide_loop_close(loop));
}

/* ---- fd passing ------------------------------------------------------------ */

typedef struct {
    int fds_seen;
    char bytes[64];
    size_t nbytes;
    int cloexec_ok;
    int leave_untaken; /* the last message's fds are not taken */
    tide_stream_t *conn;
} recv_t;

static int recv_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    recv_t *r = data;
    tide_stream_t *s = tide_stream_of(em);
    const tide_chunk_t *c = arg;
    memcpy(r->bytes + r->nbytes, c->base, c->len);
    r->nbytes += c->len;
    if (r->leave_untaken && memchr(c->base, '!', c->len)) return 0;
    int fd;
    while ((fd = tide_unix_take_fd(s)) >= 0) {
        r->fds_seen++;
        if (fcntl(fd, F_GETFD) & FD_CLOEXEC) r->cloexec_ok++;
        /* Each fd is a pipe's write end: say which message brought it (the
         * kernel ends a read after the bytes that carried fds). */
        char tag = ((const char *)c->base)[c->len - 1];
        ASSERT_EQ(write(fd, &tag, 1), 1);
        close(fd);
    }
    ASSERT_EQ(fd, -EAGAIN);
    return 0;
}

static void recv_conn(tide_server_t *srv, tide_stream_t *c, void *data)
{
    recv_t *r = data;
    r->conn = tide_stream_ref(c);
    ASSERT_OK(tide_stream_on(c, TIDE_EVENT_DATA, recv_data, r));
}

static void test_fd_passing(void)
{
    int fds_before = count_fds();
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    char name[64];
    snprintf(name, sizeof name, "@tide-fds-%d", (int)getpid());
    recv_t r = {0};
    tide_server_t *srv;
    tide_listen_opts_t lo = {.flags = TIDE_NET_PASS_FDS};
    ASSERT_OK(tide_unix_listen(loop, name, &lo, recv_conn, &r, &srv));
    tide_stream_t *c;
    ASSERT_OK(tide_unix_connect(loop, name, NULL, NULL, NULL, &c));
    int p1[2], p2[2];
    make_pipe(p1);
    make_pipe(p2);
    /* Two messages with fds, plain bytes between. */
    ASSERT_EQ(tide_unix_write_fds(c, "A", 1, &p1[1], 1, NULL, NULL), 1);
    close(p1[1]); /* the stream sends its own duplicate */
    tide_stream_write(c, "--", 2, NULL, NULL);
    int two[2] = {p2[1], p2[1]};
    ASSERT_EQ(tide_unix_write_fds(c, "B", 1, two, 2, NULL, NULL), 1);
    close(p2[1]);
    while (r.fds_seen < 3) ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(r.cloexec_ok, 3);
    char got[4];
    ASSERT_EQ(read(p1[0], got, sizeof got), 1);
    ASSERT_EQ(got[0], 'A');
    ASSERT_EQ(read(p2[0], got, sizeof got), 2);
    ASSERT(got[0] == 'B' && got[1] == 'B');
    while (r.nbytes < 4) ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT(memcmp(r.bytes, "A--B", 4) == 0);

    /* Fds nobody takes are closed with the stream. */
    r.leave_untaken = 1;
    int p3[2];
    make_pipe(p3);
    ASSERT_EQ(tide_unix_write_fds(c, "!", 1, &p3[1], 1, NULL, NULL), 1);
    close(p3[1]);
    while (r.nbytes < 5) ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(tide_unix_pending_fds(r.conn), 1);

    /* Fds queued on a stream destroyed before they went are closed too. */
    tide_stream_t *never;
    ASSERT_OK(tide_unix_connect(loop, name, NULL, NULL, NULL, &never));
    ASSERT_EQ(tide_unix_write_fds(never, "x", 1, &p3[0], 1, NULL, NULL), 1);
    tide_stream_destroy(never, NULL);

    /* Bad calls change nothing. */
    ASSERT_EQ(tide_unix_write_fds(c, "x", 0, &p3[0], 1, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_unix_write_fds(c, "x", 1, &p3[0], 0, NULL, NULL), -EINVAL);
    int bad = 999;
    ASSERT_EQ(tide_unix_write_fds(c, "x", 1, &bad, 1, NULL, NULL), -EBADF);
    ASSERT_EQ(tide_unix_take_fd(c), -EAGAIN);

    tide_stream_destroy(c, NULL);
    tide_stream_destroy(r.conn, NULL);
    tide_server_close(srv, NULL, NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    tide_stream_release(c);
    tide_stream_release(never);
    tide_stream_release(r.conn);
    ASSERT_OK(tide_loop_close(loop));
    close(p1[0]);
    close(p2[0]);
    close(p3[0]);
    ASSERT_EQ(count_fds(), fds_before);
}

/* ---- the awaiting connect ------------------------------------------------------ */

static tide_result_t ask(tide_loop_t *loop, void *arg)
{
    tide_stream_t *c;
    ASSERT_EQ(tide_unix_connect_await(loop, "@tide-no-such-name-at-all", NULL, &c), -ECONNREFUSED);
    ASSERT_OK(tide_unix_connect_await(loop, arg, NULL, &c));
    ASSERT_EQ(tide_stream_write_await(c, "ping\n", 5, NULL), 1);
    char line[16];
    ASSERT_EQ(tide_stream_read_line_await(c, line, sizeof line, NULL, NULL), 1);
    ASSERT_STR_EQ(line, "ping\n");
    tide_stream_destroy(c, NULL);
    tide_stream_release(c);
    return tide_ok(NULL);
}

static void test_await(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    char name[64];
    snprintf(name, sizeof name, "@tide-await-%d", (int)getpid());
    tide_server_t *srv;
    ASSERT_OK(tide_unix_listen(loop, name, NULL, echo_conn, NULL, &srv));
    tide_promise_t *p;
    ASSERT_OK(tide_async(loop, ask, name, &p));
    while (tide_promise_state_of(p) == TIDE_PROMISE_PENDING) ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_FULFILLED);
    tide_promise_release(p);
    tide_server_close(srv, NULL, NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_OK(tide_loop_close(loop));
}

int main(void)
{
    test_paths();
    test_fd_passing();
    test_await();
    return 0;
}
