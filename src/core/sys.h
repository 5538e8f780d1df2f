/* core/sys.h - the table every system call and allocation goes through.
 *
 * Tests replace entries to inject EINTR, EAGAIN, EMFILE, ENOMEM and short
 * writes (SQLite's aSyscall idea); production code calls through it with one
 * indirect call. Entries return what the C library returns (-1 and errno). */
#ifndef TIDE_CORE_SYS_H
#define TIDE_CORE_SYS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netdb.h>
#include <sys/uio.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <poll.h>
#include <time.h>

typedef struct {
    void *(*malloc)(size_t size);
    void *(*realloc)(void *ptr, size_t size);
    void (*free)(void *ptr);

    int (*epoll_create1)(int flags);
    int (*epoll_ctl)(int epfd, int op, int fd, struct epoll_event *ev);
    int (*epoll_pwait2)(int epfd, struct epoll_event *events, int maxevents,
                        const struct timespec *timeout, const sigset_t *sigmask);
    int (*epoll_wait)(int epfd, struct epoll_event *events, int maxevents, int timeout_ms);
    int (*eventfd)(unsigned int initval, int flags);
    int (*pipe2)(int fds[2], int flags);
    ssize_t (*read)(int fd, void *buf, size_t len);
    ssize_t (*write)(int fd, const void *buf, size_t len);
    int (*close)(int fd);

    /* sockets and fd streams (io layer) */
    int (*socket)(int domain, int type, int protocol);
    int (*socketpair)(int domain, int type, int protocol, int fds[2]);
    int (*bind)(int fd, const struct sockaddr *addr, socklen_t len);
    int (*listen)(int fd, int backlog);
    int (*accept4)(int fd, struct sockaddr *addr, socklen_t *len, int flags);
    int (*connect)(int fd, const struct sockaddr *addr, socklen_t len);
    int (*shutdown)(int fd, int how);
    ssize_t (*writev)(int fd, const struct iovec *iov, int iovcnt);
    ssize_t (*sendmsg)(int fd, const struct msghdr *msg, int flags);
    ssize_t (*recvmsg)(int fd, struct msghdr *msg, int flags);
    int (*setsockopt)(int fd, int level, int name, const void *val, socklen_t len);

    /* memory mappings (fiber stacks) */
    void *(*mmap)(void *addr, size_t len, int prot, int flags, int fd, off_t off);
    int (*munmap)(void *addr, size_t len);
    int (*mprotect)(void *addr, size_t len, int prot);
    int (*madvise)(void *addr, size_t len, int advice);

    /* the resolver and file calls the thread pool's workers make (io/dns.c,
     * io/fs*.c): a test replaces them before it submits the work */
    int (*getaddrinfo)(const char *node, const char *service, const struct addrinfo *hints,
                       struct addrinfo **res);
    int (*getnameinfo)(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen,
                       char *serv, socklen_t servlen, int flags);
    int (*open)(const char *path, int flags, ...);
    ssize_t (*pread)(int fd, void *buf, size_t len, off_t off);
    ssize_t (*pwrite)(int fd, const void *buf, size_t len, off_t off);
    ssize_t (*sendfile)(int out_fd, int in_fd, off_t *off, size_t len);
    ssize_t (*copy_file_range)(int in_fd, off_t *in_off, int out_fd, off_t *out_off, size_t len,
                               unsigned flags);
    /* child processes */
    pid_t (*fork)(void);
    pid_t (*waitpid)(pid_t pid, int *status, int options);
    int (*kill)(pid_t pid, int sig);
    int (*pidfd_open)(pid_t pid, unsigned int flags);
    int (*pidfd_send_signal)(int pidfd, int sig, siginfo_t *info, unsigned int flags);
    /* more socket calls (UDP) */
    int (*getsockopt)(int fd, int level, int name, void *val, socklen_t *len);
    int (*getsockname)(int fd, struct sockaddr *addr, socklen_t *len);
    int (*getpeername)(int fd, struct sockaddr *addr, socklen_t *len);
    int (*sendmmsg)(int fd, struct mmsghdr *msgs, unsigned int n, int flags);
    int (*recvmmsg)(int fd, struct mmsghdr *msgs, unsigned int n, int flags,
                    struct timespec *timeout);

    /* inotify (fs watch) */
    int (*inotify_init1)(int flags);
    int (*inotify_add_watch)(int fd, const char *path, uint32_t mask);
    int (*inotify_rm_watch)(int fd, int wd);
    /* the file streams' gathered writes and sendfile's wait on a worker */
    ssize_t (*pwritev)(int fd, const struct iovec *iov, int iovcnt, off_t off);
    int (*poll)(struct pollfd *fds, nfds_t nfds, int timeout_ms);
} tide__sys_t;

extern tide__sys_t tide__sys;

/* The table as the library ships it, for tests to restore entries. */
extern const tide__sys_t tide__sys_default;

/* Allocation helpers: every tide allocation goes through these. */
static inline void *tide__malloc(size_t n) { return tide__sys.malloc(n); }
static inline void *tide__realloc(void *p, size_t n) { return tide__sys.realloc(p, n); }
static inline void tide__free(void *p)
{
    if (p) tide__sys.free(p);
}
void *tide__calloc(size_t n, size_t size);

/* Set once the first loop exists; tide_set_allocator refuses afterwards.
 * Atomic because loops may be created on several threads at once. */
extern _Atomic int tide__allocator_locked;

#endif /* TIDE_CORE_SYS_H */
