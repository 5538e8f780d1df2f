/* io/fs.c - the three calling forms of every file-system operation, made
 * from TIDE_FS_OPS: a fill function per op copies its arguments into a
 * request, and one macro writes the callback, promise and awaiting entry
 * points around it. Errors get Node's message, naming the path. */
#include <string.h>
#include <unistd.h>

#include "io/fs_internal.h"

/* Node's syscall names, as its messages print them. */
static const char *const op_names[] = {
    [TIDE__FS_OP_open] = "open", [TIDE__FS_OP_close] = "close", [TIDE__FS_OP_read] = "read",
    [TIDE__FS_OP_pread] = "read", [TIDE__FS_OP_write] = "write", [TIDE__FS_OP_pwrite] = "write",
    [TIDE__FS_OP_stat] = "stat", [TIDE__FS_OP_lstat] = "lstat", [TIDE__FS_OP_fstat] = "fstat",
    [TIDE__FS_OP_rename] = "rename", [TIDE__FS_OP_unlink] = "unlink", [TIDE__FS_OP_mkdir] = "mkdir",
    [TIDE__FS_OP_rmdir] = "rmdir", [TIDE__FS_OP_readdir] = "scandir",
    [TIDE__FS_OP_realpath] = "realpath", [TIDE__FS_OP_fsync] = "fsync",
    [TIDE__FS_OP_ftruncate] = "ftruncate", [TIDE__FS_OP_copy] = "copyfile",
    [TIDE__FS_OP_symlink] = "symlink", [TIDE__FS_OP_readlink] = "readlink",
    [TIDE__FS_OP_chmod] = "chmod", [TIDE__FS_OP_utimes] = "utime", [TIDE__FS_OP_futimes] = "futime",
    [TIDE__FS_OP_read_file] = "open", [TIDE__FS_OP_write_file] = "open",
    [TIDE__FS_OP_sendfile] = "sendfile",
};

void tide_fs_result_clear(tide_fs_result_t *res)
{
    if (!res) return;
    tide_error_release(res->error);
    tide__free(res->path);
    for (size_t i = 0; i < res->nentries; i++) tide__free(res->entries[i].name);
    tide__free(res->entries);
    tide__free(res->bytes);
    memset(res, 0, sizeof *res);
}

static void req_free(tide__fs_req_t *r)
{
    /* An open whose caller is gone would leak its fd. */
    if (r->abandoned && r->op == TIDE__FS_OP_open && !r->res.error && r->res.value >= 0 && r->work == NULL)
        close((int)r->res.value);
    if (r->sf) tide__sendfile_free(r);
    tide_fs_result_clear(&r->res);
    tide__free(r->path);
    tide__free(r->path2);
    tide__free(r);
}

/* Node's message: "ENOENT: no such file or directory, open 'a.txt'". */
static tide_error_t *make_error(const tide__fs_req_t *r, int code)
{
    const char *name = tide_err_name(code), *msg = tide_strerror(code), *op = op_names[r->op];
    if (r->path && r->path2) {
        const char *from = r->op == TIDE__FS_OP_symlink ? r->path2 : r->path;
        const char *to = r->op == TIDE__FS_OP_symlink ? r->path : r->path2;
        return tide_error_new(code, "%s: %s, %s '%s' -> '%s'", name, msg, op, from, to);
    }
    if (r->path) return tide_error_new(code, "%s: %s, %s '%s'", name, msg, op, r->path);
    return tide_error_new(code, "%s: %s, %s", name, msg, op);
}

static void free_result_value(void *value)
{
    req_free(tide__container_of(value, tide__fs_req_t, res));
}

static void fs_done(tide_loop_t *loop, int status, void *data)
{
    tide__fs_req_t *r = data;
    r->work = NULL;
    /* sendfile to a full non-blocking fd waits for it and goes on */
    if (r->op == TIDE__FS_OP_sendfile && tide__sendfile_again(r, &status)) return;
    tide__abort_unwatch(&r->abort);
    if (status < 0) r->res.error = make_error(r, status);
    if (r->abandoned) {
        req_free(r);
        return;
    }
    if (r->promise) {
        tide_promise_t *p = r->promise;
        if (status < 0) {
            tide_promise_reject(p, tide_error_ref(r->res.error));
            req_free(r);
        } else {
            /* The result is the request's own: freed with the promise. */
            tide_promise_fulfil_owned(p, &r->res, free_result_value);
        }
        tide_promise_release(p);
        return;
    }
    r->cb(loop, &r->res, r->data);
    req_free(r);
}

/* An abort of the signal, or (reason NULL) an await that gave up. */
static void fs_abort(tide_abort_signal_t *signal, tide_error_t *reason, void *data)
{
    tide__fs_req_t *r = data;
    r->abandoned = 1;
    tide_work_cancel(r->work);
    tide_promise_reject(r->promise, reason ? tide_error_ref(reason)
                                           : tide_error_new(-ECANCELED, "await abandoned"));
    tide_promise_release(r->promise);
    r->promise = NULL;
    if (r->op == TIDE__FS_OP_sendfile) tide__sendfile_abandon(r);
}

static int set_paths(tide__fs_req_t *r, const char *a, const char *b)
{
    if (!a) return -EINVAL;
    if (!(r->path = tide__malloc(strlen(a) + 1))) return -ENOMEM;
    strcpy(r->path, a);
    if (b && !(r->path2 = tide__malloc(strlen(b) + 1))) return -ENOMEM;
    if (b) strcpy(r->path2, b);
    return 0;
}

/* ---- one fill function per operation ------------------------------------- */

static int fill_open(tide__fs_req_t *r, const char *path, int flags, int mode)
{
    r->flags = flags;
    r->mode = mode;
    return set_paths(r, path, NULL);
}
static int fill_close(tide__fs_req_t *r, int fd) { return r->fd = fd, 0; }
static int fill_pread(tide__fs_req_t *r, int fd, void *buf, size_t len, int64_t offset)
{
    if (!buf && len) return -EINVAL;
    r->fd = fd;
    r->buf = buf;
    r->len = len;
    r->off = offset;
    return 0;
}
static int fill_read(tide__fs_req_t *r, int fd, void *buf, size_t len)
{
    return fill_pread(r, fd, buf, len, -1);
}
static int fill_pwrite(tide__fs_req_t *r, int fd, const void *buf, size_t len, int64_t offset)
{
    if (!buf && len) return -EINVAL;
    r->fd = fd;
    r->cbuf = buf;
    r->len = len;
    r->off = offset;
    return 0;
}
static int fill_write(tide__fs_req_t *r, int fd, const void *buf, size_t len)
{
    return fill_pwrite(r, fd, buf, len, -1);
}
static int fill_stat(tide__fs_req_t *r, const char *path) { return set_paths(r, path, NULL); }
#define fill_lstat fill_stat
#define fill_unlink fill_stat
#define fill_rmdir fill_stat
#define fill_readdir fill_stat
#define fill_realpath fill_stat
#define fill_readlink fill_stat
#define fill_fstat fill_close
#define fill_fsync fill_close
static int fill_rename(tide__fs_req_t *r, const char *from, const char *to)
{
    return to ? set_paths(r, from, to) : -EINVAL;
}
static int fill_mkdir(tide__fs_req_t *r, const char *path, int mode)
{
    r->mode = mode;
    return set_paths(r, path, NULL);
}
#define fill_chmod fill_mkdir
static int fill_ftruncate(tide__fs_req_t *r, int fd, int64_t len)
{
    r->fd = fd;
    r->off = len;
    return 0;
}
static int fill_copy(tide__fs_req_t *r, const char *from, const char *to, int flags)
{
    r->flags = flags;
    return fill_rename(r, from, to);
}
static int fill_symlink(tide__fs_req_t *r, const char *target, const char *path)
{
    return target ? set_paths(r, path, target) : -EINVAL;
}
static int fill_utimes(tide__fs_req_t *r, const char *path, double atime, double mtime)
{
    r->atime = atime;
    r->mtime = mtime;
    return set_paths(r, path, NULL);
}
static int fill_futimes(tide__fs_req_t *r, int fd, double atime, double mtime)
{
    r->fd = fd;
    r->atime = atime;
    r->mtime = mtime;
    return 0;
}
static int fill_read_file(tide__fs_req_t *r, const char *path, size_t limit)
{
    r->len = limit;
    return set_paths(r, path, NULL);
}
static int fill_write_file(tide__fs_req_t *r, const char *path, const void *buf, size_t len)
{
    if (!buf && len) return -EINVAL;
    r->cbuf = buf;
    r->len = len;
    return set_paths(r, path, NULL);
}

static int fill_sendfile(tide__fs_req_t *r, int out_fd, int in_fd, int64_t offset, size_t count)
{
    if (out_fd < 0 || in_fd < 0) return -EBADF;
    r->fd2 = out_fd;
    r->fd = in_fd;
    r->off = offset < 0 ? -1 : offset;
    r->len = count;
    return 0;
}

/* ---- the three forms ------------------------------------------------------- */

static tide__fs_req_t *req_new(tide_loop_t *loop, int op)
{
    tide__fs_req_t *r = loop ? tide__calloc(1, sizeof *r) : NULL;
    if (r) {
        r->op = op;
        r->loop = loop;
        r->fd = -1;
        r->off = -1;
    }
    return r;
}

/* Queue a filled request (rc: the fill's outcome); frees it on failure. */
static int req_start(tide__fs_req_t *r, int rc, tide_abort_signal_t *signal)
{
    if (!rc) rc = tide__abort_watch(&r->abort, signal, fs_abort, r);
    if (!rc) rc = tide_work_submit(r->loop, TIDE_LANE_FILE, tide__fs_work, fs_done, r, &r->work);
    if (rc) {
        tide__abort_unwatch(&r->abort);
        req_free(r);
    }
    return rc;
}

static int start_cb(tide__fs_req_t *r, int rc, tide_fs_cb cb, void *data)
{
    if (!r) return -ENOMEM;
    if (!rc && !cb) rc = -EINVAL;
    r->cb = cb;
    r->data = data;
    return req_start(r, rc, NULL);
}

static int start_promise(tide__fs_req_t *r, int rc, tide_abort_signal_t *signal,
                         tide_promise_t **out)
{
    if (!r) return -ENOMEM;
    if (!rc && !out) rc = -EINVAL;
    tide_promise_t *p = NULL;
    if (!rc) rc = tide_promise_new(r->loop, &p);
    if (!rc && signal && tide_abort_signal_aborted(signal)) {
        req_free(r);
        tide_promise_reject(p, tide_error_ref(tide_abort_signal_reason(signal)));
        *out = p;
        return 0;
    }
    if (!rc) r->promise = tide_promise_ref(p);
    rc = req_start(r, rc, signal);
    if (rc) {
        tide_promise_release(p);
        tide_promise_release(p);
        return rc;
    }
    *out = p;
    return 0;
}

static int64_t run_await(tide__fs_req_t *r, int rc, const tide_await_opts_t *opts,
                         tide_fs_result_t *out)
{
    if (out) memset(out, 0, sizeof *out);
    if (!r) return -ENOMEM;
    if (!rc && !tide_in_async()) rc = -EPERM;
    tide_promise_t *p;
    if (rc) {
        req_free(r);
        return rc;
    }
    tide__fs_req_t *rec = r;
    rc = start_promise(r, 0, opts ? opts->signal : NULL, &p);
    if (rc) return rc;
    void *value;
    tide_error_t *err = NULL;
    rc = tide_await_opts(p, opts, &value, &err);
    int64_t ret = rc;
    if (rc == 0) {
        tide_fs_result_t *res = value;
        ret = res->value;
        if (out) {
            /* Move what the result holds: the promise keeps an empty one. */
            *out = *res;
            memset(res, 0, sizeof *res);
        }
        tide_error_release(err);
    } else {
        if (tide_promise_state_of(p) == TIDE_PROMISE_PENDING) fs_abort(NULL, NULL, rec);
        if (out) out->error = err;
        else tide_error_release(err);
    }
    tide_promise_release(p);
    return ret;
}

#define FS_FORMS(name, params, args)                                           \
    int tide_fs_##name(tide_loop_t *loop, TIDE__FS_UNPAREN params, tide_fs_cb cb, void *data) \
    {                                                                          \
        tide__fs_req_t *r = req_new(loop, TIDE__FS_OP_##name);                 \
        return start_cb(r, r ? fill_##name(r, TIDE__FS_UNPAREN args) : 0, cb, data); \
    }                                                                          \
    int tide_fs_##name##_promise(tide_loop_t *loop, TIDE__FS_UNPAREN params,   \
                                 tide_abort_signal_t *signal, tide_promise_t **out) \
    {                                                                          \
        tide__fs_req_t *r = req_new(loop, TIDE__FS_OP_##name);                 \
        return start_promise(r, r ? fill_##name(r, TIDE__FS_UNPAREN args) : 0, signal, out); \
    }                                                                          \
    int64_t tide_fs_##name##_await(tide_loop_t *loop, TIDE__FS_UNPAREN params, \
                                   const tide_await_opts_t *opts, tide_fs_result_t *out) \
    {                                                                          \
        tide__fs_req_t *r = req_new(loop, TIDE__FS_OP_##name);                 \
        return run_await(r, r ? fill_##name(r, TIDE__FS_UNPAREN args) : 0, opts, out); \
    }
TIDE_FS_OPS(FS_FORMS)

/* ---- what sendfile.c needs ------------------------------------------------ */

int tide__fs_resubmit(tide__fs_req_t *r)
{
    return tide_work_submit(r->loop, TIDE_LANE_FILE, tide__fs_work, fs_done, r, &r->work);
}

void tide__fs_complete(tide__fs_req_t *r, int status) { fs_done(r->loop, status, r); }

int tide__fs_sendfile_hooked(tide_loop_t *loop, int out_fd, int in_fd, int64_t offset,
                             size_t count, const tide__sendfile_hook_t *hook, tide_fs_cb cb,
                             void *data, tide__fs_req_t **out)
{
    tide__fs_req_t *r = req_new(loop, TIDE__FS_OP_sendfile);
    if (!r) return -ENOMEM;
    int rc = fill_sendfile(r, out_fd, in_fd, offset, count);
    if (!rc && (!hook || !hook->wait || !out)) rc = -EINVAL;
    if (!rc) rc = tide__sendfile_hook(r, hook);
    if (!rc) *out = r;
    rc = start_cb(r, rc, cb, data);
    return rc;
}
