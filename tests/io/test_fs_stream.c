/* tests/io/test_fs_stream.c - file streams: a few MiB through a read
 * stream, a transform and a write stream; start/end ranges; a slow
 * consumer (one read in flight, the buffer within its mark); open errors
 * with the path; destroy during a read (the fd closed once, after the
 * read); the fd option with and without autoClose; 'finish' before
 * 'close'; corked writes in one pwritev; short writes, EINTR and EAGAIN. */
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sys.h"
#include "gate.h"
#include "stream_test.h"

#include "tmpdir.h"

static unsigned char pattern(size_t i) { return (unsigned char)(i * 7 + (i >> 9)); }

static void make_file(const char *path, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    unsigned char buf[8192];
    for (size_t off = 0; off < size;) {
        size_t n = size - off < sizeof buf ? size - off : sizeof buf;
        for (size_t i = 0; i < n; i++) buf[i] = pattern(off + i);
        ASSERT_EQ(write(fd, buf, n), (ssize_t)n);
        off += n;
    }
    ASSERT_OK(close(fd));
}

static unsigned char *slurp(const char *path, size_t *len)
{
    struct stat st;
    ASSERT_OK(stat(path, &st));
    unsigned char *b = malloc((size_t)st.st_size + 1);
    int fd = open(path, O_RDONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(read(fd, b, (size_t)st.st_size), st.st_size);
    close(fd);
    *len = (size_t)st.st_size;
    return b;
}

static void run(tide_loop_t *loop) { ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT)); }

static void log_all(tide_stream_t *s, const char *prefix)
{
    static char names[16][6][32];
    static int n;
    const char *ev[] = {"open", "ready", "end", "finish", "close", "error"};
    for (int i = 0; i < 6; i++) {
        snprintf(names[n % 16][i], 32, "%s%s", prefix, ev[i]);
        tide_event_t e = i == 5 ? TIDE_EVENT_ERROR : tide_event(ev[i]);
        if (e == TIDE_EVENT_END && !tide_stream_readable_hwm(s)) continue;
        ASSERT_OK(tide_stream_on(s, e, i == 5 ? log_error : log_event, names[n % 16][i]));
    }
    n++;
}

/* ---- counting and bending the workers' system calls ------------------------- */

static atomic_int preads, preads_now, preads_max, pwritevs, closes;
static atomic_int fail_next; /* errnos to inject, one each: EINTR then EAGAIN */
static atomic_int short_writes;
static gate_t *read_gate;

static ssize_t counting_pread(int fd, void *buf, size_t len, off_t off)
{
    int now = atomic_fetch_add(&preads_now, 1) + 1;
    if (now > atomic_load(&preads_max)) atomic_store(&preads_max, now);
    atomic_fetch_add(&preads, 1);
    if (read_gate) gate_pass(read_gate);
    ssize_t n;
    int e = atomic_load(&fail_next);
    if (e) {
        atomic_store(&fail_next, e == EINTR ? EAGAIN : 0); /* EINTR, then EAGAIN */
        errno = e;
        n = -1;
    } else {
        n = pread(fd, buf, len, off);
    }
    atomic_fetch_sub(&preads_now, 1);
    return n;
}

static ssize_t counting_pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
    atomic_fetch_add(&pwritevs, 1);
    int e = atomic_load(&fail_next);
    if (e) {
        /* EINTR, then EAGAIN, then work */
        atomic_store(&fail_next, e == EINTR ? EAGAIN : 0);
        errno = e;
        return -1;
    }
    if (atomic_load(&short_writes) && iov[0].iov_len > 1000) {
        struct iovec one = {iov[0].iov_base, 1000};
        return pwritev(fd, &one, 1, off);
    }
    return pwritev(fd, iov, cnt, off);
}

static int closed_fd = -1;
static int counting_close(int fd)
{
    if (fd == closed_fd) atomic_fetch_add(&closes, 1);
    return close(fd);
}

static void reset_counts(void)
{
    preads = preads_now = preads_max = pwritevs = closes = fail_next = short_writes = 0;
    tide__sys.pread = counting_pread;
    tide__sys.pwritev = counting_pwritev;
    tide__sys.close = counting_close;
}

/* ---- a few MiB through read stream | transform | write stream --------------- */

static void add_one(tide_stream_t *s, const tide_chunk_t *in, void *data)
{
    const tide_chunk_t *out;
    ASSERT_OK(tide_chunk_copy(tide_stream_loop(s), in->base, in->len, &out));
    for (size_t i = 0; i < out->len; i++) ((unsigned char *)out->base)[i]++;
    ASSERT(tide_stream_push_chunk(s, out) >= 0);
    tide_chunk_release(out);
    ASSERT_OK(tide_stream_transform_done(s, NULL));
}

static int pipeline_done;
static void on_pipeline(tide_stream_t *last, tide_error_t *err, void *data)
{
    ASSERT(err == NULL);
    pipeline_done++;
}

static void test_pipeline(void)
{
    const size_t size = 3 * 1024 * 1024 + 12345;
    make_file(at("big"), size);
    tide_loop_t *loop = stream_loop();
    reset_counts();
    tide_stream_t *st[3];
    ASSERT_OK(tide_fs_read_stream_new(loop, at("big"), NULL, &st[0]));
    tide_stream_opts_t o = {0};
    o.transform = add_one;
    ASSERT_OK(tide_transform_new(loop, &o, &st[1]));
    ASSERT_OK(tide_fs_write_stream_new(loop, at("big.out"), NULL, &st[2]));
    ASSERT_EQ(tide_fs_stream_fd(st[0]), -1); /* not open yet */
    ASSERT_STR_EQ(tide_fs_stream_path(st[2]), at("big.out"));
    log_all(st[0], "r.");
    log_all(st[2], "w.");
    ASSERT_OK(tide_stream_pipeline(st, 3, on_pipeline, NULL));
    tide_stream_ref(st[0]);
    tide_stream_ref(st[2]);
    for (int i = 0; i < 3; i++) tide_stream_release(st[i]);
    run(loop);
    ASSERT_EQ(pipeline_done, 1);
    ASSERT_EQ(tide_fs_stream_bytes(st[0]), size);
    ASSERT_EQ(tide_fs_stream_bytes(st[2]), size);
    ASSERT_EQ(tide_fs_stream_fd(st[0]), -1); /* closed */
    /* Each side in Node's order (the two sides interleave freely). */
    ASSERT(strstr(log_.buf, "r.open r.ready") != NULL);
    ASSERT(strstr(log_.buf, "w.open w.ready") != NULL);
    const char *rend = strstr(log_.buf, "r.end"), *rclose = strstr(log_.buf, "r.close");
    const char *wfin = strstr(log_.buf, "w.finish"), *wclose = strstr(log_.buf, "w.close");
    ASSERT(rend && rclose && rend < rclose && wfin && wclose && wfin < wclose);
    ASSERT(strstr(log_.buf, "error") == NULL);
    /* 64 KiB reads: one per mark, and one more that finds the end. */
    ASSERT_EQ(preads, (int)((size + 65535) / 65536) + 1);
    tide_stream_release(st[0]);
    tide_stream_release(st[2]);
    check_clean(loop);
    size_t len;
    unsigned char *got = slurp(at("big.out"), &len);
    ASSERT_EQ(len, size);
    for (size_t i = 0; i < size; i++)
        if (got[i] != (unsigned char)(pattern(i) + 1)) TEST_FAIL("byte %zu differs", i);
    free(got);
    unlink(at("big.out"));
}

/* ---- ranges ---------------------------------------------------------------- */

static size_t read_range(unsigned options, int64_t start, int64_t end, size_t hwm, size_t *first)
{
    tide_loop_t *loop = stream_loop();
    tide_fs_stream_opts_t fo = {.options = options, .start = start, .end = end, .hwm = hwm};
    tide_stream_t *r, *sink;
    ASSERT_OK(tide_fs_read_stream_new(loop, at("big"), &fo, &r));
    ASSERT_OK(tide_stream_to_buffer(loop, 0, NULL, &sink));
    on_log(r, TIDE_EVENT_END, "end");
    ASSERT_OK(tide_stream_pipe(r, sink, 0));
    run(loop);
    ASSERT_STR_EQ(log_.buf, "end");
    const void *base;
    size_t len;
    ASSERT_OK(tide_stream_buffer(sink, &base, &len));
    ASSERT_EQ(tide_fs_stream_bytes(r), len);
    *first = len ? ((const unsigned char *)base)[0] : 0;
    for (size_t i = 0; i < len; i++)
        ASSERT_EQ(((const unsigned char *)base)[i], pattern((size_t)start + i));
    tide_stream_release(r);
    tide_stream_release(sink);
    check_clean(loop);
    return len;
}

static void test_ranges(void)
{
    const int64_t size = 3 * 1024 * 1024 + 12345;
    size_t first;
    enum { S = TIDE_FS_STREAM_START, E = TIDE_FS_STREAM_END };
    ASSERT_EQ(read_range(S | E, 10, 19, 0, &first), 10);
    ASSERT_EQ(first, pattern(10));
    ASSERT_EQ(read_range(S | E, 100, 100, 0, &first), 1); /* end is inclusive */
    ASSERT_EQ(read_range(E, 0, 0, 0, &first), 1);
    ASSERT_EQ(read_range(S | E, 70000, 200000, 4096, &first), 130001); /* across many reads */
    ASSERT_EQ(read_range(S, size - 5, 0, 0, &first), 5);
    ASSERT_EQ(read_range(S, size, 0, 0, &first), 0);       /* at the end: empty */
    ASSERT_EQ(read_range(S, size + 100, 0, 0, &first), 0); /* past the end */
    ASSERT_EQ(read_range(S | E, size - 3, size + 1000, 0, &first), 3); /* end past EOF */

    tide_loop_t *loop = stream_loop();
    tide_stream_t *r = NULL;
    tide_fs_stream_opts_t bad = {.options = S | E, .start = 5, .end = 4};
    ASSERT_EQ(tide_fs_read_stream_new(loop, at("big"), &bad, &r), -ERANGE);
    bad.start = -1;
    bad.options = S;
    ASSERT_EQ(tide_fs_read_stream_new(loop, at("big"), &bad, &r), -ERANGE);
    ASSERT_EQ(tide_fs_read_stream_new(loop, NULL, NULL, &r), -EINVAL);
    ASSERT_EQ(tide_fs_read_stream_fd(loop, -1, NULL, NULL, &r), -EBADF);
    ASSERT_EQ(tide_fs_stream_fd(NULL), -EINVAL);

    /* An empty file: 'end' and nothing else. */
    make_file(at("empty"), 0);
    ASSERT_OK(tide_fs_read_stream_new(loop, at("empty"), NULL, &r));
    log_all(r, "");
    ASSERT_OK(tide_stream_on(r, TIDE_EVENT_DATA, log_data, "data:"));
    tide_stream_release(r);
    run(loop);
    ASSERT_STR_EQ(log_.buf, "open ready end close");
    check_clean(loop);
    unlink(at("empty"));
}

/* ---- a slow consumer ------------------------------------------------------- */

static tide_stream_t *slow_src;
static size_t slow_bytes;
static void slow_complete(tide_loop_t *loop, void *s) { ASSERT_OK(tide_stream_write_done(s, NULL)); }
static void slow_write(tide_stream_t *s, const tide_chunk_t *c, void *data)
{
    /* The source never holds more than its mark while it waits. */
    ASSERT_LE(tide_stream_readable_length(slow_src), 4096);
    slow_bytes += c->len;
    ASSERT(tide_set_immediate(tide_stream_loop(s), slow_complete, s) > 0);
}

static void test_slow_consumer(void)
{
    tide_loop_t *loop = stream_loop();
    reset_counts();
    tide_fs_stream_opts_t fo = {.hwm = 4096, .options = TIDE_FS_STREAM_END, .end = 1024 * 1024 - 1};
    ASSERT_OK(tide_fs_read_stream_new(loop, at("big"), &fo, &slow_src));
    tide_stream_opts_t o = {0};
    o.write = slow_write;
    o.hwm = 1; /* every write says wait */
    tide_stream_t *w;
    ASSERT_OK(tide_writable_new(loop, &o, &w));
    ASSERT_OK(tide_stream_pipe(slow_src, w, 0));
    run(loop);
    ASSERT_EQ(slow_bytes, 1024 * 1024);
    ASSERT_EQ(preads_max, 1);          /* never two reads at once */
    ASSERT_EQ(preads, 1024 * 1024 / 4096); /* the end is known from `end` */
    ASSERT(tide_stream_writable_finished(w));
    tide_stream_release(slow_src);
    tide_stream_release(w);
    check_clean(loop);
}

/* ---- errors ---------------------------------------------------------------- */

static char err_msg[512];
static int keep_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *text)
{
    snprintf(err_msg, sizeof err_msg, "%s", ((tide_error_t *)arg)->message);
    return log_error(em, ev, arg, text);
}

static void test_errors(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_t *r, *w;
    ASSERT_OK(tide_fs_read_stream_new(loop, at("missing"), NULL, &r));
    ASSERT_OK(tide_stream_on(r, tide_event("open"), log_event, "open"));
    on_log(r, TIDE_EVENT_CLOSE, "close");
    ASSERT_OK(tide_stream_on(r, TIDE_EVENT_ERROR, keep_error, "error"));
    ASSERT_OK(tide_stream_on(r, TIDE_EVENT_DATA, log_data, "data:"));
    tide_stream_release(r);
    run(loop);
    ASSERT_STR_EQ(log_.buf, "error:ENOENT close");
    char want[512];
    snprintf(want, sizeof want, "ENOENT: no such file or directory, open '%s'", at("missing"));
    ASSERT_STR_EQ(err_msg, want);

    /* A write stream into a directory that is not there, with writes
     * waiting for the open: they fail with its error. */
    log_reset();
    ASSERT_OK(tide_fs_write_stream_new(loop, at("nodir/out"), NULL, &w));
    ASSERT_OK(tide_stream_on(w, TIDE_EVENT_ERROR, keep_error, "error"));
    on_log(w, TIDE_EVENT_CLOSE, "close");
    ASSERT_EQ(tide_stream_write(w, "abc", 3, log_cb, "write1"), 1);
    ASSERT_EQ(tide_stream_write(w, "def", 3, log_cb, "write2"), 1);
    tide_stream_release(w);
    run(loop);
    ASSERT_STR_EQ(log_.buf, "write1:ENOENT write2:ENOENT error:ENOENT close");
    snprintf(want, sizeof want, "ENOENT: no such file or directory, open '%s'", at("nodir/out"));
    ASSERT_STR_EQ(err_msg, want);

    /* Reading a directory: the read fails, in Node's words. */
    log_reset();
    ASSERT_OK(tide_fs_read_stream_new(loop, dir, NULL, &r));
    ASSERT_OK(tide_stream_on(r, TIDE_EVENT_ERROR, keep_error, "error"));
    on_log(r, TIDE_EVENT_CLOSE, "close");
    ASSERT_OK(tide_stream_on(r, TIDE_EVENT_DATA, log_data, "data:"));
    tide_stream_release(r);
    run(loop);
    ASSERT_STR_EQ(log_.buf, "error:EISDIR close");
    ASSERT_STR_EQ(err_msg, "EISDIR: illegal operation on a directory, read");

    /* Writing to an fd open for reading only. */
    log_reset();
    int fd = open(at("big"), O_RDONLY);
    ASSERT_GE(fd, 0);
    ASSERT_OK(tide_fs_write_stream_fd(loop, fd, NULL, NULL, &w));
    ASSERT_OK(tide_stream_on(w, TIDE_EVENT_ERROR, keep_error, "error"));
    on_log(w, TIDE_EVENT_CLOSE, "close");
    ASSERT_EQ(tide_stream_write(w, "x", 1, log_cb, "write"), 1);
    tide_stream_release(w);
    run(loop);
    ASSERT_STR_EQ(log_.buf, "write:EBADF error:EBADF close");
    ASSERT_STR_EQ(err_msg, "EBADF: bad file descriptor, write");
    ASSERT_EQ(fcntl(fd, F_GETFD), -1); /* closed by the streams */
    check_clean(loop);
}

/* ---- destroy during a read --------------------------------------------------- */

static void test_destroy_mid_read(void)
{
    tide_loop_t *loop = stream_loop();
    reset_counts();
    gate_t gate;
    gate_init(&gate);
    read_gate = &gate;
    int fd = open(at("big"), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    closed_fd = fd;
    tide_stream_t *r;
    tide_fs_stream_opts_t fo = {.options = TIDE_FS_STREAM_START, .start = 0}; /* pread */
    ASSERT_OK(tide_fs_read_stream_fd(loop, fd, NULL, &fo, &r));
    ASSERT_EQ(tide_fs_stream_fd(r), fd);
    log_all(r, "");
    ASSERT_OK(tide_stream_on(r, TIDE_EVENT_DATA, log_data, "data"));
    /* Run until the first read is on a worker, then destroy. */
    tide_run(loop, TIDE_RUN_NOWAIT);
    gate_wait_for(&gate, 1);
    ASSERT_OK(tide_stream_destroy(r, NULL));
    ASSERT(tide_stream_destroyed(r));
    /* The loop may turn, but the fd stays open while the worker reads. */
    tide_run(loop, TIDE_RUN_NOWAIT);
    ASSERT_EQ(closes, 0);
    ASSERT_EQ(fcntl(fd, F_GETFD) >= 0, 1);
    ASSERT_STR_EQ(log_.buf, "");
    gate_open(&gate);
    run(loop);
    ASSERT_STR_EQ(log_.buf, "close"); /* no data, no error */
    ASSERT_EQ(closes, 1);
    ASSERT_EQ(fcntl(fd, F_GETFD), -1);
    read_gate = NULL;
    gate_destroy(&gate);
    closed_fd = -1;
    tide_stream_release(r);
    check_clean(loop);
}

/* ---- the fd option --------------------------------------------------------- */

static void test_fd_option(void)
{
    tide_loop_t *loop = stream_loop();
    int fd = open(at("big"), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(lseek(fd, 1000, SEEK_SET), 1000);
    tide_fs_stream_opts_t fo = {.options = TIDE_FS_STREAM_NO_AUTO_CLOSE | TIDE_FS_STREAM_END, .end = 1999};
    tide_stream_t *r, *sink;
    ASSERT_OK(tide_fs_read_stream_fd(loop, fd, "big", &fo, &r));
    ASSERT_OK(tide_stream_to_buffer(loop, 0, NULL, &sink));
    log_all(r, "");
    ASSERT_OK(tide_stream_pipe(r, sink, 0));
    run(loop);
    /* No start: from the fd's position, up to `end` counted in bytes read
     * (Node's end - bytesRead + 1); no 'open', and no 'close': autoClose off. */
    ASSERT_STR_EQ(log_.buf, "end");
    const void *base;
    size_t len;
    ASSERT_OK(tide_stream_buffer(sink, &base, &len));
    ASSERT_EQ(len, 2000);
    ASSERT_EQ(((const unsigned char *)base)[0], pattern(1000));
    tide_stream_release(r);
    tide_stream_release(sink);
    ASSERT_GE(fcntl(fd, F_GETFD), 0); /* still open after the stream went */
    ASSERT_EQ(lseek(fd, 0, SEEK_CUR), 3000);

    /* Default autoClose: closed at the end. */
    log_reset();
    ASSERT_OK(tide_fs_read_stream_fd(loop, fd, NULL, NULL, &r));
    log_all(r, "");
    ASSERT_OK(tide_stream_resume(r));
    tide_stream_release(r);
    run(loop);
    ASSERT_STR_EQ(log_.buf, "end close");
    ASSERT_EQ(fcntl(fd, F_GETFD), -1);
    check_clean(loop);
}

/* ---- the write stream -------------------------------------------------------- */

static void test_write_stream(void)
{
    tide_loop_t *loop = stream_loop();
    reset_counts();
    tide_stream_t *w;
    tide_fs_stream_opts_t fo = {.options = TIDE_FS_STREAM_START, .start = 0};
    ASSERT_OK(tide_fs_write_stream_new(loop, at("w.txt"), &fo, &w));
    log_all(w, "");
    /* Corked: five writes go to one pwritev. */
    ASSERT_OK(tide_stream_cork(w));
    const char *parts[] = {"one ", "two ", "three ", "four ", "five"};
    for (int i = 0; i < 5; i++) ASSERT_EQ(tide_stream_write(w, parts[i], strlen(parts[i]), NULL, NULL), 1);
    ASSERT_OK(tide_stream_uncork(w));
    ASSERT_OK(tide_stream_end(w, NULL, log_cb, "end cb"));
    run(loop);
    ASSERT_STR_EQ(log_.buf, "open ready end cb finish close");
    ASSERT_EQ(pwritevs, 1);
    ASSERT_EQ(tide_fs_stream_bytes(w), 23);
    tide_stream_release(w);
    size_t len;
    unsigned char *got = slurp(at("w.txt"), &len);
    ASSERT_EQ(len, 23);
    ASSERT(memcmp(got, "one two three four five", 23) == 0);
    free(got);

    /* Short writes, EINTR and EAGAIN on the worker: every byte still lands. */
    log_reset();
    reset_counts();
    short_writes = 1;
    fail_next = EINTR;
    static char big[10000];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (char)pattern(i);
    fo.start = 5; /* pwritev at 5 and on, after what is there */
    fo.flags = O_WRONLY;
    ASSERT_OK(tide_fs_write_stream_new(loop, at("w.txt"), &fo, &w));
    log_all(w, "");
    ASSERT_EQ(tide_stream_write(w, big, sizeof big, log_cb, "write"), 1);
    ASSERT_OK(tide_stream_end(w, NULL, NULL, NULL));
    run(loop);
    ASSERT_STR_EQ(log_.buf, "open ready write finish close");
    ASSERT_EQ(tide_fs_stream_bytes(w), sizeof big);
    ASSERT_EQ(pwritevs, 2 + 10); /* EINTR, EAGAIN, then 1000 bytes at a time */
    tide_stream_release(w);
    got = slurp(at("w.txt"), &len);
    ASSERT_EQ(len, 5 + sizeof big);
    ASSERT(memcmp(got, "one t", 5) == 0 && memcmp(got + 5, big, sizeof big) == 0);
    free(got);

    /* EINTR and EAGAIN on a read. */
    log_reset();
    reset_counts();
    fail_next = EINTR;
    tide_stream_t *r, *sink;
    tide_fs_stream_opts_t ro = {.options = TIDE_FS_STREAM_END, .end = 4};
    ASSERT_OK(tide_fs_read_stream_new(loop, at("w.txt"), &ro, &r));
    ASSERT_OK(tide_stream_to_buffer(loop, 0, NULL, &sink));
    ASSERT_OK(tide_stream_pipe(r, sink, 0));
    run(loop);
    const void *base;
    ASSERT_OK(tide_stream_buffer(sink, &base, &len));
    ASSERT_EQ(len, 5);
    ASSERT(memcmp(base, "one t", 5) == 0);
    ASSERT_EQ(preads, 3); /* EINTR, EAGAIN, the bytes; `end` says it is all */
    tide_stream_release(r);
    tide_stream_release(sink);
    unlink(at("w.txt"));
    check_clean(loop);
}

int main(void)
{
    tmpdir_make("tide-fss");
    test_pipeline();
    test_ranges();
    test_slow_consumer();
    test_errors();
    test_destroy_mid_read();
    test_fd_option();
    test_write_stream();
    tide__sys = tide__sys_default;
    unlink(at("big"));
    ASSERT_OK(rmdir(dir));
    printf("ok\n");
    return 0;
}
