/* tests/core/test_signal.c - signals as loop callbacks (tide/signal.h): every
 * handle watching a signal runs, on every loop; oneshot runs once; stop ends
 * the callbacks and gives the signal back its earlier action; a signal wakes
 * a loop blocked in poll; SIGPIPE is ignored once a loop exists. */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

typedef struct {
    int calls;
    int signum;
    tide_signal_t *handle;
} sig_rec_t;

static void on_signal(tide_signal_t *h, int signum, void *data)
{
    sig_rec_t *r = data;
    r->calls++;
    r->signum = signum;
    r->handle = h;
}

static void close_handle(tide_signal_t *h) { ASSERT_OK(tide_close(TIDE_HANDLE(h), NULL)); }

/* A handler of the program's own, to see which one the process runs. */
static volatile sig_atomic_t own_hits[65];
static void own_handler(int signum) { own_hits[signum]++; }

static struct sigaction install_own(int signum)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = own_handler;
    ASSERT_OK(sigaction(signum, &sa, &old));
    return old;
}

static void wait_child(pid_t pid)
{
    int status;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) TEST_FAIL("child killed by signal %d", WTERMSIG(status));
    ASSERT(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
}

/* Each case in a child: the SIGPIPE choice is made once per process, at
 * the first loop, and a SIGPIPE that kills shows up as the child's death. */
static void test_sigpipe(void)
{
    pid_t pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        tide_loop_t *loop;
        ASSERT_OK(tide_loop_new(&loop));
        int p[2];
        ASSERT_OK(pipe(p));
        close(p[0]);
        ASSERT_EQ(write(p[1], "x", 1), -1);
        ASSERT_EQ(errno, EPIPE);
        ASSERT_EQ(tide_loop_close(loop), 0);
        /* Still ignored after the loop is gone: the process-wide choice
         * does not flip back and forth with loops. */
        ASSERT_EQ(write(p[1], "x", 1), -1);
        _exit(0);
    }
    wait_child(pid);

    /* A program that handles SIGPIPE itself keeps its handler. */
    pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        install_own(SIGPIPE);
        tide_loop_t *loop;
        ASSERT_OK(tide_loop_new(&loop));
        struct sigaction now;
        ASSERT_OK(sigaction(SIGPIPE, NULL, &now));
        ASSERT(now.sa_handler == own_handler);
        int p[2];
        ASSERT_OK(pipe(p));
        close(p[0]);
        ASSERT_EQ(write(p[1], "x", 1), -1);
        ASSERT_EQ(own_hits[SIGPIPE], 1);
        ASSERT_EQ(tide_loop_close(loop), 0);
        _exit(0);
    }
    wait_child(pid);
}

/* Several handles on one signal in one loop all run, once per delivery,
 * with the signal number; a handle on another signal does not. */
static void test_many_handlers(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    sig_rec_t r[3] = {{0}}, other = {0};
    tide_signal_t *h[3], *ho;
    for (int i = 0; i < 3; i++) {
        ASSERT_OK(tide_signal_new(loop, &h[i]));
        ASSERT_OK(tide_signal_start(h[i], on_signal, SIGUSR1, &r[i]));
        ASSERT_EQ(tide_signal_get_signum(h[i]), SIGUSR1);
    }
    ASSERT_OK(tide_signal_new(loop, &ho));
    ASSERT_EQ(tide_handle_get_type(TIDE_HANDLE(ho)), TIDE_HANDLE_SIGNAL);
    ASSERT_OK(tide_signal_start(ho, on_signal, SIGUSR2, &other));

    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r[0].calls, 0);

    ASSERT_OK(raise(SIGUSR1));
    ASSERT_EQ(r[0].calls, 0); /* callbacks come from the loop only */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(r[i].calls, 1);
        ASSERT_EQ(r[i].signum, SIGUSR1);
        ASSERT(r[i].handle == h[i]);
    }
    ASSERT_EQ(other.calls, 0);

    /* Two deliveries the loop did not see yet: one callback each. */
    ASSERT_OK(kill(getpid(), SIGUSR1));
    ASSERT_OK(kill(getpid(), SIGUSR1));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    for (int i = 0; i < 3; i++) ASSERT_EQ(r[i].calls, 3);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r[0].calls, 3); /* consumed */

    for (int i = 0; i < 3; i++) close_handle(h[i]);
    close_handle(ho);
    TEST_CLOSE_LOOP(loop);
}

static void test_oneshot(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    sig_rec_t steady = {0}, once = {0};
    tide_signal_t *hs, *ho;
    ASSERT_OK(tide_signal_new(loop, &hs));
    ASSERT_OK(tide_signal_new(loop, &ho));
    /* The steady handle keeps SIGUSR1 caught after the oneshot lets go. */
    ASSERT_OK(tide_signal_start(hs, on_signal, SIGUSR1, &steady));
    ASSERT_OK(tide_signal_start_oneshot(ho, on_signal, SIGUSR1, &once));
    ASSERT_OK(raise(SIGUSR1));
    ASSERT_OK(raise(SIGUSR1));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(steady.calls, 2);
    ASSERT_EQ(once.calls, 1);
    ASSERT(!tide_is_active(TIDE_HANDLE(ho))); /* stopped itself */

    ASSERT_OK(raise(SIGUSR1));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(steady.calls, 3);
    ASSERT_EQ(once.calls, 1);

    /* Armed again, it fires once again. */
    ASSERT_OK(tide_signal_start_oneshot(ho, on_signal, SIGUSR1, &once));
    ASSERT(tide_is_active(TIDE_HANDLE(ho)));
    ASSERT_OK(raise(SIGUSR1));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(once.calls, 2);
    ASSERT_EQ(steady.calls, 4);

    /* A lone oneshot does not keep the loop alive after it fired. */
    close_handle(hs);
    ASSERT_OK(tide_signal_start_oneshot(ho, on_signal, SIGUSR1, &once));
    ASSERT_OK(raise(SIGUSR1));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(once.calls, 3);

    close_handle(ho);
    TEST_CLOSE_LOOP(loop);
}

/* Real-time signals queue instead of merging: each one sent before the
 * loop looked is one callback. */
static void test_realtime_queue(void)
{
    int sig = SIGRTMIN + 1;
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    sig_rec_t r = {0};
    tide_signal_t *h;
    ASSERT_OK(tide_signal_new(loop, &h));
    ASSERT_OK(tide_signal_start(h, on_signal, sig, &r));
    union sigval v = {0};
    for (int i = 0; i < 3; i++) ASSERT_OK(sigqueue(getpid(), sig, v));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 3);
    ASSERT_EQ(r.signum, sig);
    close_handle(h);
    TEST_CLOSE_LOOP(loop);
}

static void on_stop_self(tide_signal_t *h, int signum, void *data)
{
    ((sig_rec_t *)data)->calls++;
    ASSERT_OK(tide_signal_stop(h));
}

/* Stop ends the callbacks; once the last handle on a signal stops, the
 * process runs the signal's earlier action again. Starting with another
 * signal moves the handle. */
static void test_stop(void)
{
    struct sigaction old1 = install_own(SIGUSR1);
    struct sigaction old2 = install_own(SIGUSR2);
    own_hits[SIGUSR1] = own_hits[SIGUSR2] = 0;
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    sig_rec_t r = {0};
    tide_signal_t *h;
    ASSERT_OK(tide_signal_new(loop, &h));
    ASSERT_OK(tide_signal_stop(h)); /* stopping a never-started handle is fine */
    ASSERT_OK(tide_signal_start(h, on_signal, SIGUSR2, &r));
    ASSERT_OK(raise(SIGUSR2));
    ASSERT_EQ(own_hits[SIGUSR2], 0); /* tide's handler took over */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 1);

    ASSERT_OK(tide_signal_stop(h));
    ASSERT(!tide_is_active(TIDE_HANDLE(h)));
    ASSERT_OK(tide_signal_stop(h)); /* idempotent */
    ASSERT_EQ(tide_loop_alive(loop), 0);
    ASSERT_OK(raise(SIGUSR2));
    ASSERT_EQ(own_hits[SIGUSR2], 1); /* the earlier action is back */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 0);
    ASSERT_EQ(r.calls, 1);

    /* Stop from the callback with a second delivery already queued: the
     * second is not delivered to the stopped handle. */
    ASSERT_OK(tide_signal_start(h, on_stop_self, SIGUSR2, &r));
    ASSERT_OK(raise(SIGUSR2));
    ASSERT_OK(raise(SIGUSR2));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(r.calls, 2);
    ASSERT_EQ(own_hits[SIGUSR2], 1);

    /* Moving the handle from SIGUSR2 to SIGUSR1. */
    ASSERT_OK(tide_signal_start(h, on_signal, SIGUSR2, &r));
    ASSERT_OK(tide_signal_start(h, on_signal, SIGUSR1, &r));
    ASSERT_EQ(tide_signal_get_signum(h), SIGUSR1);
    ASSERT_OK(raise(SIGUSR2));
    ASSERT_EQ(own_hits[SIGUSR2], 2); /* no longer tide's */
    ASSERT_OK(raise(SIGUSR1));
    ASSERT_EQ(own_hits[SIGUSR1], 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 3);
    ASSERT_EQ(r.signum, SIGUSR1);

    /* Closing stops too. */
    close_handle(h);
    ASSERT_OK(raise(SIGUSR1));
    ASSERT_EQ(own_hits[SIGUSR1], 1);
    TEST_CLOSE_LOOP(loop);
    ASSERT_EQ(r.calls, 3);
    ASSERT_OK(sigaction(SIGUSR1, &old1, NULL));
    ASSERT_OK(sigaction(SIGUSR2, &old2, NULL));
}

static void test_bad_arguments(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    sig_rec_t r = {0};
    tide_signal_t *h;
    ASSERT_OK(tide_signal_new(loop, &h));
    ASSERT_EQ(tide_signal_start(h, on_signal, 0, &r), -EINVAL);
    ASSERT_EQ(tide_signal_start(h, on_signal, 65, &r), -EINVAL);
    ASSERT_EQ(tide_signal_start(h, on_signal, SIGKILL, &r), -EINVAL);
    ASSERT_EQ(tide_signal_start(h, on_signal, SIGSTOP, &r), -EINVAL);
    ASSERT_EQ(tide_signal_start(h, NULL, SIGUSR1, &r), -EINVAL);
    ASSERT(!tide_is_active(TIDE_HANDLE(h)));
    /* In range, but the C library keeps 32 for its threads: the system's
     * refusal comes back and the handle stays as it was. */
    ASSERT_EQ(tide_signal_start(h, on_signal, 32, &r), -EINVAL);
    ASSERT(!tide_is_active(TIDE_HANDLE(h)));
    ASSERT_EQ(tide_loop_alive(loop), 0);
    ASSERT_EQ(tide_signal_new(NULL, &h), -EINVAL);

    /* Unref'd, an active handle does not hold the loop. */
    ASSERT_OK(tide_signal_start(h, on_signal, SIGUSR1, &r));
    tide_unref(TIDE_HANDLE(h));
    ASSERT_EQ(tide_loop_alive(loop), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    close_handle(h);
    ASSERT_EQ(tide_close(TIDE_HANDLE(h), NULL), -EALREADY);
    ASSERT_EQ(tide_signal_start(h, on_signal, SIGUSR1, &r), -EALREADY);
    TEST_CLOSE_LOOP(loop);
}

/* Two loops on one thread: each sees the signals its handles watch. */
static void test_two_loops(void)
{
    tide_loop_t *a, *b;
    ASSERT_OK(tide_loop_new(&a));
    ASSERT_OK(tide_loop_new(&b));
    sig_rec_t ra = {0}, rb1 = {0}, rb2 = {0};
    tide_signal_t *ha, *hb1, *hb2;
    ASSERT_OK(tide_signal_new(a, &ha));
    ASSERT_OK(tide_signal_new(b, &hb1));
    ASSERT_OK(tide_signal_new(b, &hb2));
    ASSERT_OK(tide_signal_start(ha, on_signal, SIGUSR1, &ra));
    ASSERT_OK(tide_signal_start(hb1, on_signal, SIGUSR1, &rb1));
    ASSERT_OK(tide_signal_start(hb2, on_signal, SIGUSR2, &rb2));

    ASSERT_OK(raise(SIGUSR1));
    ASSERT_EQ(tide_run(a, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(tide_run(b, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(ra.calls, 1);
    ASSERT_EQ(rb1.calls, 1);
    ASSERT_EQ(rb2.calls, 0);

    ASSERT_OK(raise(SIGUSR2));
    ASSERT_EQ(tide_run(a, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(tide_run(b, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(ra.calls, 1);
    ASSERT_EQ(rb2.calls, 1);

    /* Loop a stops watching; b still catches SIGUSR1 alone. */
    close_handle(ha);
    ASSERT_EQ(tide_run(a, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(tide_loop_close(a), 0);
    ASSERT_OK(raise(SIGUSR1));
    ASSERT_EQ(tide_run(b, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(rb1.calls, 2);

    close_handle(hb1);
    close_handle(hb2);
    TEST_CLOSE_LOOP(b);
}

/* Two loops on two threads, each blocked in poll: one kill() wakes both,
 * whichever thread the kernel picks to run the process-wide handler. */
typedef struct {
    pthread_barrier_t *ready;
    int calls;
} waiter_t;

static void on_signal_close(tide_signal_t *h, int signum, void *data)
{
    ((waiter_t *)data)->calls++;
    close_handle(h);
}

static void on_watchdog(tide_timer_t *t, void *data) { TEST_FAIL("signal not delivered to a loop"); }

static void *loop_thread(void *arg)
{
    waiter_t *w = arg;
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_signal_t *h;
    ASSERT_OK(tide_signal_new(loop, &h));
    ASSERT_OK(tide_signal_start(h, on_signal_close, SIGUSR1, w));
    tide_timer_t *dog;
    ASSERT_OK(tide_timer_new(loop, &dog));
    ASSERT_OK(tide_timer_start(dog, on_watchdog, 30000, 0, NULL));
    tide_unref(TIDE_HANDLE(dog));
    pthread_barrier_wait(w->ready);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_OK(tide_close(TIDE_HANDLE(dog), NULL));
    TEST_CLOSE_LOOP(loop);
    return NULL;
}

static void test_two_loops_on_threads(void)
{
    pthread_barrier_t ready;
    ASSERT_OK(pthread_barrier_init(&ready, NULL, 3));
    waiter_t w[2] = {{&ready, 0}, {&ready, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) ASSERT_OK(pthread_create(&th[i], NULL, loop_thread, &w[i]));
    pthread_barrier_wait(&ready); /* both handles started: SIGUSR1 is caught */
    ASSERT_OK(kill(getpid(), SIGUSR1));
    for (int i = 0; i < 2; i++) ASSERT_OK(pthread_join(th[i], NULL));
    ASSERT_EQ(w[0].calls, 1);
    ASSERT_EQ(w[1].calls, 1);
    pthread_barrier_destroy(&ready);
}

/* A loop closing its signal pipe while a handler on another thread is in
 * the middle of writing to it: the handler must not write into whatever
 * file reuses the descriptor number. Made deterministic through the
 * system-call table: the handler's write (on the other thread) waits until
 * the main thread has closed the loop and opened fresh pipes on the freed
 * numbers, or until a bounded spin runs out, which is what happens when
 * tide correctly holds the close back until the write is done. */
#include "core/sys.h"

static pthread_t signal_thread;
static atomic_int in_write, reopened, write_done;

static ssize_t gated_write(int fd, const void *buf, size_t len)
{
    if (!pthread_equal(pthread_self(), signal_thread) || atomic_load(&write_done))
        return write(fd, buf, len);
    atomic_store(&in_write, 1);
    for (long spin = 0; !atomic_load(&reopened) && spin < 100000000; spin++) {
    }
    ssize_t r = write(fd, buf, len);
    atomic_store(&write_done, 1);
    return r;
}

static void *signal_self(void *arg)
{
    pthread_kill(pthread_self(), SIGUSR1); /* the handler runs on this thread */
    return NULL;
}

static void test_close_races_handler(void)
{
    struct sigaction old = install_own(SIGUSR1);
    tide__sys.write = gated_write;
    tide_loop_t *loop;
    tide_signal_t *h;
    sig_rec_t r = {0};
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_signal_new(loop, &h));
    ASSERT_OK(tide_signal_start(h, on_signal, SIGUSR1, &r));
    ASSERT_OK(pthread_create(&signal_thread, NULL, signal_self, NULL));
    while (!atomic_load(&in_write)) {
    } /* the handler holds the loop's pipe */
    close_handle(h);
    TEST_CLOSE_LOOP(loop);
    /* Enough socket pairs to take every number the loop freed (its epoll
     * fd, eventfd and signal pipe); both ends of a pair are writable, so a
     * stray write to any reused number shows up on the other end. */
    int fds[4][2];
    for (int k = 0; k < 4; k++)
        ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds[k]));
    atomic_store(&reopened, 1);
    while (!atomic_load(&write_done)) {
    }
    ASSERT_OK(pthread_join(signal_thread, NULL));
    for (int k = 0; k < 4; k++)
        for (int end = 0; end < 2; end++) {
            char c;
            ASSERT_EQ(read(fds[k][end], &c, 1), -1); /* nothing stray arrived */
            ASSERT_EQ(errno, EAGAIN);
        }
    for (int k = 0; k < 4; k++) {
        close(fds[k][0]);
        close(fds[k][1]);
    }
    tide__sys.write = tide__sys_default.write;
    sigaction(SIGUSR1, &old, NULL);
}

int main(void)
{
    test_sigpipe();
    test_many_handlers();
    test_oneshot();
    test_realtime_queue();
    test_stop();
    test_bad_arguments();
    test_two_loops();
    test_two_loops_on_threads();
    test_close_races_handler();
    return 0;
}
