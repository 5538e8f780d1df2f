/* http/server.c - the HTTP server's listening side: the per-loop state
 * (pools, output blocks, the fd dispatch), listen with Node's defaults,
 * accepting in batches from its own listening fd, graceful close and the
 * counters. Connections themselves live in conn*.c. */
#include <arpa/inet.h>
#include <string.h>

#include "http/http_internal.h"

/* Connections taken per readiness before other fds get their turn. */
#define ACCEPT_BATCH 64

static void resume_accepting(tide_loop_t *loop, void *data)
{
    tide_http_server_t *srv = data;
    srv->retry = 0;
    tide__net_keep_spare(loop);
    if (!(srv->flags & SRV_CLOSED_FD)) (void)tide__io_start(loop, &srv->io, TIDE__IN);
}

/* Out of fds: shed the backlog (clients see a reset, not a hang), or
 * stop watching the listening fd for a while so the loop does not spin
 * on it; connections already open are served either way. */
static void server_emfile(tide_http_server_t *srv)
{
    if (tide__net_shed_backlog(srv->loop, srv->io.fd, &srv->dropped)) return;
    srv->retry = tide_set_timeout(srv->loop, resume_accepting, srv, TIDE__EMFILE_PAUSE_MS);
    if (srv->retry <= 0) {
        srv->retry = 0;
        return; /* no timer: the next readiness tries again */
    }
    tide_timeout_unref(srv->loop, srv->retry); /* the server keeps the loop */
    tide__io_stop(srv->loop, &srv->io);
}

static void http_dispatch(tide_loop_t *loop, tide__io_t *io, unsigned events)
{
    uint32_t tag = *(uint32_t *)(io + 1);
    if (tag == TIDE__HTTP_CONN) {
        tide__http_conn_t *c = (tide__http_conn_t *)io;
        TIDE__CALLBACK(loop, NULL, tide__http_conn_ready(c, events));
    } else {
        tide_http_server_t *srv = (tide_http_server_t *)io;
        for (int i = 0; i < ACCEPT_BATCH && !(srv->flags & SRV_CLOSING); i++) {
            int fd = tide__sys.accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
                if (errno == EMFILE || errno == ENFILE) server_emfile(srv);
                /* EAGAIN: the backlog is empty. Others (ENOBUFS, ENOMEM)
                 * pass: the next readiness tries again. */
                break;
            }
            if (tide__http_conn_adopt(srv, fd) < 0) tide__net_close_fd(fd);
        }
        tide__maybe_drain(loop);
    }
}

static void server_free(tide_http_server_t *srv)
{
    tide__http_sweep_stop(srv);
    if (srv->sweep && !(srv->flags & SRV_DESTROYING)) tide_close((tide_handle_t *)srv->sweep, NULL);
    tide__queue_remove(&srv->node);
    tide__free(srv);
}

static void close_listener(tide_http_server_t *srv)
{
    if (srv->flags & SRV_CLOSED_FD) return;
    srv->flags |= SRV_CLOSED_FD;
    if (srv->retry) tide_clear_timeout(srv->loop, srv->retry);
    srv->retry = 0;
    tide__io_stop(srv->loop, &srv->io);
    tide__net_close_fd(srv->io.fd);
    srv->loop->active_refs--;
}

/* The loop closes: whatever is still open goes without callbacks. */
static void http_loop_destroy(tide_loop_t *loop, void *state)
{
    tide__http_loop_t *hl = state;
    while (!tide__queue_empty(&hl->servers)) {
        tide_http_server_t *srv =
            tide__container_of(tide__queue_head(&hl->servers), tide_http_server_t, node);
        close_listener(srv);
        srv->flags |= SRV_CLOSING | SRV_DESTROYING;
        while (!tide__queue_empty(&srv->conns)) {
            tide__http_conn_t *c =
                tide__container_of(tide__queue_head(&srv->conns), tide__http_conn_t, node);
            tide__http_conn_close(c);
            tide__queue_remove(&c->node); /* a held record stays in the pool */
            tide__queue_init(&c->node);
        }
        server_free(srv);
    }
    while (hl->free_out) {
        void *b = hl->free_out;
        hl->free_out = *(void **)b;
        tide__free(b);
    }
    tide__pool_destroy(&hl->conns);
    tide__pool_destroy(&hl->exchanges);
    loop->slots[TIDE__SLOT_HTTP].state = NULL;
    tide__free(hl);
}

tide__http_loop_t *tide__http_loop(tide_loop_t *loop)
{
    tide__http_loop_t *hl = loop->slots[TIDE__SLOT_HTTP].state;
    if (TIDE__LIKELY(hl != NULL)) return hl;
    if (!tide__net(loop)) return NULL; /* the shared read buffers */
    hl = tide__calloc(1, sizeof *hl);
    if (!hl) return NULL;
    hl->loop = loop;
    tide__pool_init(&hl->conns, sizeof(tide__http_conn_t));
    tide__pool_init(&hl->exchanges, sizeof(tide_http_req_t));
    tide__queue_init(&hl->servers);
    loop->io_dispatch[TIDE__IO_HTTP] = http_dispatch;
    loop->slots[TIDE__SLOT_HTTP].state = hl;
    loop->slots[TIDE__SLOT_HTTP].destroy = http_loop_destroy;
    return hl;
}

static uint64_t ms_to_ns(uint64_t ms, uint64_t def_ms)
{
    if (ms == 0) ms = def_ms;
    if (ms == TIDE_HTTP_NO_TIMEOUT) return 0;
    return ms * TIDE__NS_PER_MS;
}

static int set_int(int fd, int level, int name, int value)
{
    return tide__sys.setsockopt(fd, level, name, &value, sizeof value) < 0 ? -errno : 0;
}

static int open_listener(const struct sockaddr *sa, socklen_t len, const tide_listen_opts_t *lo,
                         int *out)
{
    int fd = tide__sys.socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int err = set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    if (!err && (lo->flags & TIDE_NET_REUSEPORT)) err = set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
    if (!err && sa->sa_family == AF_INET6)
        err = set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, (lo->flags & TIDE_NET_IPV6_ONLY) ? 1 : 0);
    if (!err && tide__sys.bind(fd, sa, len) < 0) err = -errno;
    if (!err && tide__sys.listen(fd, lo->backlog > 0 ? lo->backlog : 511) < 0) err = -errno;
    if (err) {
        tide__net_close_fd(fd);
        return err;
    }
    *out = fd;
    return 0;
}

static int bind_any(const char *host, int port, const tide_listen_opts_t *lo, int *fd)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int err = tide_net_addr(host ? host : "::", port, &ss, &len);
    if (!err) err = open_listener((struct sockaddr *)&ss, len, lo, fd);
    if ((err == -EAFNOSUPPORT || err == -EADDRNOTAVAIL) && !host) {
        tide_net_addr("0.0.0.0", port, &ss, &len);
        err = open_listener((struct sockaddr *)&ss, len, lo, fd);
    }
    return err;
}

static void fill_defaults(tide_http_server_t *srv, const tide_http_server_opts_t *opts)
{
    if (opts) srv->opts = *opts;
    tide_http_server_opts_t *o = &srv->opts;
    if (!o->max_header_size) o->max_header_size = 16384;
    if (!o->max_headers) o->max_headers = 100;
    if (!o->max_url_size) o->max_url_size = 8192;
    srv->hwm = o->listen.hwm ? o->listen.hwm : 16384;
    srv->tl[TL_HEADERS].timeout = ms_to_ns(o->headers_timeout_ms, 60000);
    srv->tl[TL_REQUEST].timeout = ms_to_ns(o->request_timeout_ms, 300000);
    srv->tl[TL_KEEPALIVE].timeout = ms_to_ns(o->keepalive_timeout_ms, 5000);
    for (int i = 0; i < 4; i++) tide__queue_init(&srv->tl[i].head);
}

int tide_http_listen(tide_loop_t *loop, const char *host, int port,
                     const tide_http_server_opts_t *opts, tide_http_handler_fn handler, void *data,
                     tide_http_server_t **out)
{
    if (!loop || !handler || !out || port < 0 || port > 65535) return -EINVAL;
    tide__http_loop_t *hl = tide__http_loop(loop);
    if (!hl) return -ENOMEM;
    tide_http_server_t *srv = tide__calloc(1, sizeof *srv);
    if (!srv) return -ENOMEM;
    fill_defaults(srv, opts);
    int fd;
    int err = bind_any(host, port, &srv->opts.listen, &fd);
    if (err) {
        tide__free(srv);
        return err;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (tide__sys.getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        srv->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                   : ((struct sockaddr_in *)&ss)->sin_port);
    srv->io.fd = fd;
    srv->io.type = TIDE__IO_HTTP;
    srv->tag = TIDE__HTTP_LISTENER;
    srv->loop = loop;
    srv->hl = hl;
    srv->handler = handler;
    srv->data = data;
    tide__queue_init(&srv->conns);
    err = tide__io_start(loop, &srv->io, TIDE__IN);
    if (err) {
        tide__net_close_fd(fd);
        tide__free(srv);
        return err;
    }
    loop->active_refs++;
    tide__net_keep_spare(loop); /* for shedding the backlog on EMFILE */
    tide__queue_insert_tail(&hl->servers, &srv->node);
    *out = srv;
    return 0;
}

int tide_http_server_port(const tide_http_server_t *server) { return server ? server->port : -EINVAL; }
tide_loop_t *tide_http_server_loop(const tide_http_server_t *server)
{
    return server ? server->loop : NULL;
}
size_t tide_http_server_connections(const tide_http_server_t *server)
{
    return server ? server->nconns : 0;
}
uint64_t tide_http_server_requests(const tide_http_server_t *server)
{
    return server ? server->nrequests : 0;
}
uint64_t tide_http_server_dropped(const tide_http_server_t *server)
{
    return server ? server->dropped : 0;
}

static void run_close_cb(tide_loop_t *loop, void *data)
{
    tide_http_server_t *srv = data;
    srv->loop->active_refs--; /* held while the callback was due */
    if (srv->close_cb) srv->close_cb(srv, srv->close_data);
    server_free(srv);
}

/* The last connection of a closing server is gone: its callback on a
 * tick of its own (never inside the call that closed it), then the
 * server is freed. */
static void maybe_finish_close(tide_http_server_t *srv)
{
    if (!(srv->flags & SRV_CLOSING) || srv->nconns) return;
    if (srv->flags & (SRV_CLOSE_QUEUED | SRV_DESTROYING)) return;
    srv->flags |= SRV_CLOSE_QUEUED;
    srv->loop->active_refs++;
    if (tide_next_tick(srv->loop, run_close_cb, srv) < 0) {
        srv->loop->active_refs--;
        server_free(srv);
    }
}

void tide__http_server_conn_gone(tide_http_server_t *srv)
{
    srv->nconns--;
    maybe_finish_close(srv);
}

int tide_http_server_close(tide_http_server_t *srv, tide_http_server_close_cb cb, void *data)
{
    if (!srv) return -EINVAL;
    if (srv->flags & SRV_CLOSING) return -EALREADY;
    srv->flags |= SRV_CLOSING;
    srv->close_cb = cb;
    srv->close_data = data;
    close_listener(srv);
    tide__queue_t *q = srv->conns.next;
    while (q != &srv->conns) {
        tide__http_conn_t *c = tide__container_of(q, tide__http_conn_t, node);
        q = q->next;
        if (tide__http_conn_idle(c)) tide__http_conn_close(c);
    }
    maybe_finish_close(srv);
    return 0;
}

void tide_http_server_close_all(tide_http_server_t *srv)
{
    if (!srv) return;
    tide__queue_t *q = srv->conns.next;
    while (q != &srv->conns) {
        tide__http_conn_t *c = tide__container_of(q, tide__http_conn_t, node);
        q = q->next;
        tide__http_conn_close(c);
    }
}
