/* tests/backend/test_backend.c - the backend choice and contract: every
 * backend this build has (TIDE_BACKEND) passes the same readiness scenarios,
 * an unknown name is -EINVAL, and epoll touches its registrations only when
 * what a watcher wants changes, never per event. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/sys.h"
#include "test_fd.h"

static tide_loop_t *loop_on(const char *backend)
{
    ASSERT_OK(setenv("TIDE_BACKEND", backend, 1));
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(unsetenv("TIDE_BACKEND"));
    ASSERT_STR_EQ(tide_loop_backend(loop), backend);
    return loop;
}

/* ---- the scenarios, run on each backend ------------------------------- */

/* Readable and writable as asked, level-triggered, stop and mask change. */
static void scenario_readiness(const char *backend)
{
    tide_loop_t *loop = loop_on(backend);
    int p[2];
    make_pipe(p);
    tide_poll_t *r, *w;
    ASSERT_OK(tide_poll_new(loop, p[0], &r));
    ASSERT_OK(tide_poll_new(loop, p[1], &w));
    rec_t rr = {0}, rw = {0};
    ASSERT_OK(tide_poll_start(r, TIDE_READABLE, on_record, &rr));
    ASSERT_OK(tide_poll_start(w, TIDE_WRITABLE, on_record, &rw));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(rr.calls, 0);
    ASSERT_EQ(rw.calls, 1);
    ASSERT_EQ(rw.events, TIDE_WRITABLE);

    ASSERT_OK(tide_poll_stop(w));
    put(p[1], "x");
    for (int i = 1; i <= 3; i++) { /* unread data: reported every time */
        ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
        ASSERT_EQ(rr.calls, i);
        ASSERT_EQ(rr.status, 0);
        ASSERT_EQ(rr.events, TIDE_READABLE);
    }
    ASSERT_EQ(rw.calls, 1); /* stopped */
    drain(p[0]);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(rr.calls, 3);

    /* A wider mask reports only what the fd has: a pipe's write end is
     * never readable. */
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE | TIDE_WRITABLE, on_record, &rw));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(rw.calls, 2);
    ASSERT_EQ(rw.events, TIDE_WRITABLE);

    ASSERT_OK(tide_close(TIDE_HANDLE(r), NULL));
    ASSERT_OK(tide_close(TIDE_HANDLE(w), NULL));
    TEST_CLOSE_LOOP(loop);
    close(p[0]);
    close(p[1]);
}

static void scenario_disconnect(const char *backend)
{
    tide_loop_t *loop = loop_on(backend);
    int s[2];
    ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, s));
    tide_poll_t *w;
    ASSERT_OK(tide_poll_new(loop, s[0], &w));
    rec_t r = {0};
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE | TIDE_DISCONNECT, on_record, &r));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 0);
    close(s[1]);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 1);
    ASSERT_EQ(r.events, TIDE_READABLE | TIDE_DISCONNECT);
    ASSERT_OK(tide_close(TIDE_HANDLE(w), NULL));
    TEST_CLOSE_LOOP(loop);
    close(s[0]);
}

/* Two watchers ready in one poll; the first callback closes the other's
 * watcher and fd, and puts a new watcher on a new fd of the same number:
 * the event harvested for the old fd must reach nobody. */
typedef struct {
    tide_loop_t *loop;
    tide_poll_t *w[2];
    int rfd[2];
    int spare[2];
    int calls[2];
    tide_poll_t *fresh;
    int fresh_calls;
} reuse_t;

static void on_fresh(tide_poll_t *w, int status, int events, void *data)
{
    reuse_t *t = data;
    t->fresh_calls++;
    char c;
    ASSERT_EQ(read(tide_poll_fd(w), &c, 1), 1); /* really readable */
}

static void on_first(tide_poll_t *w, int status, int events, void *data)
{
    reuse_t *t = data;
    int me = w == t->w[0] ? 0 : 1;
    t->calls[me]++;
    ASSERT_EQ(t->calls[0] + t->calls[1], 1);
    int other = 1 - me, num = t->rfd[other];
    ASSERT_OK(tide_close(TIDE_HANDLE(t->w[other]), NULL));
    ASSERT_OK(close(num));
    ASSERT_EQ(dup3(t->spare[0], num, O_CLOEXEC), num);
    ASSERT_OK(close(t->spare[0]));
    ASSERT_OK(tide_poll_new(t->loop, num, &t->fresh));
    ASSERT_OK(tide_poll_start(t->fresh, TIDE_READABLE, on_fresh, t));
    ASSERT_OK(tide_close(TIDE_HANDLE(w), NULL));
}

static void scenario_fd_reuse(const char *backend)
{
    reuse_t t;
    memset(&t, 0, sizeof t);
    t.loop = loop_on(backend);
    int wfd[2];
    for (int i = 0; i < 2; i++) {
        int p[2];
        make_pipe(p);
        t.rfd[i] = p[0];
        wfd[i] = p[1];
        put(p[1], "x");
        ASSERT_OK(tide_poll_new(t.loop, p[0], &t.w[i]));
        ASSERT_OK(tide_poll_start(t.w[i], TIDE_READABLE, on_first, &t));
    }
    make_pipe(t.spare); /* made ahead, so the dup3 lands on the exact number */
    ASSERT_EQ(tide_run(t.loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(t.calls[0] + t.calls[1], 1);
    ASSERT_EQ(t.fresh_calls, 0);
    put(t.spare[1], "y");
    ASSERT_EQ(tide_run(t.loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(t.fresh_calls, 1);
    ASSERT_OK(tide_close(TIDE_HANDLE(t.fresh), NULL));
    TEST_CLOSE_LOOP(t.loop);
    for (int i = 0; i < 2; i++) {
        close(t.rfd[i]);
        close(wfd[i]);
    }
    close(t.spare[1]);
}

/* Blocking waits: for a timer (the backend's timeout), which must not end
 * early; and forever, until another thread wakes the loop. */
typedef struct {
    uint64_t start, fired;
    int calls;
} timing_t;

static void on_timer(tide_timer_t *t, void *data)
{
    timing_t *tm = data;
    tm->calls++;
    tm->fired = tide_hrtime();
}

static void on_wakeup(tide_wakeup_t *w, void *data)
{
    (*(int *)data)++;
    ASSERT_OK(tide_close(TIDE_HANDLE(w), NULL));
}

static void *send_wakeup(void *w)
{
    ASSERT_OK(tide_wakeup_send(w));
    return NULL;
}

static void scenario_blocking(const char *backend)
{
    tide_loop_t *loop = loop_on(backend);
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    timing_t tm = {0};
    const uint64_t wait_ns = 2500000; /* not whole milliseconds on purpose */
    tm.start = tide_hrtime();
    ASSERT_OK(tide_timer_start_ns(t, on_timer, wait_ns, 0, &tm));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 0);
    ASSERT_EQ(tm.calls, 1);
    ASSERT_GE(tm.fired - tm.start, wait_ns);
    ASSERT_OK(tide_close(TIDE_HANDLE(t), NULL));

    int woken = 0;
    tide_wakeup_t *w;
    ASSERT_OK(tide_wakeup_new(loop, on_wakeup, &woken, &w));
    pthread_t th;
    ASSERT_OK(pthread_create(&th, NULL, send_wakeup, w));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_OK(pthread_join(th, NULL));
    ASSERT_EQ(woken, 1);
    ASSERT_EQ(tide_loop_close(loop), 0);
}

static void on_signal(tide_signal_t *h, int signum, void *data)
{
    (*(int *)data)++;
    ASSERT_OK(tide_close(TIDE_HANDLE(h), NULL));
}

static void scenario_signal(const char *backend)
{
    tide_loop_t *loop = loop_on(backend);
    tide_signal_t *h;
    int calls = 0;
    ASSERT_OK(tide_signal_new(loop, &h));
    ASSERT_OK(tide_signal_start(h, on_signal, SIGUSR1, &calls));
    ASSERT_OK(raise(SIGUSR1));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(calls, 1);
    ASSERT_EQ(tide_loop_close(loop), 0);
}

/* Names a build may have. The ones it lacks are refused with -EINVAL and
 * skipped here, so a new backend is covered as soon as it is built in. */
static const char *const candidates[] = {"epoll", "io_uring", "poll"};

static void test_each_backend(void)
{
    int covered = 0;
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        const char *name = candidates[i];
        ASSERT_OK(setenv("TIDE_BACKEND", name, 1));
        tide_loop_t *loop;
        int r = tide_loop_new(&loop);
        ASSERT_OK(unsetenv("TIDE_BACKEND"));
        if (r == -EINVAL && strcmp(name, "epoll") != 0) continue;
        ASSERT_OK(r);
        ASSERT_EQ(tide_loop_close(loop), 0);
        scenario_readiness(name);
        scenario_disconnect(name);
        scenario_fd_reuse(name);
        scenario_blocking(name);
        scenario_signal(name);
        covered++;
    }
    ASSERT_GE(covered, 1);
}

static void test_selection(void)
{
    tide_loop_t *loop;
    ASSERT_OK(unsetenv("TIDE_BACKEND"));
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_STR_EQ(tide_loop_backend(loop), "epoll"); /* the default */
    ASSERT_EQ(tide_loop_close(loop), 0);

    ASSERT_OK(setenv("TIDE_BACKEND", "", 1)); /* empty means the default */
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_STR_EQ(tide_loop_backend(loop), "epoll");
    ASSERT_EQ(tide_loop_close(loop), 0);

    loop = NULL;
    ASSERT_OK(setenv("TIDE_BACKEND", "kqueue-on-linux", 1));
    ASSERT_EQ(tide_loop_new(&loop), -EINVAL);
    ASSERT(loop == NULL);
    ASSERT_OK(setenv("TIDE_BACKEND", "EPOLL", 1)); /* names are exact */
    ASSERT_EQ(tide_loop_new(&loop), -EINVAL);
    ASSERT_OK(unsetenv("TIDE_BACKEND"));
}

/* ---- epoll: registrations follow changes, not events -------------------- */

static int ctl_calls;

static int count_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
    ctl_calls++;
    return tide__sys_default.epoll_ctl(epfd, op, fd, ev);
}

static void on_count_wakeup(tide_wakeup_t *w, void *data) { (*(int *)data)++; }

static void test_epoll_ctl_per_change(void)
{
    tide_loop_t *loop = loop_on("epoll");
    tide__sys.epoll_ctl = count_epoll_ctl;
    int p[2];
    make_pipe(p);
    put(p[1], "x"); /* never read: readable for every iteration below */
    tide_poll_t *w;
    ASSERT_OK(tide_poll_new(loop, p[0], &w));
    rec_t r = {0};
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_record, &r));
    int registered = ctl_calls;
    ASSERT_LE(registered, 1);
    for (int i = 0; i < 100; i++) ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 100);
    ASSERT_EQ(ctl_calls, registered); /* 100 events, no extra system call */

    /* Starting again with the same mask changes nothing to register. */
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_record, &r));
    ASSERT_EQ(ctl_calls, registered);
    /* A real change costs one call, however many iterations follow. */
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE | TIDE_WRITABLE, on_record, &r));
    int changed = ctl_calls;
    ASSERT_LE(changed - registered, 1);
    for (int i = 0; i < 100; i++) ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 200);
    ASSERT_EQ(ctl_calls, changed);

    /* The loop's own fds (the wakeup eventfd) behave the same. */
    int woken = 0;
    tide_wakeup_t *wk;
    ASSERT_OK(tide_wakeup_new(loop, on_count_wakeup, &woken, &wk));
    int with_wakeup = ctl_calls;
    for (int i = 0; i < 100; i++) {
        ASSERT_OK(tide_wakeup_send(wk));
        ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    }
    ASSERT_EQ(woken, 100);
    ASSERT_EQ(ctl_calls, with_wakeup);

    ASSERT_OK(tide_close(TIDE_HANDLE(wk), NULL));
    ASSERT_OK(tide_close(TIDE_HANDLE(w), NULL));
    TEST_CLOSE_LOOP(loop);
    tide__sys = tide__sys_default;
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    test_selection();
    test_each_backend();
    test_epoll_ctl_per_change();
    return 0;
}
