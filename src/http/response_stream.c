/* http/response_stream.c - the response as a writable stream (Node's
 * ServerResponse), made when a handler asks for it: for pipe and
 * pipeline. Each write completes once its bytes reached the kernel, so
 * the stream's own high-water mark gives the backpressure; its end()
 * ends the response. */
#include "http/http_internal.h"

static void rs_write(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    tide_http_req_t *req = data;
    if (!req) {
        tide_stream_write_done(s, tide_error_new(-EPIPE, NULL));
        return;
    }
    int r = tide__http_res_write(&req->res, chunk->base, chunk->len, NULL, NULL, s);
    if (r < 0 && r != -EPIPE) tide_stream_write_done(s, tide_error_new(r, NULL));
    /* -EPIPE: the callback queued with the error completes it */
}

static void rs_final(tide_stream_t *s, void *data)
{
    tide_http_req_t *req = data;
    tide_stream_final_done(s, NULL);
    if (req && !(req->res.flags & RES_ENDED)) tide_http_res_end(&req->res, NULL, 0);
}

tide_stream_t *tide_http_res_stream(tide_http_res_t *res)
{
    if (!res) return NULL;
    if (res->stream) return res->stream;
    tide_http_req_t *req = tide__http_req_of(res);
    tide_stream_opts_t opts = {.write = rs_write, .final = rs_final, .data = req,
                               .hwm = req->srv->hwm};
    if (tide_writable_new(req->srv->loop, &opts, &res->stream) < 0) return NULL;
    return res->stream;
}

void tide__http_res_stream_detach(tide_http_res_t *res)
{
    tide_stream_t *s = res->stream;
    if (!s) return;
    res->stream = NULL;
    s->data = NULL;
    tide_stream_release(s);
}
