/* http/client_response.c - the response a request gets: status, headers
 * and trailers, its body as a readable stream whose reads resume the
 * paused socket, and the collecting forms (callback, promise, fiber) that
 * gather the whole body up to a limit. */
#include <errno.h>
#include <string.h>

#include "http/client_internal.h"

#define TIDE__HC_DEFAULT_MAX_BODY ((size_t)64 << 20)

tide_http_response_t *tide__hc_response_new(tide_loop_t *loop)
{
    tide_http_response_t *res = tide__calloc(1, sizeof *res);
    if (!res) return NULL;
    res->loop = loop;
    res->refs = 1;
    return res;
}

/* The program reads: let the socket bring more. */
static void body_read(tide_stream_t *s, size_t size, void *data)
{
    (void)s, (void)size;
    tide_http_response_t *res = data;
    if (res->ex && res->ex->conn && res->ex->conn->sock && tide_stream_is_paused(res->ex->conn->sock))
        tide_stream_resume(res->ex->conn->sock);
}

int tide__hc_response_open_body(tide_http_response_t *res, size_t hwm)
{
    tide_stream_opts_t so;
    memset(&so, 0, sizeof so);
    so.read = body_read;
    so.data = res;
    so.hwm = hwm;
    if (tide_readable_new(res->loop, &so, &res->body)) return -ENOMEM;
    if (res->ex && res->ex->url) {
        size_t n = strlen(res->ex->url) + 1;
        res->url = tide__malloc(n);
        if (!res->url) return -ENOMEM;
        memcpy(res->url, res->ex->url, n);
    }
    return 0;
}

tide_http_response_t *tide_http_response_ref(tide_http_response_t *res)
{
    if (res) res->refs++;
    return res;
}

void tide_http_response_release(tide_http_response_t *res)
{
    if (!res || --res->refs) return;
    /* Let go before the body ended: the rest is not wanted (res.destroy()). */
    tide__hc_ex_t *ex = res->ex;
    if (ex) {
        ex->res = NULL;
        res->ex = NULL;
        tide__hc_ex_fail(ex, tide_error_new(-ECANCELED, "the response was released before its end"));
    }
    if (res->body) {
        if (!tide_stream_readable_ended(res->body)) tide_stream_destroy(res->body, NULL);
        tide_stream_release(res->body);
    }
    tide__hc_headers_free(&res->headers);
    tide__hc_headers_free(&res->trailers);
    tide__free(res->status_text);
    tide__free(res->url);
    tide__free(res->bytes);
    tide__free(res);
}

int tide_http_response_status(const tide_http_response_t *res) { return res ? res->status : -EINVAL; }

const char *tide_http_response_status_text(const tide_http_response_t *res)
{
    return res && res->status_text ? res->status_text : "";
}

int tide_http_response_version_minor(const tide_http_response_t *res)
{
    return res ? res->minor : -EINVAL;
}

const char *tide_http_response_header(const tide_http_response_t *res, const char *name)
{
    return res && name ? tide__hc_headers_get(&res->headers, name) : NULL;
}

size_t tide_http_response_header_count(const tide_http_response_t *res)
{
    return res ? res->headers.n : 0;
}

int tide_http_response_header_at(const tide_http_response_t *res, size_t i, const char **name,
                                 const char **value)
{
    return res ? tide__hc_headers_at(&res->headers, i, name, value) : 0;
}

const char *tide_http_response_trailer(const tide_http_response_t *res, const char *name)
{
    return res && name ? tide__hc_headers_get(&res->trailers, name) : NULL;
}

size_t tide_http_response_trailer_count(const tide_http_response_t *res)
{
    return res ? res->trailers.n : 0;
}

int tide_http_response_trailer_at(const tide_http_response_t *res, size_t i, const char **name,
                                  const char **value)
{
    return res ? tide__hc_headers_at(&res->trailers, i, name, value) : 0;
}

tide_stream_t *tide_http_response_body(tide_http_response_t *res) { return res ? res->body : NULL; }

int tide_http_response_bytes(const tide_http_response_t *res, const void **base, size_t *len)
{
    if (!res || !base || !len) return -EINVAL;
    *base = res->bytes ? res->bytes : "";
    *len = res->nbytes;
    return 0;
}

const char *tide_http_response_url(const tide_http_response_t *res)
{
    return res && res->url ? res->url : "";
}

unsigned tide_http_response_redirects(const tide_http_response_t *res)
{
    return res ? res->redirects : 0;
}

int tide_http_response_reused_socket(const tide_http_response_t *res)
{
    return res ? res->reused : 0;
}

/* ---- collecting the body ------------------------------------------------- */

typedef struct {
    tide_http_response_cb cb; /* the callback form's */
    void *data;
    tide_promise_t *promise;  /* or the promise form's */
    size_t max;
    tide_http_response_t *res;
    int done;
} fetch_t;

static int fetch_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
static int fetch_event(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);

static void fetch_detach(fetch_t *f)
{
    tide_stream_t *b = f->res->body;
    tide_stream_off(b, TIDE_EVENT_DATA, fetch_data, f);
    tide_stream_off(b, TIDE_EVENT_END, fetch_event, f);
    tide_stream_off(b, TIDE_EVENT_ERROR, fetch_event, f);
}

static void release_value(void *res) { tide_http_response_release(res); }

/* Settle once: res (the form's reference) or err (taken). */
static void fetch_settle(fetch_t *f, tide_http_response_t *res, tide_error_t *err)
{
    f->done = 1;
    if (f->promise) {
        if (res) tide_promise_fulfil_owned(f->promise, res, release_value);
        else tide_promise_reject(f->promise, err);
        tide_promise_release(f->promise);
    } else {
        f->cb(res, err, f->data);
        tide_error_release(err);
    }
    tide__free(f);
}

static int fetch_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    (void)em, (void)ev;
    fetch_t *f = data;
    const tide_chunk_t *c = arg;
    tide_http_response_t *res = f->res;
    if (res->nbytes + c->len > f->max) {
        fetch_detach(f);
        tide_http_response_release(res); /* stops the exchange, closes the socket */
        fetch_settle(f, NULL, tide_error_new(TIDE_ERR_HTTP_BODY_TOO_LARGE,
                                             "response body over %zu bytes", f->max));
        return 0;
    }
    if (res->nbytes + c->len + 1 > res->bcap) {
        size_t cap = res->bcap ? res->bcap : 4096;
        while (cap < res->nbytes + c->len + 1) cap *= 2;
        char *b = tide__realloc(res->bytes, cap);
        if (!b) {
            fetch_detach(f);
            tide_http_response_release(res);
            fetch_settle(f, NULL, tide__hc_error(-ENOMEM, "response body"));
            return 0;
        }
        res->bytes = b;
        res->bcap = cap;
    }
    memcpy(res->bytes + res->nbytes, c->base, c->len);
    res->nbytes += c->len;
    res->bytes[res->nbytes] = '\0';
    return 0;
}

static int fetch_event(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    (void)em;
    fetch_t *f = data;
    tide_http_response_t *res = f->res;
    fetch_detach(f);
    if (ev == TIDE_EVENT_END) {
        fetch_settle(f, res, NULL);
    } else {
        tide_error_t *err = tide_error_ref(arg);
        tide_http_response_release(res);
        fetch_settle(f, NULL, err);
    }
    return 0;
}

static void fetch_on_response(tide_http_response_t *res, tide_error_t *err, void *data)
{
    fetch_t *f = data;
    if (err) {
        fetch_settle(f, NULL, tide_error_ref(err));
        return;
    }
    f->res = res;
    tide_stream_t *b = res->body;
    if (tide_stream_on(b, TIDE_EVENT_DATA, fetch_data, f) ||
        tide_stream_on(b, TIDE_EVENT_END, fetch_event, f) ||
        tide_stream_on(b, TIDE_EVENT_ERROR, fetch_event, f)) {
        fetch_detach(f);
        tide_http_response_release(res);
        fetch_settle(f, NULL, tide__hc_error(-ENOMEM, "fetch"));
    }
}

static int fetch_start(tide_loop_t *loop, const tide_http_request_opts_t *opts, fetch_t *f)
{
    if (opts && (opts->flags & TIDE_HTTP_BODY_STREAM)) {
        tide__free(f);
        return -EINVAL;
    }
    f->max = opts && opts->max_body ? opts->max_body : TIDE__HC_DEFAULT_MAX_BODY;
    int rc = tide__hc_start(loop, opts, fetch_on_response, f, NULL);
    if (rc) tide__free(f);
    return rc;
}

int tide_http_fetch(tide_loop_t *loop, const tide_http_request_opts_t *opts,
                    tide_http_response_cb cb, void *data)
{
    if (!cb) return -EINVAL;
    fetch_t *f = tide__calloc(1, sizeof *f);
    if (!f) return -ENOMEM;
    f->cb = cb;
    f->data = data;
    return fetch_start(loop, opts, f);
}

int tide_http_fetch_promise(tide_loop_t *loop, const tide_http_request_opts_t *opts,
                            tide_promise_t **out)
{
    if (!out) return -EINVAL;
    fetch_t *f = tide__calloc(1, sizeof *f);
    if (!f) return -ENOMEM;
    int rc = tide_promise_new(loop, &f->promise);
    if (rc) {
        tide__free(f);
        return rc;
    }
    tide_promise_t *p = tide_promise_ref(f->promise);
    rc = fetch_start(loop, opts, f);
    if (rc) {
        tide_promise_release(p); /* f and its reference are gone with it */
        tide_promise_release(p);
        return rc;
    }
    *out = p;
    return 0;
}

int tide_http_fetch_await(tide_loop_t *loop, const tide_http_request_opts_t *opts,
                          tide_http_response_t **out)
{
    if (!out) return -EINVAL;
    if (!tide_in_async()) return -EPERM;
    tide_promise_t *p;
    int rc = tide_http_fetch_promise(loop, opts, &p);
    if (rc) return rc;
    void *value = NULL;
    rc = tide_await(p, &value, NULL);
    if (rc == 0) *out = tide_http_response_ref(value);
    tide_promise_release(p);
    return rc;
}
