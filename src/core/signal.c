/* core/signal.c - signals as loop callbacks, through a self-pipe.
 *
 * The process-wide handler writes the signal number to the pipe of every
 * loop watching it; each loop reads its pipe in the poll phase and calls
 * its handles. A self-pipe (not signalfd) because signalfd needs the signal
 * blocked in every thread of the process, which a library cannot promise.
 * The handler only does atomic operations and write(2): async-signal-safe. */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"

#define TIDE__SIGNAL_LOOPS 128
#define TIDE__SIGMAX 64

typedef struct {
    atomic_int wfd;       /* write end of the loop's pipe, -1 when free */
    atomic_uint_fast64_t mask; /* bit (signum - 1) set while it watches signum */
    atomic_uint busy;     /* handlers between reading wfd and their write */
} signal_slot_t;

static signal_slot_t slots[TIDE__SIGNAL_LOOPS];
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned watchers_per_signal[TIDE__SIGMAX + 1];
static struct sigaction saved_action[TIDE__SIGMAX + 1];
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

static void slots_init(void)
{
    for (int i = 0; i < TIDE__SIGNAL_LOOPS; i++) atomic_init(&slots[i].wfd, -1);
}

static void on_signal(int signum)
{
    int saved_errno = errno;
    uint64_t bit = UINT64_C(1) << (signum - 1);
    unsigned char b = (unsigned char)signum;
    for (int i = 0; i < TIDE__SIGNAL_LOOPS; i++) {
        if (atomic_load_explicit(&slots[i].wfd, memory_order_relaxed) < 0) continue;
        /* Announce the use before reading the fd for real: a loop closing
         * its pipe clears wfd, then waits for busy to drop to zero before
         * close(), so the number cannot be reused under this write. */
        atomic_fetch_add(&slots[i].busy, 1);
        int fd = atomic_load(&slots[i].wfd);
        if (fd >= 0 && (atomic_load_explicit(&slots[i].mask, memory_order_acquire) & bit)) {
            /* A full pipe means the loop has deliveries queued already. */
            ssize_t r;
            do r = tide__sys.write(fd, &b, 1);
            while (r < 0 && errno == EINTR);
        }
        atomic_fetch_sub(&slots[i].busy, 1);
    }
    errno = saved_errno;
}

static void sigpipe_ignore_once(void)
{
    struct sigaction old;
    if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL &&
        !(old.sa_flags & SA_SIGINFO)) {
        struct sigaction ign;
        memset(&ign, 0, sizeof ign);
        ign.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &ign, NULL);
    }
}

void tide__signal_ignore_sigpipe(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sigpipe_ignore_once);
}

/* Give the loop its pipe and a registry slot, on its first signal handle. */
static int loop_pipe_open(tide_loop_t *loop)
{
    if (loop->signal_io.fd >= 0) return 0;
    pthread_once(&slots_once, slots_init);
    int fds[2];
    if (tide__sys.pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) return -errno;
    pthread_mutex_lock(&registry_lock);
    int slot = -1;
    for (int i = 0; i < TIDE__SIGNAL_LOOPS && slot < 0; i++)
        if (atomic_load(&slots[i].wfd) < 0) slot = i;
    if (slot >= 0) {
        atomic_store(&slots[slot].mask, 0);
        atomic_store(&slots[slot].wfd, fds[1]);
    }
    pthread_mutex_unlock(&registry_lock);
    if (slot < 0) {
        tide__sys.close(fds[0]);
        tide__sys.close(fds[1]);
        return -ENOSPC;
    }
    loop->signal_io.fd = fds[0];
    int err = tide__io_start(loop, &loop->signal_io, TIDE__IN);
    if (err) {
        pthread_mutex_lock(&registry_lock);
        atomic_store(&slots[slot].wfd, -1);
        pthread_mutex_unlock(&registry_lock);
        tide__sys.close(fds[0]);
        tide__sys.close(fds[1]);
        loop->signal_io.fd = -1;
        return err;
    }
    loop->signal_wfd = fds[1];
    loop->signal_slot = slot;
    return 0;
}

/* Count one more (delta 1) or one fewer (-1) watcher of signum in this loop
 * and in the process; install or restore the process handler at the edges. */
static int registry_update(tide_loop_t *loop, int signum, int delta)
{
    int err = 0;
    uint64_t bit = UINT64_C(1) << (signum - 1);
    pthread_mutex_lock(&registry_lock);
    if (delta > 0 && watchers_per_signal[signum] == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigfillset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        if (sigaction(signum, &sa, &saved_action[signum]) < 0) err = -errno;
    }
    if (!err) {
        watchers_per_signal[signum] += delta;
        loop->signal_counts[signum] += delta;
        signal_slot_t *s = &slots[loop->signal_slot];
        if (loop->signal_counts[signum])
            atomic_fetch_or(&s->mask, bit);
        else
            atomic_fetch_and(&s->mask, ~bit);
        if (delta < 0 && watchers_per_signal[signum] == 0)
            sigaction(signum, &saved_action[signum], NULL);
    }
    pthread_mutex_unlock(&registry_lock);
    return err;
}

int tide_signal_new(tide_loop_t *loop, tide_signal_t **out)
{
    if (!loop || !out) return -EINVAL;
    tide_signal_t *h = tide__pool_get(&loop->handle_pools[TIDE_HANDLE_SIGNAL]);
    if (!h) return -ENOMEM;
    memset(h, 0, sizeof *h);
    tide__handle_init(loop, &h->h, TIDE_HANDLE_SIGNAL);
    tide__queue_init(&h->node);
    *out = h;
    return 0;
}

static int signal_start(tide_signal_t *h, tide_signal_cb cb, int signum, void *data, int oneshot)
{
    if (!h || !cb || signum < 1 || signum > TIDE__SIGMAX || signum >= _NSIG ||
        signum == SIGKILL || signum == SIGSTOP)
        return -EINVAL;
    if (h->h.flags & (TIDE__CLOSING | TIDE__CLOSED)) return -EALREADY;
    tide_loop_t *loop = h->h.loop;
    if ((h->h.flags & TIDE__ACTIVE) && h->signum == signum) {
        h->cb = cb;
        h->h.data = data;
        h->oneshot = (uint8_t)oneshot;
        return 0;
    }
    tide_signal_stop(h);
    int err = loop_pipe_open(loop);
    if (err) return err;
    err = registry_update(loop, signum, 1);
    if (err) return err;
    h->cb = cb;
    h->h.data = data;
    h->h.context = loop->context;
    h->signum = signum;
    h->oneshot = (uint8_t)oneshot;
    tide__queue_insert_tail(&loop->signal_handles, &h->node);
    tide__handle_start(&h->h);
    return 0;
}

int tide_signal_start(tide_signal_t *h, tide_signal_cb cb, int signum, void *data)
{
    return signal_start(h, cb, signum, data, 0);
}

int tide_signal_start_oneshot(tide_signal_t *h, tide_signal_cb cb, int signum, void *data)
{
    return signal_start(h, cb, signum, data, 1);
}

int tide_signal_stop(tide_signal_t *h)
{
    if (!h) return -EINVAL;
    if (h->h.flags & TIDE__CLOSED) return -EALREADY;
    if (!(h->h.flags & TIDE__ACTIVE)) return 0;
    tide__queue_remove(&h->node);
    registry_update(h->h.loop, h->signum, -1);
    tide__handle_stop(&h->h);
    return 0;
}

int tide_signal_get_signum(const tide_signal_t *h) { return h ? h->signum : 0; }

void tide__signal_close(tide_signal_t *h) { tide_signal_stop(h); }

static void deliver(tide_loop_t *loop, int signum)
{
    tide__queue_t batch;
    tide__queue_move(&loop->signal_handles, &batch);
    while (!tide__queue_empty(&batch)) {
        tide__queue_t *q = tide__queue_head(&batch);
        tide_signal_t *h = tide__container_of(q, tide_signal_t, node);
        tide__queue_remove(q);
        tide__queue_insert_tail(&loop->signal_handles, q);
        if (h->signum != signum) continue;
        if (h->oneshot) tide_signal_stop(h);
        TIDE__CALLBACK(loop, h->h.context, h->cb(h, signum, h->h.data));
    }
}

void tide__signal_dispatch(tide_loop_t *loop)
{
    unsigned char buf[64];
    for (;;) {
        ssize_t n = tide__sys.read(loop->signal_io.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        for (ssize_t i = 0; i < n; i++) deliver(loop, buf[i]);
        if (loop->signal_io.fd < 0) return;
    }
}

void tide__signal_destroy(tide_loop_t *loop)
{
    if (loop->signal_io.fd < 0) return;
    tide__io_stop(loop, &loop->signal_io);
    pthread_mutex_lock(&registry_lock);
    signal_slot_t *slot = &slots[loop->signal_slot];
    atomic_store(&slot->wfd, -1);
    atomic_store(&slot->mask, 0);
    /* A handler on another thread may still hold the old fd: wait for it
     * (a few instructions) before the number can be reused. */
    while (atomic_load(&slot->busy)) sched_yield();
    pthread_mutex_unlock(&registry_lock);
    tide__sys.close(loop->signal_io.fd);
    tide__sys.close(loop->signal_wfd);
    loop->signal_io.fd = -1;
    loop->signal_wfd = -1;
}
