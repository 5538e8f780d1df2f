/* io/sendfile.c - sendfile from a file to any fd, on the FILE lane. The
 * worker sends until the count, the end of the file, an error, or EAGAIN
 * from a full non-blocking out_fd. On EAGAIN the request waits for
 * writability on the loop, not on a worker (a slow peer must not hold a
 * FILE worker), and goes back to the lane when it comes. How it waits:
 *   - a hook from the socket layer, which already watches its fd: the
 *     socket arms writability and calls tide__sendfile_writable;
 *   - else a watcher of its own (tide_poll) on out_fd;
 *   - else, when out_fd is already watched on this loop by someone who gave
 *     no hook (tide_poll_new says -EEXIST), on the worker with poll(2) on
 *     out_fd and an eventfd that an abort writes to.
 * The why is in docs/FILES.md ("sendfile"). */
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "io/fs_internal.h"

/* One system call sends at most this much, so a stop is seen soon. */
#define SLICE ((size_t)1 << 20)

enum { WAIT_NONE, WAIT_POLL, WAIT_HOOK, WAIT_WORKER };

struct tide__sendfile_wait {
    int how;     /* WAIT_*: what the request waits with now */
    int on_worker; /* out_fd is watched by someone else: wait on the worker */
    tide_poll_t *poll;
    int cancel_fd; /* eventfd the worker's poll(2) also watches */
    tide__sendfile_hook_t hook;
    int hooked;
};

static struct tide__sendfile_wait *wait_of(tide__fs_req_t *r)
{
    if (!r->sf && (r->sf = tide__calloc(1, sizeof *r->sf))) r->sf->cancel_fd = -1;
    return r->sf;
}

int tide__sendfile_hook(tide__fs_req_t *r, const tide__sendfile_hook_t *hook)
{
    struct tide__sendfile_wait *w = wait_of(r);
    if (!w) return -ENOMEM;
    w->hook = *hook;
    w->hooked = 1;
    return 0;
}

/* ---- the worker ------------------------------------------------------------ */

/* Wait on the worker until out_fd takes more, or the stop comes. */
static int wait_on_worker(tide__fs_req_t *r)
{
    struct pollfd p[2] = {{.fd = r->fd2, .events = POLLOUT}, {.fd = r->sf->cancel_fd, .events = POLLIN}};
    for (;;) {
        if (atomic_load(&r->stop)) return -ECANCELED;
        int n = tide__sys.poll(p, 2, -1);
        if (n < 0 && errno != EINTR) return -errno;
        if (n > 0 && p[1].revents) return -ECANCELED;
        if (n > 0) return 0; /* writable, or in error: sendfile says which */
    }
}

int tide__sendfile_work(tide__fs_req_t *r)
{
    size_t count = r->len;
    for (;;) {
        if (atomic_load(&r->stop)) return -ECANCELED;
        size_t left = count - (size_t)r->res.value;
        if (left == 0) return 0;
        off_t off = (off_t)r->off;
        ssize_t n = tide__sys.sendfile(r->fd2, r->fd, r->off >= 0 ? &off : NULL,
                                       left < SLICE ? left : SLICE);
        if (n > 0) {
            r->res.value += n;
            if (r->off >= 0) r->off += n;
            continue;
        }
        if (n == 0) return 0; /* the end of the file */
        if (errno == EINTR) continue;
        if (errno != EAGAIN) return -errno;
        if (!r->sf || !r->sf->on_worker) return -EAGAIN; /* the loop waits */
        int rc = wait_on_worker(r);
        if (rc) return rc;
    }
}

/* ---- the loop ---------------------------------------------------------------- */

static void unwait(tide__fs_req_t *r)
{
    struct tide__sendfile_wait *w = r->sf;
    if (!w) return;
    if (w->how == WAIT_POLL) tide_poll_stop(w->poll);
    if (w->how == WAIT_HOOK && w->hook.unwait) w->hook.unwait(w->hook.arg, r);
    w->how = WAIT_NONE;
}

/* Let go of the watcher and the eventfd before the caller hears of the
 * end: it may close out_fd in its callback. */
void tide__sendfile_free(tide__fs_req_t *r)
{
    struct tide__sendfile_wait *w = r->sf;
    if (!w) return;
    unwait(r);
    if (w->poll) tide_close(TIDE_HANDLE(w->poll), NULL);
    if (w->cancel_fd >= 0) tide__sys.close(w->cancel_fd);
    tide__free(w);
    r->sf = NULL;
}

static void go_on(tide__fs_req_t *r)
{
    r->sf->how = WAIT_NONE;
    int rc = tide__fs_resubmit(r);
    if (rc) tide__fs_complete(r, rc);
}

static void writable(tide_poll_t *poll, int status, int events, void *data)
{
    tide__fs_req_t *r = data;
    tide_poll_stop(poll);
    go_on(r); /* an error on the fd: the next sendfile reports it */
}

void tide__sendfile_writable(tide__fs_req_t *r)
{
    if (r && r->sf && r->sf->how == WAIT_HOOK) go_on(r);
}

/* Start waiting for out_fd: 0, or the error to report. */
static int start_wait(tide__fs_req_t *r)
{
    struct tide__sendfile_wait *w = wait_of(r);
    if (!w) return -ENOMEM;
    if (w->hooked) {
        w->how = WAIT_HOOK;
        int rc = w->hook.wait(w->hook.arg, r);
        if (rc) w->how = WAIT_NONE;
        return rc;
    }
    if (!w->poll && !w->on_worker) {
        int rc = tide_poll_new(r->loop, r->fd2, &w->poll);
        if (rc == -EEXIST) {
            /* Someone else's watcher has the fd and gave no hook. */
            int fd = tide__sys.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
            if (fd < 0) return -errno;
            w->cancel_fd = fd;
            w->on_worker = 1;
        } else if (rc) {
            return rc;
        }
    }
    if (w->on_worker) {
        w->how = WAIT_WORKER;
        return tide__fs_resubmit(r);
    }
    int rc = tide_poll_start(w->poll, TIDE_WRITABLE, writable, r);
    if (!rc) w->how = WAIT_POLL;
    return rc;
}

int tide__sendfile_again(tide__fs_req_t *r, int *status)
{
    if (*status == -EAGAIN && !r->abandoned && !atomic_load(&r->stop)) {
        int rc = start_wait(r);
        if (rc == 0) return 1;
        *status = rc;
    }
    if (*status == -EAGAIN) *status = -ECANCELED; /* stopped while it came back */
    tide__sendfile_free(r);
    return 0;
}

/* Stop the request wherever it is. Queued: tide_work_cancel already took
 * it off (its completion says -ECANCELED). Running: the stop flag and the
 * eventfd end it soon. Waiting on the loop: it goes back to the lane,
 * whose worker returns -ECANCELED at once. */
static void stop(tide__fs_req_t *r)
{
    atomic_store(&r->stop, 1);
    struct tide__sendfile_wait *w = r->sf;
    if (w && w->cancel_fd >= 0) {
        uint64_t one = 1;
        (void)!tide__sys.write(w->cancel_fd, &one, sizeof one);
    }
    if (w && (w->how == WAIT_POLL || w->how == WAIT_HOOK)) {
        /* Completed from the lane, where the worker sees the stop at once:
         * never from inside the call that stops it. */
        unwait(r);
        go_on(r);
    }
}

void tide__sendfile_abandon(tide__fs_req_t *r) { stop(r); }

int tide__sendfile_cancel(tide__fs_req_t *r)
{
    if (!r) return -EINVAL;
    if (tide_work_cancel(r->work) == 0) return 0;
    stop(r);
    return 0;
}
