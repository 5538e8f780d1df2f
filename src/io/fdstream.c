/* io/fdstream.c - the duplex stream over a non-blocking fd that sockets,
 * pipes and TTYs share: reads into pooled buffers pushed as chunks with
 * backpressure, writev of the caller's own bytes tried at once and resumed
 * on writability, shutdown at end(), and the close at destroy. */
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "io/net_internal.h"

enum { SOCK_WAIT_OUT = 1u << 14 }; /* the kernel's buffer was full */

static void sock_set_active(tide__sock_t *k, int on)
{
    tide_loop_t *loop = tide__sloop(k->stream);
    on = on && (k->flags & SOCK_REF);
    if (on && !(k->flags & SOCK_ACTIVE)) {
        k->flags |= SOCK_ACTIVE;
        loop->active_refs++;
    } else if (!on && (k->flags & SOCK_ACTIVE)) {
        k->flags &= ~SOCK_ACTIVE;
        loop->active_refs--;
    }
}

/* What the watcher must wait for: the connect, data the stream asked
 * for, room for a write the kernel refused. */
static unsigned sock_wanted(const tide__sock_t *k)
{
    if (k->flags & SOCK_CONNECTING) return TIDE__OUT;
    unsigned want = 0;
    if ((k->flags & (SOCK_WANT_READ | SOCK_EOF | SOCK_NO_READ)) == SOCK_WANT_READ) want |= TIDE__IN;
    if (k->flags & SOCK_WAIT_OUT) want |= TIDE__OUT;
    return want;
}

void tide__sock_update(tide__sock_t *k)
{
    if (k->flags & SOCK_CLOSED) return;
    unsigned want = sock_wanted(k);
    if (want != k->io.pevents) {
        int err = tide__io_start(tide__sloop(k->stream), &k->io, want);
        if (TIDE__UNLIKELY(err)) {
            tide__sock_fail(k, err, "cannot watch the fd");
            return;
        }
    }
    sock_set_active(k, want != 0);
}

void tide__sock_fail(tide__sock_t *k, int code, const char *what)
{
    tide_stream_destroy(k->stream, tide_error_new(code, "%s: %s", what, tide_strerror(code)));
}

/* ---- reading -------------------------------------------------------------- */

static ssize_t sock_recv(tide__sock_t *k, void *buf, size_t len)
{
    if (!(k->flags & SOCK_PASS_FDS))
        return tide__sys.read(k->io.fd, buf, len);
    /* A Unix socket that receives fds: the ancillary data rides along. */
    union {
        char space[CMSG_SPACE(sizeof(int) * 253)];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = {buf, len};
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl.space;
    msg.msg_controllen = sizeof ctl.space;
    ssize_t n = tide__sys.recvmsg(k->io.fd, &msg, MSG_CMSG_CLOEXEC);
    if (n >= 0 && msg.msg_controllen) {
        int err = tide__sock_recv_fds(k, &msg);
        if (err) {
            errno = -err;
            return -1;
        }
    }
    return n;
}

static void sock_read(tide__sock_t *k)
{
    tide_stream_t *s = k->stream;
    tide__net_t *net = tide__net(tide__sloop(s));
    void *buf = tide__net_buf_get(net);
    if (TIDE__UNLIKELY(!buf)) {
        tide__sock_fail(k, -ENOMEM, "no memory for a read buffer");
        return;
    }
    ssize_t n;
    do n = sock_recv(k, buf, TIDE__READ_BUF_SIZE);
    while (n < 0 && errno == EINTR);
    if (TIDE__LIKELY(n > 0)) {
        k->bytes_read += (uint64_t)n;
        int rc = tide_stream_push(s, buf, (size_t)n, tide__net_buf_put, net);
        if (TIDE__UNLIKELY(rc < 0)) {
            tide__net_buf_put(buf, net);
            tide__sock_fail(k, rc, "no memory for a chunk");
        } else if (rc == 0) {
            /* Backpressure: nothing more until the stream asks (_read). */
            k->flags &= ~SOCK_WANT_READ;
            tide__sock_update(k);
        }
        return;
    }
    tide__net_buf_put(buf, net);
    if (n == 0) {
        k->flags |= SOCK_EOF;
        tide__sock_update(k);
        tide_stream_push_end(s);
        return;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    tide__sock_fail(k, -errno, "read failed");
}

static void sock_impl_read(tide_stream_t *s, size_t size, void *data)
{
    tide__sock_t *k = tide__sock_from(s);
    if (k->flags & SOCK_WANT_READ) return;
    k->flags |= SOCK_WANT_READ;
    tide__sock_update(k);
}

/* ---- writing -------------------------------------------------------------- */

#define SOCK_IOV 64

static void sock_write_complete(tide__sock_t *k, int status)
{
    k->flags &= ~(SOCK_WRITING | SOCK_WAIT_OUT);
    tide__sock_update(k);
    /* May start the next write at once (Node's clearBuffer). */
    tide_stream_write_done(k->stream, status ? tide_error_new(status, "write failed: %s", tide_strerror(status)) : NULL);
}

/* Send iov; fds (may be NULL) go with its first byte. */
static ssize_t sock_send(tide__sock_t *k, struct iovec *iov, int cnt, const tide__fdmsg_t *fds)
{
    ssize_t n;
    if (!(k->flags & SOCK_IS_SOCKET)) {
        do n = tide__sys.writev(k->io.fd, iov, cnt);
        while (n < 0 && errno == EINTR);
        return n;
    }
    union {
        char space[CMSG_SPACE(sizeof(int) * 253)];
        struct cmsghdr align;
    } ctl;
    struct msghdr msg = {0};
    msg.msg_iov = iov;
    msg.msg_iovlen = (size_t)cnt;
    if (fds) {
        msg.msg_control = ctl.space;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)fds->nfds);
        memset(ctl.space, 0, msg.msg_controllen); /* the header's padding too */
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)fds->nfds);
        memcpy(CMSG_DATA(c), fds->fds, sizeof(int) * (size_t)fds->nfds);
    }
    do n = tide__sys.sendmsg(k->io.fd, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
}

/* The fds queued for chunk c, when c is the next to go. */
static tide__fdmsg_t *fds_for(tide__sock_t *k, const tide_chunk_t *c)
{
    tide__fdmsg_t *m = k->ext ? k->ext->sendq : NULL;
    return m && m->chunk == c ? m : NULL;
}

/* Send what is left of the write in flight; its progress lives in the
 * stream's record of the write (made by the stream for every _write), so
 * an fd stream that is not writing keeps none. */
static void sock_flush(tide__sock_t *k)
{
    tide__wflight_t *f = k->stream->w.flight;
    struct iovec iov[SOCK_IOV];
    for (;;) {
        int cnt = 0;
        size_t want = 0, off = f->off;
        tide__fdmsg_t *fds = f->off == 0 ? fds_for(k, f->vec[f->idx]) : NULL;
        for (size_t i = f->idx; i < f->n && cnt < SOCK_IOV; i++) {
            const tide_chunk_t *c = f->vec[i];
            /* fds travel with their chunk's first byte: a send ends before it. */
            if (i > f->idx && fds_for(k, c)) break;
            iov[cnt].iov_base = (char *)c->base + off;
            iov[cnt].iov_len = c->len - off;
            want += c->len - off;
            off = 0;
            cnt++;
        }
        ssize_t n = sock_send(k, iov, cnt, fds);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                k->flags |= SOCK_WAIT_OUT;
                tide__sock_update(k);
                return;
            }
            sock_write_complete(k, -errno);
            return;
        }
        if (fds) {
            /* Sent: the kernel holds its own copies now. */
            tide__fdmsg_sent(k);
        }
        k->bytes_written += (uint64_t)n;
        size_t left = (size_t)n;
        while (f->idx < f->n) {
            size_t rem = f->vec[f->idx]->len - f->off;
            if (rem > left) {
                f->off += left;
                break;
            }
            left -= rem;
            f->idx++;
            f->off = 0;
        }
        if (f->idx == f->n) {
            sock_write_complete(k, 0);
            return;
        }
        if ((size_t)n < want) {
            /* Short: the kernel's buffer is full; wait rather than ask again. */
            k->flags |= SOCK_WAIT_OUT;
            tide__sock_update(k);
            return;
        }
    }
}

static void sock_start_write(tide__sock_t *k, const tide_chunk_t *const *vec, size_t n)
{
    tide__wflight_t *f = k->stream->w.flight;
    f->vec = vec;
    f->n = n;
    f->idx = 0;
    f->off = 0;
    k->flags |= SOCK_WRITING;
    if (k->flags & SOCK_CONNECTING) return; /* sent once connected */
    sock_flush(k);
}

static void sock_impl_write(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    tide__wflight_t *f = s->w.flight;
    f->one = chunk;
    sock_start_write(tide__sock_from(s), &f->one, 1);
}

static void sock_impl_writev(tide_stream_t *s, const tide_chunk_t *const *chunks, size_t n,
                             void *data)
{
    sock_start_write(tide__sock_from(s), chunks, n);
}

/* ---- end and destroy ------------------------------------------------------ */

static void sock_close_fd(tide__sock_t *k)
{
    if (k->flags & SOCK_CLOSED) return;
    tide__io_stop(tide__sloop(k->stream), &k->io);
    sock_set_active(k, 0);
    if (k->ext && k->ext->tty) tide__tty_restore(k);
    tide__sock_let_go_fd(k);
    k->flags |= SOCK_CLOSED;
}

static void sock_impl_final(tide_stream_t *s, void *data)
{
    tide__sock_t *k = tide__sock_from(s);
    tide_error_t *err = NULL;
    if (k->flags & SOCK_CLOSED) {
        /* nothing left to shut */
    } else if (k->flags & SOCK_IS_SOCKET) {
        /* ENOTCONN: the peer is gone already; reading will say how. */
        if (tide__sys.shutdown(k->io.fd, SHUT_WR) < 0 && errno != ENOTCONN)
            err = tide_error_new(-errno, "shutdown failed: %s", tide_strerror(-errno));
    } else if (k->flags & SOCK_CLOSE_ON_FINAL) {
        sock_close_fd(k); /* the reader sees EOF */
    }
    tide_stream_final_done(s, err);
}

static void sock_impl_destroy(tide_stream_t *s, tide_error_t *err, void *data)
{
    tide__sock_t *k = tide__sock_from(s);
    k->flags |= SOCK_DESTROYED;
    if (k->flags & SOCK_CONNECTING) tide__connect_cancel(k, err ? err->code : -ECANCELED);
    sock_close_fd(k);
    if (k->flags & SOCK_WRITING) {
        /* The write in flight ends with the stream (Node: ERR_STREAM_DESTROYED). */
        k->flags &= ~(SOCK_WRITING | SOCK_WAIT_OUT);
        tide_stream_write_done(s, NULL);
    }
    tide_stream_destroy_done(s, tide_error_ref(err));
    tide__unhold(s); /* the hold of the open fd */
}

/* The stream's release: its storage goes back with the stream. After the
 * loop's close has detached it, the fd is closed and the ext gone. */
static void sock_free(tide_stream_t *s)
{
    tide__sock_t *k = tide__sock_from(s);
    sock_close_fd(k);
    tide__sock_ext_free(k);
}

/* ---- events ---------------------------------------------------------------- */

void tide__sock_ready(tide__sock_t *k, unsigned events)
{
    tide_stream_t *s = k->stream;
    tide__hold(s);
    if (k->flags & SOCK_CONNECTING) {
        tide__connect_ready(k);
    } else {
        /* An error or hang-up is revealed by the read or write it wakes. */
        if (events & (TIDE__ERR | TIDE__HUP)) events |= k->io.pevents;
        if ((events & TIDE__OUT) && (k->flags & SOCK_WAIT_OUT)) {
            k->flags &= ~SOCK_WAIT_OUT;
            sock_flush(k);
        }
        if ((events & TIDE__IN) && (k->flags & SOCK_WANT_READ) && !(k->flags & SOCK_CLOSED))
            sock_read(k);
    }
    tide__unhold(s);
}

void tide__sock_connected(tide__sock_t *k, int status)
{
    k->flags &= ~SOCK_CONNECTING;
    if (status) return;
    tide__sock_update(k);
    if (k->flags & SOCK_WRITING) sock_flush(k);
}

/* ---- making one ------------------------------------------------------------ */

static const tide_stream_opts_t sock_impl = {
    .read = sock_impl_read,
    .write = sock_impl_write,
    .writev = sock_impl_writev,
    .final = sock_impl_final,
    .destroy = sock_impl_destroy,
};

int tide__sock_new(tide_loop_t *loop, int fd, uint32_t flags, unsigned stream_flags, size_t hwm,
                   tide__sock_t **out)
{
    if (!tide__net(loop)) return -ENOMEM;
    tide_stream_opts_t opts = sock_impl;
    opts.data = loop->context;
    opts.hwm = hwm;
    opts.flags = stream_flags;
    tide_stream_t *s;
    int err = tide__stream_make_hosted(loop, &opts, TIDE__HAS_READABLE | TIDE__HAS_WRITABLE,
                                       sock_free, sizeof(tide__sock_t), &s);
    if (err) return err;
    tide__sock_t *k = tide__sock_from(s);
    memset(&k->io, 0, sizeof *k - offsetof(tide__sock_t, io));
    k->io.fd = fd;
    k->io.type = TIDE__IO_SOCK;
    /* Claim the fd in the loop's table now, watching nothing yet. */
    err = tide__io_start(loop, &k->io, 0);
    if (err) {
        k->flags = SOCK_CLOSED; /* the release leaves the fd to the caller */
        tide__unhold(s);
        return err;
    }
    k->flags = flags | SOCK_REF;
    tide__hold(s); /* the open fd's own hold */
    *out = k;
    return 0;
}

tide__sock_t *tide__sock_of(const tide_stream_t *s)
{
    return s && s->ops->release == sock_free ? tide__sock_from((tide_stream_t *)s) : NULL;
}

void tide__sock_ext_free(tide__sock_t *k)
{
    if (!k->ext) return;
    tide__sock_fds_free(k);
    tide__free(k->ext->tty);
    tide__free(k->ext);
    k->ext = NULL;
}

tide__sock_ext_t *tide__sock_ext(tide__sock_t *k)
{
    if (!k->ext) k->ext = tide__calloc(1, sizeof *k->ext);
    return k->ext;
}

/* ---- the public calls on any fd stream ------------------------------------- */

int tide_net_fd(const tide_stream_t *s)
{
    tide__sock_t *k = tide__sock_of(s);
    if (!k) return -EINVAL;
    return (k->flags & SOCK_CLOSED) ? -EBADF : k->io.fd;
}

uint64_t tide_net_bytes_read(const tide_stream_t *s)
{
    tide__sock_t *k = tide__sock_of(s);
    return k ? k->bytes_read : 0;
}

uint64_t tide_net_bytes_written(const tide_stream_t *s)
{
    tide__sock_t *k = tide__sock_of(s);
    return k ? k->bytes_written : 0;
}

static int sock_address(const tide_stream_t *s, struct sockaddr_storage *addr, socklen_t *len,
                        int peer)
{
    tide__sock_t *k = tide__sock_of(s);
    if (!k || !addr || !len || !(k->flags & SOCK_IS_SOCKET)) return -EINVAL;
    if (k->flags & SOCK_CLOSED) return -EBADF;
    *len = sizeof *addr;
    int r = peer ? getpeername(k->io.fd, (struct sockaddr *)addr, len)
                 : getsockname(k->io.fd, (struct sockaddr *)addr, len);
    return r < 0 ? -errno : 0;
}

int tide_net_local_address(const tide_stream_t *s, struct sockaddr_storage *addr, socklen_t *len)
{
    return sock_address(s, addr, len, 0);
}

int tide_net_peer_address(const tide_stream_t *s, struct sockaddr_storage *addr, socklen_t *len)
{
    return sock_address(s, addr, len, 1);
}

void tide_net_ref(tide_stream_t *s)
{
    tide__sock_t *k = tide__sock_of(s);
    if (!k) return;
    k->flags |= SOCK_REF;
    sock_set_active(k, k->io.pevents != 0 && !(k->flags & SOCK_CLOSED));
}

void tide_net_unref(tide_stream_t *s)
{
    tide__sock_t *k = tide__sock_of(s);
    if (!k) return;
    sock_set_active(k, 0);
    k->flags &= ~SOCK_REF;
}
