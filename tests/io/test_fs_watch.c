/* tests/io/test_fs_watch.c - file-system watchers in a temporary
 * directory: the events Node's fs.watch reports for the same operations
 * (conformance/fs-watch-events checks the full sequence against node),
 * several watchers of one path, a watched file deleted or moved, a watched
 * directory removed, the kernel's queue overflowing, failures injected
 * through the system-call table, the events and the awaiting form. No test
 * sleeps: each ends its operations with a marker file and waits for it. */
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sys.h"
#include "test.h"
#include "test_alloc.h"

static char dir_[256];

static const char *at(const char *name)
{
    static char buf[4][512];
    static int i;
    char *b = buf[i++ % 4];
    snprintf(b, 512, "%s/%s", dir_, name);
    return b;
}

static void write_file(const char *name, const char *text, int flags)
{
    int fd = open(at(name), O_WRONLY | O_CREAT | flags, 0644);
    ASSERT(fd >= 0);
    ASSERT_EQ(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void touch(const char *name)
{
    int fd = open(at(name), O_WRONLY | O_CREAT, 0644);
    ASSERT(fd >= 0);
    close(fd);
}

typedef struct {
    test_log_t log;
    const char *label;
    int status;
    int count;
    int seen_marker;
    const char *marker;
    int nolog; /* count only */
} rec_t;

static void on_event(tide_fs_watch_t *w, int status, int event, const char *name, void *data)
{
    rec_t *r = data;
    char s[400];
    if (status) {
        r->status = status;
        snprintf(s, sizeof s, "%s%s", r->label ? r->label : "", tide_err_name(status));
        test_log(&r->log, s);
        return;
    }
    r->count++;
    if (r->marker && strcmp(name, r->marker) == 0) {
        r->seen_marker = 1;
        return;
    }
    if (r->nolog) return;
    snprintf(s, sizeof s, "%s%s:%s", r->label ? r->label : "",
             event == TIDE_FS_RENAME ? "rename" : "change", name);
    test_log(&r->log, s);
}

/* Run until the marker file's creation reached r. */
static void mark_and_wait(tide_loop_t *loop, rec_t *r, const char *marker)
{
    r->marker = marker;
    r->seen_marker = 0;
    touch(marker);
    while (!r->seen_marker) ASSERT_GE(tide_run(loop, TIDE_RUN_ONCE), 0);
    ASSERT_OK(unlink(at(marker)));
}

static void close_quietly(tide_fs_watch_t *w) { ASSERT_OK(tide_close(TIDE_HANDLE(w), NULL)); }

/* tmpfs when there is one: the overflow case makes 16,000 files, which
 * some disk file systems take seconds over. */
static void fresh_dir(void)
{
    snprintf(dir_, sizeof dir_, "/dev/shm/tide-fs-watch-XXXXXX");
    if (mkdtemp(dir_)) return;
    snprintf(dir_, sizeof dir_, "/tmp/tide-fs-watch-XXXXXX");
    ASSERT(mkdtemp(dir_) != NULL);
}

static void remove_dir(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir_);
    ASSERT_OK(system(cmd));
}

/* The operations of conformance/fs-watch-events, with two watchers of the
 * same directory that both see everything; stopping one leaves the other. */
static void test_directory(void)
{
    fresh_dir();
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_fs_watch_t *w1, *w2;
    rec_t r1 = {0}, r2 = {0};
    ASSERT_OK(tide_fs_watch_new(loop, &w1));
    ASSERT_OK(tide_fs_watch_new(loop, &w2));
    ASSERT_OK(tide_fs_watch_start(w1, dir_, 0, on_event, &r1));
    ASSERT_OK(tide_fs_watch_start(w2, dir_, 0, on_event, &r2));
    ASSERT_STR_EQ(tide_fs_watch_path(w1), dir_);
    write_file("a", "x", O_TRUNC);
    write_file("a", "y", O_APPEND);
    ASSERT_OK(rename(at("a"), at("b")));
    ASSERT_OK(unlink(at("b")));
    ASSERT_OK(mkdir(at("sub"), 0755));
    write_file("sub/z", "q", 0); /* inside a subdirectory: not reported */
    ASSERT_OK(chmod(at("sub"), 0700));
    mark_and_wait(loop, &r1, "end");
    const char *want = "rename:a change:a rename:a rename:b rename:b rename:sub rename:sub";
    ASSERT_STR_EQ(r1.log.buf, want);
    while (r2.count < r1.count) ASSERT_GE(tide_run(loop, TIDE_RUN_ONCE), 0);
    ASSERT_STR_EQ(r2.log.buf, "rename:a change:a rename:a rename:b rename:b rename:sub rename:sub rename:end");

    ASSERT_OK(tide_fs_watch_stop(w2));
    ASSERT_EQ(tide_fs_watch_path(w2), NULL);
    int before = r2.count;
    write_file("c", "1", 0);
    mark_and_wait(loop, &r1, "end2");
    ASSERT_EQ(r2.count, before);
    /* started again, it hears the next ones */
    ASSERT_OK(tide_fs_watch_start(w2, dir_, 0, on_event, &r2));
    ASSERT_EQ(tide_fs_watch_start(w2, dir_, 0, on_event, &r2), -EALREADY);
    ASSERT_OK(unlink(at("c")));
    mark_and_wait(loop, &r2, "end3");
    size_t len = strlen(r2.log.buf);
    ASSERT_GT(r2.count, before);
    ASSERT_STR_EQ(r2.log.buf + len - strlen("rename:c"), "rename:c");
    close_quietly(w1);
    close_quietly(w2);
    TEST_CLOSE_LOOP(loop);
    remove_dir();
}

/* A watched file: its changes carry its own name; deleted, it reports
 * 'change' (the link count), 'rename' (deleted) and 'rename' (the kernel
 * dropped the watch), then stays open and silent, still keeping the loop
 * alive. A moved file is still watched under its old name. */
static void test_file(void)
{
    fresh_dir();
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    write_file("f", "1", 0);
    write_file("m", "1", 0);
    tide_fs_watch_t *wf, *wm, *wd;
    rec_t rf = {.label = "f."}, rm = {.label = "m."}, rd = {0};
    ASSERT_OK(tide_fs_watch_new(loop, &wf));
    ASSERT_OK(tide_fs_watch_new(loop, &wm));
    ASSERT_OK(tide_fs_watch_new(loop, &wd));
    ASSERT_OK(tide_fs_watch_start(wf, at("f"), 0, on_event, &rf));
    ASSERT_OK(tide_fs_watch_start(wm, at("m"), 0, on_event, &rm));
    ASSERT_OK(tide_fs_watch_start(wd, dir_, 0, on_event, &rd));
    write_file("f", "2", O_APPEND);
    ASSERT_OK(unlink(at("f")));
    ASSERT_OK(rename(at("m"), at("m2")));
    write_file("m2", "z", O_APPEND);
    write_file("f", "3", 0); /* a new file under the old name: not watched */
    mark_and_wait(loop, &rd, "end");
    ASSERT_STR_EQ(rf.log.buf, "f.change:f f.change:f f.rename:f f.rename:f");
    ASSERT_STR_EQ(rm.log.buf, "m.rename:m m.change:m");
    ASSERT_STR_EQ(rd.log.buf,
                  "change:f rename:f rename:m rename:m2 change:m2 rename:f change:f");
    ASSERT(tide_is_active(TIDE_HANDLE(wf))); /* as Node: open until closed */
    ASSERT_STR_EQ(tide_fs_watch_path(wf), at("f"));
    ASSERT_OK(tide_fs_watch_stop(wf));
    close_quietly(wf);
    close_quietly(wm);
    close_quietly(wd);
    TEST_CLOSE_LOOP(loop);
    remove_dir();
}

/* A watched directory removed with its contents. */
static void test_directory_removed(void)
{
    fresh_dir();
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(mkdir(at("sub"), 0755));
    write_file("sub/z", "q", 0);
    tide_fs_watch_t *ws, *wd;
    rec_t rs = {.label = "sub."}, rd = {0};
    ASSERT_OK(tide_fs_watch_new(loop, &ws));
    ASSERT_OK(tide_fs_watch_new(loop, &wd));
    /* a trailing slash does not change the name reported */
    char path[300];
    snprintf(path, sizeof path, "%s/", at("sub"));
    ASSERT_OK(tide_fs_watch_start(ws, path, 0, on_event, &rs));
    ASSERT_OK(tide_fs_watch_start(wd, dir_, 0, on_event, &rd));
    ASSERT_OK(unlink(at("sub/z")));
    ASSERT_OK(rmdir(at("sub")));
    mark_and_wait(loop, &rd, "end");
    ASSERT_STR_EQ(rs.log.buf, "sub.rename:z sub.rename:sub sub.rename:sub");
    close_quietly(ws);
    close_quietly(wd);
    TEST_CLOSE_LOOP(loop);
    remove_dir();
}

/* More events than the kernel queues: every watcher hears -EOVERFLOW. */
static void test_overflow(void)
{
    fresh_dir();
    long max = 16384;
    FILE *f = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
    if (f) {
        if (fscanf(f, "%ld", &max) != 1) max = 16384;
        fclose(f);
    }
    if (max > 200000) {
        printf("inotify queues %ld events here: the overflow case was skipped\n", max);
        remove_dir();
        return;
    }
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_fs_watch_t *w1, *w2;
    rec_t r1 = {.nolog = 1}, r2 = {.nolog = 1};
    ASSERT_OK(tide_fs_watch_new(loop, &w1));
    ASSERT_OK(tide_fs_watch_new(loop, &w2));
    ASSERT_OK(tide_fs_watch_start(w1, dir_, 0, on_event, &r1));
    ASSERT_OK(mkdir(at("other"), 0755));
    ASSERT_OK(tide_fs_watch_start(w2, at("other"), 0, on_event, &r2));
    char name[32];
    for (long i = 0; i < max + 10; i++) {
        snprintf(name, sizeof name, "f%ld", i);
        touch(name);
    }
    while (!r1.status || !r2.status) ASSERT_GE(tide_run(loop, TIDE_RUN_ONCE), 0);
    ASSERT_EQ(r1.status, -EOVERFLOW);
    ASSERT_EQ(r2.status, -EOVERFLOW);
    ASSERT_EQ(r1.count, max); /* what was queued before the overflow still arrived */
    close_quietly(w1);
    close_quietly(w2);
    TEST_CLOSE_LOOP(loop);
    remove_dir();
}

/* ---- failures ------------------------------------------------------------------- */

static int init_fail, add_fail, read_eintr;
static int fake_init(int flags)
{
    if (init_fail) {
        errno = init_fail;
        return -1;
    }
    return tide__sys_default.inotify_init1(flags);
}
static int fake_add(int fd, const char *path, uint32_t mask)
{
    if (add_fail) {
        errno = add_fail;
        return -1;
    }
    return tide__sys_default.inotify_add_watch(fd, path, mask);
}
static ssize_t fake_read(int fd, void *buf, size_t n)
{
    if (read_eintr > 0) {
        read_eintr--;
        errno = EINTR;
        return -1;
    }
    return tide__sys_default.read(fd, buf, n);
}

static void test_failures(void)
{
    fresh_dir();
    counting_alloc_install();
    tide__sys.inotify_init1 = fake_init;
    tide__sys.inotify_add_watch = fake_add;
    tide__sys.read = fake_read;
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_fs_watch_t *w;
    alloc_budget = 0;
    ASSERT_EQ(tide_fs_watch_new(loop, &w), -ENOMEM);
    alloc_budget = -1;
    ASSERT_OK(tide_fs_watch_new(loop, &w));
    rec_t r = {0};
    ASSERT_EQ(tide_fs_watch_start(w, NULL, 0, on_event, &r), -EINVAL);
    ASSERT_EQ(tide_fs_watch_start(w, "", 0, on_event, &r), -EINVAL);
    ASSERT_EQ(tide_fs_watch_start(w, dir_, TIDE_FS_WATCH_RECURSIVE, on_event, &r), -ENOTSUP);
    ASSERT_EQ(tide_fs_watch_start(w, dir_, 8, on_event, &r), -EINVAL);
    init_fail = EMFILE;
    ASSERT_EQ(tide_fs_watch_start(w, dir_, 0, on_event, &r), -EMFILE);
    init_fail = 0;
    alloc_budget = 0; /* the per-loop state */
    ASSERT_EQ(tide_fs_watch_start(w, dir_, 0, on_event, &r), -ENOMEM);
    alloc_budget = 1; /* the state, then the path's copy */
    ASSERT_EQ(tide_fs_watch_start(w, dir_, 0, on_event, &r), -ENOMEM);
    alloc_budget = 1; /* the path, then the table */
    ASSERT_EQ(tide_fs_watch_start(w, dir_, 0, on_event, &r), -ENOMEM);
    alloc_budget = -1;
    ASSERT_EQ(tide_fs_watch_start(w, at("missing"), 0, on_event, &r), -ENOENT);
    add_fail = ENOSPC;
    ASSERT_EQ(tide_fs_watch_start(w, dir_, 0, on_event, &r), -ENOSPC);
    add_fail = 0;
    ASSERT_EQ(tide_fs_watch_path(w), NULL);
    ASSERT(!tide_is_active(TIDE_HANDLE(w)));
    ASSERT_OK(tide_fs_watch_start(w, dir_, 0, on_event, &r));
    read_eintr = 2;
    write_file("x", "", 0);
    mark_and_wait(loop, &r, "end");
    ASSERT_STR_EQ(r.log.buf, "rename:x");
    ASSERT_OK(tide_close(TIDE_HANDLE(w), NULL));
    ASSERT_EQ(tide_close(TIDE_HANDLE(w), NULL), -EALREADY);
    ASSERT_EQ(tide_fs_watch_start(w, dir_, 0, on_event, &r), -EBADF);
    TEST_CLOSE_LOOP(loop);
    ASSERT_EQ(alloc_live, 0);
    tide__sys = tide__sys_default;
    remove_dir();
}

/* ---- callbacks that change the watchers --------------------------------------------- */

static tide_fs_watch_t *victim_;
static int victim_calls_, closer_calls_;
static void stops_victim(tide_fs_watch_t *w, int status, int event, const char *name, void *data)
{
    closer_calls_++;
    if (victim_) {
        ASSERT_OK(tide_close(TIDE_HANDLE(victim_), NULL));
        victim_ = NULL;
    }
    ASSERT_OK(tide_close(TIDE_HANDLE(w), NULL)); /* and itself, in its own callback */
}
static void counts(tide_fs_watch_t *w, int status, int event, const char *name, void *data)
{
    victim_calls_++;
}

static void test_close_from_callbacks(void)
{
    fresh_dir();
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_fs_watch_t *a, *b;
    ASSERT_OK(tide_fs_watch_new(loop, &a));
    ASSERT_OK(tide_fs_watch_new(loop, &b));
    ASSERT_OK(tide_fs_watch_start(a, dir_, 0, stops_victim, NULL));
    ASSERT_OK(tide_fs_watch_start(b, dir_, 0, counts, NULL));
    victim_ = b;
    touch("one");
    touch("two");
    TEST_CLOSE_LOOP(loop);
    ASSERT_EQ(closer_calls_, 1);
    ASSERT_EQ(victim_calls_, 0); /* closed before its turn: not called */
    remove_dir();
}

/* ---- events ----------------------------------------------------------------------------- */

static test_log_t ev_log_;
static int on_change(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    if (ev == TIDE_EVENT_CLOSE) {
        test_log(&ev_log_, "close");
        return 0;
    }
    const tide_fs_event_t *e = arg;
    char s[300];
    snprintf(s, sizeof s, "%s:%s", e->event == TIDE_FS_RENAME ? "rename" : "change", e->filename);
    test_log(&ev_log_, s);
    if (strcmp(e->filename, "end") == 0) ASSERT_OK(tide_close(TIDE_HANDLE(data), NULL));
    return 0;
}

static void test_events(void)
{
    fresh_dir();
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_fs_watch_t *w;
    ASSERT_OK(tide_fs_watch_new(loop, &w));
    tide_emitter_t *em = tide_fs_watch_emitter(w);
    ASSERT_OK(tide_on(em, tide_fs_watch_event_change(), on_change, w));
    ASSERT_OK(tide_on(em, TIDE_EVENT_CLOSE, on_change, w));
    ASSERT_OK(tide_fs_watch_start(w, dir_, 0, NULL, NULL));
    write_file("e", "1", 0);
    touch("end");
    TEST_CLOSE_LOOP(loop);
    ASSERT_STR_EQ(ev_log_.buf, "rename:e change:e rename:end close");
    remove_dir();
}

/* ---- awaiting ----------------------------------------------------------------------------- */

typedef struct {
    tide_fs_watch_t *w;
    tide_abort_controller_t *ctrl;
    int done;
} await_ctx_t;

static void abort_now(tide_loop_t *loop, void *data)
{
    ASSERT_OK(tide_abort(((await_ctx_t *)data)->ctrl, NULL));
}

static void close_watch(tide_loop_t *loop, void *data)
{
    ASSERT_OK(tide_close(TIDE_HANDLE(((await_ctx_t *)data)->w), NULL));
}

static tide_result_t await_body(tide_loop_t *loop, void *arg)
{
    await_ctx_t *c = arg;
    int event;
    char name[8];
    /* events made before the first await are not kept: queueing starts
     * with it, so touch after */
    ASSERT_OK(tide_abort_controller_new(loop, &c->ctrl));
    tide_await_opts_t opts = {tide_abort_controller_signal(c->ctrl), 0};
    ASSERT(tide_set_immediate(loop, abort_now, c) > 0);
    ASSERT_EQ(tide_fs_watch_next_await(c->w, &event, name, sizeof name, &opts), -ECANCELED);
    tide_abort_controller_free(c->ctrl);
    touch("first");
    write_file("a-long-name", "x", 0);
    ASSERT_OK(tide_fs_watch_next_await(c->w, &event, name, sizeof name, NULL));
    ASSERT_EQ(event, TIDE_FS_RENAME);
    ASSERT_STR_EQ(name, "first");
    ASSERT_OK(tide_fs_watch_next_await(c->w, &event, name, sizeof name, NULL));
    ASSERT_STR_EQ(name, "a-long-"); /* cut to the buffer */
    ASSERT_OK(tide_fs_watch_next_await(c->w, &event, name, sizeof name, NULL));
    ASSERT_EQ(event, TIDE_FS_CHANGE);
    /* more than the queue holds: the 64 queued come first, then the loss */
    char n[32];
    for (int i = 0; i < 70; i++) {
        snprintf(n, sizeof n, "q%d", i);
        touch(n);
    }
    /* let them all arrive while no one waits */
    ASSERT_OK(tide_immediate_await(loop, NULL));
    ASSERT_OK(tide_immediate_await(loop, NULL));
    for (int i = 0; i < 64; i++) ASSERT_OK(tide_fs_watch_next_await(c->w, &event, name, sizeof name, NULL));
    ASSERT_EQ(tide_fs_watch_next_await(c->w, &event, name, sizeof name, NULL), -EOVERFLOW);
    /* closing answers the waiting fiber */
    ASSERT(tide_set_immediate(loop, close_watch, c) > 0);
    ASSERT_EQ(tide_fs_watch_next_await(c->w, &event, name, sizeof name, NULL), -ECANCELED);
    c->done = 1;
    return tide_ok(NULL);
}

static void test_await(void)
{
    fresh_dir();
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    await_ctx_t c = {0};
    ASSERT_OK(tide_fs_watch_new(loop, &c.w));
    int event;
    ASSERT_EQ(tide_fs_watch_next_await(c.w, &event, NULL, 0, NULL), -EPERM);
    ASSERT_OK(tide_fs_watch_start(c.w, dir_, 0, NULL, NULL));
    tide_promise_t *p;
    ASSERT_OK(tide_async(loop, await_body, &c, &p));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(c.done, 1);
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_FULFILLED);
    tide_promise_release(p);
    ASSERT_OK(tide_loop_close(loop));
    remove_dir();
}

/* A deadline ends the wait with -ETIMEDOUT; the virtual clock jumps to it. */
static tide_result_t deadline_body(tide_loop_t *loop, void *arg)
{
    tide_fs_watch_t *w = arg;
    int event;
    char name[8];
    tide_await_opts_t opts = {NULL, tide_now_ns(loop) + 5 * 1000000};
    ASSERT_EQ(tide_fs_watch_next_await(w, &event, name, sizeof name, &opts), -ETIMEDOUT);
    ASSERT_OK(tide_close(TIDE_HANDLE(w), NULL));
    return tide_ok(NULL);
}

static void test_await_deadline(void)
{
    fresh_dir();
    tide_loop_t *loop = new_virtual_loop();
    tide_fs_watch_t *w;
    ASSERT_OK(tide_fs_watch_new(loop, &w));
    ASSERT_OK(tide_fs_watch_start(w, dir_, 0, NULL, NULL));
    tide_promise_t *p;
    ASSERT_OK(tide_async(loop, deadline_body, w, &p));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_FULFILLED);
    tide_promise_release(p);
    ASSERT_OK(tide_loop_close(loop));
    remove_dir();
}

int main(void)
{
    test_directory();
    test_file();
    test_directory_removed();
    test_overflow();
    test_failures();
    test_close_from_callbacks();
    test_events();
    test_await();
    test_await_deadline();
    printf("ok\n");
    return 0;
}
