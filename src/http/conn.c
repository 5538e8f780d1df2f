/* http/conn.c - a connection's life: adopted from accept, read into the
 * loop's shared buffer, parsed, its corked responses flushed once per
 * read; paused while a response or a body reader is awaited (the unparsed
 * rest kept in a small stash); closed on error, timeout or the peer's end.
 * The record is pooled and freed once closed and no longer referenced. */
#include <netinet/tcp.h>
#include <string.h>

#include "http/http_internal.h"

int tide__http_conn_adopt(tide_http_server_t *srv, int fd)
{
    tide__http_conn_t *c = tide__pool_get(&srv->hl->conns);
    if (!c) return -ENOMEM;
    memset(c, 0, offsetof(tide__http_conn_t, parser));
    c->io.fd = fd;
    c->io.type = TIDE__IO_HTTP;
    c->tag = TIDE__HTTP_CONN;
    c->srv = srv;
    tide__queue_init(&c->tnode);
    int err = tide__http_parser_init(&c->parser, HTTP_REQUEST, &tide__http_settings, c);
    if (!err) err = tide__io_start(srv->loop, &c->io, TIDE__IN);
    if (err) {
        tide__pool_put(&srv->hl->conns, c);
        return err;
    }
    /* Node's http server sets noDelay; a Unix socketpair (tests) refuses it. */
    int one = 1;
    (void)tide__sys.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    tide__queue_insert_tail(&srv->conns, &c->node);
    srv->nconns++;
    srv->loop->active_refs++;
    /* a client that connects and sends nothing meets the headers timeout */
    c->msg_start = tide__loop_now(srv->loop);
    if (srv->tl[TL_HEADERS].timeout)
        tide__http_tlist_set(c, TL_HEADERS, c->msg_start + srv->tl[TL_HEADERS].timeout);
    return 0;
}

int tide__http_conn_idle(const tide__http_conn_t *c)
{
    return !c->cur && !(c->flags & C_IN_MESSAGE) && tide__http_out_pending(c) == 0;
}

void tide__http_conn_unref(tide__http_conn_t *c)
{
    if (--c->refs == 0 && (c->flags & C_CLOSED)) {
        if (c->ext) tide__free(c->ext->wcbs);
        tide__free(c->ext);
        c->ext = NULL;
        tide__pool_put(&c->srv->hl->conns, c);
    }
}

static void stash_free(tide__http_conn_t *c)
{
    tide__free(c->stash);
    c->stash = NULL;
    c->stash_off = c->stash_len = 0;
}

/* Keep the unparsed rest (which may already be inside the stash). */
static int stash_keep(tide__http_conn_t *c, const char *p, size_t n)
{
    if (c->stash && p >= c->stash && p <= c->stash + c->stash_off + c->stash_len) {
        c->stash_off = (uint32_t)(p - c->stash);
        c->stash_len = (uint32_t)n;
        return 0;
    }
    char *s = tide__malloc(n ? n : 1);
    if (!s) return -ENOMEM;
    memcpy(s, p, n);
    tide__free(c->stash);
    c->stash = s;
    c->stash_off = 0;
    c->stash_len = (uint32_t)n;
    return 0;
}

void tide__http_conn_watch(tide__http_conn_t *c)
{
    if (c->flags & C_CLOSED) return;
    unsigned ev = 0;
    if (!(c->flags & (C_PAUSED | C_CLOSE_AFTER | C_EOF))) ev |= TIDE__IN;
    else if (!(c->flags & C_EOF)) ev |= TIDE__RDHUP; /* notice a client that goes */
    if (tide__http_out_pending(c)) ev |= TIDE__OUT;
    if (ev != c->io.pevents) (void)tide__io_start(c->srv->loop, &c->io, ev);
}

/* Put the connection in the deadline list its state calls for. */
static void settle_timeouts(tide__http_conn_t *c)
{
    tide_http_server_t *srv = c->srv;
    if (c->flags & C_CLOSED) return;
    if (c->flags & C_IN_MESSAGE) {
        int which = (c->flags & C_HEADERS_DONE) ? TL_REQUEST : TL_HEADERS;
        uint64_t t = srv->tl[which].timeout;
        /* a request timeout shorter than the headers timeout rules both */
        if (which == TL_HEADERS && srv->tl[TL_REQUEST].timeout &&
            (!t || srv->tl[TL_REQUEST].timeout < t)) {
            which = TL_REQUEST;
            t = srv->tl[TL_REQUEST].timeout;
        }
        if (!t) tide__http_tlist_leave(c);
        else if (c->tlist != which) tide__http_tlist_set(c, which, c->msg_start + t);
    } else if (!c->cur && c->nreqs) {
        uint64_t t = srv->tl[TL_KEEPALIVE].timeout;
        if (t) tide__http_tlist_set(c, TL_KEEPALIVE, tide__loop_now(srv->loop) + t);
        else tide__http_tlist_leave(c);
    } else if (c->cur) {
        tide__http_tlist_leave(c); /* a handler is at work: no deadline, as in Node */
    }
}

/* Parse bytes with responses corked, then flush them with one write. */
static void process(tide__http_conn_t *c, const char *data, size_t len)
{
    c->refs++;
    c->flags |= C_IN_PROCESS;
    int r = tide__http_conn_parse(c, data, len);
    c->flags &= ~C_IN_PROCESS;
    if (r == 0 && !(c->flags & C_CLOSED)) {
        tide__http_flush(c);
        if (!(c->flags & C_CLOSED)) {
            if (!tide__http_out_pending(c)) tide__http_writable(c);
            settle_timeouts(c);
            tide__http_conn_watch(c);
        }
    }
    tide__http_conn_unref(c);
}

/* Feed the stash once nothing is awaited any more. */
static void conn_continue(tide_loop_t *loop, void *data)
{
    tide__http_conn_t *c = data;
    c->flags &= ~C_RESUME_QUEUED;
    if (!(c->flags & C_CLOSED) && !(c->flags & (C_WAIT_RES | C_WAIT_BODY | C_WAIT_OUT))) {
        int paused = (c->flags & C_PAUSED) != 0;
        c->flags &= ~C_PAUSED;
        /* A parser paused on the last byte it had (a body's last chunk
         * filled the reader's buffer) has nothing stashed, yet must run
         * again: the message completes only then. */
        if (c->stash || paused) {
            /* the stash may be replaced while parsing: hold it */
            char *s = c->stash;
            size_t off = c->stash_off, n = c->stash_len;
            c->stash = NULL;
            c->stash_off = c->stash_len = 0;
            c->refs++;
            c->flags |= C_IN_PROCESS;
            int r = tide__http_conn_parse(c, s ? s + off : "", n);
            c->flags &= ~C_IN_PROCESS;
            /* a pause inside kept its rest in a new stash (copied) */
            tide__free(s);
            if (r == 0 && !(c->flags & C_CLOSED)) tide__http_flush(c);
            tide__http_conn_unref(c);
        }
        if (!(c->flags & C_CLOSED) && (c->flags & C_EOF) && tide__http_conn_idle(c))
            tide__http_conn_close(c);
    }
    if (!(c->flags & C_CLOSED)) {
        if (!tide__http_out_pending(c)) tide__http_writable(c);
        settle_timeouts(c);
        tide__http_conn_watch(c);
    }
    tide__http_conn_unref(c);
}

void tide__http_conn_resume_soon(tide__http_conn_t *c)
{
    if (c->flags & (C_RESUME_QUEUED | C_CLOSED)) return;
    if (tide_next_tick(c->srv->loop, conn_continue, c) < 0) return;
    c->flags |= C_RESUME_QUEUED;
    c->refs++;
}

int tide__http_conn_stash(tide__http_conn_t *c, const char *p, size_t n)
{
    c->flags |= C_PAUSED;
    if (n == 0) {
        if (c->stash) stash_free(c);
        return 0;
    }
    return stash_keep(c, p, n);
}

/* Read what the peer sent, without leaving bytes behind (closing with
 * unread input would reset the connection and lose the error response). */
static void drain_input(tide__http_conn_t *c)
{
    tide__net_t *net = tide__net(c->srv->loop);
    void *buf = tide__net_buf_get(net);
    if (!buf) return;
    for (int i = 0; i < 16; i++)
        if (tide__sys.read(c->io.fd, buf, TIDE__READ_BUF_SIZE) <= 0) break;
    tide__net_buf_put(buf, net);
}

void tide__http_conn_fail(tide__http_conn_t *c, int code, int status)
{
    if (c->flags & C_CLOSED) return;
    tide_http_server_t *srv = c->srv;
    int sent = 0;
    /* Node answers only when no response of its own is on the wire */
    if (status && !(c->cur && (c->cur->res.flags & RES_HEADERS_SENT))) {
        char line[128];
        size_t n = tide__http_put_status(line, status);
        memcpy(line + n, "Connection: close\r\n\r\n", 21);
        n += 21;
        c->flags &= ~C_CLOSE_AFTER;
        if (tide__http_out_append(c, line, n) == 0) {
            tide__http_flush(c); /* best effort: a full kernel buffer drops it */
            if (!(c->flags & C_CLOSED) && !tide__http_out_pending(c)) sent = status;
        }
    } else if (tide__http_out_pending(c)) {
        c->flags &= ~C_CLOSE_AFTER;
        tide__http_flush(c); /* what was answered before still goes out */
    }
    if (!(c->flags & C_CLOSED)) {
        drain_input(c);
        tide__http_conn_close(c);
    }
    if (srv->opts.on_client_error && code)
        srv->opts.on_client_error(srv, code, sent, srv->opts.hook_data);
}

void tide__http_conn_close(tide__http_conn_t *c)
{
    if (c->flags & C_CLOSED) return;
    tide_http_server_t *srv = c->srv;
    c->flags |= C_CLOSED;
    c->refs++;
    tide__http_tlist_leave(c);
    if (c->io.fd >= 0) {
        tide__io_stop(srv->loop, &c->io);
        if (!(c->flags & C_UPGRADED)) tide__net_close_fd(c->io.fd);
    }
    if (c->ext && c->ext->file_fd >= 0) {
        tide__net_close_fd(c->ext->file_fd);
        c->ext->file_fd = -1;
    }
    stash_free(c);
    tide__queue_remove(&c->node);
    tide__queue_init(&c->node);
    srv->loop->active_refs--;
    tide__http_wcbs_run(c);
    tide__http_out_release(c);
    if (c->cur) tide__http_res_conn_closed(c->cur);
    tide__http_server_conn_gone(srv);
    tide__http_conn_unref(c);
}

/* The peer's end: Node aborts a request in flight; otherwise the
 * connection goes once its output is out. */
static void on_eof(tide__http_conn_t *c)
{
    c->flags |= C_EOF;
    if (c->cur && !(c->cur->res.flags & RES_DONE)) {
        tide__http_conn_close(c);
    } else if (c->flags & C_IN_MESSAGE) {
        if (tide__http_parser_finish(&c->parser) != HPE_OK)
            tide__http_conn_fail(c, TIDE_ERR_HTTP_PARSE, 400);
        else
            tide__http_conn_close(c);
    } else if (tide__http_out_pending(c)) {
        c->flags |= C_CLOSE_AFTER;
        tide__http_conn_watch(c);
    } else {
        tide__http_conn_close(c);
    }
}

/* The connection cannot go on reading (a socket error, or no memory for
 * a read buffer: retrying would spin on a level-triggered fd): it closes,
 * and the client-error hook hears the code unless a response was under
 * way (its handler hears 'close'). */
static void read_failed(tide__http_conn_t *c, int code)
{
    if (c->cur && !(c->cur->res.flags & RES_DONE)) tide__http_conn_close(c);
    else tide__http_conn_fail(c, code, 0);
}

static void do_read(tide__http_conn_t *c)
{
    tide__net_t *net = tide__net(c->srv->loop);
    char *buf = tide__net_buf_get(net);
    if (TIDE__UNLIKELY(!buf)) {
        read_failed(c, -ENOMEM);
        return;
    }
    ssize_t n;
    do n = tide__sys.read(c->io.fd, buf, TIDE__READ_BUF_SIZE);
    while (n < 0 && errno == EINTR);
    if (n > 0) process(c, buf, (size_t)n);
    else if (n == 0) on_eof(c);
    else if (errno != EAGAIN && errno != EWOULDBLOCK) read_failed(c, -errno);
    tide__net_buf_put(buf, net);
}

void tide__http_conn_ready(tide__http_conn_t *c, unsigned events)
{
    c->refs++;
    if (events & TIDE__OUT) {
        tide__http_flush(c);
        if (!(c->flags & C_CLOSED) && !tide__http_out_pending(c)) tide__http_writable(c);
    }
    if (!(c->flags & C_CLOSED)) {
        if (c->io.pevents & TIDE__IN) {
            if (events & (TIDE__IN | TIDE__HUP | TIDE__ERR | TIDE__RDHUP)) do_read(c);
        } else if (events & (TIDE__HUP | TIDE__ERR | TIDE__RDHUP)) {
            on_eof(c); /* waiting, not reading: the client went away */
        }
    }
    if (!(c->flags & C_CLOSED)) tide__http_conn_watch(c);
    tide__http_conn_unref(c);
}
