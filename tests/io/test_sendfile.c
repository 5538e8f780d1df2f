/* tests/io/test_sendfile.c - sendfile from a file to a socket whose reader
 * drains slowly: through the request's own watcher (EAGAIN waits on the
 * loop), through a socket layer's hook when the fd is already watched,
 * and through the worker's poll(2) when it is watched by someone with no
 * hook; ranges, the fd's position, the end of the file, errors with
 * Node's words, and cancellation in each of the ways it can wait. */
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/internal.h"
#include "gate.h"
#include "io/fs_internal.h"
#include "test.h"

#define SIZE (4u * 1024 * 1024 + 333)

static char path[64];
static int in_fd;
static unsigned char pattern(size_t i) { return (unsigned char)(i * 13 + (i >> 11)); }

static atomic_int eagains, sendfiles, polls;
static gate_t poll_seen; /* counts the worker's poll(2) waits */

static ssize_t counting_sendfile(int out, int in, off_t *off, size_t len)
{
    atomic_fetch_add(&sendfiles, 1);
    ssize_t n = tide__sys_default.sendfile(out, in, off, len);
    if (n < 0 && errno == EAGAIN) atomic_fetch_add(&eagains, 1);
    return n;
}

static int counting_poll(struct pollfd *fds, nfds_t n, int timeout)
{
    atomic_fetch_add(&polls, 1);
    pthread_mutex_lock(&poll_seen.lock);
    poll_seen.waiting++;
    pthread_cond_broadcast(&poll_seen.cond);
    pthread_mutex_unlock(&poll_seen.lock);
    return poll(fds, n, timeout);
}

/* ---- a reader that takes 4 KiB per turn of the loop ---------------------- */

typedef struct {
    int fd;
    tide_poll_t *poll;
    unsigned char *got;
    size_t len, want;
} reader_t;

static void reader_stop(reader_t *r)
{
    if (!r->poll) return;
    tide_close(TIDE_HANDLE(r->poll), NULL);
    r->poll = NULL;
}

static void on_readable(tide_poll_t *p, int status, int events, void *data)
{
    reader_t *r = data;
    ASSERT_OK(status);
    size_t room = r->want - r->len < 4096 ? r->want - r->len : 4096;
    ssize_t n = read(r->fd, r->got + r->len, room);
    if (n > 0) r->len += (size_t)n;
    if (r->len == r->want) reader_stop(r);
}

static void reader_start(tide_loop_t *loop, reader_t *r, size_t want)
{
    r->want = want;
    if (!r->got) r->got = malloc(SIZE);
    r->len = 0;
    ASSERT_OK(tide_poll_new(loop, r->fd, &r->poll));
    ASSERT_OK(tide_poll_start(r->poll, TIDE_READABLE, on_readable, r));
}

static void check_bytes(const reader_t *r, size_t from)
{
    for (size_t i = 0; i < r->len; i++)
        if (r->got[i] != pattern(from + i)) TEST_FAIL("byte %zu differs", i);
}

static int sv[2];
static void new_pair(void)
{
    ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv));
    int small = 16384;
    ASSERT_OK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small));
}
static void close_pair(void)
{
    close(sv[0]);
    close(sv[1]);
}

/* ---- the callback form -------------------------------------------------- */

static tide_fs_result_t last;
static int calls;
static void keep(tide_loop_t *loop, tide_fs_result_t *res, void *data)
{
    tide_fs_result_clear(&last);
    last = *res;
    memset(res, 0, sizeof *res);
    calls++;
}

static void test_whole_file_slow_reader(tide_loop_t *loop)
{
    new_pair();
    reader_t rd = {.fd = sv[1]};
    reader_start(loop, &rd, SIZE);
    eagains = calls = 0;
    ASSERT_OK(tide_fs_sendfile(loop, sv[0], in_fd, 0, SIZE_MAX, keep, NULL));
    ASSERT_EQ(calls, 0);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(calls, 1);
    ASSERT(last.error == NULL);
    ASSERT_EQ(last.value, SIZE); /* to the end of the file */
    ASSERT_EQ(rd.len, SIZE);
    check_bytes(&rd, 0);
    ASSERT_GT(eagains, 0); /* the socket was full, and sendfile waited for it */
    ASSERT_EQ(lseek(in_fd, 0, SEEK_CUR), 0); /* an offset leaves the position */
    free(rd.got);
    close_pair();
}

static void test_ranges(tide_loop_t *loop)
{
    new_pair();
    reader_t rd = {.fd = sv[1]};
    reader_start(loop, &rd, 5000);
    ASSERT_OK(tide_fs_sendfile(loop, sv[0], in_fd, 1000, 5000, keep, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(last.value, 5000);
    ASSERT_EQ(rd.len, 5000);
    check_bytes(&rd, 1000);

    /* offset -1: from the fd's position, which moves */
    ASSERT_EQ(lseek(in_fd, 100, SEEK_SET), 100);
    reader_start(loop, &rd, 50);
    ASSERT_OK(tide_fs_sendfile(loop, sv[0], in_fd, -1, 50, keep, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(last.value, 50);
    check_bytes(&rd, 100);
    ASSERT_EQ(lseek(in_fd, 0, SEEK_CUR), 150);
    ASSERT_EQ(lseek(in_fd, 0, SEEK_SET), 0);

    /* Past the end: what there is. */
    reader_start(loop, &rd, 10);
    ASSERT_OK(tide_fs_sendfile(loop, sv[0], in_fd, SIZE - 10, 100, keep, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(last.value, 10);
    check_bytes(&rd, SIZE - 10);
    ASSERT_OK(tide_fs_sendfile(loop, sv[0], in_fd, SIZE + 10, 100, keep, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT(last.error == NULL);
    ASSERT_EQ(last.value, 0);

    /* Errors, in Node's words. */
    ASSERT_EQ(tide_fs_sendfile(loop, sv[0], -1, 0, 1, keep, NULL), -EBADF);
    int bad = dup(in_fd);
    close(bad);
    calls = 0;
    ASSERT_OK(tide_fs_sendfile(loop, sv[0], bad, 0, 10, keep, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(calls, 1);
    ASSERT_EQ(last.error->code, -EBADF);
    ASSERT_STR_EQ(last.error->message, "EBADF: bad file descriptor, sendfile");
    free(rd.got);
    close_pair();
}

/* ---- cancelling while it waits on its own watcher ---------------------------- */

static int watched(tide_loop_t *loop, int fd)
{
    return (unsigned)fd < loop->nwatchers && loop->watchers[fd] != NULL;
}

static void test_abort_waiting(tide_loop_t *loop)
{
    new_pair();
    tide_abort_controller_t *ac;
    ASSERT_OK(tide_abort_controller_new(loop, &ac));
    tide_promise_t *p;
    ASSERT_OK(tide_fs_sendfile_promise(loop, sv[0], in_fd, 0, SIZE, tide_abort_controller_signal(ac), &p));
    /* Nobody reads: it fills the socket and waits with a watcher on it. */
    while (!watched(loop, sv[0])) ASSERT(tide_run(loop, TIDE_RUN_ONCE) >= 0);
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_PENDING);
    ASSERT_OK(tide_abort(ac, NULL));
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_REJECTED);
    ASSERT_EQ(tide_promise_error(p)->code, -ECANCELED);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT)); /* nothing left to keep it alive */
    ASSERT(!watched(loop, sv[0]));
    tide_promise_release(p);
    tide_abort_controller_free(ac);
    close_pair();
}

/* ---- an fd a socket layer watches: its hook ------------------------------- */

typedef struct {
    tide_poll_t *poll;
    tide__fs_req_t *req;
    int waits, unwaits;
} sock_t;

static void sock_writable(tide_poll_t *p, int status, int events, void *data)
{
    sock_t *k = data;
    ASSERT_OK(tide_poll_stop(p));
    tide__sendfile_writable(k->req);
}

static int hook_wait(void *arg, tide__fs_req_t *req)
{
    sock_t *k = arg;
    k->waits++;
    k->req = req;
    return tide_poll_start(k->poll, TIDE_WRITABLE, sock_writable, k);
}

static void hook_unwait(void *arg, tide__fs_req_t *req)
{
    sock_t *k = arg;
    k->unwaits++;
    ASSERT_OK(tide_poll_stop(k->poll));
}

static void never(tide_poll_t *p, int status, int events, void *data) { TEST_FAIL("not readable"); }

static void test_hook(tide_loop_t *loop)
{
    new_pair();
    sock_t k = {0};
    ASSERT_OK(tide_poll_new(loop, sv[0], &k.poll));
    /* The socket watches its fd: a second watcher is refused. */
    ASSERT_OK(tide_poll_start(k.poll, TIDE_READABLE, never, NULL));
    tide_poll_t *other;
    ASSERT_EQ(tide_poll_new(loop, sv[0], &other), -EEXIST);
    ASSERT_OK(tide_poll_stop(k.poll));
    tide__sendfile_hook_t hook = {hook_wait, hook_unwait, &k};
    reader_t rd = {.fd = sv[1]};
    reader_start(loop, &rd, SIZE);
    tide__fs_req_t *req;
    calls = 0;
    ASSERT_OK(tide__fs_sendfile_hooked(loop, sv[0], in_fd, 0, SIZE, &hook, keep, NULL, &req));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(calls, 1);
    ASSERT_EQ(last.value, SIZE);
    ASSERT_EQ(rd.len, SIZE);
    check_bytes(&rd, 0);
    ASSERT_GT(k.waits, 0);
    ASSERT_EQ(k.unwaits, 0);

    /* Cancelled while the socket waits: the callback says how far it got. */
    k.waits = 0;
    calls = 0;
    ASSERT_OK(tide__fs_sendfile_hooked(loop, sv[0], in_fd, 0, SIZE, &hook, keep, NULL, &req));
    while (!k.waits) ASSERT(tide_run(loop, TIDE_RUN_ONCE) >= 0);
    ASSERT_OK(tide__sendfile_cancel(req));
    ASSERT_EQ(calls, 0); /* never from inside the call */
    ASSERT_EQ(k.unwaits, 1);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(calls, 1);
    ASSERT_EQ(last.error->code, -ECANCELED);
    ASSERT_GT(last.value, 0);
    ASSERT_LT(last.value, SIZE);
    tide_close(TIDE_HANDLE(k.poll), NULL);
    free(rd.got);
    close_pair();
}

/* ---- an fd watched by someone who gave no hook: the worker waits ----------- */

static void test_worker_wait(tide_loop_t *loop)
{
    new_pair();
    tide_poll_t *mine;
    ASSERT_OK(tide_poll_new(loop, sv[0], &mine));
    ASSERT_OK(tide_poll_start(mine, TIDE_READABLE, never, NULL));
    reader_t rd = {.fd = sv[1]};
    reader_start(loop, &rd, SIZE);
    polls = 0;
    calls = 0;
    ASSERT_OK(tide_fs_sendfile(loop, sv[0], in_fd, 0, SIZE, keep, NULL));
    tide_unref(TIDE_HANDLE(mine)); /* the test's watcher does not keep the loop */
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(calls, 1);
    ASSERT(last.error == NULL);
    ASSERT_EQ(last.value, SIZE);
    check_bytes(&rd, 0);
    ASSERT_GT(polls, 0);

    /* Aborted while the worker waits in poll(2): the eventfd wakes it. */
    tide_abort_controller_t *ac;
    ASSERT_OK(tide_abort_controller_new(loop, &ac));
    tide_promise_t *p;
    pthread_mutex_lock(&poll_seen.lock);
    poll_seen.waiting = 0;
    pthread_mutex_unlock(&poll_seen.lock);
    ASSERT_OK(tide_fs_sendfile_promise(loop, sv[0], in_fd, 0, SIZE, tide_abort_controller_signal(ac), &p));
    /* One turn delivers the first EAGAIN (the loop's watcher is refused)
     * and sends the request back to wait on a worker. */
    ASSERT(tide_run(loop, TIDE_RUN_ONCE) >= 0);
    gate_wait_for(&poll_seen, 1);
    ASSERT_OK(tide_abort(ac, NULL));
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_REJECTED);
    tide_close(TIDE_HANDLE(mine), NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT)); /* the worker came back */
    tide_promise_release(p);
    tide_abort_controller_free(ac);
    free(rd.got);
    close_pair();
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/tide-sendfile-XXXXXX");
    in_fd = mkstemp(path);
    ASSERT_GE(in_fd, 0);
    unlink(path);
    static unsigned char buf[SIZE];
    for (size_t i = 0; i < SIZE; i++) buf[i] = pattern(i);
    ASSERT_EQ(write(in_fd, buf, SIZE), (ssize_t)SIZE);
    ASSERT_EQ(lseek(in_fd, 0, SEEK_SET), 0);
    tide__sys.sendfile = counting_sendfile;
    tide__sys.poll = counting_poll;
    gate_init(&poll_seen);

    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    /* The aborted promises are checked by hand, not handled. */
    ASSERT_OK(tide_set_unhandled_rejections(loop, TIDE_UNHANDLED_NONE));
    test_whole_file_slow_reader(loop);
    test_ranges(loop);
    test_abort_waiting(loop);
    test_hook(loop);
    test_worker_wait(loop);
    tide_fs_result_clear(&last);
    TEST_CLOSE_LOOP(loop);
    tide__sys = tide__sys_default;
    gate_destroy(&poll_seen);
    close(in_fd);
    printf("ok\n");
    return 0;
}
