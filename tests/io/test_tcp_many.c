/* tests/io/test_tcp_many.c - 10,000 concurrent connections to an echo
 * server, each sending 64 KiB and checking every byte that comes back. The
 * clients run in a child process (each side then needs 10,000 fds, not
 * 20,000); a socketpair, itself an fd stream, carries "all connected",
 * "go" and the child's verdict. Also prints the server's memory per idle
 * connection. TIDE_TCP_CONNECTIONS lowers the count (Valgrind runs). */
#include <sys/wait.h>

#include "net_test.h"

#define PAYLOAD 65536
#define CONNECT_WINDOW 512 /* connects in flight at once: stays under the backlog */

static char pattern[PAYLOAD];
static int nconns = 10000;

/* ---- the client side (child process) ------------------------------------- */

typedef struct {
    tide_stream_t *s;
    size_t got;
} client_t;

static client_t *clients;
static int started, connected, finished, failed;
static tide_stream_t *control;

static void start_connects(tide_loop_t *loop, int port);

static void verdict_sent(tide_stream_t *s, tide_error_t *err, void *data)
{
    tide_stream_destroy(s, NULL);
}

static int client_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    client_t *c = data;
    const tide_chunk_t *chunk = arg;
    if (c->got + chunk->len > PAYLOAD || memcmp(chunk->base, pattern + c->got, chunk->len) != 0)
        failed++;
    c->got += chunk->len;
    if (c->got == PAYLOAD) {
        finished++;
        tide_stream_destroy(c->s, NULL);
        if (finished == nconns) tide_stream_write(control, failed ? "F" : "K", 1, verdict_sent, NULL);
    }
    return 0;
}

static int client_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    failed++;
    return 0;
}

static void client_connected(tide_stream_t *s, int status, void *data)
{
    int port = (int)(intptr_t)data;
    if (status) failed++;
    connected++;
    if (connected == nconns) tide_stream_write(control, "C", 1, NULL, NULL);
    start_connects(tide_stream_loop(s), port);
}

static void start_connects(tide_loop_t *loop, int port)
{
    while (started < nconns && started - connected < CONNECT_WINDOW) {
        client_t *c = &clients[started++];
        ASSERT_OK(tide_tcp_connect(loop, "127.0.0.1", port, NULL, client_connected,
                                   (void *)(intptr_t)port, &c->s));
        ASSERT_OK(tide_stream_on(c->s, TIDE_EVENT_ERROR, client_error, c));
    }
}

static int control_go(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    /* Every connection sends its 64 KiB (borrowed: the pattern outlives them). */
    for (int i = 0; i < nconns; i++) {
        ASSERT_OK(tide_stream_on(clients[i].s, TIDE_EVENT_DATA, client_data, &clients[i]));
        tide_stream_write(clients[i].s, pattern, PAYLOAD, NULL, NULL);
    }
    return 0;
}

static int run_clients(int port, int ctl_fd)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    clients = calloc((size_t)nconns, sizeof *clients);
    ASSERT_OK(tide_pipe_open(loop, ctl_fd, 0, &control));
    ASSERT_OK(tide_stream_on(control, TIDE_EVENT_DATA, control_go, NULL));
    start_connects(loop, port);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    return failed == 0 && finished == nconns ? 0 : 1;
}

/* ---- the server side -------------------------------------------------------- */

static tide_server_t *server;
static long rss_before;
static char verdict;

static long rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    ASSERT(f && fscanf(f, "%ld %ld", &pages, &resident) == 2);
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

static tide_stream_t *server_ctl;
static int all_connected, went;
static uint64_t accepted_total;

/* Once the child has connected everything and this side accepted it all,
 * the connections are idle: measure, then let the child send. */
static void maybe_go(void)
{
    if (went || !all_connected || tide_server_accepted(server) < (uint64_t)nconns) return;
    went = 1;
    long per = (rss_bytes() - rss_before) / nconns;
    printf("idle connections: %d, server RSS per connection: %ld bytes "
           "(socket object %zu + stream %zu)\n",
           nconns, per, sizeof(tide__sock_t), sizeof(tide_stream_t));
    tide_stream_write(server_ctl, "G", 1, NULL, NULL);
}

static void echo_conn(tide_server_t *srv, tide_stream_t *c, void *data)
{
    echo_attach(c);
    maybe_go();
}

static int server_control(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    const tide_chunk_t *chunk = arg;
    tide_stream_t *ctl = tide_stream_of(em);
    for (size_t i = 0; i < chunk->len; i++) {
        char m = ((const char *)chunk->base)[i];
        if (m == 'C') {
            all_connected = 1;
            maybe_go();
        } else {
            verdict = m;
            accepted_total = tide_server_accepted(server);
            tide_server_close(server, NULL, NULL);
            tide_stream_destroy(ctl, NULL);
        }
    }
    return 0;
}

int main(void)
{
    const char *env = getenv("TIDE_TCP_CONNECTIONS");
    if (env) nconns = atoi(env);
    struct rlimit rl;
    ASSERT_OK(getrlimit(RLIMIT_NOFILE, &rl));
    rlim_t need = (rlim_t)nconns + 64;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
        printf("SKIP: RLIMIT_NOFILE hard limit %lu is below the %lu fds %d connections need\n",
               (unsigned long)rl.rlim_max, (unsigned long)need, nconns);
        return 0;
    }
    rl.rlim_cur = rl.rlim_max;
    ASSERT_OK(setrlimit(RLIMIT_NOFILE, &rl));
    fill_pattern(pattern, sizeof pattern, 3);

    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    rss_before = rss_bytes();
    tide_listen_opts_t lo = {.backlog = 4096};
    ASSERT_OK(tide_tcp_listen(loop, "127.0.0.1", 0, &lo, echo_conn, NULL, &server));
    int port = tide_server_port(server);
    int ctl[2];
    ASSERT_OK(tide_pipe_pair(ctl, TIDE_PIPE_DUPLEX));
    fflush(stdout);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        close(ctl[0]);
        _exit(run_clients(port, ctl[1]));
    }
    close(ctl[1]);
    tide_stream_t *c;
    ASSERT_OK(tide_pipe_open(loop, ctl[0], 0, &c));
    server_ctl = c;
    ASSERT_OK(tide_stream_on(c, TIDE_EVENT_DATA, server_control, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    int status;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    ASSERT_EQ(verdict, 'K');
    ASSERT_EQ(accepted_total, nconns);
    tide_stream_release(c);
    ASSERT_OK(tide_loop_close(loop));
    return 0;
}
