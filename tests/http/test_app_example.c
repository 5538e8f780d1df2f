/* test_app_example.c - the flagship example end to end: start
 * examples/http_server on a free port (--port 0), read the URL it prints,
 * request each route once with curl, then Ctrl-C it (SIGINT) and check
 * that it closed gracefully and exited 0. */
#include <libgen.h>
#include <signal.h>

#include "app_test.h"

static child_out_t server_out;

static void on_server_exit(tide_process_t *p, int status, int sig, void *data)
{
    server_out.closed = 1;
    server_out.status = status;
}

static char *curl(tide_loop_t *loop, const char *url, const char *extra1, const char *extra2)
{
    char *argv[8] = {"curl", "-sS", "-i"};
    int n = 3;
    if (extra1) argv[n++] = (char *)extra1;
    if (extra2) argv[n++] = (char *)extra2;
    argv[n++] = (char *)url;
    argv[n] = NULL;
    int status;
    char *out = run_child(loop, argv, &status, NULL);
    ASSERT_EQ(status, 0);
    return out;
}

int main(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    /* tests/<this> and examples/http_server live side by side in the build */
    char self[4096], exe[4200];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    ASSERT_GT(n, 0);
    self[n] = '\0';
    snprintf(exe, sizeof exe, "%s/../examples/http_server", dirname(self));

    char *argv[] = {exe, "--port", "0", NULL};
    tide_stdio_t stdio[3] = {{TIDE_STDIO_IGNORE, 0}, {TIDE_STDIO_PIPE, 0}, {TIDE_STDIO_INHERIT, 0}};
    tide_process_opts_t o = {.file = exe, .args = argv, .stdio = stdio, .stdio_count = 3,
                             .on_exit = on_server_exit};
    tide_process_t *proc;
    ASSERT_OK(tide_spawn(loop, &o, &proc));
    ASSERT_OK(tide_stream_on(tide_process_stdio(proc, 1), TIDE_EVENT_DATA, child_on_data, &server_out));
    while (!server_out.out || !strstr(server_out.out, "Ctrl-C")) {
        ASSERT(!server_out.closed);
        tide_run(loop, TIDE_RUN_ONCE);
    }
    const char *at = strstr(server_out.out, "http://127.0.0.1:");
    ASSERT(at);
    int port = atoi(at + strlen("http://127.0.0.1:"));
    ASSERT_GT(port, 0);

    char url[256];
#define URL(path) (snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path), url)
    char *r = curl(loop, URL("/"), NULL, NULL);
    ASSERT(strstr(r, "200 OK") && strstr(r, "Served by tide") && strstr(r, "ETag: W/"));
    free(r);
    r = curl(loop, URL("/style.css"), NULL, NULL);
    ASSERT(strstr(r, "Content-Type: text/css"));
    free(r);
    r = curl(loop, URL("/hello/world?greeting=Hi"), NULL, NULL);
    ASSERT(strstr(r, "Hi, world!"));
    free(r);
    r = curl(loop, URL("/api/users/42"), NULL, NULL);
    ASSERT(strstr(r, "application/json") && strstr(r, "\"id\":42"));
    free(r);
    r = curl(loop, URL("/api/users/x"), NULL, NULL);
    ASSERT(strstr(r, "404") && strstr(r, "{\"status\":404"));
    free(r);
    r = curl(loop, URL("/api/echo"), "-HContent-Type: application/json", "-d{\"x\":1}");
    ASSERT(strstr(r, "{\"received\":{\"x\":1},\"ok\":true}"));
    free(r);
    r = curl(loop, URL("/slow"), NULL, NULL);
    ASSERT(strstr(r, "\"slept_ms\":") && strstr(r, "\"index_html_bytes\":"));
    free(r);
    r = curl(loop, URL("/boom"), NULL, NULL);
    ASSERT(strstr(r, "500 Internal Server Error") && !strstr(r, "fire"));
    free(r);
    {
        char *cargv[] = {"curl", "-sS", "--compressed", "-o", "/dev/null", "-w",
                         "%{http_code} %{size_download}", URL("/stream?mb=8"), NULL};
        int status;
        char *out = run_child(loop, cargv, &status, NULL);
        ASSERT_EQ(status, 0);
        ASSERT_EQ(strncmp(out, "200 ", 4), 0);
        ASSERT_LT(atol(out + 4), 8 << 20); /* compressed on the way */
        free(out);
        char *pargv[] = {"curl", "-sS", "-o", "/dev/null", "-w", "%{size_download}",
                         URL("/stream?mb=8"), NULL};
        out = run_child(loop, pargv, &status, NULL);
        ASSERT_EQ(atol(out), 8 << 20);
        free(out);
    }

    ASSERT_OK(tide_process_kill(proc, SIGINT));
    while (!server_out.closed) tide_run(loop, TIDE_RUN_ONCE);
    ASSERT_EQ(server_out.status, 0);
    tide_run(loop, TIDE_RUN_DEFAULT); /* the rest of its output */
    ASSERT(strstr(server_out.out, "server closed"));
    ASSERT(strstr(server_out.out, "GET /api/users/42"));
    ASSERT_OK(tide_process_free(proc));
    free(server_out.out);
    ASSERT_OK(tide_loop_close(loop));
    printf("ok\n");
    return 0;
}
