/* tests/io/test_dns.c - getaddrinfo and getnameinfo on the DNS lane: the
 * three forms, results and error codes, cancellation of queued and running
 * lookups, and a lookup that completes while every FILE worker is stuck. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/sys.h"
#include "gate.h"
#include "test.h"

static gate_t gate;

static int has_loopback(const struct addrinfo *res)
{
    for (; res; res = res->ai_next) {
        if (res->ai_family == AF_INET &&
            ((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK))
            return 1;
        if (res->ai_family == AF_INET6 &&
            IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr))
            return 1;
    }
    return 0;
}

static int lookup_status = 1;
static int lookups_done;
static int lookup_port;
static void on_lookup(tide_loop_t *loop, int status, struct addrinfo *res, void *data)
{
    lookup_status = status;
    lookups_done++;
    if (status == 0) {
        ASSERT(has_loopback(res));
        if (res->ai_family == AF_INET) lookup_port = ntohs(((struct sockaddr_in *)res->ai_addr)->sin_port);
        if (data) ASSERT_STR_EQ(res->ai_canonname, data);
    } else {
        ASSERT(res == NULL);
    }
    tide_dns_free(res);
}

static void test_lookup_callback(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    struct addrinfo hints = {0};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    ASSERT_OK(tide_dns_lookup(loop, "127.0.0.1", "8080", &hints, NULL, on_lookup, NULL));
    ASSERT_EQ(lookups_done, 0); /* never from inside the call */
    TEST_CLOSE_LOOP(loop);
    ASSERT_EQ(lookup_status, 0);
    ASSERT_EQ(lookup_port, 8080);

    /* The errors, each with its code and name. */
    struct {
        const char *node, *service;
        int flags, family, want;
        const char *name;
    } cases[] = {
        {"not-an-address", NULL, AI_NUMERICHOST, AF_UNSPEC, TIDE_ENOTFOUND, "ENOTFOUND"},
        {"127.0.0.1", "http", AI_NUMERICHOST | AI_NUMERICSERV, AF_UNSPEC, TIDE_ENOTFOUND, NULL},
        {"127.0.0.1", NULL, 0x7fff0000, AF_UNSPEC, TIDE_EAI_BADFLAGS, "EAI_BADFLAGS"},
        {"127.0.0.1", NULL, 0, 12345, TIDE_EAI_FAMILY, "EAI_FAMILY"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ASSERT_OK(tide_loop_new(&loop));
        memset(&hints, 0, sizeof hints);
        hints.ai_flags = cases[i].flags;
        hints.ai_family = cases[i].family;
        ASSERT_OK(tide_dns_lookup(loop, cases[i].node, cases[i].service, &hints, NULL, on_lookup,
                                  NULL));
        TEST_CLOSE_LOOP(loop);
        ASSERT_EQ(lookup_status, cases[i].want);
        if (cases[i].name) ASSERT_STR_EQ(tide_err_name(lookup_status), cases[i].name);
        ASSERT(strcmp(tide_strerror(lookup_status), "unknown error") != 0);
    }
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT_EQ(tide_dns_lookup(loop, NULL, NULL, NULL, NULL, on_lookup, NULL), -EINVAL);
    ASSERT_EQ(tide_dns_lookup(loop, "x", NULL, NULL, NULL, NULL, NULL), -EINVAL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- promise and await ---------------------------------------------------- */

static char rejection[128];
static tide_result_t check_list(tide_loop_t *loop, void *data, void *value)
{
    ASSERT(has_loopback(value));
    (*(int *)data)++;
    return tide_ok(NULL);
}
static tide_result_t keep_rejection(tide_loop_t *loop, void *data, tide_error_t *error)
{
    snprintf(rejection, sizeof rejection, "%s", error->message);
    *(int *)data = error->code;
    return tide_ok(NULL);
}

static int await_rc[4];
static tide_nameinfo_t await_info;
static tide_result_t awaiting(tide_loop_t *loop, void *arg)
{
    struct addrinfo *res = NULL;
    await_rc[0] = tide_dns_lookup_await(loop, "localhost", NULL, NULL, NULL, &res);
    ASSERT(has_loopback(res));
    tide_dns_free(res);
    struct addrinfo hints = {0};
    hints.ai_flags = AI_NUMERICHOST;
    await_rc[1] = tide_dns_lookup_await(loop, "no such host", NULL, &hints, NULL, &res);
    ASSERT(res == NULL);
    struct sockaddr_in sin = {0};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(443);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    await_rc[2] = tide_dns_nameinfo_await(loop, (struct sockaddr *)&sin, sizeof sin,
                                          NI_NUMERICHOST | NI_NUMERICSERV, NULL, &await_info);
    await_rc[3] = tide_dns_nameinfo_await(loop, (struct sockaddr *)&sin, 3, 0, NULL, &await_info);
    return tide_ok(NULL);
}

static void test_promise_and_await(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int fulfilled = 0, rejected = 0;
    tide_promise_t *p;
    ASSERT_OK(tide_dns_lookup_promise(loop, "localhost", "80", NULL, NULL, &p));
    ASSERT_OK(tide_promise_then(p, check_list, NULL, &fulfilled, NULL));
    tide_promise_release(p);
    struct addrinfo hints = {0};
    hints.ai_flags = AI_NUMERICHOST;
    ASSERT_OK(tide_dns_lookup_promise(loop, "nosuch.invalid", NULL, &hints, NULL, &p));
    ASSERT_OK(tide_promise_catch(p, keep_rejection, &rejected, NULL));
    tide_promise_release(p);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(fulfilled, 1);
    ASSERT_EQ(rejected, TIDE_ENOTFOUND);
    ASSERT_STR_EQ(rejection, "getaddrinfo ENOTFOUND nosuch.invalid");

    ASSERT_OK(tide_async(loop, awaiting, NULL, &p));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_FULFILLED);
    tide_promise_release(p);
    ASSERT_EQ(await_rc[0], 0);
    ASSERT_EQ(await_rc[1], TIDE_ENOTFOUND);
    ASSERT_EQ(await_rc[2], 0);
    ASSERT_STR_EQ(await_info.host, "127.0.0.1");
    ASSERT_STR_EQ(await_info.service, "443");
    ASSERT_EQ(await_rc[3], TIDE_EAI_FAMILY);
    TEST_CLOSE_LOOP(loop);
}

static int nameinfo_status = 1;
static void on_nameinfo(tide_loop_t *loop, int status, const tide_nameinfo_t *info, void *data)
{
    nameinfo_status = status;
    if (status == 0) ASSERT_STR_EQ(info->host, "localhost");
    else ASSERT(info == NULL);
}

static void test_nameinfo_callback(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    struct sockaddr_in sin = {0};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* Named from /etc/hosts, no network needed. */
    ASSERT_OK(tide_dns_nameinfo(loop, (struct sockaddr *)&sin, sizeof sin, NI_NAMEREQD, NULL,
                                on_nameinfo, NULL));
    ASSERT_EQ(tide_dns_nameinfo(loop, (struct sockaddr *)&sin, 0, 0, NULL, on_nameinfo, NULL),
              -EINVAL);
    TEST_CLOSE_LOOP(loop);
    ASSERT_EQ(nameinfo_status, 0);
}

/* ---- cancellation ---------------------------------------------------------- */

static int gated_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                             struct addrinfo **res)
{
    gate_pass(&gate);
    return getaddrinfo(node, service, hints, res);
}

static int wait_at_gate(void *data)
{
    gate_pass(&gate);
    return 0;
}
static void nothing_done(tide_loop_t *loop, int status, void *data) {}

/* Aborting reports at once; a queued lookup never runs, a running one
 * finishes quietly and its list is freed (the leak checkers see to that). */
static void test_abort(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    gate_init(&gate);
    tide_abort_controller_t *running, *queued;
    ASSERT_OK(tide_abort_controller_new(loop, &running));
    ASSERT_OK(tide_abort_controller_new(loop, &queued));
    tide__sys.getaddrinfo = gated_getaddrinfo;
    unsigned n = tide_threadpool_size();
    lookups_done = 0;
    ASSERT_OK(tide_dns_lookup(loop, "localhost", NULL, NULL, tide_abort_controller_signal(running),
                              on_lookup, NULL));
    /* Fill the rest of what the DNS lane may have, then one more waits. */
    for (unsigned i = 1; i < n - 2; i++)
        ASSERT_OK(tide_work_submit(loop, TIDE_LANE_DNS, wait_at_gate, nothing_done, NULL, NULL));
    gate_wait_for(&gate, (int)n - 2);
    tide_promise_t *p;
    int rejected = 0;
    ASSERT_OK(tide_dns_lookup_promise(loop, "localhost", NULL, NULL,
                                      tide_abort_controller_signal(queued), &p));
    ASSERT_OK(tide_promise_catch(p, keep_rejection, &rejected, NULL));
    tide_promise_release(p);

    ASSERT_OK(tide_abort(running, NULL));
    ASSERT_EQ(lookups_done, 1); /* reported by the abort itself */
    ASSERT_EQ(lookup_status, -ECANCELED);
    ASSERT_OK(tide_abort(queued, NULL));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(rejected, -ECANCELED);
    gate_open(&gate);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(lookups_done, 1); /* the finished lookup said nothing more */
    tide__sys.getaddrinfo = tide__sys_default.getaddrinfo;
    /* An aborted signal refuses at once. */
    ASSERT_EQ(tide_dns_lookup(loop, "localhost", NULL, NULL, tide_abort_controller_signal(queued),
                              on_lookup, NULL), -ECANCELED);
    tide_abort_controller_free(running);
    tide_abort_controller_free(queued);
    TEST_CLOSE_LOOP(loop);
    gate_destroy(&gate);
}

/* ---- starvation ------------------------------------------------------------- */

static gate_t file_gate;
static int slow_file_job(void *data)
{
    gate_pass(&file_gate);
    return 0;
}
static int file_jobs_done;
static void file_job_done(tide_loop_t *loop, int status, void *data)
{
    /* No file job may finish before the lookup did. */
    ASSERT_EQ(lookups_done, 1);
    file_jobs_done++;
}
static void lookup_then_release(tide_loop_t *loop, int status, struct addrinfo *res, void *data)
{
    on_lookup(loop, status, res, NULL);
    gate_open(&file_gate);
}

/* Every worker the FILE lane may take is stuck (and more file work waits
 * behind them); a lookup of localhost still completes, and only then are
 * the file jobs let go. */
static void test_file_work_cannot_starve_dns(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    gate_init(&file_gate);
    unsigned n = tide_threadpool_size();
    for (int i = 0; i < 16; i++)
        ASSERT_OK(tide_work_submit(loop, TIDE_LANE_FILE, slow_file_job, file_job_done, NULL, NULL));
    gate_wait_for(&file_gate, (int)n - 2);
    lookups_done = 0;
    ASSERT_OK(tide_dns_lookup(loop, "localhost", NULL, NULL, NULL, lookup_then_release, NULL));
    TEST_CLOSE_LOOP(loop);
    ASSERT_EQ(lookup_status, 0);
    ASSERT_EQ(file_jobs_done, 16);
    gate_destroy(&file_gate);
}

int main(void)
{
    test_lookup_callback();
    test_promise_and_await();
    test_nameinfo_callback();
    test_abort();
    test_file_work_cannot_starve_dns();
    printf("ok\n");
    return 0;
}
