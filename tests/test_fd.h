/* tests/test_fd.h - what the tests on file descriptors share: a record of
 * fd-watcher callbacks, non-blocking pipes and socket pairs, writing and
 * draining them, and counting the process's open fds to catch leaks. */
#ifndef TIDE_TEST_FD_H
#define TIDE_TEST_FD_H

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test.h"

typedef struct {
    int calls;
    int status;
    int events;
    tide_poll_t *watcher;
} rec_t;

static inline void on_record(tide_poll_t *w, int status, int events, void *data)
{
    rec_t *r = data;
    r->calls++;
    r->status = status;
    r->events = events;
    r->watcher = w;
}

static inline void make_pipe(int p[2]) { ASSERT_OK(pipe2(p, O_NONBLOCK | O_CLOEXEC)); }

static inline void make_pair(int s[2])
{
    ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, s));
}

static inline void put(int fd, const char *s)
{
    ASSERT_EQ(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* Read until the non-blocking fd would block. */
static inline void drain(int fd)
{
    char buf[4096];
    while (read(fd, buf, sizeof buf) > 0) {
    }
}

static inline int count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    ASSERT(d != NULL);
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

#endif /* TIDE_TEST_FD_H */
