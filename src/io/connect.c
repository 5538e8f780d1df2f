/* io/connect.c - connecting a stream socket (TCP or Unix): the non-blocking
 * connect, its timeout and abort signal, and the three ways to learn the
 * outcome (callback, promise, awaiting call in a fiber). */
#include <string.h>

#include "async/abort_watch.h"
#include "io/net_internal.h"

typedef struct tide__connect {
    tide__pending_t pending; /* reports an error connect() gave at once */
    tide__sock_t *k;
    tide_connect_cb cb;
    void *data;
    tide_promise_t *promise;
    tide_id_t timer;
    tide__abort_watch_t abort;
    int status; /* an immediate failure, reported from the pending phase */
} tide__connect_t;

_Static_assert(sizeof(tide__connect_t) <= TIDE__RECORD_SIZE, "connect record outgrew its pool");

static void release_stream(void *v) { tide_stream_release(v); }

/* Detach the record from everything that could still report into it. */
static void connect_detach(tide__connect_t *c)
{
    tide_loop_t *loop = tide__sloop(c->k->stream);
    if (c->timer) tide_clear_timeout(loop, c->timer);
    tide__abort_unwatch(&c->abort);
    if (c->status) tide__pending_cancel(loop, &c->pending);
    c->k->ext->connect = NULL;
    c->k->flags &= ~SOCK_CONNECTING;
    loop->active_reqs--;
}

/* Tell whoever asked, then let the record go. */
static void connect_report(tide__connect_t *c, int status)
{
    tide_stream_t *s = c->k->stream;
    tide_loop_t *loop = tide__sloop(s);
    if (c->cb) c->cb(s, status, c->data);
    if (c->promise) {
        if (status == 0)
            tide_promise_fulfil_owned(c->promise, tide_stream_ref(s), release_stream);
        else
            tide_promise_reject(c->promise, tide_error_new(status, "connect failed: %s",
                                                           tide_strerror(status)));
        tide_promise_release(c->promise);
    }
    tide__record_put(loop, c);
}

static void connect_finish(tide__connect_t *c, int status)
{
    tide__sock_t *k = c->k;
    tide_stream_t *s = k->stream;
    tide__hold(s);
    connect_detach(c);
    tide__sock_connected(k, status);
    if (status) {
        /* An 'error' nobody listens for would be uncaught: the status
         * already tells the program, so only a listener gets the error. */
        tide_error_t *err = NULL;
        if (tide_listener_count(&s->em, TIDE_EVENT_ERROR) > 0)
            err = tide_error_new(status, "connect failed: %s", tide_strerror(status));
        tide_stream_destroy(s, err);
    }
    connect_report(c, status);
    tide__unhold(s);
}

void tide__connect_ready(tide__sock_t *k)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(k->io.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err == EINPROGRESS || err == EINTR) return; /* not yet */
    connect_finish(k->ext->connect, -err);
}

/* The stream was destroyed while connecting. */
void tide__connect_cancel(tide__sock_t *k, int status)
{
    tide__connect_t *c = k->ext->connect;
    connect_detach(c);
    connect_report(c, status ? status : -ECANCELED);
}

static void on_timeout(tide_loop_t *loop, void *data)
{
    tide__connect_t *c = data;
    c->timer = 0;
    connect_finish(c, -ETIMEDOUT);
}

static void on_abort(tide_abort_signal_t *signal, tide_error_t *reason, void *data)
{
    tide__connect_t *c = data;
    connect_finish(c, reason && reason->code < 0 ? reason->code : -ECANCELED);
}

static void on_failed_at_once(tide_loop_t *loop, tide__pending_t *p)
{
    tide__connect_t *c = tide__container_of(p, tide__connect_t, pending);
    int status = c->status;
    c->status = 0; /* no longer queued */
    connect_finish(c, status);
}

int tide__connect(tide_loop_t *loop, const struct sockaddr *sa, socklen_t salen,
                  const tide_connect_opts_t *opts, tide_connect_cb cb, void *data,
                  tide_promise_t *promise, tide_stream_t **out)
{
    static const tide_connect_opts_t none;
    if (!opts) opts = &none;
    if (opts->signal && tide_abort_signal_aborted(opts->signal)) {
        tide_error_t *r = tide_abort_signal_reason(opts->signal);
        return r && r->code < 0 ? r->code : -ECANCELED;
    }
    int fd = tide__sys.socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    uint32_t flags = SOCK_IS_SOCKET | SOCK_CONNECTING;
    if (sa->sa_family == AF_UNIX) flags |= SOCK_UNIX;
    if (opts->flags & TIDE_NET_PASS_FDS) flags |= SOCK_PASS_FDS;
    unsigned sflags = (opts->flags & TIDE_NET_ALLOW_HALF_OPEN) ? 0 : TIDE_STREAM_NO_HALF_OPEN;
    tide__sock_t *k;
    int err = tide__sock_new(loop, fd, flags, sflags, opts->hwm, &k);
    if (err) {
        tide__net_close_fd(fd);
        return err;
    }
    tide__connect_t *c = NULL;
    err = tide__sock_ext(k) ? 0 : -ENOMEM;
    if (!err) err = (c = tide__record_get(loop)) ? 0 : -ENOMEM;
    if (!err && sa->sa_family != AF_UNIX) err = tide__tcp_options(fd, opts->flags, opts->keepalive_delay_ms);
    if (!err && opts->timeout_ms) {
        c->timer = tide_set_timeout(loop, on_timeout, c, opts->timeout_ms);
        if (c->timer <= 0) err = -ENOMEM;
    }
    if (!err) err = tide__abort_watch(&c->abort, opts->signal, on_abort, c);
    if (err) {
        if (c && c->timer) tide_clear_timeout(loop, c->timer);
        if (c) tide__record_put(loop, c);
        k->flags &= ~SOCK_CONNECTING;
        tide_stream_destroy(k->stream, NULL); /* closes fd */
        tide_stream_release(k->stream);
        return err;
    }
    c->k = k;
    c->cb = cb;
    c->data = data;
    c->promise = promise ? tide_promise_ref(promise) : NULL;
    k->ext->connect = c;
    loop->active_reqs++;
    /* EINTR: the connect goes on in the background, as EINPROGRESS. */
    int r = tide__sys.connect(fd, sa, salen);
    if (r < 0 && errno != EINPROGRESS && errno != EINTR) {
        /* Reported from the loop, never from inside this call. */
        c->status = -errno;
        c->pending.fn = on_failed_at_once;
        tide__pending_push(loop, &c->pending);
    } else {
        /* Connected or in progress: writability says which and how. */
        tide__sock_update(k);
    }
    *out = k->stream;
    return 0;
}

/* The promise and awaiting forms share this. */
int tide__connect_promise(tide_loop_t *loop, const struct sockaddr *sa, socklen_t salen,
                          const tide_connect_opts_t *opts, tide_promise_t **out)
{
    tide_promise_t *p;
    int err = tide_promise_new(loop, &p);
    if (err) return err;
    tide_stream_t *s;
    err = tide__connect(loop, sa, salen, opts, NULL, NULL, p, &s);
    if (err) {
        tide_promise_release(p);
        return err;
    }
    tide_stream_release(s); /* the promise hands out its own reference */
    *out = p;
    return 0;
}

int tide__connect_await(tide_loop_t *loop, const struct sockaddr *sa, socklen_t salen,
                        const tide_connect_opts_t *opts, tide_stream_t **out)
{
    if (!tide_in_async()) return -EPERM;
    tide_promise_t *p;
    int err = tide__connect_promise(loop, sa, salen, opts, &p);
    if (err) return err;
    void *v;
    err = tide_await(p, &v, NULL);
    if (!err) *out = tide_stream_ref(v);
    tide_promise_release(p);
    return err;
}
