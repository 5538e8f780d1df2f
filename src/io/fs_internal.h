/* io/fs_internal.h - a file-system request: the arguments an operation
 * was called with, its result, and how to report it. Shared by fs.c (the
 * three calling forms) and fs_work.c (what the worker does for each op). */
#ifndef TIDE_IO_FS_INTERNAL_H
#define TIDE_IO_FS_INTERNAL_H

#include "io/work_internal.h"
#include "tide/fs.h"

#define TIDE__FS_OP_ENUM(name, params, args) TIDE__FS_OP_##name,
enum { TIDE_FS_OPS(TIDE__FS_OP_ENUM) TIDE__FS_OP_COUNT };
#undef TIDE__FS_OP_ENUM

typedef struct tide__fs_req {
    int op;
    tide_loop_t *loop;
    /* arguments */
    char *path;  /* owned copies */
    char *path2;
    int fd;
    int flags;
    int mode;
    void *buf;
    const void *cbuf;
    size_t len;
    int64_t off;
    double atime, mtime;
    /* outcome */
    tide_fs_result_t res;
    /* reporting */
    tide_fs_cb cb;
    void *data;
    tide_promise_t *promise;
    tide_abort_signal_t *signal;
    int64_t listen_id;
    tide_work_t *work;
    int abandoned;
} tide__fs_req_t;

/* The worker's side of every op: fills req->res, returns 0 or -errno. */
int tide__fs_work(void *req);

#endif /* TIDE_IO_FS_INTERNAL_H */
