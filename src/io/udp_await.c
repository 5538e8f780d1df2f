/* io/udp_await.c - the awaiting forms for async functions: receive one
 * datagram into the caller's buffer, and send one and wait until it left.
 * Both release what they hold when aborted, so the caller's buffers are
 * free the moment the call returns. */
#include <string.h>

#include "io/udp_internal.h"

int tide_udp_recv_await(tide_udp_t *u, void *buf, size_t cap, size_t *len,
                        struct sockaddr_storage *from, socklen_t *fromlen, unsigned *flags,
                        const tide_await_opts_t *opts)
{
    if (len) *len = 0;
    if (flags) *flags = 0;
    if (!u || (!buf && cap)) return -EINVAL;
    if (!tide_in_async()) return -EPERM;
    if (tide__udp_closing(u)) return -EBADF;
    int rc = tide__udp_recv_buffers(tide__udp_loop(u->h.loop));
    if (!rc) rc = tide__udp_autobind(u);
    if (rc) return rc;
    tide__udp_waiter_t w;
    memset(&w, 0, sizeof w);
    w.buf = buf;
    w.cap = cap;
    if ((rc = tide_promise_new(u->h.loop, &w.promise)) != 0) return rc;
    tide__queue_insert_tail(&u->waiters, &w.node);
    if ((rc = tide__udp_update_watch(u)) != 0) {
        tide__queue_remove(&w.node);
        tide__udp_update_watch(u);
        tide_promise_release(w.promise);
        return rc;
    }
    rc = tide_await_opts(w.promise, opts, NULL, NULL);
    tide_promise_release(w.promise);
    if (!w.done) {
        /* Aborted or past the deadline: no datagram was taken. The socket
         * is still open (closing would have answered the waiter). */
        tide__queue_remove(&w.node);
        tide__udp_update_watch(u);
        return rc;
    }
    if (w.status) return w.status;
    if (len) *len = w.len;
    if (flags) *flags = w.flags;
    if (from) memcpy(from, &w.from, w.fromlen);
    if (fromlen) *fromlen = w.fromlen;
    return 0;
}

static void sent(tide_udp_t *u, int status, void *data)
{
    tide_promise_t *p = data;
    tide_promise_fulfil(p, (void *)(intptr_t)status);
    tide_promise_release(p);
}

int tide_udp_send_await(tide_udp_t *u, const void *buf, size_t len, const struct sockaddr *addr,
                        const tide_await_opts_t *opts)
{
    if (!u) return -EINVAL;
    if (!tide_in_async()) return -EPERM;
    tide_promise_t *p;
    int rc = tide_promise_new(u->h.loop, &p);
    if (rc) return rc;
    tide__udp_send_t *req;
    struct iovec iov = {(void *)buf, len};
    /* The request holds a reference until its callback runs. */
    rc = tide__udp_send_req(u, &iov, 1, addr, sent, tide_promise_ref(p), &req);
    if (rc) {
        tide_promise_release(p);
        tide_promise_release(p);
        return rc;
    }
    void *value = NULL;
    rc = tide_await_opts(p, opts, &value, NULL);
    if (rc == 0) {
        rc = (int)(intptr_t)value;
    } else if (tide_promise_state_of(p) == TIDE_PROMISE_PENDING) {
        /* Aborted before the callback: a datagram still queued must not
         * read buf after we return. One that already left is done. */
        tide__udp_send_withdraw(u, req);
    }
    tide_promise_release(p);
    return rc;
}
