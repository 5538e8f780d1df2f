/* tests/http/test_server_clients.c - real clients against the server,
 * spawned as child processes whose exit the loop waits on (a pidfd):
 * curl reusing one keep-alive connection, a chunked upload and an
 * Expect: 100-continue upload; Node's http client (keep-alive agent,
 * chunked POST) and fetch. Skipped when curl or node is missing. */
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "http_test.h"

extern char **environ;

static int peer_ports[8], npeers;

static int on_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    *(size_t *)((char *)data + 0) += ((const tide_chunk_t *)arg)->len;
    return 0;
}

typedef struct {
    tide_http_res_t *res;
    size_t got;
} upload_t;

static int on_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    upload_t *u = data;
    char reply[64];
    int n = snprintf(reply, sizeof reply, "got %zu", u->got);
    ASSERT_OK(tide_http_res_send(u->res, 200, "text/plain", reply, (size_t)n));
    free(u);
    return 0;
}

static void handler(tide_http_req_t *req, tide_http_res_t *res, void *data)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (tide_http_req_peer_address(req, &ss, &len) == 0 && npeers < 8)
        peer_ports[npeers++] = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (tide_http_req_has_body(req)) {
        upload_t *u = calloc(1, sizeof *u);
        u->res = res;
        tide_stream_t *body = tide_http_req_body(req);
        tide_stream_on(body, TIDE_EVENT_DATA, on_data, &u->got);
        tide_stream_on(body, TIDE_EVENT_END, on_end, u);
        return;
    }
    char reply[256];
    int n = snprintf(reply, sizeof reply, "path %s", tide_http_req_path(req));
    ASSERT_OK(tide_http_res_send(res, 200, "text/plain", reply, (size_t)n));
}

static int exited;
static void on_exit_fd(tide_poll_t *w, int status, int events, void *data) { exited = 1; }

/* Run argv with stdout to out_path; returns its exit status. */
static int run_child(tide_loop_t *loop, char *const argv[], const char *out_path)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid;
    int err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    ASSERT_OK(err);
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    ASSERT(pfd >= 0);
    tide_poll_t *w;
    ASSERT_OK(tide_poll_new(loop, pfd, &w));
    exited = 0;
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_exit_fd, NULL));
    while (!exited) tide_run(loop, TIDE_RUN_ONCE);
    tide_close((tide_handle_t *)w, NULL);
    close(pfd);
    int st;
    ASSERT_EQ(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ASSERT(f);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int have(const char *prog)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
    return system(cmd) == 0;
}

int main(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_http_server_t *srv;
    ASSERT_OK(tide_http_listen(loop, "127.0.0.1", 0, NULL, handler, NULL, &srv));
    char base[64], url_a[96], url_b[96], out[] = "/tmp/tide-http-clients-XXXXXX", data[] = "/tmp/tide-http-data-XXXXXX";
    snprintf(base, sizeof base, "http://127.0.0.1:%d", tide_http_server_port(srv));
    snprintf(url_a, sizeof url_a, "%s/a", base);
    snprintf(url_b, sizeof url_b, "%s/b", base);
    close(mkstemp(out));
    int dfd = mkstemp(data);
    static char blob[300000];
    memset(blob, 'z', sizeof blob);
    ASSERT_EQ(write(dfd, blob, sizeof blob), (ssize_t)sizeof blob);
    close(dfd);
    if (have("curl")) {
        char *keep[] = {"curl", "-sS", url_a, url_b, NULL};
        ASSERT_EQ(run_child(loop, keep, out), 0);
        ASSERT_STR_EQ(slurp(out), "path /apath /b");
        ASSERT_EQ(npeers, 2);
        ASSERT_EQ(peer_ports[0], peer_ports[1]); /* one connection, reused */
        char at[128];
        snprintf(at, sizeof at, "@%s", data);
        char *chunked[] = {"curl", "-sS", "-H", "Transfer-Encoding: chunked", "--data-binary", at,
                           url_a, NULL};
        ASSERT_EQ(run_child(loop, chunked, out), 0);
        ASSERT_STR_EQ(slurp(out), "got 300000");
        char *expect[] = {"curl", "-sS", "-H", "Expect: 100-continue", "--data-binary", at, url_a,
                          NULL};
        ASSERT_EQ(run_child(loop, expect, out), 0);
        ASSERT_STR_EQ(slurp(out), "got 300000");
    }
    if (have("node")) {
        char script[1024];
        snprintf(script, sizeof script,
                 "const http=require('http');const agent=new http.Agent({keepAlive:true});"
                 "const get=(p,body)=>new Promise((ok,no)=>{const r=http.request('%s'+p,"
                 "{agent,method:body?'POST':'GET'},res=>{let s='';res.on('data',d=>s+=d);"
                 "res.on('end',()=>ok(s))});r.on('error',no);if(body){r.write(body);r.write(body)}r.end()});"
                 "(async()=>{const a=await get('/x');const b=await get('/y','12345');"
                 "const f=await (await fetch('%s/f')).text();"
                 "process.stdout.write([a,b,f].join('|'));agent.destroy()})()",
                 base, base);
        char *node[] = {"node", "-e", script, NULL};
        ASSERT_EQ(run_child(loop, node, out), 0);
        ASSERT_STR_EQ(slurp(out), "path /x|got 10|path /f");
    }
    unlink(out);
    unlink(data);
    wait_no_connections(loop, srv);
    ASSERT_OK(tide_http_server_close(srv, NULL, NULL));
    TEST_CLOSE_LOOP(loop);
    return 0;
}
