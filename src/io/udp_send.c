/* io/udp_send.c - sending: a datagram goes out at once when the send queue
 * is empty, waits in the queue (in order) when the socket buffer is full,
 * and queued datagrams leave many per sendmmsg call once it drains. Every
 * callback runs from the loop: the pending phase for a datagram sent at
 * once, the writable event for queued ones. */
#include <string.h>

#include "io/udp_internal.h"

/* req->status while the request waits in the send queue. */
#define QUEUED 1

static int retry_later(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS; }

static void run_done_pending(tide_loop_t *loop, tide__pending_t *p)
{
    tide_udp_t *u = tide__container_of(p, tide_udp_t, done_pending);
    u->done_queued = 0;
    tide__udp_run_done(u);
}

static void complete(tide_udp_t *u, tide__udp_send_t *req, int status)
{
    req->status = status;
    tide__queue_insert_tail(&u->send_done, &req->node);
    if (!u->done_queued && !tide__udp_closing(u)) {
        u->done_pending.fn = run_done_pending;
        tide__pending_push(u->h.loop, &u->done_pending);
        u->done_queued = 1;
    }
}

static void dequeue(tide_udp_t *u, tide__udp_send_t *req)
{
    tide__queue_remove(&req->node);
    u->send_queue_count--;
    u->send_queue_size -= req->len;
}

static void fill_msg(struct msghdr *m, tide__udp_send_t *req)
{
    memset(m, 0, sizeof *m);
    m->msg_name = req->addrlen ? &req->addr : NULL;
    m->msg_namelen = req->addrlen;
    m->msg_iov = req->iov;
    m->msg_iovlen = (size_t)req->iovcnt;
}

/* The first try: 0 sent, QUEUED when the buffer is full, or an error. */
static int send_now(tide_udp_t *u, tide__udp_send_t *req)
{
    struct msghdr m;
    fill_msg(&m, req);
    for (;;) {
        if (tide__sys.sendmsg(u->io.fd, &m, 0) >= 0) return 0;
        if (errno == EINTR) continue;
        return retry_later(errno) ? QUEUED : -errno;
    }
}

/* A datagram sent (or refused) at once gets its callback from the tick
 * queue after as many turns as Node's: two when it was addressed (Node
 * looks the address up on one tick and calls back on the next), one on a
 * connected socket. */
static void send_tick(tide_loop_t *loop, void *data)
{
    tide__udp_send_t *req = data;
    if (--req->hops > 0 && tide_next_tick(loop, send_tick, req) == 0) return;
    tide_udp_t *u = req->u;
    tide_udp_send_cb cb = req->cb;
    void *cb_data = req->data;
    int status = req->status;
    tide__pool_put(&tide__udp_loop(loop)->sends, req);
    loop->active_reqs--;
    /* Ticks run before any close phase, so u is still there. */
    if (cb) cb(u, status, cb_data);
    else if (status < 0) tide__udp_emit_error(u, status);
}

static void complete_soon(tide_udp_t *u, tide__udp_send_t *req, int status)
{
    if (status == 0 && !req->cb) { /* nothing to tell anyone: done now */
        tide__pool_put(&tide__udp_loop(u->h.loop)->sends, req);
        u->h.loop->active_reqs--;
        return;
    }
    req->status = status;
    req->hops = req->addrlen ? 2 : 1;
    if (tide_next_tick(u->h.loop, send_tick, req) != 0) complete(u, req, status);
}

int tide__udp_send_req(tide_udp_t *u, const struct iovec *iov, int iovcnt,
                       const struct sockaddr *addr, tide_udp_send_cb cb, void *data,
                       tide__udp_send_t **out)
{
    if (!u || iovcnt < 1 || iovcnt > TIDE_UDP_MAX_IOV || !iov) return -EINVAL;
    if (tide__udp_closing(u)) return -EBADF;
    size_t len = 0;
    for (int i = 0; i < iovcnt; i++) {
        if (!iov[i].iov_base && iov[i].iov_len) return -EINVAL;
        len += iov[i].iov_len;
    }
    socklen_t addrlen = 0;
    if (addr) {
        if (u->flags & U_CONNECTED) return -EISCONN;
        if (addr->sa_family == AF_INET) addrlen = sizeof(struct sockaddr_in);
        else if (addr->sa_family == AF_INET6) addrlen = sizeof(struct sockaddr_in6);
        else return -EAFNOSUPPORT;
    } else if (!(u->flags & U_CONNECTED)) {
        return -EDESTADDRREQ;
    }
    tide_loop_t *loop = u->h.loop;
    tide__udp_loop_t *st = tide__udp_loop(loop); /* exists: u came from it */
    tide__udp_send_t *req = tide__pool_get(&st->sends);
    if (!req) return -ENOMEM;
    req->cb = cb;
    req->data = data;
    req->context = loop->context;
    req->addrlen = addrlen;
    if (addr) memcpy(&req->addr, addr, addrlen);
    req->iovcnt = iovcnt;
    memcpy(req->iov, iov, sizeof *iov * (size_t)iovcnt);
    req->len = len;
    req->u = u;
    tide__queue_init(&req->node);
    loop->active_reqs++;
    if (out) *out = req;

    int status = tide__queue_empty(&u->send_queue) ? send_now(u, req) : QUEUED;
    if (status == QUEUED) {
        req->status = QUEUED;
        tide__queue_insert_tail(&u->send_queue, &req->node);
        u->send_queue_count++;
        u->send_queue_size += len;
        int err = tide__udp_update_watch(u);
        if (!err) return 0;
        /* Cannot wait for writability: the datagram fails, in order. */
        dequeue(u, req);
        status = err;
    }
    complete_soon(u, req, status);
    return 0;
}

int tide_udp_sendv(tide_udp_t *u, const struct iovec *iov, int iovcnt,
                   const struct sockaddr *addr, tide_udp_send_cb cb, void *data)
{
    return tide__udp_send_req(u, iov, iovcnt, addr, cb, data, NULL);
}

int tide_udp_send(tide_udp_t *u, const void *buf, size_t len, const struct sockaddr *addr,
                  tide_udp_send_cb cb, void *data)
{
    struct iovec iov = {(void *)buf, len};
    return tide__udp_send_req(u, &iov, 1, addr, cb, data, NULL);
}

size_t tide_udp_send_queue_count(const tide_udp_t *u) { return u ? u->send_queue_count : 0; }
size_t tide_udp_send_queue_size(const tide_udp_t *u) { return u ? u->send_queue_size : 0; }

/* The socket is writable: send the queue in batches until it is empty or
 * the buffer is full again. A failing datagram fails alone; the kernel
 * reports it as the first of the next call. */
void tide__udp_flush(tide_udp_t *u)
{
    tide__udp_loop_t *st = tide__udp_loop(u->h.loop);
    while (!tide__queue_empty(&u->send_queue)) {
        tide__udp_send_t *batch[TIDE__UDP_BATCH];
        unsigned k = 0;
        for (tide__queue_t *q = tide__queue_head(&u->send_queue);
             q != &u->send_queue && k < TIDE__UDP_BATCH; q = q->next) {
            batch[k] = tide__container_of(q, tide__udp_send_t, node);
            fill_msg(&st->out[k].msg_hdr, batch[k]);
            st->out[k].msg_len = 0;
            k++;
        }
        int n = tide__sys.sendmmsg(u->io.fd, st->out, k, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (retry_later(errno)) break;
            n = -errno;
            dequeue(u, batch[0]);
            complete(u, batch[0], n);
            continue;
        }
        for (int i = 0; i < n; i++) {
            dequeue(u, batch[i]);
            complete(u, batch[i], 0);
        }
    }
    tide__udp_update_watch(u); /* only ever drops interest here: cannot fail */
    tide__udp_run_done(u);
}

/* Run the callbacks of the requests done so far. Ones that complete while
 * these run wait for the next pending phase, so a callback that sends
 * again cannot keep this loop going. */
void tide__udp_run_done(tide_udp_t *u)
{
    if (tide__queue_empty(&u->send_done)) return;
    tide_loop_t *loop = u->h.loop;
    tide__udp_loop_t *st = tide__udp_loop(loop);
    tide__queue_t batch;
    tide__queue_move(&u->send_done, &batch);
    if (u->done_queued) {
        tide__pending_cancel(loop, &u->done_pending);
        u->done_queued = 0;
    }
    while (!tide__queue_empty(&batch)) {
        tide__udp_send_t *req = tide__container_of(tide__queue_head(&batch), tide__udp_send_t, node);
        tide__queue_remove(&req->node);
        tide_udp_send_cb cb = req->cb;
        void *data = req->data, *context = req->context;
        int status = req->status;
        tide__pool_put(&st->sends, req);
        loop->active_reqs--;
        if (cb)
            TIDE__CALLBACK(loop, context, cb(u, status, data));
        else if (status < 0 && status != -ECANCELED)
            tide__udp_emit_error(u, status);
    }
    /* Completions added meanwhile were left for the pending phase. */
    if (!tide__queue_empty(&u->send_done) && !u->done_queued && !tide__udp_closing(u)) {
        u->done_pending.fn = run_done_pending;
        tide__pending_push(loop, &u->done_pending);
        u->done_queued = 1;
    }
}

/* Closing: every queued datagram fails with -ECANCELED, after the ones
 * already done, and all callbacks run in the close phase (udp_finish). */
void tide__udp_cancel_sends(tide_udp_t *u)
{
    while (!tide__queue_empty(&u->send_queue)) {
        tide__udp_send_t *req =
            tide__container_of(tide__queue_head(&u->send_queue), tide__udp_send_t, node);
        dequeue(u, req);
        complete(u, req, -ECANCELED);
    }
    if (u->done_queued) {
        tide__pending_cancel(u->h.loop, &u->done_pending);
        u->done_queued = 0;
    }
}

int tide__udp_send_withdraw(tide_udp_t *u, tide__udp_send_t *req)
{
    if (req->status != QUEUED) return 0;
    dequeue(u, req);
    complete(u, req, -ECANCELED);
    tide__udp_update_watch(u);
    return 1;
}
