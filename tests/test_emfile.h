/* tests/test_emfile.h - what the tests of servers out of file descriptors
 * share: filling the fd table under a lowered RLIMIT_NOFILE and giving it
 * back, an accept4 that keeps failing with EMFILE on demand, and a count
 * of loop iterations that tells a waiting loop from a spinning one. */
#ifndef TIDE_TEST_EMFILE_H
#define TIDE_TEST_EMFILE_H

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/sys.h"
#include "test.h"

typedef struct {
    struct rlimit saved;
    int fds[64];
    int n;
} fd_table_fill_t;

/* Lower the limit to 64 and take every fd left under it. */
static inline void fd_table_fill(fd_table_fill_t *f)
{
    ASSERT_OK(getrlimit(RLIMIT_NOFILE, &f->saved));
    struct rlimit low = f->saved;
    low.rlim_cur = 64;
    ASSERT_OK(setrlimit(RLIMIT_NOFILE, &low));
    f->n = 0;
    for (int fd; (fd = dup(0)) >= 0;) {
        ASSERT_LT(f->n, 64);
        f->fds[f->n++] = fd;
    }
    ASSERT_EQ(errno, EMFILE);
}

static inline void fd_table_release(fd_table_fill_t *f)
{
    for (int i = 0; i < f->n; i++) close(f->fds[i]);
    ASSERT_OK(setrlimit(RLIMIT_NOFILE, &f->saved));
}

/* accept4 keeps failing with EMFILE while always_emfile is set, even after
 * the spare fd is given up (as ENFILE can, when other processes hold the
 * system's table). Install it as tide__sys.accept4. */
static int always_emfile;
static inline int flaky_accept4(int fd, struct sockaddr *a, socklen_t *l, int flags)
{
    if (always_emfile) {
        errno = EMFILE;
        return -1;
    }
    return accept4(fd, a, l, flags);
}

static inline void emfile_flag_set(tide_loop_t *loop, void *flag) { *(int *)flag = 1; }

/* Iterations the loop makes while a 30 ms timer runs out: a spinning loop
 * makes thousands, a waiting one a handful. */
static inline uint64_t iterations_while_waiting(tide_loop_t *loop)
{
    tide_loop_metrics_t m0, m1;
    tide_loop_metrics(loop, &m0);
    int done = 0;
    ASSERT_GT(tide_set_timeout(loop, emfile_flag_set, &done, 30), 0);
    while (!done) ASSERT_GE(tide_run(loop, TIDE_RUN_ONCE), 0);
    tide_loop_metrics(loop, &m1);
    return m1.iterations - m0.iterations;
}

#endif
