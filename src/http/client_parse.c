/* http/client_parse.c - a connection's bytes through the response parser
 * (http/parser.h, HTTP_RESPONSE): status, headers and trailers into the
 * response, body bytes pushed to its stream as views of the socket's own
 * buffer (no copy), 1xx answers handled in place, and the end of the
 * response - or of the socket - settling the exchange. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http/client_internal.h"

static tide__hc_ex_t *ex_of(llhttp_t *ll)
{
    tide__hc_conn_t *conn = ll->data;
    return conn->ex && conn->ex->state != EX_DONE ? conn->ex : NULL;
}

static tide__hc_headers_t *lines(tide__hc_ex_t *ex)
{
    return ex->res->status ? &ex->res->trailers : &ex->res->headers;
}

static int on_message_begin(llhttp_t *ll)
{
    tide__hc_ex_t *ex = ex_of(ll);
    if (!ex) return -1; /* bytes nobody asked for */
    if (!ex->res) {
        ex->res = tide__hc_response_new(ex->loop);
        if (!ex->res) return -1;
        ex->res_owned = 1;
        ex->res->ex = ex;
        ex->res->reused = ex->reused;
        ex->res->redirects = ex->redirects;
    }
    ((tide__hc_conn_t *)ll->data)->msg_done = 0;
    return 0;
}

static int on_status(llhttp_t *ll, const char *at, size_t len)
{
    tide__hc_ex_t *ex = ex_of(ll);
    if (!ex) return -1;
    tide_http_response_t *res = ex->res;
    size_t old = res->status_text ? strlen(res->status_text) : 0;
    char *s = tide__realloc(res->status_text, old + len + 1);
    if (!s) return -1;
    memcpy(s + old, at, len);
    s[old + len] = '\0';
    res->status_text = s;
    return 0;
}

static int on_field(llhttp_t *ll, const char *at, size_t len)
{
    tide__hc_ex_t *ex = ex_of(ll);
    return ex && tide__hc_headers_add(lines(ex), at, len, 0) == 0 ? 0 : -1;
}

static int on_value(llhttp_t *ll, const char *at, size_t len)
{
    tide__hc_ex_t *ex = ex_of(ll);
    return ex && tide__hc_headers_add(lines(ex), at, len, 1) == 0 ? 0 : -1;
}

static int on_field_done(llhttp_t *ll)
{
    tide__hc_ex_t *ex = ex_of(ll);
    return ex && tide__hc_headers_end_field(lines(ex)) == 0 ? 0 : -1;
}

static int on_value_done(llhttp_t *ll)
{
    tide__hc_ex_t *ex = ex_of(ll);
    return ex && tide__hc_headers_end_value(lines(ex)) == 0 ? 0 : -1;
}

/* A final answer while the body waits for its 100: the server will not
 * read it, so it is never sent and the socket is not reused. */
static void drop_held_body(tide__hc_ex_t *ex)
{
    if (!ex->waiting_continue) return;
    ex->waiting_continue = 0;
    ex->wdiscard = 1;
    ex->sent_all = 0;
    tide_timer_stop(ex->conn->ctimer);
    if (ex->wpend) {
        tide_chunk_release(ex->wpend);
        ex->wpend = NULL;
        tide_stream_write_done(ex->wbody, NULL);
    }
    if (ex->wpend_final) {
        ex->wpend_final = 0;
        tide_stream_final_done(ex->wbody, NULL);
    }
}

static int on_headers_complete(llhttp_t *ll)
{
    tide__hc_ex_t *ex = ex_of(ll);
    if (!ex) return -1;
    int status = ll->status_code;
    if (status < 200) return status == 101 ? -1 : 0; /* no upgrades; 1xx have no body */
    tide_http_response_t *res = ex->res;
    res->status = status;
    res->minor = ll->http_minor;
    drop_held_body(ex);
    if (tide__hc_wants_redirect(ex, status)) {
        if (ex->redirects >= ex->opts.max_redirects) {
            tide__hc_ex_fail(ex, tide_error_new(TIDE_ERR_HTTP_TOO_MANY_REDIRECTS,
                                                "more than %u redirects", ex->opts.max_redirects));
            return -1;
        }
        ex->dump = 1;
        return ex->is_head ? 1 : 0;
    }
    if (tide__hc_response_open_body(res, ex->opts.body_hwm)) {
        tide__hc_ex_fail(ex, tide__hc_error(-ENOMEM, "response"));
        return -1;
    }
    ex->state = EX_BODY;
    ex->delivered = 1;
    ex->res_owned = 0; /* the callback's now */
    ex->cb(res, NULL, ex->data);
    if (ex_of(ll) != ex) return -1; /* released or aborted in the callback */
    return ex->is_head ? 1 : 0;
}

static int on_body(llhttp_t *ll, const char *at, size_t len)
{
    tide__hc_ex_t *ex = ex_of(ll);
    if (!ex) return -1;
    /* len 0 comes from a parse step run with no input (parser finish). */
    if (len == 0 || ex->dump || !ex->res || !ex->res->body) return 0;
    tide__hc_conn_t *conn = ll->data;
    const tide_chunk_t *view;
    int more = tide_chunk_slice(conn->chunk, (size_t)(at - (const char *)conn->chunk->base), len, &view);
    if (more == 0) {
        more = tide_stream_push_chunk(ex->res->body, view);
        tide_chunk_release(view);
    }
    if (more < 0) { /* no memory for the chunk: the body would have a hole */
        tide__hc_ex_fail(ex, tide__hc_error(more, "response body"));
        return -1;
    }
    if (ex_of(ll) != ex) return -1;
    /* The body's buffer is full: stop reading the socket until the
     * program reads (the body's _read resumes it). */
    if (more == 0 && conn->sock) tide_stream_pause(conn->sock);
    return 0;
}

static int on_message_complete(llhttp_t *ll)
{
    tide__hc_ex_t *ex = ex_of(ll);
    if (!ex) return -1;
    tide__hc_conn_t *conn = ll->data;
    if (!ex->res->status) { /* a 1xx: the real answer follows */
        if (ll->status_code == 100) tide__hc_ex_continue(ex);
        tide__hc_headers_clear(&ex->res->headers);
        tide__free(ex->res->status_text);
        ex->res->status_text = NULL;
        return 0;
    }
    conn->keep = llhttp_should_keep_alive(ll);
    conn->msg_done = 1;
    return conn->in_parse ? HPE_PAUSED : 0;
}

const llhttp_settings_t tide__hc_settings = {
    .on_message_begin = on_message_begin,
    .on_status = on_status,
    .on_header_field = on_field,
    .on_header_value = on_value,
    .on_header_field_complete = on_field_done,
    .on_header_value_complete = on_value_done,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

/* Node's agent reads "Keep-Alive: timeout=N" and keeps the socket for
 * N s less a second, so it is not reused just as the server drops it. */
static void apply_keepalive_hint(tide__hc_conn_t *conn, const tide_http_response_t *res)
{
    const char *ka = tide__hc_headers_get(&res->headers, "keep-alive");
    if (!ka || strncmp(ka, "timeout=", 8) != 0 || ka[8] < '0' || ka[8] > '9') return;
    uint64_t hint = strtoull(ka + 8, NULL, 10) * 1000;
    hint = hint > 1000 ? hint - 1000 : 0;
    if (hint < conn->free_timeout_ms || conn->free_timeout_ms == TIDE_HTTP_AGENT_NO_TIMEOUT)
        conn->free_timeout_ms = hint; /* 0: cannot be kept safely */
}

/* The response ended; clean says no stray bytes followed it. */
static void complete(tide__hc_conn_t *conn, tide__hc_ex_t *ex, int clean)
{
    conn->msg_done = 0;
    conn->served++;
    int reusable = clean && conn->keep && ex->sent_all && !ex->wdiscard;
    if (ex->res) apply_keepalive_hint(conn, ex->res);
    if (ex->dump) {
        tide__hc_follow(ex, reusable);
        return;
    }
    if (ex->res && ex->res->body) tide_stream_push_end(ex->res->body);
    tide__hc_ex_done(ex, reusable);
}

static void parse_failed(tide__hc_ex_t *ex, tide__hc_conn_t *conn)
{
    tide__hc_ex_fail(ex, tide_error_new(TIDE_ERR_HTTP_PARSE, "Parse Error: %s",
                                        tide__http_parser_reason(&conn->parser)));
}

int tide__hc_conn_on_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    (void)em, (void)ev;
    tide__hc_conn_t *conn = data;
    const tide_chunk_t *chunk = arg;
    tide__hc_ex_t *ex = conn->ex;
    if (conn->state != CONN_BUSY || !ex || ex->state == EX_DONE) {
        /* An idle socket that speaks out of turn cannot be trusted again. */
        tide__hc_conn_close(conn);
        return 0;
    }
    ex->refs++;
    conn->refs++;
    conn->in_parse++;
    ex->got_bytes = 1;
    tide__hc_ex_wrote(ex);
    conn->chunk = chunk;
    size_t used = 0;
    llhttp_errno_t rc = tide__http_parser_execute(&conn->parser, chunk->base, chunk->len, &used);
    conn->chunk = NULL;
    conn->in_parse--;
    if (conn->ex == ex && ex->state != EX_DONE) {
        if (rc == HPE_PAUSED && conn->msg_done) {
            tide__http_parser_resume(&conn->parser);
            complete(conn, ex, used == chunk->len);
        } else if (rc != HPE_OK) {
            parse_failed(ex, conn);
        }
    }
    tide__hc_ex_release(ex);
    conn->refs--; /* never the last: the socket's reference outlives this call */
    return 0;
}

/* The socket ended (code 0), failed (code) or closed under conn. */
void tide__hc_conn_eof(tide__hc_conn_t *conn, int code)
{
    if (conn->state == CONN_CLOSED) return;
    tide__hc_ex_t *ex = conn->ex;
    if (conn->state == CONN_FREE || !ex || ex->state == EX_DONE) {
        tide__hc_conn_close(conn);
        return;
    }
    ex->refs++;
    if (code == 0 && ex->got_bytes) {
        /* A body that runs to the end of the connection ends here. */
        llhttp_errno_t rc = tide__http_parser_finish(&conn->parser);
        if (conn->ex == ex && rc == HPE_OK && conn->msg_done) {
            complete(conn, ex, 0);
        } else if (conn->ex == ex && rc != HPE_OK && rc != HPE_INVALID_EOF_STATE) {
            parse_failed(ex, conn);
        }
    }
    if (conn->ex == ex && ex->state != EX_DONE) {
        if (!ex->delivered) {
            tide__hc_ex_conn_failed(ex, code ? code : TIDE_ERR_HTTP_SOCKET_HANG_UP);
        } else {
            int mismatch = (conn->parser.ll.flags & F_CONTENT_LENGTH) && !code;
            int err = mismatch ? TIDE_ERR_HTTP_CONTENT_LENGTH_MISMATCH
                               : code ? code : TIDE_ERR_HTTP_SOCKET_HANG_UP;
            tide__hc_ex_fail(ex, tide_error_new(err, mismatch ? "the server closed the connection "
                                                                "before the Content-Length was sent"
                                                              : NULL));
        }
    }
    if (conn->state != CONN_CLOSED && conn->ex == NULL && conn->state == CONN_BUSY) tide__hc_conn_close(conn);
    tide__hc_ex_release(ex);
}
