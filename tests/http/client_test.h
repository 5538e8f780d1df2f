/* tests/http/client_test.h - what the HTTP client tests share: a Node
 * server spawned as a child (it prints its port; the test runs the loop
 * until that line arrives), and a fetch that runs the loop until its
 * callback came. */
#ifndef TIDE_TESTS_CLIENT_TEST_H
#define TIDE_TESTS_CLIENT_TEST_H

#include <libgen.h>

#include "test.h"

/* Run the loop while cond holds. The ticks and microtasks still queued
 * run before each test: tide_run would run them and then block in poll
 * even when they made cond false. */
#define RUN_WHILE(loop, cond)                                                  \
    do {                                                                       \
        tide_drain(loop);                                                      \
        while (cond) {                                                         \
            tide_run((loop), TIDE_RUN_ONCE);                                   \
            tide_drain(loop);                                                  \
        }                                                                      \
    } while (0)

typedef struct {
    tide_process_t *proc;
    char out[64];
    size_t out_len;
    int port;
    int closed;
} node_server_t;

static inline int node_out(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    node_server_t *s = data;
    const tide_chunk_t *c = arg;
    for (size_t i = 0; i < c->len && s->out_len + 1 < sizeof s->out; i++) s->out[s->out_len++] = ((char *)c->base)[i];
    s->out[s->out_len] = '\0';
    if (!s->port && strchr(s->out, '\n')) s->port = atoi(s->out);
    return 0;
}

static inline void node_closed(tide_process_t *p, int status, int sig, void *data)
{
    node_server_t *s = data;
    s->closed = 1;
}

/* Spawn `node js` (js beside this test's source) and wait for its port. */
static inline void node_start(tide_loop_t *loop, node_server_t *s, const char *src_file, const char *js)
{
    static char path[4096];
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", src_file);
    snprintf(path, sizeof path, "%s/%s", dirname(dir), js);
    char *argv[] = {"node", path, NULL};
    static const tide_stdio_t stdio[3] = {{TIDE_STDIO_PIPE, -1}, {TIDE_STDIO_PIPE, -1}, {TIDE_STDIO_INHERIT, -1}};
    tide_process_opts_t o;
    memset(&o, 0, sizeof o);
    memset(s, 0, sizeof *s);
    o.file = "node";
    o.args = argv;
    o.stdio = stdio;
    o.stdio_count = 3;
    o.on_close = node_closed;
    o.data = s;
    ASSERT_OK(tide_spawn(loop, &o, &s->proc));
    ASSERT_OK(tide_stream_on(tide_process_stdio(s->proc, 1), TIDE_EVENT_DATA, node_out, s));
    while (!s->port) ASSERT(tide_run(loop, TIDE_RUN_ONCE) >= 0 && !s->closed);
}

/* Close its stdin (it exits) and wait for it to be gone. */
static inline void node_stop(tide_loop_t *loop, node_server_t *s)
{
    ASSERT_OK(tide_stream_end(tide_process_stdio(s->proc, 0), NULL, NULL, NULL));
    RUN_WHILE(loop, !s->closed);
    ASSERT_OK(tide_process_free(s->proc));
}

typedef struct {
    int done;
    int code;
    tide_http_response_t *res;
} fetched_t;

static inline void on_fetched(tide_http_response_t *res, tide_error_t *err, void *data)
{
    fetched_t *f = data;
    f->done++;
    f->code = err ? err->code : 0;
    f->res = res;
}

/* Fetch and run the loop until it settles: 0 with *res, or the error. */
static inline int fetch_wait(tide_loop_t *loop, const tide_http_request_opts_t *o,
                             tide_http_response_t **res)
{
    fetched_t f = {0};
    int rc = tide_http_fetch(loop, o, on_fetched, &f);
    if (rc) return rc;
    RUN_WHILE(loop, !f.done);
    ASSERT_EQ(f.done, 1);
    *res = f.res;
    return f.code;
}

static inline const char *body_of(const tide_http_response_t *res)
{
    const void *b;
    size_t n;
    ASSERT_OK(tide_http_response_bytes(res, &b, &n));
    return b;
}

#endif
