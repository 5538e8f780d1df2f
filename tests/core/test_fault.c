/* tests/core/test_fault.c - faults injected through the system-call table
 * (core/sys.h): every allocation that fails comes back as -ENOMEM with the
 * loop intact and nothing leaked; EMFILE and friends come back cleanly;
 * EINTR never ends a wait early; EAGAIN and EINTR on the wakeup are harmless. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "core/sys.h"
#include "test_alloc.h"
#include "test_fd.h"

/* ---- the injecting table ---------------------------------------------- */

static int case_fds;

/* Each case starts from the shipped table plus the counting allocator, and
 * must end with every block it caused freed and every fd closed. */
static void case_begin(void)
{
    tide__sys = tide__sys_default;
    counting_alloc_install();
    alloc_live = 0;
    alloc_budget = -1;
    case_fds = count_fds();
}

static void case_end(void)
{
    ASSERT_EQ(alloc_live, 0);
    ASSERT_EQ(count_fds(), case_fds);
    tide__sys = tide__sys_default;
}

static void count_call(tide_loop_t *loop, void *data) { (*(int *)data)++; }

static void on_timer(tide_timer_t *t, void *data) { (*(int *)data)++; }

/* A loop on the virtual clock, so a timer check never waits. */
static tide_loop_t *new_loop(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_OK(tide_loop_use_virtual_clock(loop, 0));
    return loop;
}

/* ---- ENOMEM ------------------------------------------------------------ */

/* Fail tide_loop_new at each of its allocations in turn. */
static void test_enomem_loop_new(void)
{
    case_begin();
    tide_loop_t *loop = NULL;
    int failures = 0;
    for (long n = 0;; n++) {
        alloc_budget = n;
        int r = tide_loop_new(&loop);
        alloc_budget = -1;
        if (r == 0) break;
        ASSERT_EQ(r, -ENOMEM);
        ASSERT_EQ(alloc_live, 0);
        ASSERT_EQ(count_fds(), case_fds);
        failures++;
    }
    ASSERT_GE(failures, 1); /* the sweep did reach an allocation */
    int ran = 0;
    ASSERT_GT(tide_set_immediate(loop, count_call, &ran), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(ran, 1);
    ASSERT_EQ(tide_loop_close(loop), 0);
    case_end();
}

/* The shape of every other ENOMEM case: on a fresh loop, let `op` fail at
 * its first, second, ... allocation until it succeeds. Each failure must be
 * -ENOMEM and leave the loop with nothing started (not alive); after the
 * success, `check` proves the loop still does its work, and closes what
 * op made. The loop is made before the faults start, so only op's own
 * allocations fail. */
typedef int (*op_fn)(tide_loop_t *loop, void **made);
typedef void (*check_fn)(tide_loop_t *loop, void *made);

static void sweep(const char *name, op_fn op, check_fn check)
{
    case_begin();
    tide_loop_t *loop = new_loop();
    void *made = NULL;
    for (long n = 0;; n++) {
        alloc_budget = n;
        int r = op(loop, &made);
        alloc_budget = -1;
        if (r >= 0) break;
        if (r != -ENOMEM) TEST_FAIL("%s: %s instead of ENOMEM", name, tide_err_name(r));
        if (tide_loop_alive(loop)) TEST_FAIL("%s: a failed call left the loop alive", name);
        if (n > 1000) TEST_FAIL("%s: never succeeds", name);
    }
    check(loop, made);
    ASSERT_EQ(tide_loop_close(loop), 0);
    case_end();
}

static int timer_fired;

static int op_timer_new(tide_loop_t *loop, void **made)
{
    return tide_timer_new(loop, (tide_timer_t **)made);
}

static void check_timer(tide_loop_t *loop, void *made)
{
    timer_fired = 0;
    ASSERT_OK(tide_timer_start(made, on_timer, 5, 0, &timer_fired));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(timer_fired, 1);
    ASSERT_OK(tide_close(TIDE_HANDLE(made), NULL));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
}

static int op_timer_start(tide_loop_t *loop, void **made)
{
    /* The handle comes from an unfaulted call; only the start may fail. */
    if (!*made) {
        long saved = alloc_budget;
        alloc_budget = -1;
        ASSERT_OK(tide_timer_new(loop, (tide_timer_t **)made));
        alloc_budget = saved;
    }
    timer_fired = 0;
    int r = tide_timer_start(*made, on_timer, 5, 0, &timer_fired);
    if (r < 0) ASSERT(!tide_is_active(TIDE_HANDLE(*made)));
    return r;
}

static void check_started_timer(tide_loop_t *loop, void *made)
{
    ASSERT(tide_is_active(TIDE_HANDLE(made)));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(timer_fired, 1);
    ASSERT_OK(tide_close(TIDE_HANDLE(made), NULL));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
}

static int ran;

static int op_set_timeout(tide_loop_t *loop, void **made)
{
    ran = 0;
    tide_id_t id = tide_set_timeout(loop, count_call, &ran, 5);
    return id > 0 ? 0 : (int)id;
}

static int op_set_interval(tide_loop_t *loop, void **made)
{
    ran = 0;
    tide_id_t id = tide_set_interval(loop, count_call, &ran, 5);
    *made = (void *)(intptr_t)id;
    return id > 0 ? 0 : (int)id;
}

static int op_set_immediate(tide_loop_t *loop, void **made)
{
    ran = 0;
    tide_id_t id = tide_set_immediate(loop, count_call, &ran);
    return id > 0 ? 0 : (int)id;
}

static int op_next_tick(tide_loop_t *loop, void **made)
{
    ran = 0;
    return tide_next_tick(loop, count_call, &ran);
}

static int op_microtask(tide_loop_t *loop, void **made)
{
    ran = 0;
    return tide_queue_microtask(loop, count_call, &ran);
}

static void check_ran_once(tide_loop_t *loop, void *made)
{
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(ran, 1);
}

static void check_interval(tide_loop_t *loop, void *made)
{
    tide_id_t id = (tide_id_t)(intptr_t)made;
    ASSERT_OK(tide_clock_advance(loop, 15 * 1000000ull));
    ASSERT_EQ(ran, 3);
    ASSERT_EQ(tide_clear_interval(loop, id), 1);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
}

static int op_idle_new(tide_loop_t *loop, void **made)
{
    return tide_idle_new(loop, (tide_idle_t **)made);
}

static void on_idle_once(tide_idle_t *h, void *data)
{
    (*(int *)data)++;
    ASSERT_OK(tide_close(TIDE_HANDLE(h), NULL));
}

static void check_idle(tide_loop_t *loop, void *made)
{
    ran = 0;
    ASSERT_OK(tide_idle_start(made, on_idle_once, &ran));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(ran, 1);
}

/* An fd watcher: both the handle and the loop's fd table allocate. */
static int poll_pipe[2] = {-1, -1};

static void on_readable(tide_poll_t *w, int status, int events, void *data)
{
    (*(int *)data)++;
    ASSERT_OK(tide_close(TIDE_HANDLE(w), NULL));
}

static int op_poll(tide_loop_t *loop, void **made)
{
    if (poll_pipe[0] < 0) {
        ASSERT_OK(pipe2(poll_pipe, O_NONBLOCK | O_CLOEXEC));
        ASSERT_EQ(write(poll_pipe[1], "x", 1), 1);
    }
    tide_poll_t *w;
    int r = tide_poll_new(loop, poll_pipe[0], &w);
    if (r) return r;
    ran = 0;
    r = tide_poll_start(w, TIDE_READABLE, on_readable, &ran);
    if (r) {
        ASSERT(!tide_is_active(TIDE_HANDLE(w)));
        /* Closing must work even now that memory is short. */
        ASSERT_OK(tide_close(TIDE_HANDLE(w), NULL));
        long saved = alloc_budget;
        alloc_budget = -1;
        ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
        alloc_budget = saved;
    }
    return r;
}

static void check_poll(tide_loop_t *loop, void *made)
{
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(ran, 1);
    close(poll_pipe[0]);
    close(poll_pipe[1]);
    poll_pipe[0] = poll_pipe[1] = -1;
}

static void on_wakeup_close(tide_wakeup_t *w, void *data)
{
    (*(int *)data)++;
    ASSERT_OK(tide_close(TIDE_HANDLE(w), NULL));
}

static int op_wakeup_new(tide_loop_t *loop, void **made)
{
    ran = 0;
    return tide_wakeup_new(loop, on_wakeup_close, &ran, (tide_wakeup_t **)made);
}

static void check_wakeup(tide_loop_t *loop, void *made)
{
    ASSERT_OK(tide_wakeup_send(made));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(ran, 1);
}

static void on_signal_close(tide_signal_t *h, int signum, void *data)
{
    (*(int *)data)++;
    ASSERT_OK(tide_close(TIDE_HANDLE(h), NULL));
}

static int op_signal(tide_loop_t *loop, void **made)
{
    tide_signal_t *h;
    int r = tide_signal_new(loop, &h);
    if (r) return r;
    ran = 0;
    r = tide_signal_start(h, on_signal_close, SIGUSR1, &ran);
    if (r) {
        ASSERT(!tide_is_active(TIDE_HANDLE(h)));
        ASSERT_OK(tide_close(TIDE_HANDLE(h), NULL));
        long saved = alloc_budget;
        alloc_budget = -1;
        ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
        alloc_budget = saved;
    }
    return r;
}

static void check_signal(tide_loop_t *loop, void *made)
{
    ASSERT_OK(raise(SIGUSR1));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(ran, 1);
}

static void test_enomem_everywhere(void)
{
    sweep("tide_timer_new", op_timer_new, check_timer);
    sweep("tide_timer_start", op_timer_start, check_started_timer);
    sweep("tide_set_timeout", op_set_timeout, check_ran_once);
    sweep("tide_set_interval", op_set_interval, check_interval);
    sweep("tide_set_immediate", op_set_immediate, check_ran_once);
    sweep("tide_next_tick", op_next_tick, check_ran_once);
    sweep("tide_queue_microtask", op_microtask, check_ran_once);
    sweep("tide_idle_new", op_idle_new, check_idle);
    sweep("tide_poll_new/start", op_poll, check_poll);
    sweep("tide_wakeup_new", op_wakeup_new, check_wakeup);
    sweep("tide_signal_new/start", op_signal, check_signal);
}

/* Growth failures keep what was queued: a full queue refuses one more item
 * with -ENOMEM, and everything already in it still runs, in order. */
static char order[1024];
static size_t order_len;

static void note(tide_loop_t *loop, void *data)
{
    ASSERT_LT(order_len, sizeof order);
    order[order_len++] = (char)(intptr_t)data;
}

static void test_enomem_growth(void)
{
    case_begin();
    tide_loop_t *loop = new_loop();

    /* Ticks and microtasks: fill past the first ring's capacity. */
    enum { N = 300 };
    for (int i = 0; i < N; i++) ASSERT_OK(tide_next_tick(loop, note, (void *)(intptr_t)('a' + i % 26)));
    alloc_budget = 0;
    int refused = 0;
    for (int i = 0; i < 2000 && !refused; i++) {
        int r = tide_next_tick(loop, note, (void *)(intptr_t)('a' + (N + i) % 26));
        if (r == -ENOMEM)
            refused = N + i;
        else
            ASSERT_OK(r);
    }
    alloc_budget = -1;
    ASSERT_GT(refused, 0); /* the ring had to grow at some point */
    ASSERT_OK(tide_next_tick(loop, note, (void *)(intptr_t)('a' + refused % 26)));
    order_len = 0;
    ASSERT_OK(tide_drain(loop));
    ASSERT_EQ(order_len, refused + 1);
    for (int i = 0; i <= refused; i++) ASSERT_EQ(order[i], 'a' + i % 26);

    /* Immediates. */
    int n_imm = 0;
    for (; n_imm < 50; n_imm++) ASSERT_GT(tide_set_immediate(loop, note, (void *)(intptr_t)('A' + n_imm % 26)), 0);
    alloc_budget = 0;
    for (;; n_imm++) {
        tide_id_t id = tide_set_immediate(loop, note, (void *)(intptr_t)('A' + n_imm % 26));
        if (id == -ENOMEM) break;
        ASSERT_GT(id, 0);
        ASSERT_LT(n_imm, 1000);
    }
    alloc_budget = -1;
    ASSERT_GT(tide_set_immediate(loop, note, (void *)(intptr_t)('A' + n_imm % 26)), 0);
    order_len = 0;
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(order_len, n_imm + 1);
    for (int i = 0; i <= n_imm; i++) ASSERT_EQ(order[i], 'A' + i % 26);

    ASSERT_EQ(tide_loop_close(loop), 0);
    case_end();
}

/* ---- descriptors: EMFILE, ENOSPC --------------------------------------- */

static int fail_errno;
static int fail_calls; /* how many calls fail; -1 = all */

static int should_fail_call(void)
{
    if (fail_calls == 0) return 0;
    if (fail_calls > 0) fail_calls--;
    errno = fail_errno;
    return 1;
}

static int f_epoll_create1(int flags)
{
    return should_fail_call() ? -1 : tide__sys_default.epoll_create1(flags);
}

static int f_eventfd(unsigned int init, int flags)
{
    return should_fail_call() ? -1 : tide__sys_default.eventfd(init, flags);
}

static int f_pipe2(int fds[2], int flags)
{
    return should_fail_call() ? -1 : tide__sys_default.pipe2(fds, flags);
}

static int f_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
    if (op != EPOLL_CTL_DEL && should_fail_call()) return -1;
    return tide__sys_default.epoll_ctl(epfd, op, fd, ev);
}

static void test_emfile(void)
{
    /* No epoll instance: no loop, nothing left behind. */
    case_begin();
    tide__sys.epoll_create1 = f_epoll_create1;
    fail_errno = EMFILE;
    fail_calls = 1;
    tide_loop_t *loop;
    ASSERT_EQ(tide_loop_new(&loop), -EMFILE);
    ASSERT_EQ(alloc_live, 0);
    ASSERT_OK(tide_loop_new(&loop)); /* the fault is gone */
    ASSERT_EQ(tide_loop_close(loop), 0);
    case_end();

    /* No eventfd: no wakeup handle; the loop carries on, and a retry works. */
    case_begin();
    tide__sys.eventfd = f_eventfd;
    loop = new_loop();
    fail_errno = EMFILE;
    fail_calls = 1;
    tide_wakeup_t *w;
    ran = 0;
    ASSERT_EQ(tide_wakeup_new(loop, on_wakeup_close, &ran, &w), -EMFILE);
    ASSERT_EQ(tide_loop_alive(loop), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_OK(tide_wakeup_new(loop, on_wakeup_close, &ran, &w));
    ASSERT_OK(tide_wakeup_send(w));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(ran, 1);
    ASSERT_EQ(tide_loop_close(loop), 0);
    case_end();

    /* No signal pipe: the handle does not start. */
    case_begin();
    tide__sys.pipe2 = f_pipe2;
    loop = new_loop();
    tide_signal_t *h;
    ASSERT_OK(tide_signal_new(loop, &h));
    fail_errno = EMFILE;
    fail_calls = 1;
    ran = 0;
    ASSERT_EQ(tide_signal_start(h, on_signal_close, SIGUSR1, &ran), -EMFILE);
    ASSERT(!tide_is_active(TIDE_HANDLE(h)));
    ASSERT_OK(tide_signal_start(h, on_signal_close, SIGUSR1, &ran));
    ASSERT_OK(raise(SIGUSR1));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(ran, 1);
    ASSERT_EQ(tide_loop_close(loop), 0);
    case_end();

    /* The epoll set is full (ENOSPC: max_user_watches): each registration
     * reports it, closes what it opened, and works once there is room. */
    case_begin();
    tide__sys.epoll_ctl = f_epoll_ctl;
    loop = new_loop();
    fail_errno = ENOSPC;
    fail_calls = -1;
    int p[2];
    ASSERT_OK(pipe2(p, O_NONBLOCK | O_CLOEXEC));
    ASSERT_EQ(write(p[1], "x", 1), 1);
    tide_poll_t *pw;
    ASSERT_OK(tide_poll_new(loop, p[0], &pw));
    ASSERT_EQ(tide_poll_start(pw, TIDE_READABLE, on_readable, &ran), -ENOSPC);
    ASSERT(!tide_is_active(TIDE_HANDLE(pw)));
    int fds = count_fds();
    ASSERT_EQ(tide_wakeup_new(loop, on_wakeup_close, &ran, &w), -ENOSPC);
    ASSERT_OK(tide_signal_new(loop, &h));
    ASSERT_EQ(tide_signal_start(h, on_signal_close, SIGUSR1, &ran), -ENOSPC);
    ASSERT_EQ(count_fds(), fds); /* the eventfd and the pipe were closed */
    ASSERT_EQ(tide_loop_alive(loop), 0);
    fail_calls = 0;
    ran = 0;
    ASSERT_OK(tide_poll_start(pw, TIDE_READABLE, on_readable, &ran));
    ASSERT_OK(tide_wakeup_new(loop, on_wakeup_close, &ran, &w));
    ASSERT_OK(tide_wakeup_send(w));
    ASSERT_OK(tide_signal_start(h, on_signal_close, SIGUSR1, &ran));
    ASSERT_OK(raise(SIGUSR1));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(ran, 3);
    ASSERT_EQ(tide_loop_close(loop), 0);
    close(p[0]);
    close(p[1]);
    case_end();
}

/* ---- EINTR: a signal never ends a wait early --------------------------- */

static int eintr_left;
static int eintr_seen;
static int eintr_pipe = -1; /* made readable by the interrupted wait */

static int interrupted(void)
{
    if (eintr_left <= 0) return 0;
    eintr_left--;
    eintr_seen++;
    if (eintr_pipe >= 0) ASSERT_EQ(write(eintr_pipe, "x", 1), 1);
    errno = EINTR;
    return 1;
}

static int f_epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout_ms)
{
    return interrupted() ? -1 : tide__sys_default.epoll_wait(epfd, ev, max, timeout_ms);
}

static int f_epoll_pwait2(int epfd, struct epoll_event *ev, int max, const struct timespec *ts,
                          const sigset_t *mask)
{
    return interrupted() ? -1 : tide__sys_default.epoll_pwait2(epfd, ev, max, ts, mask);
}

static int f_pwait2_enosys(int epfd, struct epoll_event *ev, int max, const struct timespec *ts,
                           const sigset_t *mask)
{
    errno = ENOSYS;
    return -1;
}

typedef struct {
    uint64_t start;
    uint64_t fired_at;
    int calls;
} timing_t;

static void on_timed(tide_timer_t *t, void *data)
{
    timing_t *tm = data;
    tm->calls++;
    tm->fired_at = tide_hrtime();
}

/* A real-clock timer wait interrupted three times: one RUN_ONCE still ends
 * with the timer fired, and not before its time. */
static void run_interrupted_timer_wait(int mode, uint64_t timeout_ns)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    timing_t tm = {0};
    tm.start = tide_hrtime();
    ASSERT_OK(tide_timer_start_ns(t, on_timed, timeout_ns, 0, &tm));
    eintr_left = 3;
    eintr_seen = 0;
    ASSERT_EQ(tide_run(loop, mode), 0);
    ASSERT_EQ(eintr_seen, 3);
    ASSERT_EQ(tm.calls, 1);
    ASSERT_GE(tm.fired_at - tm.start, timeout_ns);
    ASSERT_OK(tide_close(TIDE_HANDLE(t), NULL));
    TEST_CLOSE_LOOP(loop);
}

static void test_eintr(void)
{
    /* Timer waits in nanoseconds (epoll_pwait2). */
    case_begin();
    tide__sys.epoll_pwait2 = f_epoll_pwait2;
    tide__sys.epoll_wait = f_epoll_wait;
    run_interrupted_timer_wait(TIDE_RUN_ONCE, 3 * 1000000ull);
    run_interrupted_timer_wait(TIDE_RUN_DEFAULT, 3 * 1000000ull);
    case_end();

    /* Kernels without epoll_pwait2: millisecond waits, rounded up. */
    case_begin();
    tide__sys.epoll_pwait2 = f_pwait2_enosys;
    tide__sys.epoll_wait = f_epoll_wait;
    run_interrupted_timer_wait(TIDE_RUN_ONCE, 2500000ull);
    run_interrupted_timer_wait(TIDE_RUN_DEFAULT, 2500000ull);
    case_end();

    /* A wait with no timeout (only I/O can end it): the interrupted call
     * makes the pipe readable, as a signal's handler would, and RUN_ONCE
     * must go back to waiting and deliver it rather than return empty. */
    case_begin();
    tide__sys.epoll_wait = f_epoll_wait;
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int p[2];
    ASSERT_OK(pipe2(p, O_NONBLOCK | O_CLOEXEC));
    tide_poll_t *w;
    ASSERT_OK(tide_poll_new(loop, p[0], &w));
    ran = 0;
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_readable, &ran));
    eintr_left = 1;
    eintr_seen = 0;
    eintr_pipe = p[1];
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 0);
    eintr_pipe = -1;
    ASSERT_EQ(eintr_seen, 1);
    ASSERT_EQ(ran, 1);
    ASSERT_EQ(tide_loop_close(loop), 0);
    close(p[0]);
    close(p[1]);
    case_end();
}

/* ---- the wakeup eventfd: EAGAIN and EINTR -------------------------------- */

static int fault_fd = -1; /* the eventfd, or the signal pipe's read end */
static int read_fault_left;
static int read_fault_errno;
static int write_fault_left;

static int f_eventfd_capture(unsigned int init, int flags)
{
    fault_fd = tide__sys_default.eventfd(init, flags);
    return fault_fd;
}

static int f_pipe2_capture(int fds[2], int flags)
{
    int r = tide__sys_default.pipe2(fds, flags);
    if (r == 0) fault_fd = fds[0];
    return r;
}

static ssize_t f_read(int fd, void *buf, size_t len)
{
    if (fd == fault_fd && read_fault_left > 0) {
        read_fault_left--;
        errno = read_fault_errno;
        return -1;
    }
    return tide__sys_default.read(fd, buf, len);
}

static ssize_t f_write(int fd, const void *buf, size_t len)
{
    if (fd == fault_fd && write_fault_left > 0) {
        write_fault_left--;
        errno = EINTR;
        return -1;
    }
    return tide__sys_default.write(fd, buf, len);
}

static void on_count(tide_wakeup_t *w, void *data) { (*(int *)data)++; }

static uint64_t events_dispatched(tide_loop_t *loop)
{
    tide_loop_metrics_t m;
    tide_loop_metrics(loop, &m);
    return m.events;
}

static void test_wakeup_faults(void)
{
    case_begin();
    tide__sys.eventfd = f_eventfd_capture;
    tide__sys.read = f_read;
    tide__sys.write = f_write;
    tide_loop_t *loop = new_loop();
    int calls = 0;
    tide_wakeup_t *w;
    ASSERT_OK(tide_wakeup_new(loop, on_count, &calls, &w));
    ASSERT(fault_fd >= 0);

    /* The eventfd read fails with EAGAIN: the callback still runs once;
     * the counter left behind costs one quiet extra dispatch, no more. */
    read_fault_errno = EAGAIN;
    read_fault_left = 1;
    ASSERT_OK(tide_wakeup_send(w));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(calls, 1);
    ASSERT_EQ(read_fault_left, 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(calls, 1);
    uint64_t before = events_dispatched(loop);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(events_dispatched(loop), before); /* quiet again */
    ASSERT_OK(tide_wakeup_send(w));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(calls, 2);

    /* EINTR on the read and on the write: retried, nothing lost. */
    read_fault_errno = EINTR;
    read_fault_left = 2;
    write_fault_left = 2;
    ASSERT_OK(tide_wakeup_send(w));
    ASSERT_EQ(write_fault_left, 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(read_fault_left, 0);
    ASSERT_EQ(calls, 3);
    before = events_dispatched(loop);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(events_dispatched(loop), before); /* the counter was read */

    ASSERT_OK(tide_close(TIDE_HANDLE(w), NULL));
    TEST_CLOSE_LOOP(loop);
    fault_fd = -1;
    case_end();
}

static void on_signal_count(tide_signal_t *h, int signum, void *data) { (*(int *)data)++; }

/* The signal self-pipe: a read interrupted by EINTR is retried within the
 * same dispatch, so the delivery is not left for a later iteration. */
static void test_signal_pipe_eintr(void)
{
    case_begin();
    tide__sys.pipe2 = f_pipe2_capture;
    tide__sys.read = f_read;
    tide_loop_t *loop = new_loop();
    tide_signal_t *h;
    int calls = 0;
    ASSERT_OK(tide_signal_new(loop, &h));
    ASSERT_OK(tide_signal_start(h, on_signal_count, SIGUSR1, &calls));
    ASSERT(fault_fd >= 0);
    read_fault_errno = EINTR;
    read_fault_left = 2;
    ASSERT_OK(raise(SIGUSR1));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(read_fault_left, 0);
    ASSERT_EQ(calls, 1);
    ASSERT_OK(tide_close(TIDE_HANDLE(h), NULL));
    TEST_CLOSE_LOOP(loop);
    fault_fd = -1;
    case_end();
}

int main(void)
{
    test_enomem_loop_new();
    test_enomem_everywhere();
    test_enomem_growth();
    test_emfile();
    test_eintr();
    test_wakeup_faults();
    test_signal_pipe_eintr();
    return 0;
}
