/* io/net.c - the per-loop net state: the pools fd streams and servers come
 * from, the shared read buffers, the dispatch of their fd events, and what
 * the loop's close gives back (open fds, TTY modes, buffers still lent). */
#include <fcntl.h>
#include <unistd.h>

#include "io/net_internal.h"

static void net_dispatch(tide_loop_t *loop, tide__io_t *io, unsigned events)
{
    if (io->type == TIDE__IO_SERVER) {
        tide_server_t *srv = tide__container_of(io, tide_server_t, io);
        TIDE__CALLBACK(loop, srv->context, tide__server_ready(srv, events));
    } else {
        tide__sock_t *k = tide__container_of(io, tide__sock_t, io);
        TIDE__CALLBACK(loop, k->stream->data, tide__sock_ready(k, events));
    }
}

static void net_free_if_done(tide__net_t *net)
{
    if (net->closing && net->bufs_out == 0) tide__free(net);
}

/* The loop closes: close what is still open and restore TTY modes. The
 * streams themselves go with the stream slot; buffers still viewed by
 * chunks are freed as those chunks go, and the state with the last. */
/* A stream still in use at the loop's close: if it is a socket, close its
 * fd and detach it from the stream. */
static void sock_detach(tide_stream_t *s, void *arg)
{
    tide_loop_t *loop = arg;
    tide__sock_t *k = tide__sock_of(s);
    if (!k) return;
    if (!(k->flags & SOCK_CLOSED)) {
        tide__io_stop(loop, &k->io);
        tide__sock_let_go_fd(k);
        k->flags |= SOCK_CLOSED;
    }
    tide__sock_ext_free(k); /* the stream's release then finds nothing left */
}

static void net_destroy(tide_loop_t *loop, void *state)
{
    tide__net_t *net = state;
    tide__ttys_destroy(net);
    tide__servers_destroy(net);
    tide__streams_each(loop, sock_detach, loop);
    while (net->free_bufs) {
        void *b = net->free_bufs;
        net->free_bufs = *(void **)b;
        tide__free(b);
    }
    if (net->spare_fd >= 0) tide__net_close_fd(net->spare_fd);
    tide__pool_destroy(&net->socks);
    loop->slots[TIDE__SLOT_NET].state = NULL;
    net->closing = 1;
    net_free_if_done(net);
}

tide__net_t *tide__net(tide_loop_t *loop)
{
    tide__net_t *net = loop->slots[TIDE__SLOT_NET].state;
    if (TIDE__LIKELY(net != NULL)) return net;
    net = tide__calloc(1, sizeof *net);
    if (!net) return NULL;
    net->loop = loop;
    net->spare_fd = -1;
    tide__pool_init(&net->socks, sizeof(tide__sock_t));
    tide__queue_init(&net->servers);
    tide__queue_init(&net->ttys);
    loop->io_dispatch[TIDE__IO_SOCK] = net_dispatch;
    loop->io_dispatch[TIDE__IO_SERVER] = net_dispatch;
    loop->slots[TIDE__SLOT_NET].state = net;
    loop->slots[TIDE__SLOT_NET].destroy = net_destroy;
    return net;
}

/* ---- read buffers --------------------------------------------------------- */

void *tide__net_buf_get(tide__net_t *net)
{
    void *b = net->free_bufs;
    if (TIDE__LIKELY(b != NULL)) {
        net->free_bufs = *(void **)b;
        net->nfree_bufs--;
    } else {
        b = tide__malloc(TIDE__READ_BUF_SIZE);
        if (!b) return NULL;
    }
    net->bufs_out++;
    return b;
}

void tide__net_buf_put(void *base, void *data)
{
    tide__net_t *net = data;
    net->bufs_out--;
    if (net->closing || net->nfree_bufs >= TIDE__READ_BUF_SPARE) {
        tide__free(base);
        net_free_if_done(net);
        return;
    }
    *(void **)base = net->free_bufs;
    net->free_bufs = base;
    net->nfree_bufs++;
}

void tide__sock_let_go_fd(tide__sock_t *k)
{
    if (!(k->flags & SOCK_NO_CLOSE)) {
        tide__net_close_fd(k->io.fd);
        return;
    }
    /* stdin/stdout may be shared with a shell: hand it back as it came. */
    int fl = fcntl(k->io.fd, F_GETFL);
    if ((k->flags & SOCK_WAS_BLOCKING) && fl >= 0) (void)fcntl(k->io.fd, F_SETFL, fl & ~O_NONBLOCK);
}

void tide__net_close_fd(int fd)
{
    int saved = errno;
    (void)tide__sys.close(fd);
    errno = saved;
}
