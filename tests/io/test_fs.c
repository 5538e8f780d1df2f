/* tests/io/test_fs.c - every file-system operation in its callback,
 * promise and awaiting forms: successes, failures with the path in the
 * message (ENOENT, EISDIR, EEXIST, EACCES when not root, EFBIG), big files,
 * read_file's limit, and short writes injected into the workers' pwrite. */
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/sys.h"
#include "test.h"

#include "tmpdir.h"

/* ---- callback form: a chain of operations, each checked ------------------- */

static tide_fs_result_t last;
static int calls;
static void keep(tide_loop_t *loop, tide_fs_result_t *res, void *data)
{
    tide_fs_result_clear(&last);
    last = *res;
    memset(res, 0, sizeof *res); /* take everything */
    calls++;
}

/* Run one callback-form call to its end and return its value or code. */
static int64_t run_call(tide_loop_t *loop, int rc)
{
    ASSERT_OK(rc);
    ASSERT_EQ(calls, 0); /* never from inside the call */
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(calls, 1);
    return last.error ? (int64_t)last.error->code : last.value;
}
#define RUN(loop, call) run_call(loop, (calls = 0, (call)))

static void test_callback_ops(tide_loop_t *loop)
{
    int64_t fd = RUN(loop, tide_fs_open(loop, at("a.txt"), O_RDWR | O_CREAT | O_TRUNC, 0644, keep, NULL));
    ASSERT_GE(fd, 0);
    ASSERT_EQ(RUN(loop, tide_fs_write(loop, (int)fd, "hello world", 11, keep, NULL)), 11);
    ASSERT_EQ(RUN(loop, tide_fs_pwrite(loop, (int)fd, "W", 1, 6, keep, NULL)), 1);
    char buf[32] = {0};
    ASSERT_EQ(RUN(loop, tide_fs_pread(loop, (int)fd, buf, sizeof buf, 0, keep, NULL)), 11);
    ASSERT_STR_EQ(buf, "hello World");
    ASSERT_EQ(RUN(loop, tide_fs_read(loop, (int)fd, buf, sizeof buf, keep, NULL)), 0); /* at the end */
    ASSERT_EQ(RUN(loop, tide_fs_fstat(loop, (int)fd, keep, NULL)), 0);
    ASSERT_EQ(last.st.st_size, 11);
    ASSERT_EQ(RUN(loop, tide_fs_ftruncate(loop, (int)fd, 5, keep, NULL)), 0);
    ASSERT_EQ(RUN(loop, tide_fs_fsync(loop, (int)fd, keep, NULL)), 0);
    ASSERT_EQ(RUN(loop, tide_fs_futimes(loop, (int)fd, 1000.5, 2000.25, keep, NULL)), 0);
    ASSERT_EQ(RUN(loop, tide_fs_close(loop, (int)fd, keep, NULL)), 0);
    ASSERT_EQ(RUN(loop, tide_fs_close(loop, (int)fd, keep, NULL)), -EBADF);
    ASSERT_STR_EQ(last.error->message, "EBADF: bad file descriptor, close");

    ASSERT_EQ(RUN(loop, tide_fs_stat(loop, at("a.txt"), keep, NULL)), 0);
    ASSERT_EQ(last.st.st_size, 5);
    ASSERT_EQ(last.st.st_mtim.tv_sec, 2000);
    ASSERT_EQ(last.st.st_mtim.tv_nsec, 250000000);
    ASSERT_EQ(RUN(loop, tide_fs_utimes(loop, at("a.txt"), 10, 20, keep, NULL)), 0);
    ASSERT_EQ(RUN(loop, tide_fs_chmod(loop, at("a.txt"), 0600, keep, NULL)), 0);
    ASSERT_EQ(RUN(loop, tide_fs_stat(loop, at("a.txt"), keep, NULL)), 0);
    ASSERT_EQ(last.st.st_mode & 0777, 0600);
    ASSERT_EQ(last.st.st_mtim.tv_sec, 20);

    ASSERT_EQ(RUN(loop, tide_fs_symlink(loop, "a.txt", at("link"), keep, NULL)), 0);
    ASSERT_EQ(RUN(loop, tide_fs_readlink(loop, at("link"), keep, NULL)), 0);
    ASSERT_STR_EQ(last.path, "a.txt");
    ASSERT_EQ(RUN(loop, tide_fs_lstat(loop, at("link"), keep, NULL)), 0);
    ASSERT(S_ISLNK(last.st.st_mode));
    ASSERT_EQ(RUN(loop, tide_fs_realpath(loop, at("link"), keep, NULL)), 0);
    char *real = realpath(at("a.txt"), NULL);
    ASSERT_STR_EQ(last.path, real);
    free(real);
    ASSERT_EQ(RUN(loop, tide_fs_symlink(loop, "a.txt", at("link"), keep, NULL)), -EEXIST);
    char want[512];
    snprintf(want, sizeof want, "EEXIST: file already exists, symlink 'a.txt' -> '%s'", at("link"));
    ASSERT_STR_EQ(last.error->message, want);

    ASSERT_EQ(RUN(loop, tide_fs_mkdir(loop, at("sub"), 0755, keep, NULL)), 0);
    ASSERT_EQ(RUN(loop, tide_fs_mkdir(loop, at("sub"), 0755, keep, NULL)), -EEXIST);
    ASSERT_EQ(RUN(loop, tide_fs_rename(loop, at("a.txt"), at("sub/b.txt"), keep, NULL)), 0);
    ASSERT_EQ(RUN(loop, tide_fs_rename(loop, at("a.txt"), at("c.txt"), keep, NULL)), -ENOENT);
    snprintf(want, sizeof want, "ENOENT: no such file or directory, rename '%s' -> '%s'",
             at("a.txt"), at("c.txt"));
    ASSERT_STR_EQ(last.error->message, want);
    ASSERT_EQ(RUN(loop, tide_fs_readdir(loop, dir, keep, NULL)), 0);
    ASSERT_EQ(last.nentries, 2); /* link, sub */
    int seen_sub = 0;
    for (size_t i = 0; i < last.nentries; i++)
        if (!strcmp(last.entries[i].name, "sub")) seen_sub = last.entries[i].type == DT_DIR || last.entries[i].type == DT_UNKNOWN;
    ASSERT(seen_sub);
    ASSERT_EQ(RUN(loop, tide_fs_rmdir(loop, at("sub"), keep, NULL)), -ENOTEMPTY);
    ASSERT_EQ(RUN(loop, tide_fs_copy(loop, at("sub/b.txt"), at("copy.txt"), 0, keep, NULL)), 5);
    ASSERT_EQ(RUN(loop, tide_fs_copy(loop, at("sub/b.txt"), at("copy.txt"), TIDE_FS_COPY_EXCL, keep, NULL)), -EEXIST);
    ASSERT_EQ(RUN(loop, tide_fs_copy(loop, at("sub"), at("copy2.txt"), 0, keep, NULL)), -EISDIR);
    ASSERT_EQ(RUN(loop, tide_fs_stat(loop, at("copy.txt"), keep, NULL)), 0);
    ASSERT_EQ(last.st.st_mode & 0777, 0600); /* the mode came along */
    ASSERT_EQ(RUN(loop, tide_fs_unlink(loop, at("sub/b.txt"), keep, NULL)), 0);
    ASSERT_EQ(RUN(loop, tide_fs_unlink(loop, at("sub/b.txt"), keep, NULL)), -ENOENT);
    ASSERT_EQ(RUN(loop, tide_fs_rmdir(loop, at("sub"), keep, NULL)), 0);
    ASSERT_EQ(RUN(loop, tide_fs_unlink(loop, at("link"), keep, NULL)), 0);

    /* Failures name the path, in Node's words. */
    ASSERT_EQ(RUN(loop, tide_fs_open(loop, at("missing"), O_RDONLY, 0, keep, NULL)), -ENOENT);
    snprintf(want, sizeof want, "ENOENT: no such file or directory, open '%s'", at("missing"));
    ASSERT_STR_EQ(last.error->message, want);
    ASSERT_EQ(RUN(loop, tide_fs_read_file(loop, dir, 0, keep, NULL)), -EISDIR);
    ASSERT_EQ(RUN(loop, tide_fs_readdir(loop, at("copy.txt"), keep, NULL)), -ENOTDIR);
    ASSERT_EQ(RUN(loop, tide_fs_readlink(loop, at("copy.txt"), keep, NULL)), -EINVAL);
    ASSERT_EQ(RUN(loop, tide_fs_stat(loop, at("missing/x"), keep, NULL)), -ENOENT);
    if (geteuid() != 0) { /* root may open anything */
        ASSERT_EQ(RUN(loop, tide_fs_chmod(loop, at("copy.txt"), 0, keep, NULL)), 0);
        ASSERT_EQ(RUN(loop, tide_fs_open(loop, at("copy.txt"), O_RDONLY, 0, keep, NULL)), -EACCES);
        snprintf(want, sizeof want, "EACCES: permission denied, open '%s'", at("copy.txt"));
        ASSERT_STR_EQ(last.error->message, want);
    }
    ASSERT_EQ(RUN(loop, tide_fs_unlink(loop, at("copy.txt"), keep, NULL)), 0);

    /* Bad arguments: refused at the call, nothing queued. */
    ASSERT_EQ(tide_fs_stat(loop, NULL, keep, NULL), -EINVAL);
    ASSERT_EQ(tide_fs_stat(loop, "x", NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_fs_rename(loop, "x", NULL, keep, NULL), -EINVAL);
    ASSERT_EQ(tide_fs_read(loop, 0, NULL, 5, keep, NULL), -EINVAL);
    ASSERT(!tide_loop_alive(loop));
    tide_fs_result_clear(&last);
}

/* ---- read_file, write_file, big files, the limit --------------------------- */

static void test_whole_files(tide_loop_t *loop)
{
    size_t big = 3 * 1024 * 1024 + 123;
    char *data = malloc(big);
    for (size_t i = 0; i < big; i++) data[i] = (char)(i * 7 + i / 4096);
    ASSERT_EQ(RUN(loop, tide_fs_write_file(loop, at("big"), data, big, keep, NULL)), (int64_t)big);
    ASSERT_EQ(RUN(loop, tide_fs_read_file(loop, at("big"), 0, keep, NULL)), (int64_t)big);
    ASSERT_EQ(last.len, big);
    ASSERT(memcmp(last.bytes, data, big) == 0);
    ASSERT_EQ(((char *)last.bytes)[big], 0);
    ASSERT_EQ(RUN(loop, tide_fs_read_file(loop, at("big"), big - 1, keep, NULL)), -EFBIG);
    ASSERT_EQ(RUN(loop, tide_fs_read_file(loop, at("big"), big, keep, NULL)), (int64_t)big);
    /* A file whose size says 0 is read to its end all the same. */
    ASSERT_GT(RUN(loop, tide_fs_read_file(loop, "/proc/self/status", 0, keep, NULL)), 0);
    ASSERT(strstr(last.bytes, "Pid:") != NULL);
    ASSERT_EQ(RUN(loop, tide_fs_read_file(loop, "/proc/self/status", 16, keep, NULL)), -EFBIG);
    /* Copy a big file and compare. */
    ASSERT_EQ(RUN(loop, tide_fs_copy(loop, at("big"), at("big2"), 0, keep, NULL)), (int64_t)big);
    ASSERT_EQ(RUN(loop, tide_fs_read_file(loop, at("big2"), 0, keep, NULL)), (int64_t)big);
    ASSERT(memcmp(last.bytes, data, big) == 0);
    ASSERT_EQ(RUN(loop, tide_fs_write_file(loop, at("nodir/x"), "x", 1, keep, NULL)), -ENOENT);
    free(data);
    tide_fs_result_clear(&last);
}

/* Workers write in pieces when the kernel says so: write_file loops. */
static ssize_t short_pwrite(int fd, const void *buf, size_t len, off_t off)
{
    return pwrite(fd, buf, len > 1000 ? 1000 : len, off);
}
static ssize_t refuse_copy_file_range(int in, off_t *in_off, int out, off_t *out_off, size_t len,
                                      unsigned flags)
{
    errno = EXDEV;
    return -1;
}

static void test_injected(tide_loop_t *loop)
{
    char data[10000];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (char)i;
    tide__sys.pwrite = short_pwrite;
    ASSERT_EQ(RUN(loop, tide_fs_write_file(loop, at("short"), data, sizeof data, keep, NULL)),
              (int64_t)sizeof data);
    tide__sys.pwrite = tide__sys_default.pwrite;
    ASSERT_EQ(RUN(loop, tide_fs_read_file(loop, at("short"), 0, keep, NULL)), (int64_t)sizeof data);
    ASSERT(memcmp(last.bytes, data, sizeof data) == 0);
    /* copy_file_range refused: the copy goes through user space. */
    tide__sys.copy_file_range = refuse_copy_file_range;
    ASSERT_EQ(RUN(loop, tide_fs_copy(loop, at("short"), at("short2"), 0, keep, NULL)),
              (int64_t)sizeof data);
    tide__sys.copy_file_range = tide__sys_default.copy_file_range;
    ASSERT_EQ(RUN(loop, tide_fs_read_file(loop, at("short2"), 0, keep, NULL)), (int64_t)sizeof data);
    ASSERT(memcmp(last.bytes, data, sizeof data) == 0);
    tide_fs_result_clear(&last);
}

/* ---- promise and await forms ------------------------------------------------- */

static tide_result_t on_stat(tide_loop_t *loop, void *data, void *value)
{
    tide_fs_result_t *res = value;
    *(int64_t *)data = res->st.st_size;
    return tide_ok(NULL);
}
static tide_result_t on_fail(tide_loop_t *loop, void *data, tide_error_t *error)
{
    *(int64_t *)data = error->code;
    return tide_ok(NULL);
}

static int64_t await_rc[4];
static char await_msg[256];
static tide_result_t awaiting(tide_loop_t *loop, void *arg)
{
    tide_fs_result_t res;
    await_rc[0] = tide_fs_write_file_await(loop, at("w"), "abc", 3, NULL, NULL);
    await_rc[1] = tide_fs_read_file_await(loop, at("w"), 0, NULL, &res);
    ASSERT_STR_EQ(res.bytes, "abc");
    tide_fs_result_clear(&res);
    await_rc[2] = tide_fs_stat_await(loop, at("nothing"), NULL, &res);
    snprintf(await_msg, sizeof await_msg, "%s", res.error->message);
    tide_fs_result_clear(&res);
    await_rc[3] = tide_fs_unlink_await(loop, at("w"), NULL, NULL);
    return tide_ok(NULL);
}

static void test_promise_and_await(tide_loop_t *loop)
{
    ASSERT_EQ(RUN(loop, tide_fs_write_file(loop, at("p"), "12345", 5, keep, NULL)), 5);
    int64_t size = 0, code = 0;
    tide_promise_t *p;
    ASSERT_OK(tide_fs_stat_promise(loop, at("p"), NULL, &p));
    ASSERT_OK(tide_promise_then(p, on_stat, on_fail, &size, NULL));
    tide_promise_release(p);
    ASSERT_OK(tide_fs_rmdir_promise(loop, at("p"), NULL, &p));
    ASSERT_OK(tide_promise_then(p, on_stat, on_fail, &code, NULL));
    tide_promise_release(p);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(size, 5);
    ASSERT_EQ(code, -ENOTDIR);

    /* An aborted signal: rejected at once, nothing done. */
    tide_abort_controller_t *c;
    ASSERT_OK(tide_abort_controller_new(loop, &c));
    ASSERT_OK(tide_abort(c, NULL));
    code = 0;
    ASSERT_OK(tide_fs_unlink_promise(loop, at("p"), tide_abort_controller_signal(c), &p));
    ASSERT_OK(tide_promise_then(p, NULL, on_fail, &code, NULL));
    tide_promise_release(p);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(code, -ECANCELED);
    tide_abort_controller_free(c);
    ASSERT_EQ(access(at("p"), F_OK), 0);
    /* Aborted after queueing: an open that still completes closes its fd. */
    ASSERT_OK(tide_abort_controller_new(loop, &c));
    code = 0;
    ASSERT_OK(tide_fs_open_promise(loop, at("p"), O_RDONLY, 0, tide_abort_controller_signal(c), &p));
    ASSERT_OK(tide_promise_then(p, NULL, on_fail, &code, NULL));
    tide_promise_release(p);
    ASSERT_OK(tide_abort(c, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(code, -ECANCELED);
    tide_abort_controller_free(c);
    int probe = open("/dev/null", O_RDONLY);
    ASSERT_LT(probe, 10); /* no fd left behind */
    close(probe);
    ASSERT_EQ(RUN(loop, tide_fs_unlink(loop, at("p"), keep, NULL)), 0);

    ASSERT_OK(tide_async(loop, awaiting, NULL, &p));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_FULFILLED);
    tide_promise_release(p);
    ASSERT_EQ(await_rc[0], 3);
    ASSERT_EQ(await_rc[1], 3);
    ASSERT_EQ(await_rc[2], -ENOENT);
    char want[256];
    snprintf(want, sizeof want, "ENOENT: no such file or directory, stat '%s'", at("nothing"));
    ASSERT_STR_EQ(await_msg, want);
    ASSERT_EQ(await_rc[3], 0);
    ASSERT_EQ(tide_fs_stat_await(loop, "x", NULL, NULL), -EPERM);
    tide_fs_result_clear(&last);
}

int main(void)
{
    tmpdir_make("tide-fs");
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    test_callback_ops(loop);
    test_whole_files(loop);
    test_injected(loop);
    test_promise_and_await(loop);
    unlink(at("big"));
    unlink(at("big2"));
    unlink(at("short"));
    unlink(at("short2"));
    ASSERT_OK(rmdir(dir));
    TEST_CLOSE_LOOP(loop);
    printf("ok\n");
    return 0;
}
