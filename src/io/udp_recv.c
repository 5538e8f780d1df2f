/* io/udp_recv.c - receiving: up to 16 datagrams per recvmmsg into the
 * loop's shared slots, each handed to the oldest waiting fiber, else to the
 * receive callback or as a 'message' event. Reading stops as soon as no one
 * takes datagrams, so the kernel keeps what nobody asked for. */
#include <string.h>

#include "io/udp_internal.h"

int tide_udp_recv_start(tide_udp_t *u, tide_udp_recv_cb cb, void *data)
{
    if (!u) return -EINVAL;
    if (tide__udp_closing(u)) return -EBADF;
    if (u->flags & U_READING) return -EALREADY;
    int err = tide__udp_recv_buffers(tide__udp_loop(u->h.loop));
    if (err) return err;
    if ((err = tide__udp_autobind(u)) != 0) return err;
    u->recv_cb = cb;
    u->recv_data = data;
    u->recv_context = u->h.loop->context;
    u->flags |= U_READING | (cb ? 0u : (unsigned)U_EVENTS);
    if ((err = tide__udp_update_watch(u)) != 0) {
        u->flags &= ~(unsigned)(U_READING | U_EVENTS);
        u->recv_cb = NULL;
        tide__udp_update_watch(u);
    }
    return err;
}

int tide_udp_recv_stop(tide_udp_t *u)
{
    if (!u) return -EINVAL;
    if (tide__udp_closing(u)) return -EBADF;
    u->flags &= ~(unsigned)(U_READING | U_EVENTS);
    u->recv_cb = NULL;
    tide__udp_update_watch(u); /* drops interest: cannot fail */
    return 0;
}

int tide_udp_set_max_message(tide_udp_t *u, size_t size)
{
    if (!u || size == 0 || size > TIDE__UDP_SLOT) return -EINVAL;
    u->max_message = size;
    return 0;
}

/* ---- delivery ------------------------------------------------------------- */

static void wake(tide_udp_t *u, tide__udp_waiter_t *w)
{
    tide__queue_remove(&w->node);
    w->done = 1;
    /* A drain follows, as after any I/O callback: the fiber resumes now. */
    TIDE__CALLBACK(u->h.loop, u->h.context, tide_promise_fulfil(w->promise, NULL));
}

static void to_waiter(tide_udp_t *u, tide__udp_waiter_t *w, const tide_udp_message_t *m)
{
    w->len = m->len < w->cap ? m->len : w->cap;
    if (w->len) memcpy(w->buf, m->data, w->len);
    w->flags = m->flags | (m->len > w->cap ? (unsigned)TIDE_UDP_TRUNCATED : 0u);
    w->fromlen = m->fromlen <= sizeof w->from ? m->fromlen : (socklen_t)sizeof w->from;
    memcpy(&w->from, m->from, w->fromlen);
    w->status = 0;
    wake(u, w);
}

static void deliver(tide_udp_t *u, int status, const tide_udp_message_t *m)
{
    if (!tide__queue_empty(&u->waiters)) {
        tide__udp_waiter_t *w = tide__container_of(tide__queue_head(&u->waiters),
                                                   tide__udp_waiter_t, node);
        if (m) {
            to_waiter(u, w, m);
        } else {
            w->status = status;
            wake(u, w);
        }
        return;
    }
    if (!(u->flags & U_READING)) return;
    tide_loop_t *loop = u->h.loop;
    if (u->recv_cb) {
        TIDE__CALLBACK(loop, u->recv_context, u->recv_cb(u, status, m, u->recv_data));
    } else if (m) {
        TIDE__CALLBACK(loop, u->recv_context,
                       tide_emit(&u->em, tide_udp_event_message(), (void *)m));
    } else {
        tide__udp_emit_error(u, status);
    }
}

/* The socket is readable: read batches until it is empty, no one takes
 * datagrams any more, or the budget is spent (the loop moves on and comes
 * back, epoll being level-triggered). */
void tide__udp_read(tide_udp_t *u)
{
    tide__udp_loop_t *st = tide__udp_loop(u->h.loop);
    if (tide__udp_recv_buffers(st)) return; /* reading never began without them */
    int budget = TIDE__UDP_READ_BUDGET;
    while (budget > 0 && tide__udp_wants_read(u) && !tide__udp_closing(u)) {
        for (unsigned i = 0; i < TIDE__UDP_BATCH; i++) {
            st->iov[i].iov_base = st->slots + (size_t)i * TIDE__UDP_SLOT;
            st->iov[i].iov_len = u->max_message;
            struct msghdr *h = &st->msgs[i].msg_hdr;
            memset(h, 0, sizeof *h);
            h->msg_name = &st->from[i];
            h->msg_namelen = sizeof st->from[i];
            h->msg_iov = &st->iov[i];
            h->msg_iovlen = 1;
        }
        int n = tide__sys.recvmmsg(u->io.fd, st->msgs, TIDE__UDP_BATCH, 0, NULL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) deliver(u, -errno, NULL);
            break;
        }
        for (int i = 0; i < n && tide__udp_wants_read(u) && !tide__udp_closing(u); i++) {
            const struct msghdr *h = &st->msgs[i].msg_hdr;
            tide_udp_message_t m = {
                .data = st->iov[i].iov_base,
                .len = st->msgs[i].msg_len,
                .from = h->msg_name,
                .fromlen = h->msg_namelen,
                .flags = (h->msg_flags & MSG_TRUNC) ? (unsigned)TIDE_UDP_TRUNCATED : 0u,
            };
            deliver(u, 0, &m);
        }
        budget -= n;
        if (n < TIDE__UDP_BATCH) break;
    }
    if (!tide__udp_closing(u)) tide__udp_update_watch(u);
}

void tide__udp_fail_waiters(tide_udp_t *u, int status)
{
    while (!tide__queue_empty(&u->waiters)) {
        tide__udp_waiter_t *w = tide__container_of(tide__queue_head(&u->waiters),
                                                   tide__udp_waiter_t, node);
        tide__queue_remove(&w->node);
        w->status = status;
        w->done = 1;
        tide_promise_fulfil(w->promise, NULL);
    }
}
