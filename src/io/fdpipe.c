/* io/fdpipe.c - pipes as streams: any open fd (a pipe end, a socketpair
 * end, a FIFO) wrapped as an fd stream, and making pipe pairs for child
 * processes. */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/net_internal.h"

/* The SOCK_* flags an fd of this kind gets; -EINVAL for what epoll cannot
 * watch (regular files, directories). */
int tide__fd_kind(int fd, uint32_t *flags)
{
    struct stat st;
    if (fstat(fd, &st) < 0) return -errno;
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) return -EINVAL;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0) return -errno;
    uint32_t f = 0;
    if (S_ISSOCK(st.st_mode)) {
        f |= SOCK_IS_SOCKET;
        int domain = 0;
        socklen_t len = sizeof domain;
        if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 && domain == AF_UNIX)
            f |= SOCK_UNIX;
    } else {
        /* A write to a pipe whose reader is gone raises SIGPIPE (sockets
         * use MSG_NOSIGNAL); creating the loop set it to ignored, as Node
         * does at startup, unless the program had its own disposition, so
         * the write fails with EPIPE instead. */
        if ((fl & O_ACCMODE) == O_WRONLY) f |= SOCK_NO_READ | SOCK_CLOSE_ON_FINAL;
    }
    if (!(fl & O_NONBLOCK)) {
        if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -errno;
        f |= SOCK_WAS_BLOCKING;
    }
    int fdfl = fcntl(fd, F_GETFD);
    if (fdfl >= 0 && !(fdfl & FD_CLOEXEC)) (void)fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC);
    *flags = f;
    return 0;
}

static int is_read_only(int fd, uint32_t kind)
{
    if (kind & SOCK_IS_SOCKET) return 0;
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && (fl & O_ACCMODE) == O_RDONLY;
}

int tide_pipe_open(tide_loop_t *loop, int fd, unsigned flags, tide_stream_t **out)
{
    if (!loop || !out || (flags & ~(unsigned)TIDE_PIPE_NO_CLOSE)) return -EINVAL;
    if (fd < 0) return -EBADF;
    if ((unsigned)fd < loop->nwatchers && loop->watchers[fd]) return -EEXIST;
    uint32_t kind;
    int err = tide__fd_kind(fd, &kind);
    if (err) return err;
    if (flags & TIDE_PIPE_NO_CLOSE) kind |= SOCK_NO_CLOSE;
    /* One-way fds: a read-only end ends its (useless) writable side with
     * its readable one; a write-only end's readable side has ended before
     * it began (Node's readable: false), so 'finish' lets it close. */
    unsigned sflags = 0;
    if (is_read_only(fd, kind)) sflags |= TIDE_STREAM_NO_HALF_OPEN;
    tide__sock_t *k;
    err = tide__sock_new(loop, fd, kind, sflags, 0, &k);
    if (err) return err;
    if (kind & SOCK_NO_READ) {
        tide_stream_push_end(k->stream);
        tide_stream_resume(k->stream);
    }
    *out = k->stream;
    return 0;
}

int tide_pipe_pair(int fds[2], unsigned flags)
{
    if (!fds || (flags & ~(unsigned)TIDE_PIPE_DUPLEX)) return -EINVAL;
    int r = (flags & TIDE_PIPE_DUPLEX)
                ? tide__sys.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds)
                : tide__sys.pipe2(fds, O_CLOEXEC);
    return r < 0 ? -errno : 0;
}
