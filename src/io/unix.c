/* io/unix.c - Unix domain stream sockets: paths and abstract names,
 * listening and connecting, and passing fds with SCM_RIGHTS (queued with
 * the chunk they go with, received into a per-stream queue). */
#include <fcntl.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "io/net_internal.h"
#include "tide/unix.h"

/* Received fds that may wait untaken before the stream fails. */
#define MAX_PENDING_FDS 1024
#define MAX_SEND_FDS 253 /* the kernel's SCM_MAX_FD */

static int unix_addr(const char *path, struct sockaddr_un *sun, socklen_t *len)
{
    if (!path || !*path) return -EINVAL;
    size_t n = strlen(path);
    if (n >= sizeof sun->sun_path) return -ENAMETOOLONG;
    memset(sun, 0, sizeof *sun);
    sun->sun_family = AF_UNIX;
    memcpy(sun->sun_path, path, n);
    if (path[0] == '@') {
        sun->sun_path[0] = '\0'; /* the abstract namespace: no NUL at the end */
        *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    } else {
        *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
    }
    return 0;
}

int tide_unix_listen(tide_loop_t *loop, const char *path, const tide_listen_opts_t *opts,
                     tide_connection_cb cb, void *data, tide_server_t **out)
{
    if (!loop || !out) return -EINVAL;
    struct sockaddr_un sun;
    socklen_t len;
    int err = unix_addr(path, &sun, &len);
    if (err) return err;
    char *copy = tide__malloc(strlen(path) + 1);
    if (!copy) return -ENOMEM;
    strcpy(copy, path);
    int fd = tide__sys.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) err = -errno;
    int bound = 0;
    if (!err) {
        if (tide__sys.bind(fd, (struct sockaddr *)&sun, len) < 0) err = -errno;
        else bound = 1;
    }
    if (!err) err = tide__server_listen(loop, fd, AF_UNIX, opts, cb, data, out);
    if (err) {
        if (bound && path[0] != '@') (void)unlink(path);
        if (fd >= 0) tide__net_close_fd(fd);
        tide__free(copy);
        return err;
    }
    (*out)->path = copy;
    return 0;
}

int tide_unix_connect(tide_loop_t *loop, const char *path, const tide_connect_opts_t *opts,
                      tide_connect_cb cb, void *data, tide_stream_t **out)
{
    if (!loop || !out) return -EINVAL;
    struct sockaddr_un sun;
    socklen_t len;
    int err = unix_addr(path, &sun, &len);
    if (err) return err;
    return tide__connect(loop, (struct sockaddr *)&sun, len, opts, cb, data, NULL, out);
}

int tide_unix_connect_await(tide_loop_t *loop, const char *path, const tide_connect_opts_t *opts,
                            tide_stream_t **out)
{
    if (!loop || !out) return -EINVAL;
    struct sockaddr_un sun;
    socklen_t len;
    int err = unix_addr(path, &sun, &len);
    if (err) return err;
    return tide__connect_await(loop, (struct sockaddr *)&sun, len, opts, out);
}

/* ---- sending fds ------------------------------------------------------------ */

static void fdmsg_free(tide__fdmsg_t *m)
{
    for (int i = 0; i < m->nfds; i++) tide__net_close_fd(m->fds[i]);
    tide_chunk_release(m->chunk);
    tide__free(m);
}

int tide_unix_write_fds(tide_stream_t *s, const void *buf, size_t len, const int *fds, int nfds,
                        tide_stream_cb cb, void *data)
{
    tide__sock_t *k = tide__sock_of(s);
    if (!k || !(k->flags & SOCK_UNIX) || !buf || !len || !fds || nfds < 1 ||
        nfds > MAX_SEND_FDS)
        return -EINVAL;
    if (!tide_stream_writable(s)) return -EPIPE;
    if (!tide__sock_ext(k)) return -ENOMEM;
    tide__fdmsg_t *m = tide__malloc(sizeof *m + sizeof(int) * (size_t)nfds);
    if (!m) return -ENOMEM;
    m->next = NULL;
    m->nfds = 0;
    int err = tide_chunk_copy(tide__sloop(s), buf, len, &m->chunk);
    if (err) {
        tide__free(m);
        return err;
    }
    for (; m->nfds < nfds; m->nfds++) {
        int d = fcntl(fds[m->nfds], F_DUPFD_CLOEXEC, 0);
        if (d < 0) {
            err = -errno;
            fdmsg_free(m);
            return err;
        }
        m->fds[m->nfds] = d;
    }
    /* Queued first: the write may reach the fd before write_chunk returns.
     * The chunk's address names it in the write path; the message's own
     * reference keeps that address from being reused meanwhile. */
    tide__sock_ext_t *x = k->ext;
    tide__fdmsg_t *prev = x->sendq_tail;
    if (prev) prev->next = m;
    else x->sendq = m;
    x->sendq_tail = m;
    int rc = tide_stream_write_chunk(s, m->chunk, cb, data);
    if (rc < 0 && x->sendq_tail == m) {
        /* refused before anything was written: take it back */
        if (prev) prev->next = NULL;
        else x->sendq = NULL;
        x->sendq_tail = prev;
        fdmsg_free(m);
    }
    return rc;
}

/* ---- receiving fds ------------------------------------------------------------ */

static int rfds_push(tide__sock_ext_t *x, int fd)
{
    if (x->nrfds == x->rfds_cap) {
        if (x->rfds_cap >= MAX_PENDING_FDS) return -ENOBUFS;
        uint32_t cap = x->rfds_cap ? x->rfds_cap * 2 : 8;
        int *r = tide__malloc(sizeof *r * cap);
        if (!r) return -ENOMEM;
        for (uint32_t i = 0; i < x->nrfds; i++) r[i] = x->rfds[(x->rfds_head + i) % x->rfds_cap];
        tide__free(x->rfds);
        x->rfds = r;
        x->rfds_cap = cap;
        x->rfds_head = 0;
    }
    x->rfds[(x->rfds_head + x->nrfds) % x->rfds_cap] = fd;
    x->nrfds++;
    return 0;
}

int tide__sock_recv_fds(tide__sock_t *k, struct msghdr *msg)
{
    int err = (msg->msg_flags & MSG_CTRUNC) ? -EMSGSIZE : 0;
    tide__sock_ext_t *x = tide__sock_ext(k);
    if (!x && !err) err = -ENOMEM;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < n; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            /* Once the stream is failing, the rest are closed, not kept. */
            if (!err) err = rfds_push(x, fd);
            if (err) tide__net_close_fd(fd);
        }
    }
    return err;
}

void tide__fdmsg_sent(tide__sock_t *k)
{
    tide__fdmsg_t *m = k->ext->sendq;
    k->ext->sendq = m->next;
    if (!m->next) k->ext->sendq_tail = NULL;
    fdmsg_free(m);
}

void tide__sock_fds_free(tide__sock_t *k)
{
    tide__sock_ext_t *x = k->ext;
    if (!x) return;
    for (uint32_t i = 0; i < x->nrfds; i++)
        tide__net_close_fd(x->rfds[(x->rfds_head + i) % x->rfds_cap]);
    tide__free(x->rfds);
    x->rfds = NULL;
    x->nrfds = x->rfds_cap = x->rfds_head = 0;
    while (x->sendq) {
        tide__fdmsg_t *m = x->sendq;
        x->sendq = m->next;
        fdmsg_free(m);
    }
    x->sendq_tail = NULL;
}

int tide_unix_take_fd(tide_stream_t *s)
{
    tide__sock_t *k = tide__sock_of(s);
    if (!k || !(k->flags & SOCK_UNIX)) return -EINVAL;
    tide__sock_ext_t *x = k->ext;
    if (!x || !x->nrfds) return -EAGAIN;
    int fd = x->rfds[x->rfds_head];
    x->rfds_head = (x->rfds_head + 1) % x->rfds_cap;
    x->nrfds--;
    return fd;
}

int tide_unix_pending_fds(const tide_stream_t *s)
{
    tide__sock_t *k = tide__sock_of(s);
    if (!k || !(k->flags & SOCK_UNIX)) return -EINVAL;
    return k->ext ? (int)k->ext->nrfds : 0;
}
