/* io/server.c - listening sockets (TCP and Unix): accepting in batches per
 * readiness, handing connections to a callback or to fibers waiting in
 * tide_server_accept_await, surviving EMFILE, and closing. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "io/net_internal.h"

/* Connections taken per readiness before other fds get their turn. */
#define ACCEPT_BATCH 128

typedef struct {
    tide__queue_t node;
    tide_promise_t *promise;
} accept_waiter_t;

static void release_stream(void *v) { tide_stream_release(v); }

static void server_set_active(tide_server_t *srv, int on)
{
    on = on && !(srv->flags & SERVER_UNREF);
    if (on && !(srv->flags & SERVER_ACTIVE)) {
        srv->flags |= SERVER_ACTIVE;
        srv->loop->active_refs++;
    } else if (!on && (srv->flags & SERVER_ACTIVE)) {
        srv->flags &= ~SERVER_ACTIVE;
        srv->loop->active_refs--;
    }
}

/* Watch the listening fd while someone takes connections: the callback,
 * or a waiting fiber; not while paused after EMFILE. */
static void server_update(tide_server_t *srv)
{
    if (srv->flags & SERVER_CLOSED) return;
    int take = !srv->retry && (srv->cb || !tide__queue_empty(&srv->waiters));
    (void)tide__io_start(srv->loop, &srv->io, take ? TIDE__IN : 0);
}

void tide__net_keep_spare(tide_loop_t *loop)
{
    tide__net_t *net = tide__net(loop);
    if (net->spare_fd < 0) net->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* Give the spare fd up for a moment to take each pending connection and
 * close it at once (the client sees its connection reset instead of
 * hanging in the backlog), then keep the spare again. */
int tide__net_shed_backlog(tide_loop_t *loop, int listen_fd, uint64_t *shed)
{
    tide__net_t *net = tide__net(loop);
    if (net->spare_fd < 0) return 0;
    int drained = 0;
    tide__net_close_fd(net->spare_fd);
    net->spare_fd = -1;
    for (int i = 0; i < ACCEPT_BATCH * 8; i++) {
        int fd = tide__sys.accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            /* EAGAIN: the backlog is empty. Still EMFILE/ENFILE (the
             * system's table, or another thread took the slot): pause. */
            drained = errno == EAGAIN || errno == EWOULDBLOCK;
            break;
        }
        tide__net_close_fd(fd);
        (*shed)++;
    }
    tide__net_keep_spare(loop);
    return drained && net->spare_fd >= 0;
}

static void resume_accepting(tide_loop_t *loop, void *data)
{
    tide_server_t *srv = data;
    srv->retry = 0;
    tide__net_keep_spare(loop);
    server_update(srv);
}

/* The fd table is full: shed the backlog, or stop watching for a while. */
static void server_emfile(tide_server_t *srv)
{
    if (tide__net_shed_backlog(srv->loop, srv->io.fd, &srv->emfile)) return;
    srv->retry = tide_set_timeout(srv->loop, resume_accepting, srv, TIDE__EMFILE_PAUSE_MS);
    if (srv->retry > 0) tide_timeout_unref(srv->loop, srv->retry); /* the server keeps the loop */
    else srv->retry = 0;
    server_update(srv);
}

static void server_deliver(tide_server_t *srv, tide_stream_t *conn)
{
    srv->accepted++;
    if (srv->cb) {
        srv->cb(srv, conn, srv->data);
        tide_stream_release(conn); /* the open fd holds it from now on */
    } else {
        tide__queue_t *q = tide__queue_head(&srv->waiters);
        tide__queue_remove(q);
        tide__queue_init(q);
        accept_waiter_t *w = tide__container_of(q, accept_waiter_t, node);
        tide_promise_fulfil_owned(w->promise, conn, release_stream);
    }
    tide__maybe_drain(srv->loop); /* each connection is a callback of its own */
}

void tide__server_ready(tide_server_t *srv, unsigned events)
{
    uint32_t kind = SOCK_IS_SOCKET;
    if (srv->family == AF_UNIX) kind |= SOCK_UNIX;
    if (srv->flags & TIDE_NET_PASS_FDS) kind |= SOCK_PASS_FDS;
    unsigned sflags = (srv->flags & TIDE_NET_ALLOW_HALF_OPEN) ? 0 : TIDE_STREAM_NO_HALF_OPEN;
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        if ((srv->flags & SERVER_CLOSED) || (!srv->cb && tide__queue_empty(&srv->waiters))) break;
        int fd = tide__sys.accept4(srv->io.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            if (e == EINTR || e == ECONNABORTED || e == EPROTO) continue;
            if (e == EMFILE || e == ENFILE) server_emfile(srv);
            /* EAGAIN: the backlog is empty. Others (ENOBUFS, ENOMEM) pass:
             * the next readiness tries again. */
            break;
        }
        tide__sock_t *k;
        int err = srv->family == AF_UNIX ? 0 : tide__tcp_options(fd, srv->flags, srv->keepalive);
        if (!err) err = tide__sock_new(srv->loop, fd, kind, sflags, srv->hwm, &k);
        if (err) {
            tide__net_close_fd(fd); /* no memory for it: the client sees a reset */
            continue;
        }
        server_deliver(srv, k->stream);
    }
    server_update(srv);
}

int tide__server_listen(tide_loop_t *loop, int fd, int family, const tide_listen_opts_t *opts,
                        tide_connection_cb cb, void *data, tide_server_t **out)
{
    static const tide_listen_opts_t none;
    if (!opts) opts = &none;
    tide__net_t *net = tide__net(loop);
    if (!net) return -ENOMEM;
    if (tide__sys.listen(fd, opts->backlog > 0 ? opts->backlog : 511) < 0) return -errno;
    tide_server_t *srv = tide__calloc(1, sizeof *srv);
    if (!srv) return -ENOMEM;
    srv->io.fd = fd;
    srv->io.type = TIDE__IO_SERVER;
    srv->loop = loop;
    srv->context = loop->context;
    srv->cb = cb;
    srv->data = data;
    srv->flags = opts->flags & 0xffffu;
    srv->hwm = opts->hwm;
    srv->keepalive = opts->keepalive_delay_ms;
    srv->family = family;
    tide__queue_init(&srv->waiters);
    if (cb) {
        int err = tide__io_start(loop, &srv->io, TIDE__IN);
        if (err) {
            tide__free(srv);
            return err;
        }
    }
    tide__net_keep_spare(loop);
    tide__queue_insert_tail(&net->servers, &srv->node);
    server_set_active(srv, 1);
    *out = srv;
    return 0;
}

/* ---- closing ---------------------------------------------------------------- */

static void server_shut(tide_server_t *srv)
{
    tide__io_stop(srv->loop, &srv->io);
    tide__net_close_fd(srv->io.fd);
    if (srv->path && srv->path[0] != '@') (void)unlink(srv->path);
    if (srv->retry) tide_clear_timeout(srv->loop, srv->retry);
    srv->retry = 0;
    server_set_active(srv, 0);
    tide__queue_remove(&srv->node);
}

static void server_free(tide_server_t *srv)
{
    tide__free(srv->path);
    tide__free(srv);
}

static void server_closed(tide_loop_t *loop, tide__pending_t *p)
{
    tide_server_t *srv = tide__container_of(p, tide_server_t, closing);
    loop->active_reqs--;
    if (srv->close_cb) srv->close_cb(srv, srv->close_data);
    server_free(srv);
}

int tide_server_close(tide_server_t *srv, tide_server_close_cb cb, void *data)
{
    if (!srv) return -EINVAL;
    if (srv->flags & SERVER_CLOSED) return -EALREADY;
    srv->flags |= SERVER_CLOSED;
    server_shut(srv);
    /* Fibers waiting for a connection learn that none will come. */
    while (!tide__queue_empty(&srv->waiters)) {
        tide__queue_t *q = tide__queue_head(&srv->waiters);
        tide__queue_remove(q);
        tide__queue_init(q);
        accept_waiter_t *w = tide__container_of(q, accept_waiter_t, node);
        tide_promise_reject(w->promise, tide_error_new(-EBADF, "the server was closed"));
    }
    srv->close_cb = cb;
    srv->close_data = data;
    srv->loop->active_reqs++;
    srv->closing.fn = server_closed;
    tide__pending_push(srv->loop, &srv->closing);
    return 0;
}

void tide__servers_destroy(tide__net_t *net)
{
    while (!tide__queue_empty(&net->servers)) {
        tide_server_t *srv =
            tide__container_of(tide__queue_head(&net->servers), tide_server_t, node);
        server_shut(srv);
        server_free(srv);
    }
}

/* ---- the rest of the public calls -------------------------------------------- */

int tide_server_accept_await(tide_server_t *srv, tide_stream_t **out,
                             const tide_await_opts_t *opts)
{
    if (!srv || !out) return -EINVAL;
    if (!tide_in_async()) return -EPERM;
    if (srv->flags & SERVER_CLOSED) return -EBADF;
    accept_waiter_t w;
    int err = tide_promise_new(srv->loop, &w.promise);
    if (err) return err;
    tide__queue_insert_tail(&srv->waiters, &w.node);
    server_update(srv);
    void *v;
    err = tide_await_opts(w.promise, opts, &v, NULL);
    if (!tide__queue_empty(&w.node)) {
        /* aborted or timed out while waiting: no longer a taker */
        tide__queue_remove(&w.node);
        server_update(srv);
    }
    if (!err) *out = tide_stream_ref(v);
    tide_promise_release(w.promise);
    return err ? err : 1;
}

int tide_server_address(const tide_server_t *srv, struct sockaddr_storage *addr, socklen_t *len)
{
    if (!srv || !addr || !len) return -EINVAL;
    if (srv->flags & SERVER_CLOSED) return -EBADF;
    *len = sizeof *addr;
    return getsockname(srv->io.fd, (struct sockaddr *)addr, len) < 0 ? -errno : 0;
}

int tide_server_port(const tide_server_t *srv)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int err = tide_server_address(srv, &ss, &len);
    if (err) return err;
    if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -EINVAL;
}

void tide_server_ref(tide_server_t *srv)
{
    if (!srv) return;
    srv->flags &= ~SERVER_UNREF;
    server_set_active(srv, !(srv->flags & SERVER_CLOSED));
}

void tide_server_unref(tide_server_t *srv)
{
    if (!srv) return;
    server_set_active(srv, 0);
    srv->flags |= SERVER_UNREF;
}

uint64_t tide_server_accepted(const tide_server_t *srv) { return srv ? srv->accepted : 0; }
uint64_t tide_server_dropped(const tide_server_t *srv) { return srv ? srv->emfile : 0; }
