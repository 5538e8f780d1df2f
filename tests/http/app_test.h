/* tests/http/app_test.h - what the application-layer tests share beyond
 * http_test.h: running curl as a child process on the same loop (its
 * output collected from a pipe, its exit waited for, never slept on) and a
 * one-shot raw request that returns the whole reply. */
#ifndef TIDE_TEST_APP_TEST_H
#define TIDE_TEST_APP_TEST_H

#include "http_test.h"
#include "tide/http_app.h"

typedef struct {
    char *out;
    size_t len;
    int closed, status;
} child_out_t;

static inline int child_on_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    child_out_t *c = data;
    const tide_chunk_t *ch = arg;
    c->out = realloc(c->out, c->len + ch->len + 1);
    ASSERT(c->out);
    memcpy(c->out + c->len, ch->base, ch->len);
    c->len += ch->len;
    c->out[c->len] = '\0';
    return 0;
}

static inline void child_on_close(tide_process_t *p, int status, int sig, void *data)
{
    child_out_t *c = data;
    c->closed = 1;
    c->status = status;
}

/* Run argv (argv[0] looked up in PATH) with stdout collected; returns its
 * output (free it) and sets *status to its exit status. */
static inline char *run_child(tide_loop_t *loop, char *const *argv, int *status, size_t *len)
{
    child_out_t c = {0};
    tide_stdio_t stdio[3] = {{TIDE_STDIO_IGNORE, 0}, {TIDE_STDIO_PIPE, 0}, {TIDE_STDIO_INHERIT, 0}};
    tide_process_opts_t o = {0};
    o.file = argv[0];
    o.args = argv;
    o.stdio = stdio;
    o.stdio_count = 3;
    o.on_close = child_on_close;
    o.data = &c;
    tide_process_t *p;
    ASSERT_OK(tide_spawn(loop, &o, &p));
    ASSERT_OK(tide_stream_on(tide_process_stdio(p, 1), TIDE_EVENT_DATA, child_on_data, &c));
    while (!c.closed) tide_run(loop, TIDE_RUN_ONCE);
    ASSERT_OK(tide_process_free(p));
    *status = c.status;
    if (len) *len = c.len;
    return c.out ? c.out : strdup("");
}

/* One request on a new connection; the reply up to the server's close
 * (the request should say Connection: close). Free it. */
static inline char *raw_request(tide_loop_t *loop, int port, const char *request)
{
    client_t cl;
    client_open(&cl, loop, port);
    client_send(&cl, request);
    client_wait_eof(&cl);
    char *reply = strdup(cl.buf);
    client_close(&cl);
    return reply;
}

/* The status code of a reply ("HTTP/1.1 404 ..." -> 404). */
static inline int reply_status(const char *reply)
{
    const char *sp = strchr(reply, ' ');
    return sp ? atoi(sp + 1) : -1;
}

/* The body: what follows the blank line. */
static inline const char *reply_body(const char *reply)
{
    const char *b = strstr(reply, "\r\n\r\n");
    return b ? b + 4 : "";
}
#endif
