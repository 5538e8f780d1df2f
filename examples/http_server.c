/* http_server.c - tide's flagship example: an HTTP server with routes and
 * params, JSON in and out, static files, gzip, a large generated response
 * streamed with backpressure, and a handler written as a fiber that awaits.
 * Ctrl-C closes it gracefully. `make run` starts it on 127.0.0.1:8080;
 * --port N (or TIDE_PORT) picks another port, 0 a free one. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tide.h"
#include "tide/fs.h"
#include "tide/http_app.h"

typedef struct {
    tide_loop_t *loop;
    tide_http_app_t *app;
    tide_http_server_t *server;
    tide_signal_t *sigint;
    char public_dir[1024];
} server_t;

/* GET /hello/:name */
static void hello(tide_http_ctx_t *ctx, void *data)
{
    char text[256];
    const char *greeting = tide_http_query(ctx, "greeting");
    snprintf(text, sizeof text, "%s, %s!\n", greeting ? greeting : "Hello",
             tide_http_param(ctx, "name"));
    tide_http_send_text(ctx, 200, text);
}

/* GET /api/users/:id -> JSON */
static void get_user(tide_http_ctx_t *ctx, void *data)
{
    const char *id = tide_http_param(ctx, "id");
    char *end;
    long n = strtol(id, &end, 10);
    if (*end || n <= 0) {
        tide_http_next_error(ctx, tide_http_error_new(404, "no such user"));
        return;
    }
    json_t *user = json_pack("{s:i, s:s, s:[s,s]}", "id", (int)n, "name", "Ada",
                             "roles", "admin", "author");
    tide_http_send_json(ctx, 200, user);
    json_decref(user);
}

/* POST /api/echo with a JSON body (the json parser ran before) */
static void echo(tide_http_ctx_t *ctx, void *data)
{
    json_t *body = tide_http_body_json(ctx);
    json_t *reply = json_pack("{s:O?, s:b}", "received", body, "ok", 1);
    tide_http_send_json(ctx, 200, reply);
    json_decref(reply);
}

/* GET /stream?mb=N: N MiB of generated lines; writing stops whenever the
 * connection's buffer is full (write returns 0) and resumes at drain. */
typedef struct {
    uint64_t left, line;
} stream_state_t;

static void pump(tide_http_ctx_t *ctx, void *data)
{
    stream_state_t *st = data;
    char buf[8192];
    while (st->left > 0) {
        size_t n = 0;
        while (n + 64 < sizeof buf) n += (size_t)snprintf(buf + n, sizeof buf - n,
                                                           "line %08llu of a streamed response\n",
                                                           (unsigned long long)st->line++);
        if (n > st->left) n = (size_t)st->left;
        st->left -= n;
        int more = tide_http_write(ctx, buf, n);
        if (more < 0) break; /* the client went away */
        if (more == 0 && st->left) return; /* wait for drain: pump runs again */
    }
    free(st);
    tide_http_end(ctx, NULL, 0);
}

static void on_stream_abort(tide_http_ctx_t *ctx, void *data)
{
    stream_state_t *st = data;
    st->left = 0; /* pump sees nothing left and ends */
}

static void stream(tide_http_ctx_t *ctx, void *data)
{
    const char *mb = tide_http_query(ctx, "mb");
    long n = mb ? strtol(mb, NULL, 10) : 16;
    if (n < 1 || n > 1024) n = 16;
    stream_state_t *st = malloc(sizeof *st);
    if (!st) {
        tide_http_next_error(ctx, tide_http_error_new(503, NULL));
        return;
    }
    st->left = (uint64_t)n << 20;
    st->line = 0;
    tide_http_res_set_header(tide_http_ctx_res(ctx), "Content-Type", "text/plain; charset=utf-8");
    tide_http_on_drain(ctx, pump, st);
    tide_http_on_abort(ctx, on_stream_abort, st);
    pump(ctx, st);
}

/* GET /slow: a fiber that awaits a sleep and a file read, top to bottom. */
static int slow(tide_http_ctx_t *ctx, void *data)
{
    server_t *s = data;
    uint64_t t0 = tide_now(s->loop);
    int rc = tide_sleep_await(s->loop, 200, NULL);
    if (rc < 0) return rc;
    char path[1100];
    snprintf(path, sizeof path, "%s/index.html", s->public_dir);
    tide_fs_result_t file = {0};
    int64_t got = tide_fs_read_file_await(s->loop, path, 0, NULL, &file);
    if (got < 0) return (int)got;
    json_t *reply = json_pack("{s:I, s:I}", "slept_ms", (json_int_t)(tide_now(s->loop) - t0),
                              "index_html_bytes", (json_int_t)file.len);
    tide_fs_result_clear(&file);
    rc = tide_http_send_json(ctx, 200, reply);
    json_decref(reply);
    return rc;
}

/* GET /boom: an error for the error middleware */
static void boom(tide_http_ctx_t *ctx, void *data)
{
    tide_http_next_error(ctx, tide_error_new(-EIO, "the disk is on fire"));
}

/* Error middleware: JSON for /api, the default answer elsewhere. */
static void api_errors(tide_http_ctx_t *ctx, tide_error_t *err, void *data)
{
    int status = tide_http_error_status(err);
    json_t *reply = json_pack("{s:i, s:s}", "status", status, "error",
                              tide_http_status_text(status));
    tide_http_send_json(ctx, status, reply);
    json_decref(reply);
}

/* Logging middleware: one line per request. */
static void log_requests(tide_http_ctx_t *ctx, void *data)
{
    printf("%s %s\n", tide_http_ctx_method(ctx), tide_http_req_url(tide_http_ctx_req(ctx)));
    tide_http_next(ctx);
}

static void on_closed(tide_http_server_t *server, void *data)
{
    server_t *s = data;
    printf("server closed\n");
    tide_http_app_free(s->app);
    s->app = NULL;
}

static void on_sigint(tide_signal_t *h, int signum, void *data)
{
    server_t *s = data;
    printf("\nSIGINT: closing (requests in flight finish first)\n");
    tide_close((tide_handle_t *)s->sigint, NULL);
    tide_http_server_close(s->server, on_closed, s);
}

static int setup_routes(server_t *s)
{
    static tide_http_compress_opts_t gzip = {0};
    static tide_http_body_opts_t json = {.limit = 64 * 1024};
    static tide_http_static_opts_t files;
    files.root = s->public_dir;
    tide_http_app_t *app = s->app;
    tide_http_router_t *api;
    int rc;
    if ((rc = tide_http_app_use(app, log_requests, s)) ||
        (rc = tide_http_app_use(app, tide_http_compress, &gzip)) ||
        (rc = tide_http_app_get(app, "/hello/:name", hello, s)) ||
        (rc = tide_http_app_get(app, "/stream", stream, s)) ||
        (rc = tide_http_app_get_async(app, "/slow", slow, s)) ||
        (rc = tide_http_app_get(app, "/boom", boom, s)) ||
        (rc = tide_http_router_new(s->loop, &api)))
        return rc;
    if ((rc = tide_http_router_use(api, NULL, tide_http_json_parser, &json)) ||
        (rc = tide_http_router_route(api, "GET", "/users/:id", get_user, s)) ||
        (rc = tide_http_router_route(api, "POST", "/echo", echo, s)) ||
        (rc = tide_http_router_use_error(api, NULL, api_errors, s))) {
        tide_http_router_free(api);
        return rc;
    }
    if ((rc = tide_http_app_mount(app, "/api", api))) {
        tide_http_router_free(api);
        return rc;
    }
    return tide_http_app_use_path(app, "/", tide_http_static, &files);
}

int main(int argc, char **argv)
{
    server_t s = {0};
    int port = 8080;
    const char *env = getenv("TIDE_PORT");
    if (env) port = atoi(env);
    /* The public folder sits beside this source file. */
    snprintf(s.public_dir, sizeof s.public_dir, "%s", __FILE__);
    char *slash = strrchr(s.public_dir, '/');
    snprintf(slash ? slash + 1 : s.public_dir,
             sizeof s.public_dir - (size_t)(slash ? slash + 1 - s.public_dir : 0), "public");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--root") == 0 && i + 1 < argc)
            snprintf(s.public_dir, sizeof s.public_dir, "%s", argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--port N] [--root DIR]\n", argv[0]);
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    int rc = tide_loop_new(&s.loop);
    if (rc == 0) rc = tide_http_app_new(s.loop, &s.app);
    if (rc == 0) rc = setup_routes(&s);
    if (rc == 0) rc = tide_http_app_listen(s.app, "127.0.0.1", port, NULL, &s.server);
    if (rc == 0) rc = tide_signal_new(s.loop, &s.sigint);
    if (rc == 0) rc = tide_signal_start(s.sigint, on_sigint, SIGINT, &s);
    if (rc < 0) {
        fprintf(stderr, "http_server: %s\n", tide_strerror(rc));
        return 1;
    }
    int p = tide_http_server_port(s.server);
    printf("tide HTTP server listening on http://127.0.0.1:%d/\n\n", p);
    printf("Try:\n");
    printf("  curl http://127.0.0.1:%d/                      # static index.html\n", p);
    printf("  curl http://127.0.0.1:%d/hello/world?greeting=Hi\n", p);
    printf("  curl http://127.0.0.1:%d/api/users/42          # JSON out\n", p);
    printf("  curl -d '{\"x\":1}' -H 'Content-Type: application/json' "
           "http://127.0.0.1:%d/api/echo\n", p);
    printf("  curl http://127.0.0.1:%d/slow                  # a fiber awaiting sleep + file\n", p);
    printf("  curl -o /dev/null http://127.0.0.1:%d/stream?mb=64   # backpressure\n", p);
    printf("  curl --compressed -v http://127.0.0.1:%d/stream?mb=1 -o /dev/null  # gzip\n", p);
    printf("  curl -i http://127.0.0.1:%d/boom               # error middleware\n", p);
    printf("\nPress Ctrl-C to stop.\n\n");
    tide_run(s.loop, TIDE_RUN_DEFAULT);
    if (s.app) tide_http_app_free(s.app);
    rc = tide_loop_close(s.loop);
    return rc == 0 ? 0 : 1;
}
