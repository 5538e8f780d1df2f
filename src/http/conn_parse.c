/* http/conn_parse.c - the parser's callbacks for a server connection and
 * the loop that feeds it: strings copied into the request's arena, limits
 * checked as bytes arrive (414, 431, 413), the handler run when the header
 * block is complete (the parser pauses there), and a pause after each
 * message whose response has not ended: a later request's handler runs
 * only once the earlier response has ended, as Node does. */
#include <string.h>
#include <strings.h>

#include "http/http_internal.h"

static tide__http_conn_t *conn_of(llhttp_t *ll) { return ll->data; }

static int limit(tide__http_conn_t *c, int status)
{
    c->fail_status = (uint16_t)status;
    return HPE_USER;
}

static int on_message_begin(llhttp_t *ll)
{
    tide__http_conn_t *c = conn_of(ll);
    if (c->cur) return limit(c, 400); /* cannot happen: the parser pauses first */
    tide_http_req_t *req = tide__http_req_new(c);
    if (!req) return limit(c, 503);
    c->cur = req;
    c->refs++;
    c->flags |= C_IN_MESSAGE;
    c->flags &= ~(C_HEADERS_DONE | C_DISCARD);
    c->msg_start = tide__loop_now(c->srv->loop);
    c->hdr_bytes = 0;
    c->nreqs++;
    return 0;
}

static int count_header_bytes(tide__http_conn_t *c, size_t n)
{
    c->hdr_bytes += (uint32_t)n;
    return c->hdr_bytes > c->srv->opts.max_header_size;
}

static int on_url(llhttp_t *ll, const char *at, size_t n)
{
    tide__http_conn_t *c = conn_of(ll);
    tide_http_req_t *req = c->cur;
    if (req->aused - req->astart + n > c->srv->opts.max_url_size) return limit(c, 414);
    if (count_header_bytes(c, n)) return limit(c, 431);
    return tide__http_arena_append(req, at, n) ? limit(c, 503) : 0;
}

static int on_url_complete(llhttp_t *ll)
{
    tide__http_conn_t *c = conn_of(ll);
    tide_http_req_t *req = c->cur;
    const char *url = tide__http_arena_finish(req);
    if (!url) return limit(c, 503);
    req->url = url;
    const char *q = strchr(url, '?');
    if (!q) {
        req->path = url;
        req->query = "";
    } else {
        req->path = tide__http_arena_dup(req, url, (size_t)(q - url));
        if (!req->path) return limit(c, 503);
        req->query = q + 1;
    }
    return 0;
}

static int on_header_field(llhttp_t *ll, const char *at, size_t n)
{
    tide__http_conn_t *c = conn_of(ll);
    /* each line also costs ": " and CRLF */
    if (count_header_bytes(c, n + ((c->cur->flags & Q_IN_FIELD) ? 0 : 4))) return limit(c, 431);
    c->cur->flags |= Q_IN_FIELD;
    return tide__http_arena_append(c->cur, at, n) ? limit(c, 503) : 0;
}

static int on_header_field_complete(llhttp_t *ll)
{
    tide__http_conn_t *c = conn_of(ll);
    tide_http_req_t *req = c->cur;
    req->flags &= ~Q_IN_FIELD;
    if (req->nhdrs >= c->srv->opts.max_headers) return limit(c, 431);
    req->field = tide__http_arena_finish(req);
    return req->field ? 0 : limit(c, 503);
}

static int on_header_value(llhttp_t *ll, const char *at, size_t n)
{
    tide__http_conn_t *c = conn_of(ll);
    if (count_header_bytes(c, n)) return limit(c, 431);
    return tide__http_arena_append(c->cur, at, n) ? limit(c, 503) : 0;
}

static int on_header_value_complete(llhttp_t *ll)
{
    tide__http_conn_t *c = conn_of(ll);
    tide_http_req_t *req = c->cur;
    const char *value = tide__http_arena_finish(req);
    if (!value || !req->field) return limit(c, 503);
    if (req->field[0] == 'e' || req->field[0] == 'E') {
        if (!strcasecmp(req->field, "expect") && !strcasecmp(value, "100-continue"))
            req->flags |= Q_EXPECT_CONTINUE;
    }
    int err = tide__http_req_add_header(req, req->field, value);
    req->field = NULL;
    return err ? limit(c, 503) : 0;
}

static int on_headers_complete(llhttp_t *ll)
{
    tide__http_conn_t *c = conn_of(ll);
    tide_http_req_t *req = c->cur;
    tide_http_server_t *srv = c->srv;
    c->flags |= C_HEADERS_DONE;
    req->method = ll->method;
    req->minor = ll->http_minor;
    if (llhttp_should_keep_alive(ll)) req->flags |= Q_KEEP_ALIVE;
    if (ll->method == HTTP_HEAD) req->flags |= Q_HEAD;
    if (ll->flags & F_CHUNKED) req->flags |= Q_CHUNKED | Q_HAS_BODY;
    req->content_length = -1;
    if ((ll->flags & F_CONTENT_LENGTH) && !(ll->flags & F_CHUNKED)) {
        req->content_length = (int64_t)ll->content_length;
        if (ll->content_length > 0) req->flags |= Q_HAS_BODY;
        if (srv->opts.max_body_size && ll->content_length > srv->opts.max_body_size)
            return limit(c, 413);
    }
    if (ll->upgrade) {
        if (srv->opts.on_upgrade) {
            req->flags |= Q_UPGRADE;
            return 0; /* the parser stops after the message: upgrade.c */
        }
        if (ll->method == HTTP_CONNECT) return limit(c, 501);
        /* Upgrade without a handler: an ordinary request, as in Node 20 */
    }
    c->pause = PAUSE_HEADERS;
    return HPE_PAUSED;
}

static int on_body(llhttp_t *ll, const char *at, size_t n)
{
    tide__http_conn_t *c = conn_of(ll);
    tide_http_req_t *req = c->cur;
    tide_http_server_t *srv = c->srv;
    req->body_bytes += n;
    if (srv->opts.max_body_size && req->body_bytes > srv->opts.max_body_size) {
        tide__http_body_abort(req, TIDE_ERR_HTTP_BODY_TOO_LARGE);
        return limit(c, 413);
    }
    if (c->flags & C_DISCARD) {
        if (req->content_length < 0 && req->body_bytes > TIDE__HTTP_DISCARD_LIMIT)
            return limit(c, 1); /* a huge chunked upload nobody reads: close */
        return 0;
    }
    if (tide__http_body_push(req, at, n)) return 0;
    c->flags |= C_WAIT_BODY;
    c->pause = PAUSE_WAIT;
    return HPE_PAUSED;
}

static int on_message_complete(llhttp_t *ll)
{
    tide__http_conn_t *c = conn_of(ll);
    tide_http_req_t *req = c->cur;
    c->flags &= ~(C_IN_MESSAGE | C_HEADERS_DONE);
    req->flags |= Q_COMPLETE;
    if (req->flags & Q_UPGRADE) return 0;
    if (req->body) tide__http_body_end(req);
    if (!(req->res.flags & RES_DONE)) {
        c->flags |= C_WAIT_RES;
        c->pause = PAUSE_WAIT;
        return HPE_PAUSED;
    }
    int close = (req->res.flags & RES_CLOSE) != 0;
    tide__http_exchange_finish(req);
    if (close) {
        /* nothing after this request is read */
        c->flags |= C_CLOSE_AFTER;
        c->pause = PAUSE_WAIT;
        return HPE_PAUSED;
    }
    if (tide__http_out_pending(c) >= TIDE__HTTP_CORK_LIMIT) {
        tide__http_flush(c);
        if (!(c->flags & C_CLOSED) && tide__http_out_pending(c) >= c->srv->hwm) {
            /* a client that sends and does not read: stop reading it */
            c->flags |= C_WAIT_OUT;
            c->pause = PAUSE_WAIT;
            return HPE_PAUSED;
        }
    }
    return 0;
}

const llhttp_settings_t tide__http_settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_url_complete = on_url_complete,
    .on_header_field = on_header_field,
    .on_header_field_complete = on_header_field_complete,
    .on_header_value = on_header_value,
    .on_header_value_complete = on_header_value_complete,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

/* The handler's turn: the header block is complete. */
static void dispatch(tide__http_conn_t *c)
{
    tide_http_req_t *req = c->cur;
    tide_http_server_t *srv = c->srv;
    srv->nrequests++;
    if (!(req->flags & Q_KEEP_ALIVE) || (srv->flags & SRV_CLOSING) ||
        (srv->opts.max_requests_per_conn && c->nreqs >= srv->opts.max_requests_per_conn))
        req->res.flags |= RES_CLOSE;
    if (req->flags & Q_HEAD) req->res.flags |= RES_NO_BODY;
    srv->handler(req, &req->res, srv->data);
}

/* A limit's status when a callback set one (whatever code llhttp turned
 * it into), else 400. */
static int parse_error(tide__http_conn_t *c, llhttp_errno_t e)
{
    int status = c->fail_status ? c->fail_status : 400;
    int code = TIDE_ERR_HTTP_PARSE;
    c->fail_status = 0;
    if (status == 1) {
        tide__http_conn_close(c); /* stop discarding a huge body nobody reads */
        return -1;
    }
    if (status == 431) code = TIDE_HPE_HEADER_OVERFLOW;
    else if (status == 414) code = TIDE_ERR_HTTP_URI_TOO_LONG;
    else if (status == 413) code = TIDE_ERR_HTTP_BODY_TOO_LARGE;
    else if (status == 503) code = -ENOMEM;
    tide__http_conn_fail(c, code, status);
    return -1;
}

int tide__http_conn_parse(tide__http_conn_t *c, const char *data, size_t len)
{
    /* After a pause the parser runs again even with no bytes left: a
     * message without a body completes only then. */
    for (;;) {
        size_t used = len;
        c->pause = PAUSE_NONE;
        llhttp_errno_t e = tide__http_parser_execute(&c->parser, data, len, &used);
        if (c->flags & C_CLOSED) return -1;
        if (e == HPE_OK) return 0;
        data += used;
        len -= used;
        if (e == HPE_PAUSED_UPGRADE) {
            if (c->cur && (c->cur->flags & Q_UPGRADE)) {
                tide__http_upgrade(c, data, len);
                return -1;
            }
            tide__http_parser_resume(&c->parser); /* served as a plain request */
            continue;
        }
        if (e != HPE_PAUSED) return parse_error(c, e);
        tide__http_parser_resume(&c->parser);
        if (c->pause == PAUSE_HEADERS) {
            tide_http_req_t *req = c->cur;
            dispatch(c);
            if (c->flags & C_CLOSED) return -1;
            /* a body nobody asked for yet stays in the socket (backpressure) */
            if (c->cur == req && (req->flags & Q_HAS_BODY) && !(req->flags & Q_COMPLETE) &&
                !req->body && !(req->res.flags & RES_DONE)) {
                c->flags |= C_WAIT_BODY;
                return tide__http_conn_stash(c, data, len) ? parse_error(c, HPE_USER) : 0;
            }
            continue;
        }
        /* waiting: for a response, the body's reader or the output */
        if (c->flags & C_CLOSE_AFTER) {
            c->flags |= C_PAUSED;
            return 0;
        }
        if (!(c->flags & (C_WAIT_RES | C_WAIT_BODY | C_WAIT_OUT))) continue;
        if (tide__http_conn_stash(c, data, len)) {
            c->fail_status = 503;
            return parse_error(c, HPE_USER);
        }
        return 0;
    }
    return 0;
}
