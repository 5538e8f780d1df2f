/* http/conn_timeout.c - Node's headers, request and keep-alive timeouts
 * without a timer per connection: each server keeps one list per timeout,
 * ordered by deadline because every entry of a list got the same delay
 * (moving a connection is an O(1) unlink and append), and one timer armed
 * for the earliest head sweeps the lists. */
#include "http/http_internal.h"

static void sweep(tide_timer_t *timer, void *data);

static void arm(tide_http_server_t *srv)
{
    uint64_t due = 0;
    for (int i = TL_HEADERS; i <= TL_KEEPALIVE; i++) {
        if (tide__queue_empty(&srv->tl[i].head)) continue;
        tide__http_conn_t *c =
            tide__container_of(tide__queue_head(&srv->tl[i].head), tide__http_conn_t, tnode);
        if (!due || c->deadline < due) due = c->deadline;
    }
    if (!due) {
        tide__http_sweep_stop(srv);
        return;
    }
    if (srv->sweep_due && srv->sweep_due <= due) return; /* it fires early and re-arms */
    if (!srv->sweep) {
        if (tide_timer_new(srv->loop, &srv->sweep) < 0) return;
        tide_unref((tide_handle_t *)srv->sweep); /* the connections keep the loop */
    }
    uint64_t now = tide__loop_now(srv->loop);
    if (tide_timer_start_ns(srv->sweep, sweep, due > now ? due - now : 0, 0, srv) == 0)
        srv->sweep_due = due;
}

static void sweep(tide_timer_t *timer, void *data)
{
    tide_http_server_t *srv = data;
    srv->sweep_due = 0;
    uint64_t now = tide__loop_now(srv->loop);
    for (int i = TL_HEADERS; i <= TL_KEEPALIVE; i++) {
        while (!tide__queue_empty(&srv->tl[i].head)) {
            tide__http_conn_t *c =
                tide__container_of(tide__queue_head(&srv->tl[i].head), tide__http_conn_t, tnode);
            if (c->deadline > now) break;
            tide__http_tlist_leave(c);
            if (i == TL_KEEPALIVE) tide__http_conn_close(c);
            else tide__http_conn_fail(c, TIDE_ERR_HTTP_REQUEST_TIMEOUT, 408);
        }
    }
    arm(srv);
}

void tide__http_tlist_set(tide__http_conn_t *c, int which, uint64_t deadline)
{
    tide_http_server_t *srv = c->srv;
    tide__queue_remove(&c->tnode);
    tide__queue_insert_tail(&srv->tl[which].head, &c->tnode);
    c->tlist = (uint8_t)which;
    c->deadline = deadline;
    if (!srv->sweep_due || deadline < srv->sweep_due) arm(srv);
}

void tide__http_tlist_leave(tide__http_conn_t *c)
{
    if (c->tlist == TL_NONE) return;
    tide__queue_remove(&c->tnode);
    tide__queue_init(&c->tnode);
    c->tlist = TL_NONE;
}

void tide__http_sweep_stop(tide_http_server_t *srv)
{
    srv->sweep_due = 0;
    if (srv->sweep) tide_timer_stop(srv->sweep);
}
