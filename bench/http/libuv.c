/* bench/http/libuv.c - an HTTP/1.1 server on libuv and llhttp, the two
 * pieces Node's http is built from, written as well as they allow: one
 * static read buffer, every request in a read parsed by llhttp (strict
 * mode, compiled into this program) and all their answers sent with one
 * uv_try_write from the canned batch; only what the socket does not take
 * is copied for a uv_write. Keep-alive as the request says: a request
 * that is not keep-alive gets "Connection: close" and ends the
 * connection, a malformed one gets 400 and ends it. The response does not
 * depend on the request, so no URL or header callbacks are registered,
 * and there are no timers per connection (Node's and tide's keep-alive
 * and header timeouts have no counterpart here). */
#include <llhttp.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "../common/net.h"
#include "canned.h"

typedef struct {
    uv_tcp_t tcp;
    llhttp_t parser;
    size_t answered; /* requests completed by the current read */
    int closing;     /* the last one asked to close the connection */
} conn_t;

typedef struct {
    uv_write_t req;
    int last; /* the connection closes once this is written */
    char data[];
} write_t;

static const char close_response[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
    "Connection: close\r\n\r\nHello, World!";
static const char bad_request[] =
    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

static llhttp_settings_t settings;
static char buf[65536];

static int on_message_complete(llhttp_t *p)
{
    conn_t *c = p->data;
    c->answered++;
    if (!llhttp_should_keep_alive(p)) {
        c->closing = 1;
        return HPE_PAUSED; /* nothing after it is read */
    }
    return 0;
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *out)
{
    (void)h, (void)hint;
    *out = uv_buf_init(buf, sizeof buf);
}

static void on_closed(uv_handle_t *h) { free(h); }

static void on_written(uv_write_t *req, int status)
{
    conn_t *c = (conn_t *)req->handle;
    if ((status < 0 || ((write_t *)req)->last) && !uv_is_closing((uv_handle_t *)c))
        uv_close((uv_handle_t *)c, on_closed);
    free(req);
}

/* Send the answers to this read's requests, then the last (close or 400)
 * response: one uv_try_write of them all, the rest copied and queued. */
static void answer(conn_t *c, const char *last, size_t last_len)
{
    uv_buf_t bufs[16];
    unsigned nbufs = 0;
    size_t keep = c->answered, total = 0;
    while (keep && nbufs < 15) {
        size_t k = keep < CANNED_BATCH ? keep : CANNED_BATCH;
        bufs[nbufs++] = uv_buf_init(canned_batch, (unsigned)(k * CANNED_LEN));
        total += k * CANNED_LEN;
        keep -= k;
    }
    if (keep) abort(); /* more than 15 x 256 requests in one 64 KiB read: impossible */
    if (last) {
        bufs[nbufs++] = uv_buf_init((char *)last, (unsigned)last_len);
        total += last_len;
    }
    c->answered = 0;
    if (!total) return;
    int sent = uv_try_write((uv_stream_t *)c, bufs, nbufs);
    if (sent == (int)total) {
        if (last) uv_close((uv_handle_t *)c, on_closed);
        return;
    }
    if (sent < 0 && sent != UV_EAGAIN) {
        uv_close((uv_handle_t *)c, on_closed);
        return;
    }
    size_t skip = sent < 0 ? 0 : (size_t)sent, left = total - skip;
    write_t *w = malloc(sizeof *w + left);
    if (!w) abort();
    w->last = last != NULL;
    char *to = w->data;
    for (unsigned i = 0; i < nbufs; i++) {
        size_t len = bufs[i].len;
        if (skip >= len) {
            skip -= len;
            continue;
        }
        memcpy(to, bufs[i].base + skip, len - skip);
        to += len - skip;
        skip = 0;
    }
    uv_buf_t rest = uv_buf_init(w->data, (unsigned)left);
    uv_write(&w->req, (uv_stream_t *)c, &rest, 1, on_written);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *in)
{
    conn_t *c = (conn_t *)s;
    if (n < 0) {
        if (!uv_is_closing((uv_handle_t *)s)) uv_close((uv_handle_t *)s, on_closed);
        return;
    }
    if (n == 0 || c->closing) return;
    llhttp_errno_t err = llhttp_execute(&c->parser, in->base, (size_t)n);
    if (err == HPE_OK) {
        answer(c, NULL, 0);
    } else if (err == HPE_PAUSED && c->closing) {
        c->answered--;
        uv_read_stop(s);
        answer(c, close_response, sizeof close_response - 1);
    } else {
        c->closing = 1;
        uv_read_stop(s);
        answer(c, bad_request, sizeof bad_request - 1);
    }
}

static void on_connection(uv_stream_t *server, int status)
{
    if (status < 0) return;
    conn_t *c = malloc(sizeof *c);
    if (!c) abort();
    uv_tcp_init(server->loop, &c->tcp);
    if (uv_accept(server, (uv_stream_t *)c) != 0) {
        uv_close((uv_handle_t *)c, on_closed);
        return;
    }
    llhttp_init(&c->parser, HTTP_REQUEST, &settings);
    c->parser.data = c;
    c->answered = 0;
    c->closing = 0;
    uv_tcp_nodelay(&c->tcp, 1);
    uv_read_start((uv_stream_t *)c, on_alloc, on_read);
}

/* The Date in the canned responses, refreshed by a timer as Node does. */
static void on_tick(uv_timer_t *t)
{
    (void)t;
    canned_refresh(time(NULL));
}

int main(void)
{
    bench_raise_fd_limit();
    canned_init();
    llhttp_settings_init(&settings);
    settings.on_message_complete = on_message_complete;
    uv_loop_t *loop = uv_default_loop();
    uv_tcp_t server;
    uv_timer_t tick;
    struct sockaddr_in sa;
    struct sockaddr_storage bound;
    int len = sizeof bound;
    uv_timer_init(loop, &tick);
    uv_timer_start(&tick, on_tick, 1000, 1000);
    uv_unref((uv_handle_t *)&tick);
    uv_tcp_init(loop, &server);
    uv_ip4_addr("127.0.0.1", 0, &sa);
    if (uv_tcp_bind(&server, (struct sockaddr *)&sa, 0) != 0 ||
        uv_listen((uv_stream_t *)&server, 4096, on_connection) != 0 ||
        uv_tcp_getsockname(&server, (struct sockaddr *)&bound, &len) != 0)
        return 2;
    bench_announce(ntohs(((struct sockaddr_in *)&bound)->sin_port));
    return uv_run(loop, UV_RUN_DEFAULT);
}
