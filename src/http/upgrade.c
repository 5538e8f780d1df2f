/* http/upgrade.c - an Upgrade or CONNECT request handed to the program:
 * the connection's fd becomes a tide fd stream (with any response bytes
 * still queued written first), the bytes that followed the request are
 * the head, and the HTTP server lets the connection go. */
#include "http/http_internal.h"

void tide__http_upgrade(tide__http_conn_t *c, const char *rest, size_t len)
{
    tide_http_server_t *srv = c->srv;
    tide_http_req_t *req = c->cur;
    tide__sock_t *k = NULL;
    tide__io_stop(srv->loop, &c->io); /* the stream claims the fd next */
    int err = tide__sock_new(srv->loop, c->io.fd, SOCK_IS_SOCKET, TIDE_STREAM_NO_HALF_OPEN, srv->hwm,
                             &k);
    const tide_chunk_t *head = NULL;
    if (!err) err = tide_chunk_copy(srv->loop, rest, len, &head);
    if (err) {
        if (k && !head) tide_stream_release(k->stream);
        tide__http_conn_fail(c, err, 0);
        return;
    }
    c->flags |= C_UPGRADED; /* the fd is the stream's now */
    size_t pending = c->out_len - c->out_off;
    const tide_chunk_t *left = NULL;
    if (pending && tide_chunk_copy(srv->loop, c->out + c->out_off, pending, &left) == 0) {
        (void)tide_stream_write_chunk(k->stream, left, NULL, NULL);
        tide_chunk_release(left);
    }
    c->refs++;
    tide__http_conn_close(c); /* keeps the fd; the request stays ours */
    srv->nrequests++;
    srv->opts.on_upgrade(req, k->stream, head, srv->opts.hook_data);
    tide_chunk_release(head);
    req->res.flags |= RES_ENDED | RES_DONE;
    tide__http_exchange_finish(req);
    tide__http_conn_unref(c);
}
