/* io/fs_internal.h - a file-system request: the arguments an operation
 * was called with, its result, and how to report it. Shared by fs.c (the
 * three calling forms) and fs_work.c (what the worker does for each op). */
#ifndef TIDE_IO_FS_INTERNAL_H
#define TIDE_IO_FS_INTERNAL_H

#include <stdatomic.h>

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
    int fd2; /* sendfile's out_fd */
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
    tide__abort_watch_t abort;
    tide_work_t *work;
    int abandoned;
    /* sendfile: asked to stop (read by the worker between system calls),
     * and how it waits for out_fd (made on the first EAGAIN) */
    atomic_int stop;
    struct tide__sendfile_wait *sf;
} tide__fs_req_t;

/* The worker's side of every op: fills req->res, returns 0 or -errno. */
int tide__fs_work(void *req);

/* fs.c: put a request on the FILE lane again (sendfile after a wait), and
 * report it with a status as its completion would. */
int tide__fs_resubmit(tide__fs_req_t *r);
void tide__fs_complete(tide__fs_req_t *r, int status);

/* sendfile.c: the worker's part; the loop's part when the worker comes
 * back (1: the request waits for out_fd and goes on later; 0: report it
 * with *status); an abort or abandoned await; and the free. */
int tide__sendfile_work(tide__fs_req_t *r);
int tide__sendfile_again(tide__fs_req_t *r, int *status);
void tide__sendfile_abandon(tide__fs_req_t *r);
void tide__sendfile_free(tide__fs_req_t *r);

/* For the socket layer, which already watches its fd (a second watcher on
 * it gets -EEXIST): sendfile to it, asking hook->wait to arm writability
 * when the socket is full; the socket then calls tide__sendfile_writable.
 * hook->unwait is called if the request ends while waiting (cancelled).
 * tide__sendfile_cancel stops it: cb gets -ECANCELED and the bytes sent. */
typedef struct tide__sendfile_hook {
    int (*wait)(void *arg, tide__fs_req_t *req);
    void (*unwait)(void *arg, tide__fs_req_t *req);
    void *arg;
} tide__sendfile_hook_t;
int tide__fs_sendfile_hooked(tide_loop_t *loop, int out_fd, int in_fd, int64_t offset,
                             size_t count, const tide__sendfile_hook_t *hook, tide_fs_cb cb,
                             void *data, tide__fs_req_t **out);
/* Give a request its hook (before it starts): 0 or -ENOMEM. */
int tide__sendfile_hook(tide__fs_req_t *r, const tide__sendfile_hook_t *hook);
void tide__sendfile_writable(tide__fs_req_t *req);
int tide__sendfile_cancel(tide__fs_req_t *req);

#endif /* TIDE_IO_FS_INTERNAL_H */
