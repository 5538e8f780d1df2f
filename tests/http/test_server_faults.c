/* tests/http/test_server_faults.c - the HTTP server when the system says
 * no: every allocation from loop creation to the last response is made to
 * fail in turn (allocation 0, then 1, ...), and each time the server
 * either answers whole or closes the connection, never hangs, and when the
 * loop closes nothing it allocated is left; then writes that go out a few
 * bytes at a time, with EAGAIN in between, still deliver every response
 * byte for byte, pipelined and chunked. */
#include "http_test.h"
#include "test_alloc.h"
#include "tide/http.h"

static const char request[] =
    "POST /upload?x=1 HTTP/1.1\r\nHost: t\r\nX-One: 1\r\nX-Two: 2\r\n"
    "Content-Length: 10\r\n\r\n0123456789";
static const char expected_body[] = "got 10 b bytes end";

typedef struct {
    tide_http_res_t *res;
    tide_stream_t *body;
    size_t got;
} upload_t;

static int body_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
static int body_done(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);

static void finish(upload_t *u, int failed)
{
    if (u->body) {
        tide_stream_off(u->body, TIDE_EVENT_DATA, body_data, u);
        tide_stream_off(u->body, TIDE_EVENT_END, body_done, u);
        tide_stream_off(u->body, TIDE_EVENT_ERROR, body_done, u);
        tide_stream_off(u->body, TIDE_EVENT_CLOSE, body_done, u);
    }
    if (failed) { /* the body was lost (no memory): say so */
        tide_http_res_status(u->res, 500);
        (void)tide_http_res_end(u->res, NULL, 0);
        free(u);
        return;
    }
    char line[32];
    int n = snprintf(line, sizeof line, "got %zu b ", u->got);
    /* A handler that cannot add to its answer ends it as it is; the
     * server closes a connection whose answer it could not complete. */
    if (tide_http_res_set_header(u->res, "X-Seen", "yes") == 0 &&
        tide_http_res_write_copy(u->res, line, (size_t)n) >= 0)
        (void)tide_http_res_write_copy(u->res, "bytes end", 9);
    (void)tide_http_res_end(u->res, NULL, 0);
    free(u);
}

static int body_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    (void)em, (void)ev;
    ((upload_t *)data)->got += ((tide_chunk_t *)arg)->len;
    return 0;
}

/* 'end', or the body lost: 'error', or 'close' alone when even the error
 * could not be recorded. */
static int body_done(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    (void)em, (void)arg;
    finish(data, ev != TIDE_EVENT_END);
    return 0;
}

static void on_request(tide_http_req_t *req, tide_http_res_t *res, void *data)
{
    (void)data;
    upload_t *u = calloc(1, sizeof *u);
    ASSERT(u != NULL);
    u->res = res;
    tide_stream_t *body = u->body = tide_http_req_body(req);
    if (!body || tide_stream_on(body, TIDE_EVENT_DATA, body_data, u) ||
        tide_stream_on(body, TIDE_EVENT_END, body_done, u) ||
        tide_stream_on(body, TIDE_EVENT_ERROR, body_done, u) ||
        tide_stream_on(body, TIDE_EVENT_CLOSE, body_done, u))
        finish(u, 1); /* no memory to read the body */
}

/* A raw client that owns no tide handle (its allocations would be the
 * test's, not the server's): the loop is turned while it waits. */
static int raw_client(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ASSERT_OK(connect(fd, (struct sockaddr *)&sa, sizeof sa));
    ASSERT_OK(fcntl(fd, F_SETFL, O_NONBLOCK));
    return fd;
}

/* Read until the reply holds n whole responses or the server closed; 1
 * when all n came. A chunked answer ends with "0\r\n\r\n", and so does the
 * head of an empty one (Content-Length: 0). */
static int read_replies(tide_loop_t *loop, int fd, char *buf, size_t cap, int n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (;;) {
        if (count_of(buf, "0\r\n\r\n") >= n) return 1;
        ssize_t r = recv(fd, buf + len, cap - 1 - len, 0);
        if (r > 0) {
            len += (size_t)r;
            buf[len] = '\0';
            continue;
        }
        if (r == 0 || (errno != EAGAIN && errno != EINTR)) return 0;
        ASSERT_GE(tide_run(loop, TIDE_RUN_NOWAIT), 0);
    }
}

/* n chunked 200 responses, back to back, each with the expected body. */
static void check_replies(const char *buf, int n)
{
    const char *p = buf;
    for (int i = 0; i < n; i++) {
        if (strncmp(p, "HTTP/1.1 500 ", 13) == 0) { /* the handler's: its body was lost */
            const char *empty = "Content-Length: 0\r\n\r\n";
            p = strstr(p, empty);
            ASSERT(p != NULL);
            p += strlen(empty);
            continue;
        }
        ASSERT(strncmp(p, "HTTP/1.1 200 OK\r\n", 17) == 0);
        const char *head_end = strstr(p, "\r\n\r\n");
        ASSERT(head_end != NULL);
        const char *seen = strstr(p, "X-Seen: yes\r\n");
        ASSERT(seen != NULL && seen < head_end);
        p = head_end + 4;
        char body[64];
        size_t len = 0;
        for (;;) {
            char *end;
            unsigned long size = strtoul(p, &end, 16);
            ASSERT(end != p && strncmp(end, "\r\n", 2) == 0);
            p = end + 2;
            if (size == 0) break;
            ASSERT_LT(len + size, sizeof body);
            memcpy(body + len, p, size);
            len += size;
            p += size;
            ASSERT(strncmp(p, "\r\n", 2) == 0);
            p += 2;
        }
        ASSERT(strncmp(p, "\r\n", 2) == 0);
        p += 2;
        body[len] = '\0';
        ASSERT_STR_EQ(body, expected_body);
    }
    ASSERT_EQ(*p, '\0');
}

/* One life of a server with the allocator's budget given: listen, serve a
 * request on a connection, close. 1 when the budget was never reached. */
static int one_life(long budget)
{
    alloc_budget = budget;
    tide_loop_t *loop;
    if (tide_loop_new(&loop) != 0) return 0;
    tide_http_server_t *srv;
    if (tide_http_listen(loop, "127.0.0.1", 0, NULL, on_request, NULL, &srv) == 0) {
        int fd = raw_client(tide_http_server_port(srv));
        ASSERT_EQ(send(fd, request, sizeof request - 1, MSG_NOSIGNAL), (ssize_t)sizeof request - 1);
        char buf[4096];
        if (read_replies(loop, fd, buf, sizeof buf, 1)) check_replies(buf, 1);
        close(fd);
        (void)tide_http_server_close(srv, NULL, NULL);
        while (tide_run(loop, TIDE_RUN_ONCE) > 0) {
        }
    }
    int whole = alloc_budget != 0;
    alloc_budget = -1;
    ASSERT_OK(tide_loop_close(loop));
    return whole;
}

static void test_every_allocation_fails_in_turn(void)
{
    alloc_sweep(one_life);
}

/* ---- writes a few bytes at a time ----------------------------------------- */

static int write_calls;
static ssize_t dribbling_write(int fd, const void *buf, size_t n)
{
    if (++write_calls % 3 == 0) {
        errno = EAGAIN;
        return -1;
    }
    return write(fd, buf, n < 7 ? n : 7);
}

static void test_short_writes(void)
{
    tide__sys.write = dribbling_write;
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_http_server_t *srv;
    ASSERT_OK(tide_http_listen(loop, "127.0.0.1", 0, NULL, on_request, NULL, &srv));
    int fd = raw_client(tide_http_server_port(srv));
    /* Three requests in one write: three answers in order, whole. */
    char three[3 * sizeof request];
    size_t len = 0;
    for (int i = 0; i < 3; i++) {
        memcpy(three + len, request, sizeof request - 1);
        len += sizeof request - 1;
    }
    ASSERT_EQ(send(fd, three, len, MSG_NOSIGNAL), (ssize_t)len);
    char buf[8192];
    ASSERT_EQ(read_replies(loop, fd, buf, sizeof buf, 3), 1);
    check_replies(buf, 3);
    ASSERT_GT(write_calls, 50); /* it did go out in pieces */
    close(fd);
    ASSERT_OK(tide_http_server_close(srv, NULL, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    tide__sys.write = tide__sys_default.write;
    ASSERT_OK(tide_loop_close(loop));
}

int main(void)
{
    test_every_allocation_fails_in_turn();
    test_short_writes();
    printf("ok\n");
    return 0;
}
