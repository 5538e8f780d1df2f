/* http/response.c - a response's body and end: bytes copied into the
 * connection's output (chunk-framed when the length is unknown), the
 * write's high-water mark and drain, end and send, send_file; and the end
 * of an exchange, which lets the next pipelined request be parsed. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "http/http_internal.h"
#include "http/token.h"

void tide__http_exchange_finish(tide_http_req_t *req)
{
    tide__http_conn_t *c = req->conn;
    if (req->res.finish_fn) {
        tide_http_res_fn fn = req->res.finish_fn;
        req->res.finish_fn = NULL;
        fn(&req->res, req->res.finish_data);
    }
    if (c->cur == req) c->cur = NULL;
    c->flags &= ~C_DISCARD;
    tide__http_body_detach(req);
    tide__http_res_stream_detach(&req->res);
    tide__http_req_free(req);
    tide__http_conn_unref(c);
}

void tide__http_exchange_check(tide_http_req_t *req)
{
    tide_http_res_t *res = &req->res;
    tide__http_conn_t *c = req->conn;
    if (!(res->flags & RES_DONE)) return;
    if (res->flags & RES_CLOSE) c->flags |= C_CLOSE_AFTER;
    if ((c->flags & C_CLOSED) || c->cur != req) {
        if (!(res->flags & RES_CLOSE_PENDING)) tide__http_exchange_finish(req);
        return;
    }
    if (req->flags & Q_COMPLETE) {
        /* the parser waits after this message: the next may go */
        tide__http_exchange_finish(req);
        if (c->flags & C_WAIT_RES) {
            c->flags &= ~C_WAIT_RES;
            tide__http_conn_resume_soon(c);
        }
        return;
    }
    /* the request's body is still coming: read it and drop it */
    c->flags |= C_DISCARD;
    tide__http_body_abort(req, 0);
    if (c->flags & C_WAIT_BODY) {
        c->flags &= ~C_WAIT_BODY;
        tide__http_conn_resume_soon(c);
    }
}

static void close_tick(tide_loop_t *loop, void *data)
{
    tide_http_req_t *req = data;
    tide_http_res_t *res = &req->res;
    /* still pending during the call: an end inside it leaves the freeing here */
    if (!(res->flags & RES_ENDED) && res->close_fn) res->close_fn(res, res->close_data);
    res->flags &= ~RES_CLOSE_PENDING;
    if (res->flags & RES_ENDED) tide__http_exchange_finish(req);
}

void tide__http_res_conn_closed(tide_http_req_t *req)
{
    tide_http_res_t *res = &req->res;
    tide__http_conn_t *c = req->conn;
    c->cur = NULL;
    tide__http_body_abort(req, -ECONNRESET);
    if (res->stream) tide_stream_destroy(res->stream, tide_error_new(-EPIPE, NULL));
    if (res->flags & RES_ENDED) {
        tide__http_exchange_finish(req);
        return;
    }
    if (res->close_fn && !(res->flags & RES_CLOSE_NOTIFIED)) {
        res->flags |= RES_CLOSE_NOTIFIED;
        if (tide_next_tick(c->srv->loop, close_tick, req) == 0) res->flags |= RES_CLOSE_PENDING;
    }
}

void tide__http_res_drained(tide_http_res_t *res)
{
    res->flags &= ~RES_NEED_DRAIN;
    if (res->drain_fn) res->drain_fn(res, res->drain_data);
}

int tide_http_res_on_drain(tide_http_res_t *res, tide_http_res_fn fn, void *data)
{
    if (!res) return -EINVAL;
    res->drain_fn = fn;
    res->drain_data = data;
    return 0;
}

int tide_http_res_on_close(tide_http_res_t *res, tide_http_res_fn fn, void *data)
{
    if (!res) return -EINVAL;
    res->close_fn = fn;
    res->close_data = data;
    return 0;
}

int tide_http_res_on_finish(tide_http_res_t *res, tide_http_res_fn fn, void *data)
{
    if (!res) return -EINVAL;
    res->finish_fn = fn;
    res->finish_data = data;
    return 0;
}

tide_http_req_t *tide_http_res_req(const tide_http_res_t *res)
{
    return res ? tide__http_req_of(res) : NULL;
}

/* Body bytes, framed as the head said. */
static int put_body(tide_http_res_t *res, tide__http_conn_t *c, const void *buf, size_t len)
{
    if (!len || (res->flags & RES_NO_BODY)) return 0;
    if (!(res->flags & RES_CHUNKED)) return tide__http_out_append(c, buf, len);
    char *p = tide__http_out_reserve(c, len + 24);
    if (!p) return -ENOMEM;
    int n = snprintf(p, 20, "%zx\r\n", len);
    memcpy(p + n, buf, len);
    memcpy(p + n + len, "\r\n", 2);
    tide__http_out_commit(c, (size_t)n + len + 2);
    return 0;
}

int tide__http_res_write(tide_http_res_t *res, const void *buf, size_t len, tide_stream_cb cb,
                         void *data, tide_stream_t *stream)
{
    if (!res || (!buf && len)) return -EINVAL;
    tide__http_conn_t *c = tide__http_req_of(res)->conn;
    if (res->flags & RES_ENDED) return -EINVAL;
    if (c->flags & C_CLOSED) {
        if ((cb || stream) && tide__http_wcb_push(c, cb, data, stream) == 0) {
            tide__http_conn_ext_t *x = c->ext;
            x->wcbs[(x->wcb_tail - 1) & (x->wcb_cap - 1)].mark = UINT64_MAX;
            tide__http_wcbs_run(c);
        }
        return -EPIPE;
    }
    int err = 0;
    if (!(res->flags & RES_HEADERS_SENT)) err = tide__http_res_head(res, 0, 0);
    if (!err) err = put_body(res, c, buf, len);
    if (!err && (cb || stream)) err = tide__http_wcb_push(c, cb, data, stream);
    if (err) return err;
    c->refs++;
    tide__http_flush_soon(c);
    int ok = (c->flags & C_CLOSED) || tide__http_out_pending(c) < c->srv->hwm;
    tide__http_conn_unref(c);
    if (ok) return 1;
    res->flags |= RES_NEED_DRAIN;
    return 0;
}

int tide_http_res_write(tide_http_res_t *res, const void *buf, size_t len, tide_stream_cb cb,
                        void *data)
{
    return tide__http_res_write(res, buf, len, cb, data, NULL);
}

int tide_http_res_write_copy(tide_http_res_t *res, const void *buf, size_t len)
{
    return tide__http_res_write(res, buf, len, NULL, NULL, NULL);
}

/* The user is done: the exchange may finish now or once its request has
 * been read (or its file sent). */
static int finish_end(tide_http_res_t *res, tide__http_conn_t *c)
{
    tide_http_req_t *req = tide__http_req_of(res);
    c->refs++;
    tide__http_exchange_check(req);
    tide__http_flush_soon(c);
    tide__http_conn_unref(c);
    return 0;
}

static int end_closed(tide_http_res_t *res)
{
    res->flags |= RES_ENDED | RES_DONE;
    tide_http_req_t *req = tide__http_req_of(res);
    if (!(res->flags & RES_CLOSE_PENDING)) tide__http_exchange_finish(req);
    return -EPIPE;
}

int tide_http_res_end(tide_http_res_t *res, const void *buf, size_t len)
{
    if (!res || (!buf && len)) return -EINVAL;
    if (res->flags & RES_ENDED) return -EINVAL;
    tide__http_conn_t *c = tide__http_req_of(res)->conn;
    if (c->flags & C_CLOSED) return end_closed(res);
    int err = 0;
    if (!(res->flags & RES_HEADERS_SENT)) {
        err = tide__http_res_head(res, len, 1);
        if (!err && len && !(res->flags & RES_NO_BODY)) err = tide__http_out_append(c, buf, len);
    } else if (res->flags & RES_CHUNKED) {
        err = put_body(res, c, buf, len);
        if (!err && !(res->flags & RES_NO_BODY)) err = tide__http_out_append(c, "0\r\n\r\n", 5);
    } else {
        err = put_body(res, c, buf, len);
    }
    if (err) {
        /* out of memory half-way: the response cannot be finished */
        tide__http_conn_close(c);
        end_closed(res);
        return err;
    }
    res->flags |= RES_ENDED | RES_DONE;
    return finish_end(res, c);
}

int tide_http_res_send(tide_http_res_t *res, int status, const char *content_type,
                       const void *body, size_t len)
{
    if (!res || (!body && len)) return -EINVAL;
    if (res->flags & RES_HEADERS_SENT) return TIDE_ERR_HTTP_HEADERS_SENT;
    if (status) {
        int err = tide_http_res_status(res, status);
        if (err) return err;
    }
    if (content_type) {
        if (!tide__http_is_field_value(content_type)) return TIDE_ERR_HTTP_INVALID_HEADER_VALUE;
        res->ctype = content_type;
    }
    int err = tide_http_res_end(res, body, len);
    return err;
}

int tide_http_res_send_file(tide_http_res_t *res, int fd, uint64_t offset, uint64_t len)
{
    if (!res || fd < 0) return -EINVAL;
    if (res->flags & RES_ENDED) return -EINVAL;
    tide__http_conn_t *c = tide__http_req_of(res)->conn;
    if (c->flags & C_CLOSED) return end_closed(res);
    if (res->flags & RES_HEADERS_SENT) {
        if (res->flags & RES_CHUNKED) return TIDE_ERR_HTTP_HEADERS_SENT;
    } else {
        int err = tide__http_res_head(res, len, 1);
        if (err) return err;
    }
    if (!len || (res->flags & RES_NO_BODY)) return tide_http_res_end(res, NULL, 0);
    int dup = fcntl(fd, F_DUPFD_CLOEXEC, 0); /* the caller may close fd at once */
    if (dup < 0) {
        int err = -errno;
        tide__http_conn_close(c);
        end_closed(res);
        return err;
    }
    tide__http_conn_ext_t *x = tide__http_conn_ext(c);
    if (!x) {
        tide__net_close_fd(dup);
        tide__http_conn_close(c);
        end_closed(res);
        return -ENOMEM;
    }
    x->file_fd = dup;
    x->file_off = offset;
    x->file_left = len;
    res->flags |= RES_ENDED | RES_FILE;
    if (res->flags & RES_CLOSE) c->flags |= C_CLOSE_AFTER;
    c->refs++;
    tide__http_flush_soon(c);
    tide__http_conn_unref(c);
    return 0;
}
