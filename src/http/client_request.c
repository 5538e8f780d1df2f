/* http/client_request.c - one request from start to end: its options
 * copied, a socket from the agent, the head and body written (the body
 * held back for a 100 Continue when asked), the request timeout, abort
 * signals, the retry of an idempotent request whose pooled socket the
 * server had just closed, redirects, and the outcome delivered once. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/client_internal.h"

tide_error_t *tide__hc_error(int code, const char *what)
{
    return what ? tide_error_new(code, "%s: %s", what, tide_strerror(code)) : tide_error_new(code, NULL);
}

static void ex_free(tide__hc_ex_t *ex)
{
    tide__free(ex->method);
    tide__free(ex->url);
    tide__free(ex->host);
    tide__free(ex->target);
    for (size_t i = 0; i < ex->nhdrs; i++) {
        tide__free((char *)ex->hdrs[i].name);
        tide__free((char *)ex->hdrs[i].value);
    }
    tide__free(ex->hdrs);
    if (ex->body) tide_chunk_release(ex->body);
    if (ex->head) tide_chunk_release(ex->head);
    if (ex->wpend) tide_chunk_release(ex->wpend);
    if (ex->wbody) tide_stream_release(ex->wbody);
    tide__free(ex);
}

void tide__hc_ex_release(tide__hc_ex_t *ex)
{
    if (--ex->refs == 0) ex_free(ex);
}

static void quiet_destroy(tide_stream_t *s, tide_error_t *err)
{
    /* An 'error' nobody listens for would be fatal: then only close. */
    if (err && tide_listener_count(tide_stream_emitter(s), TIDE_EVENT_ERROR) == 0) {
        tide_error_release(err);
        err = NULL;
    }
    tide_stream_destroy(s, err);
}

/* The exchange is over: it lets go of the signal, its socket (pooled when
 * reusable) and its response. */
static void ex_finish(tide__hc_ex_t *ex, int reusable)
{
    ex->state = EX_DONE;
    tide__abort_unwatch(&ex->abort);
    tide__hc_unqueue(ex);
    tide__hc_conn_t *conn = ex->conn;
    ex->conn = NULL;
    if (conn) tide__hc_release_conn(conn, reusable);
    if (ex->res) {
        tide_http_response_t *res = ex->res;
        res->ex = NULL;
        ex->res = NULL;
        if (ex->res_owned) tide_http_response_release(res);
    }
    tide__hc_ex_release(ex);
}

void tide__hc_ex_done(tide__hc_ex_t *ex, int reusable)
{
    if (ex->state != EX_DONE) ex_finish(ex, reusable);
}

void tide__hc_ex_fail(tide__hc_ex_t *ex, tide_error_t *err)
{
    if (ex->state == EX_DONE) {
        tide_error_release(err);
        return;
    }
    ex->refs++;
    tide__hc_conn_t *conn = ex->conn;
    ex->conn = NULL;
    if (conn) {
        conn->ex = NULL;
        tide__hc_conn_close(conn);
    }
    if (ex->wbody && !tide_stream_destroyed(ex->wbody))
        quiet_destroy(ex->wbody, tide_error_ref(err));
    if (!ex->delivered) {
        ex->delivered = 1;
        ex->cb(NULL, err, ex->data);
    } else if (ex->res && ex->res->body && !tide_stream_readable_ended(ex->res->body)) {
        quiet_destroy(ex->res->body, tide_error_ref(err));
    }
    tide_error_release(err);
    if (ex->state != EX_DONE) ex_finish(ex, 0);
    tide__hc_ex_release(ex);
}

static int is_idempotent(const char *m)
{
    static const char *const ok[] = {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(m, ok[i]) == 0) return 1;
    return 0;
}

/* The socket failed or the server closed it under ex. A pooled socket
 * that dies before any byte of the answer came is the race every keep-
 * alive client meets (the server's idle timeout closed it as the request
 * went out); an idempotent request whose body can be sent again gets one
 * more try on a fresh socket. */
void tide__hc_ex_conn_failed(tide__hc_ex_t *ex, int code)
{
    if (ex->state == EX_DONE) return;
    if (ex->reused && !ex->got_bytes && !ex->retried && !ex->wbody && is_idempotent(ex->method) &&
        (code == -ECONNRESET || code == -EPIPE || code == TIDE_ERR_HTTP_SOCKET_HANG_UP)) {
        tide__hc_conn_t *conn = ex->conn;
        ex->conn = NULL;
        if (conn) {
            conn->ex = NULL;
            tide__hc_conn_close(conn);
        }
        ex->retried = 1;
        ex->reused = 0;
        ex->expect = ex->waiting_continue = ex->sent_all = 0;
        ex->agent->stats.retries++;
        if (ex->opts.flags & TIDE_HTTP_EXPECT_CONTINUE) ex->expect = 1;
        int rc = tide__hc_acquire(ex);
        if (rc) tide__hc_ex_fail(ex, tide__hc_error(rc, "retry"));
        return;
    }
    tide__hc_ex_fail(ex, tide__hc_error(code, NULL));
}

static void req_timeout(tide_timer_t *t, void *data)
{
    (void)t;
    tide__hc_conn_t *conn = data;
    if (conn->ex) tide__hc_ex_fail(conn->ex, tide_error_new(-ETIMEDOUT, "request timed out"));
}

/* Bytes moved: push the request's idle timeout back. */
void tide__hc_ex_wrote(tide__hc_ex_t *ex)
{
    if (ex->conn && ex->opts.timeout_ms) tide_timer_start(ex->conn->timer, req_timeout, ex->opts.timeout_ms, 0, ex->conn);
}

static void sock_wrote(tide_stream_t *s, tide_error_t *err, void *data)
{
    (void)s;
    tide__hc_conn_t *conn = data;
    if (!err && conn->ex) tide__hc_ex_wrote(conn->ex);
}

/* ---- the streamed body ----------------------------------------------------- */

static void body_chunk_written(tide_stream_t *s, tide_error_t *err, void *data)
{
    (void)s;
    tide_stream_write_done(data, err ? tide_error_ref(err) : NULL);
}

static void body_final_written(tide_stream_t *s, tide_error_t *err, void *data)
{
    (void)s;
    tide_stream_final_done(data, err ? tide_error_ref(err) : NULL);
}

static int body_ready(const tide__hc_ex_t *ex)
{
    return ex->conn && ex->conn->sock && ex->state >= EX_SENT && !ex->waiting_continue;
}

/* One chunk of the chunked encoding: "<hex size>\r\n<bytes>\r\n". */
static void send_chunk(tide__hc_ex_t *ex, const tide_chunk_t *chunk)
{
    tide_stream_t *sock = ex->conn->sock;
    char line[24];
    int n = snprintf(line, sizeof line, "%zx\r\n", chunk->len);
    const tide_chunk_t *sz;
    int rc = tide_chunk_copy(ex->loop, line, (size_t)n, &sz);
    if (rc) {
        tide_stream_write_done(ex->wbody, tide__hc_error(rc, "request body"));
        return;
    }
    tide_stream_write_chunk(sock, sz, NULL, NULL);
    tide_chunk_release(sz);
    tide_stream_write_chunk(sock, chunk, sock_wrote, ex->conn);
    tide_stream_write(sock, "\r\n", 2, body_chunk_written, ex->wbody);
}

static void send_final(tide__hc_ex_t *ex)
{
    ex->sent_all = 1;
    tide_stream_write(ex->conn->sock, "0\r\n\r\n", 5, body_final_written, ex->wbody);
}

static void body_write(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    tide__hc_ex_t *ex = data;
    if (ex->state == EX_DONE || ex->wdiscard || chunk->len == 0) {
        /* a zero-length chunk would end the body: nothing to send */
        tide_stream_write_done(s, NULL);
        return;
    }
    if (body_ready(ex)) {
        send_chunk(ex, chunk);
        return;
    }
    ex->wpend = tide_chunk_hold(chunk);
    if (!ex->wpend) tide_stream_write_done(s, tide__hc_error(-ENOMEM, "request body"));
}

static void body_final(tide_stream_t *s, void *data)
{
    tide__hc_ex_t *ex = data;
    if (ex->state == EX_DONE || ex->wdiscard) {
        tide_stream_final_done(s, NULL);
        return;
    }
    if (body_ready(ex)) send_final(ex);
    else ex->wpend_final = 1;
}

static void body_destroy(tide_stream_t *s, tide_error_t *err, void *data)
{
    tide__hc_ex_t *ex = data;
    /* The program destroyed its body with an error: the request fails. */
    if (err && ex->state != EX_DONE && !ex->wfinished) tide__hc_ex_fail(ex, tide_error_ref(err));
    tide_stream_destroy_done(s, err ? tide_error_ref(err) : NULL);
    tide__hc_ex_release(ex);
}

/* Whatever of the body waited for the socket (or the 100) goes now. */
static void send_body(tide__hc_ex_t *ex)
{
    tide_stream_t *sock = ex->conn->sock;
    if (ex->wbody) {
        if (ex->wpend) {
            const tide_chunk_t *c = ex->wpend;
            ex->wpend = NULL;
            send_chunk(ex, c);
            tide_chunk_release(c);
        } else if (ex->wpend_final) {
            ex->wpend_final = 0;
            send_final(ex);
        }
        return;
    }
    if (ex->body) tide_stream_write_chunk(sock, ex->body, sock_wrote, ex->conn);
    ex->sent_all = 1;
}

static void continue_timeout(tide_timer_t *t, void *data)
{
    (void)t;
    tide__hc_conn_t *conn = data;
    if (conn->ex) tide__hc_ex_continue(conn->ex);
}

void tide__hc_ex_continue(tide__hc_ex_t *ex)
{
    if (!ex->waiting_continue || !ex->conn) return;
    ex->waiting_continue = 0;
    tide_timer_stop(ex->conn->ctimer);
    send_body(ex);
}

/* ex has a socket (connected, or connecting: the socket queues writes
 * until it is up). The head goes at once; the body unless a 100 is due.
 * Head and body are chunks the socket holds, so ex may end first. */
void tide__hc_ex_start(tide__hc_ex_t *ex)
{
    tide__hc_conn_t *conn = ex->conn;
    ex->state = EX_SENT;
    ex->got_bytes = 0;
    tide_ref((tide_handle_t *)conn->timer);
    tide__hc_ex_wrote(ex);
    tide_stream_write_chunk(conn->sock, ex->head, sock_wrote, conn);
    if (ex->expect && (ex->wbody || ex->body_len)) {
        ex->waiting_continue = 1;
        tide_timer_start(conn->ctimer, continue_timeout, ex->opts.continue_timeout_ms, 0, conn);
        return;
    }
    send_body(ex);
}

/* ---- redirects ------------------------------------------------------------- */

int tide__hc_wants_redirect(tide__hc_ex_t *ex, int status)
{
    if (!ex->opts.max_redirects) return 0;
    if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) return 0;
    if (strcmp(ex->method, "GET") != 0 && strcmp(ex->method, "HEAD") != 0) return 0;
    return ex->res && tide__hc_headers_get(&ex->res->headers, "location") != NULL;
}

/* The redirect's body was read: the same request again at Location. */
void tide__hc_follow(tide__hc_ex_t *ex, int reusable)
{
    const char *loc = tide__hc_headers_get(&ex->res->headers, "location");
    char *url = tide__hc_url_resolve(ex->url, loc);
    char *host = NULL, *target = NULL;
    int port = 0;
    int rc = url ? tide__hc_url_parse(url, &host, &port, &target) : -ENOMEM;
    tide__hc_conn_t *conn = ex->conn;
    ex->conn = NULL;
    if (conn) tide__hc_release_conn(conn, reusable);
    if (ex->res) {
        ex->res->ex = NULL;
        tide_http_response_release(ex->res);
        ex->res = NULL;
    }
    if (rc) {
        tide__free(url);
        tide__hc_ex_fail(ex, tide_error_new(rc, "redirect to %s: %s", loc ? "Location" : "?", tide_strerror(rc)));
        return;
    }
    tide__free(ex->url);
    tide__free(ex->host);
    tide__free(ex->target);
    ex->url = url;
    ex->host = host;
    ex->port = port;
    ex->target = target;
    ex->redirects++;
    ex->dump = 0;
    ex->retried = 0;
    ex->sent_all = 0;
    rc = tide__hc_build_head(ex);
    if (!rc) rc = tide__hc_acquire(ex);
    if (rc) tide__hc_ex_fail(ex, tide__hc_error(rc, "redirect"));
}

/* ---- starting ---------------------------------------------------------------- */

static void on_abort(tide_abort_signal_t *signal, tide_error_t *reason, void *data)
{
    (void)signal;
    tide__hc_ex_fail(data, tide_error_ref(reason));
}

static char *dup_s(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = tide__malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static int copy_request(tide__hc_ex_t *ex, const tide_http_request_opts_t *opts)
{
    ex->method = dup_s(opts->method ? opts->method : "GET");
    ex->url = dup_s(opts->url);
    if (!ex->method || !ex->url) return -ENOMEM;
    for (const char *c = ex->method; *c; c++)
        if (*c < 'A' || *c > 'Z') return -EINVAL;
    if (!*ex->method) return -EINVAL;
    int rc = tide__hc_url_parse(ex->url, &ex->host, &ex->port, &ex->target);
    if (rc) return rc;
    if ((rc = tide__hc_check_headers(opts->headers, opts->nheaders))) return rc;
    if (opts->nheaders) {
        ex->hdrs = tide__calloc(opts->nheaders, sizeof *ex->hdrs);
        if (!ex->hdrs) return -ENOMEM;
        for (size_t i = 0; i < opts->nheaders; i++) {
            ex->nhdrs++;
            ex->hdrs[i].name = dup_s(opts->headers[i].name);
            ex->hdrs[i].value = dup_s(opts->headers[i].value);
            if (!ex->hdrs[i].name || !ex->hdrs[i].value) return -ENOMEM;
            if (strcasecmp(opts->headers[i].name, "expect") == 0 &&
                strcasecmp(opts->headers[i].value, "100-continue") == 0)
                ex->expect = 1;
        }
    }
    if (opts->body_len) {
        if (!opts->body) return -EINVAL;
        int rc2 = tide_chunk_copy(ex->loop, opts->body, opts->body_len, &ex->body);
        if (rc2) return rc2;
        ex->body_len = opts->body_len;
    }
    ex->is_head = strcmp(ex->method, "HEAD") == 0;
    if (opts->flags & TIDE_HTTP_EXPECT_CONTINUE) ex->expect = 1;
    return 0;
}

int tide__hc_start(tide_loop_t *loop, const tide_http_request_opts_t *opts,
                   tide_http_response_cb cb, void *data, tide_stream_t **body_out)
{
    if (!loop || !opts || !cb) return -EINVAL;
    if ((opts->flags & TIDE_HTTP_BODY_STREAM) && (!body_out || opts->body_len)) return -EINVAL;
    if (opts->signal && tide_abort_signal_aborted(opts->signal))
        return tide_abort_signal_reason(opts->signal)->code;
    tide_http_agent_t *agent = tide__hc_agent_of(loop, opts->agent);
    if (!agent) return -ENOMEM;
    if (agent->destroyed) return -EINVAL;
    tide__hc_ex_t *ex = tide__calloc(1, sizeof *ex);
    if (!ex) return -ENOMEM;
    ex->loop = loop;
    ex->agent = agent;
    ex->refs = 1;
    ex->cb = cb;
    ex->data = data;
    ex->opts = *opts;
    if (!ex->opts.continue_timeout_ms) ex->opts.continue_timeout_ms = 1000;
    tide__queue_init(&ex->node);
    int rc = copy_request(ex, opts);
    if (!rc && (opts->flags & TIDE_HTTP_BODY_STREAM)) {
        tide_stream_opts_t so;
        memset(&so, 0, sizeof so);
        so.write = body_write;
        so.final = body_final;
        so.destroy = body_destroy;
        so.data = ex;
        so.hwm = opts->body_hwm;
        rc = tide_writable_new(loop, &so, &ex->wbody);
        if (!rc) ex->refs++; /* the body stream's, until its destroy */
    }
    if (!rc) rc = tide__hc_build_head(ex);
    if (!rc) rc = tide__abort_watch(&ex->abort, opts->signal, on_abort, ex);
    if (!rc) rc = tide__hc_acquire(ex);
    if (rc) {
        tide__abort_unwatch(&ex->abort);
        if (ex->wbody) {
            tide_stream_destroy(ex->wbody, NULL); /* its destroy drops its ref */
        }
        ex->state = EX_DONE;
        tide__hc_ex_release(ex);
        return rc;
    }
    if (body_out && ex->wbody) *body_out = tide_stream_ref(ex->wbody);
    return 0;
}

int tide_http_request(tide_loop_t *loop, const tide_http_request_opts_t *opts,
                      tide_http_response_cb cb, void *data, tide_stream_t **body_out)
{
    return tide__hc_start(loop, opts, cb, data, body_out);
}
