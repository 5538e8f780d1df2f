/* core/sys.c - the system-call and allocator table (see core/sys.h) and
 * tide_set_allocator. */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <fcntl.h>
#include <netdb.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include "core/internal.h"

/* glibc has had epoll_pwait2 since 2.35; call the system call directly so
 * older C libraries build too. ENOSYS on kernels before 5.11 makes the epoll
 * backend fall back to epoll_wait. */
static int sys_epoll_pwait2(int epfd, struct epoll_event *events, int maxevents,
                            const struct timespec *timeout, const sigset_t *sigmask)
{
#ifdef SYS_epoll_pwait2
    return (int)syscall(SYS_epoll_pwait2, epfd, events, maxevents, timeout, sigmask,
                        sigmask ? (size_t)_NSIG / 8 : (size_t)0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

/* pidfd_open and pidfd_send_signal as system calls, so a C library without
 * the wrappers builds; ENOSYS (kernels before 5.1/5.3) makes the process
 * code watch SIGCHLD instead. */
static int sys_pidfd_open(pid_t pid, unsigned int flags)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, flags);
#else
    errno = ENOSYS;
    return -1;
#endif
}

static int sys_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
#ifdef SYS_pidfd_send_signal
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags);
#else
    errno = ENOSYS;
    return -1;
#endif
}

/* glibc declares recvmmsg's timeout const only in some versions; this
 * wrapper gives the table one type either way. */
static int sys_recvmmsg(int fd, struct mmsghdr *msgs, unsigned int n, int flags,
                        struct timespec *timeout)
{
    return recvmmsg(fd, msgs, n, flags, timeout);
}

/* Both tables start as the real calls; tests overwrite tide__sys and put
 * tide__sys_default back. */
#define TIDE__SYS_REAL                                                         \
    {                                                                          \
        .malloc = malloc, .realloc = realloc, .free = free,                    \
        .epoll_create1 = epoll_create1, .epoll_ctl = epoll_ctl,                \
        .epoll_pwait2 = sys_epoll_pwait2, .epoll_wait = epoll_wait,            \
        .eventfd = eventfd, .pipe2 = pipe2, .read = read, .write = write,      \
        .close = close, .socket = socket, .socketpair = socketpair,          \
        .bind = bind, .listen = listen, .accept4 = accept4,                    \
        .connect = connect, .shutdown = shutdown, .writev = writev,            \
        .sendmsg = sendmsg, .recvmsg = recvmsg, .setsockopt = setsockopt,      \
        .mmap = mmap, .munmap = munmap,                        \
        .mprotect = mprotect, .madvise = madvise,                              \
        .getaddrinfo = getaddrinfo, .getnameinfo = getnameinfo, .open = open,  \
        .pread = pread, .pwrite = pwrite, .sendfile = sendfile,                \
        .copy_file_range = copy_file_range,                                    \
        .fork = fork, .waitpid = waitpid, .kill = kill,                        \
        .pidfd_open = sys_pidfd_open, .pidfd_send_signal = sys_pidfd_send_signal, \
        .getsockopt = getsockopt,                                              \
        .getsockname = getsockname, .getpeername = getpeername,                \
        .sendmmsg = sendmmsg, .recvmmsg = sys_recvmmsg,                        \
        .inotify_init1 = inotify_init1, .inotify_add_watch = inotify_add_watch, \
        .inotify_rm_watch = inotify_rm_watch,                                  \
        .pwritev = pwritev, .poll = poll,                                      \
    }

const tide__sys_t tide__sys_default = TIDE__SYS_REAL;
tide__sys_t tide__sys = TIDE__SYS_REAL;

_Atomic int tide__allocator_locked;

void *tide__calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) return NULL;
    void *p = tide__malloc(n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

int tide_set_allocator(tide_malloc_fn m, tide_realloc_fn r, tide_free_fn f)
{
    if (!m || !r || !f) return -EINVAL;
    if (tide__allocator_locked) return -EBUSY;
    tide__sys.malloc = m;
    tide__sys.realloc = r;
    tide__sys.free = f;
    return 0;
}
