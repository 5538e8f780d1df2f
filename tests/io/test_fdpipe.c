/* tests/io/test_fdpipe.c - pipes as streams: tide_pipe_open on pipe and
 * socketpair ends, tide_pipe_pair, EOF and end() closing a write-only end,
 * half-open pairs, EPIPE, large writes that wait for writability, and
 * faults injected through the system-call table (EINTR, EAGAIN, short
 * writes, ENOMEM). */
#include "net_test.h"

static void test_pipe_roundtrip(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int fds[2];
    ASSERT_OK(tide_pipe_pair(fds, 0));
    ASSERT(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
    ASSERT(!(fcntl(fds[0], F_GETFL) & O_NONBLOCK)); /* ready for a child */
    tide_stream_t *r, *w;
    ASSERT_OK(tide_pipe_open(loop, fds[0], 0, &r));
    ASSERT_OK(tide_pipe_open(loop, fds[1], 0, &w));
    ASSERT(fcntl(fds[0], F_GETFL) & O_NONBLOCK);
    ASSERT_EQ(tide_net_fd(r), fds[0]);
    ASSERT_EQ(tide_pipe_open(loop, fds[0], 0, &r), -EEXIST);
    collect_t got;
    collect_init(&got, 64);
    collect_attach(&got, r);
    log_reset();
    ASSERT_EQ(tide_stream_write(w, "hello ", 6, log_cb, "w1"), 1);
    ASSERT_EQ(tide_stream_write(w, "pipe", 4, log_cb, "w2"), 1);
    on_log(w, TIDE_EVENT_FINISH, "finish");
    on_log(w, TIDE_EVENT_CLOSE, "w-close");
    ASSERT_OK(tide_stream_end(w, NULL, NULL, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(got.len, 10);
    ASSERT(memcmp(got.buf, "hello pipe", 10) == 0);
    ASSERT_EQ(got.ended, 1); /* end() closed the write end: EOF */
    ASSERT_EQ(got.closed, 1);
    ASSERT_STR_EQ(log_.buf, "w1 w2 finish w-close");
    ASSERT_EQ(tide_net_bytes_written(w), 10);
    ASSERT_EQ(tide_net_bytes_read(r), 10);
    ASSERT_EQ(tide_net_fd(w), -EBADF);
    tide_stream_release(r);
    tide_stream_release(w);
    free(got.buf);
    ASSERT_OK(tide_loop_close(loop));
}

/* A socketpair is duplex: the peer's end does not end our writable side. */
static void test_duplex_half_open(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int fds[2];
    ASSERT_OK(tide_pipe_pair(fds, TIDE_PIPE_DUPLEX));
    tide_stream_t *a, *b;
    ASSERT_OK(tide_pipe_open(loop, fds[0], 0, &a));
    ASSERT_OK(tide_pipe_open(loop, fds[1], 0, &b));
    collect_t ga, gb;
    collect_init(&ga, 64);
    collect_init(&gb, 64);
    collect_attach(&ga, a);
    collect_attach(&gb, b);
    ASSERT_EQ(tide_stream_write(a, "ping", 4, NULL, NULL), 1);
    ASSERT_OK(tide_stream_end(a, NULL, NULL, NULL));
    run_until(loop, &gb.ended);
    ASSERT_EQ(gb.len, 4);
    ASSERT(tide_stream_writable(b)); /* half-open: b may still answer */
    ASSERT_EQ(tide_stream_write(b, "pong", 4, NULL, NULL), 1);
    ASSERT_OK(tide_stream_end(b, NULL, NULL, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(ga.len, 4);
    ASSERT(memcmp(ga.buf, "pong", 4) == 0);
    ASSERT_EQ(ga.closed + gb.closed, 2);
    tide_stream_release(a);
    tide_stream_release(b);
    free(ga.buf);
    free(gb.buf);
    ASSERT_OK(tide_loop_close(loop));
}

/* 4 MiB through a 64 KiB pipe: writes wait for writability, reads keep up. */
static void test_large_write(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int fds[2];
    ASSERT_OK(tide_pipe_pair(fds, 0));
    tide_stream_t *r, *w;
    ASSERT_OK(tide_pipe_open(loop, fds[0], 0, &r));
    ASSERT_OK(tide_pipe_open(loop, fds[1], 0, &w));
    size_t n = 4u << 20;
    char *big = malloc(n);
    fill_pattern(big, n, 7);
    collect_t got;
    collect_init(&got, n);
    collect_attach(&got, r);
    log_reset();
    ASSERT_EQ(tide_stream_write(w, big, n, log_cb, "written"), 0); /* over the mark */
    ASSERT_OK(tide_stream_end(w, NULL, NULL, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(got.len, n);
    ASSERT(memcmp(got.buf, big, n) == 0);
    ASSERT_STR_EQ(log_.buf, "written");
    tide_stream_release(r);
    tide_stream_release(w);
    free(big);
    free(got.buf);
    ASSERT_OK(tide_loop_close(loop));
}

/* The reader is gone: the write fails with EPIPE (no SIGPIPE), the stream
 * is destroyed with it. */
static void test_epipe(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int fds[2];
    ASSERT_OK(tide_pipe_pair(fds, 0));
    close(fds[0]);
    tide_stream_t *w;
    ASSERT_OK(tide_pipe_open(loop, fds[1], 0, &w));
    collect_t ev;
    collect_init(&ev, 0);
    ASSERT_OK(tide_stream_on(w, TIDE_EVENT_ERROR, collect_event, &ev));
    ASSERT_OK(tide_stream_on(w, TIDE_EVENT_CLOSE, collect_event, &ev));
    log_reset();
    tide_stream_write(w, "x", 1, log_cb, "cb");
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(ev.error, -EPIPE);
    ASSERT_EQ(ev.closed, 1);
    ASSERT_STR_EQ(log_.buf, "cb:EPIPE");
    tide_stream_release(w);
    free(ev.buf);
    ASSERT_OK(tide_loop_close(loop));
}

static void test_bad_fds(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_stream_t *s;
    ASSERT_EQ(tide_pipe_open(loop, -1, 0, &s), -EBADF);
    ASSERT_EQ(tide_pipe_open(loop, 1000, 0, &s), -EBADF);
    int f = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(f, 0);
    ASSERT_EQ(tide_pipe_open(loop, f, 0, &s), -EINVAL); /* regular files are not for epoll */
    close(f);
    ASSERT_EQ(tide_pipe_open(loop, 0, 99, &s), -EINVAL);
    ASSERT_EQ(tide_pipe_pair(NULL, 0), -EINVAL);
    ASSERT_EQ(tide_net_fd(NULL), -EINVAL);
    ASSERT_OK(tide_loop_close(loop));
}

/* ---- faults ----------------------------------------------------------------- */

static int eintr_reads, eagain_writes, short_writes, fail_mallocs;

static ssize_t flaky_read(int fd, void *buf, size_t len)
{
    if (eintr_reads > 0) {
        eintr_reads--;
        errno = EINTR;
        return -1;
    }
    return read(fd, buf, len);
}

static ssize_t flaky_writev(int fd, const struct iovec *iov, int cnt)
{
    if (eagain_writes > 0) {
        eagain_writes--;
        errno = EAGAIN;
        return -1;
    }
    if (short_writes) {
        /* at most 3 bytes a call */
        struct iovec one = iov[0];
        if (one.iov_len > 3) one.iov_len = 3;
        return writev(fd, &one, 1);
    }
    return writev(fd, iov, cnt);
}

static void *flaky_malloc(size_t n)
{
    if (fail_mallocs && n == TIDE__READ_BUF_SIZE) {
        errno = ENOMEM;
        return NULL;
    }
    return malloc(n);
}

static void test_injected_faults(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide__sys.read = flaky_read;
    tide__sys.writev = flaky_writev;
    int fds[2];
    ASSERT_OK(tide_pipe_pair(fds, 0));
    tide_stream_t *r, *w;
    ASSERT_OK(tide_pipe_open(loop, fds[0], 0, &r));
    ASSERT_OK(tide_pipe_open(loop, fds[1], 0, &w));
    collect_t got;
    collect_init(&got, 256);
    collect_attach(&got, r);
    eintr_reads = 3;
    eagain_writes = 2;
    short_writes = 1;
    const char *msg = "short writes come out whole in the end";
    tide_stream_write(w, msg, 20, NULL, NULL);
    tide_stream_write(w, msg + 20, strlen(msg) - 20, NULL, NULL);
    ASSERT_OK(tide_stream_end(w, NULL, NULL, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(got.len, strlen(msg));
    ASSERT(memcmp(got.buf, msg, got.len) == 0);
    ASSERT_EQ(eintr_reads, 0);
    ASSERT_EQ(eagain_writes, 0);
    short_writes = 0;
    tide_stream_release(r);
    tide_stream_release(w);
    free(got.buf);
    tide__sys = tide__sys_default;
    ASSERT_OK(tide_loop_close(loop));

    /* No memory for a read buffer (a new loop has none pooled): that
     * stream fails with ENOMEM, alone. */
    ASSERT_OK(tide_loop_new(&loop));
    tide__sys.malloc = flaky_malloc;
    ASSERT_OK(tide_pipe_pair(fds, 0));
    ASSERT_OK(tide_pipe_open(loop, fds[0], 0, &r));
    collect_init(&got, 16);
    collect_attach(&got, r);
    ASSERT_EQ(write(fds[1], "data", 4), 4);
    fail_mallocs = 1;
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    fail_mallocs = 0;
    ASSERT_EQ(got.error, -ENOMEM);
    ASSERT_EQ(got.closed, 1);
    close(fds[1]);
    tide_stream_release(r);
    free(got.buf);
    tide__sys = tide__sys_default;
    ASSERT_OK(tide_loop_close(loop));
}

/* A stream left open when the loop closes: its fd is closed, nothing leaks. */
static void test_loop_close_with_open_stream(void)
{
    int before = count_fds();
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int fds[2];
    ASSERT_OK(tide_pipe_pair(fds, TIDE_PIPE_DUPLEX));
    tide_stream_t *a;
    ASSERT_OK(tide_pipe_open(loop, fds[0], 0, &a));
    collect_t got;
    collect_init(&got, 64);
    collect_attach(&got, a);
    ASSERT_EQ(write(fds[1], "abc", 3), 3);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(got.len, 3);
    ASSERT_OK(tide_loop_close(loop));
    close(fds[1]);
    ASSERT_EQ(count_fds(), before);
    free(got.buf);
}

int main(void)
{
    test_pipe_roundtrip();
    test_duplex_half_open();
    test_large_write();
    test_epipe();
    test_bad_fds();
    test_injected_faults();
    test_loop_close_with_open_stream();
    return 0;
}
