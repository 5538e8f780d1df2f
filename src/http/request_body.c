/* http/request_body.c - the request body as a readable stream, made only
 * when a handler asks for it. Bytes are pushed as the parser finds them;
 * when the stream's buffer is full the parser pauses and the socket is no
 * longer read until the stream asks for more (_read). The first read
 * sends "100 Continue" to a client that expects it. */
#include "http/http_internal.h"

static void body_read(tide_stream_t *s, size_t size, void *data)
{
    tide_http_req_t *req = data;
    if (!req) return;
    tide__http_conn_t *c = req->conn;
    if (c->flags & C_WAIT_BODY) {
        c->flags &= ~C_WAIT_BODY;
        tide__http_conn_resume_soon(c);
    }
}

int tide_http_res_continue(tide_http_res_t *res)
{
    if (!res) return -EINVAL;
    tide_http_req_t *req = tide__http_req_of(res);
    tide__http_conn_t *c = req->conn;
    if (c->flags & C_CLOSED) return -EPIPE;
    if (res->flags & RES_HEADERS_SENT) return TIDE_ERR_HTTP_HEADERS_SENT;
    if (res->flags & RES_CONTINUE_SENT) return 0;
    static const char line[] = "HTTP/1.1 100 Continue\r\n\r\n";
    int err = tide__http_out_append(c, line, sizeof line - 1);
    if (err) return err;
    res->flags |= RES_CONTINUE_SENT;
    tide__http_flush_soon(c);
    return 0;
}

tide_stream_t *tide_http_req_body(tide_http_req_t *req)
{
    if (!req) return NULL;
    if (req->body) return req->body;
    tide_stream_opts_t opts = {.read = body_read, .data = req, .hwm = req->srv->hwm};
    tide_stream_t *s;
    if (tide_readable_new(req->srv->loop, &opts, &s) < 0) return NULL;
    req->body = s;
    req->flags |= Q_BODY_WANTED;
    tide__http_conn_t *c = req->conn;
    if (!(req->flags & Q_HAS_BODY) || (req->flags & Q_COMPLETE)) {
        tide_stream_push_end(s);
    } else if (c->flags & C_CLOSED) {
        tide_stream_destroy(s, tide_error_new(-ECONNRESET, "aborted"));
    } else if ((req->flags & Q_EXPECT_CONTINUE) && !(req->res.flags & RES_HEADERS_SENT)) {
        tide_http_res_continue(&req->res);
    }
    return s;
}

int tide__http_body_push(tide_http_req_t *req, const char *p, size_t n)
{
    if (!req->body) return 1;
    int rc = tide_stream_push_copy(req->body, p, n);
    if (TIDE__LIKELY(rc >= 0)) return rc;
    /* No memory for the chunk: the body would have a hole. The handler
     * hears the error on the body, and the rest of it is read and dropped
     * so that its answer can still go out. */
    req->conn->flags |= C_DISCARD;
    tide_stream_destroy(req->body, tide_error_new(rc, "request body: no memory for a chunk"));
    return 1;
}

void tide__http_body_end(tide_http_req_t *req)
{
    if (req->body) tide_stream_push_end(req->body);
}

void tide__http_body_abort(tide_http_req_t *req, int code)
{
    tide_stream_t *s = req->body;
    if (!s || tide_stream_readable_ended(s) || tide_stream_destroyed(s)) return;
    if (req->flags & Q_COMPLETE) return; /* every byte is in; 'end' follows */
    tide_stream_destroy(s, code ? tide_error_new(code, NULL) : NULL);
}

/* The request goes: the stream (lent) no longer reaches it. */
void tide__http_body_detach(tide_http_req_t *req)
{
    tide_stream_t *s = req->body;
    if (!s) return;
    req->body = NULL;
    s->data = NULL;
    tide_stream_release(s);
}
