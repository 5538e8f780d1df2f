/* tests/io/test_udp.c - UDP sockets over 127.0.0.1 and ::1: send and
 * receive, recvmmsg/sendmmsg batching counted through the system-call
 * table, truncation, EMSGSIZE, connected UDP and ICMP refusals, options,
 * injected EINTR/EAGAIN/ENOMEM/EMFILE, queue order, close with queued
 * sends, the events and the awaiting forms. Multicast is in
 * test_udp_multicast.c. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include "core/sys.h"
#include "test.h"
#include "test_alloc.h"

/* ---- helpers ------------------------------------------------------------- */

typedef struct {
    int count;
    int errors;
    int last_status;
    char data[64][32];
    size_t len[64];
    unsigned flags[64];
    int port[64];
    char ip[64];
} inbox_t;

static void on_recv(tide_udp_t *u, int status, const tide_udp_message_t *m, void *data)
{
    inbox_t *in = data;
    if (status < 0) {
        in->errors++;
        in->last_status = status;
        return;
    }
    ASSERT_LT(in->count, 64);
    size_t n = m->len < 31 ? m->len : 31;
    memcpy(in->data[in->count], m->data, n);
    in->data[in->count][n] = '\0';
    in->len[in->count] = m->len;
    in->flags[in->count] = m->flags;
    ASSERT_OK(tide_udp_addr_name(m->from, in->ip, sizeof in->ip, &in->port[in->count]));
    in->count++;
}

typedef struct {
    int calls;
    int status[64];
    int order[64];
} sent_t;

static sent_t sent_;

static void on_sent(tide_udp_t *u, int status, void *data)
{
    ASSERT_LT(sent_.calls, 64);
    sent_.status[sent_.calls] = status;
    sent_.order[sent_.calls] = (int)(intptr_t)data;
    sent_.calls++;
}

static void reset_sent(void) { memset(&sent_, 0, sizeof sent_); }

static tide_udp_t *bound(tide_loop_t *loop, int family, const char *ip, int *port)
{
    tide_udp_t *u;
    ASSERT_OK(tide_udp_new(loop, family, 0, &u));
    ASSERT_OK(tide_udp_bind(u, ip, 0, 0));
    struct sockaddr_storage ss;
    ASSERT_OK(tide_udp_local_address(u, &ss, NULL));
    char text[64];
    ASSERT_OK(tide_udp_addr_name((struct sockaddr *)&ss, text, sizeof text, port));
    ASSERT_GT(*port, 0);
    return u;
}

static struct sockaddr_storage addr_of(const char *ip, int port)
{
    struct sockaddr_storage ss;
    ASSERT_OK(tide_udp_addr(0, ip, port, &ss, NULL));
    return ss;
}
#define SA(ss) ((struct sockaddr *)&(ss))

static int closes_;
static void on_close(tide_handle_t *h, void *data) { closes_++; }

static void close_all(tide_loop_t *loop, tide_udp_t *a, tide_udp_t *b)
{
    if (a) ASSERT_OK(tide_close(TIDE_HANDLE(a), on_close));
    if (b) ASSERT_OK(tide_close(TIDE_HANDLE(b), on_close));
    TEST_CLOSE_LOOP(loop);
}

/* Run until *counter reaches n. Iterations do not block: a callback of
 * the pending phase may be the awaited one, and after it nothing else
 * would wake a blocking poll. Loopback delivers within the send call, so
 * what is awaited is always ready. */
static void run_until(tide_loop_t *loop, const int *counter, int n)
{
    for (long spins = 0; *counter < n; spins++) {
        ASSERT_LT(spins, 1000000);
        ASSERT_GE(tide_run(loop, TIDE_RUN_NOWAIT), 0);
    }
}

/* Two bound sockets on one loop: a sends, b reads into in (unless the
 * test starts reading itself); to_b is b's address. */
typedef struct {
    tide_loop_t *loop;
    tide_udp_t *a, *b;
    int pa, pb;
    inbox_t in;
    struct sockaddr_storage to_b;
} pair_t;

static void pair_open(pair_t *p, int family, const char *ip, int read)
{
    memset(p, 0, sizeof *p);
    ASSERT_OK(tide_loop_new(&p->loop));
    p->a = bound(p->loop, family, ip, &p->pa);
    p->b = bound(p->loop, family, ip, &p->pb);
    p->to_b = addr_of(ip, p->pb);
    if (read) ASSERT_OK(tide_udp_recv_start(p->b, on_recv, &p->in));
}

/* ---- fault injection --------------------------------------------------------- */

static int sendmsg_eagain;   /* sendmsg fails with EAGAIN this many times */
static int sendmsg_eintr;    /* ... with EINTR */
static int sendmmsg_eagain;  /* sendmmsg fails with EAGAIN this many times */
static unsigned sendmmsg_cap; /* sends at most this many per call (0: all) */
static int sendmmsg_calls, recvmmsg_calls, sendmsg_calls;
static int recvmmsg_fail;    /* recvmmsg fails with this errno once */
static int socket_fail;

static ssize_t fake_sendmsg(int fd, const struct msghdr *m, int flags)
{
    sendmsg_calls++;
    if (sendmsg_eintr > 0) {
        sendmsg_eintr--;
        errno = EINTR;
        return -1;
    }
    if (sendmsg_eagain > 0) {
        sendmsg_eagain--;
        errno = EAGAIN;
        return -1;
    }
    return tide__sys_default.sendmsg(fd, m, flags);
}

static int fake_sendmmsg(int fd, struct mmsghdr *m, unsigned n, int flags)
{
    sendmmsg_calls++;
    if (sendmmsg_eagain > 0) {
        sendmmsg_eagain--;
        errno = EAGAIN;
        return -1;
    }
    if (sendmmsg_cap && n > sendmmsg_cap) n = sendmmsg_cap;
    return tide__sys_default.sendmmsg(fd, m, n, flags);
}

static int fake_recvmmsg(int fd, struct mmsghdr *m, unsigned n, int flags, struct timespec *t)
{
    recvmmsg_calls++;
    if (recvmmsg_fail) {
        errno = recvmmsg_fail;
        recvmmsg_fail = 0;
        return -1;
    }
    return tide__sys_default.recvmmsg(fd, m, n, flags, t);
}

static int fake_socket(int d, int t, int p)
{
    if (socket_fail) {
        errno = socket_fail;
        return -1;
    }
    return tide__sys_default.socket(d, t, p);
}

static void faults_install(void)
{
    tide__sys.sendmsg = fake_sendmsg;
    tide__sys.sendmmsg = fake_sendmmsg;
    tide__sys.recvmmsg = fake_recvmmsg;
    tide__sys.socket = fake_socket;
    sendmsg_eagain = sendmsg_eintr = sendmmsg_eagain = 0;
    sendmmsg_cap = 0;
    sendmmsg_calls = recvmmsg_calls = sendmsg_calls = 0;
    recvmmsg_fail = socket_fail = 0;
}

static void faults_remove(void) { tide__sys = tide__sys_default; }

/* ---- tests ------------------------------------------------------------------- */

static void test_send_recv(int family, const char *ip)
{
    pair_t p;
    pair_open(&p, family, ip, 1);
    tide_loop_t *loop = p.loop;
    tide_udp_t *a = p.a, *b = p.b;
    inbox_t *in = &p.in;
    ASSERT_EQ(tide_udp_recv_start(b, on_recv, in), -EALREADY);
    reset_sent();
    struct sockaddr_storage to = p.to_b;
    ASSERT_OK(tide_udp_send(a, "hello", 5, SA(to), on_sent, (void *)1));
    struct iovec iov[2] = {{"wor", 3}, {"ld", 2}};
    ASSERT_OK(tide_udp_sendv(a, iov, 2, SA(to), on_sent, (void *)2));
    ASSERT_EQ(sent_.calls, 0); /* never from inside the call */
    run_until(loop, &in->count, 2);
    ASSERT_STR_EQ(in->data[0], "hello");
    ASSERT_STR_EQ(in->data[1], "world");
    ASSERT_EQ(in->port[0], p.pa);
    ASSERT_STR_EQ(in->ip, ip);
    ASSERT_EQ(in->flags[0], 0);
    run_until(loop, &sent_.calls, 2);
    ASSERT_EQ(sent_.status[0], 0);
    ASSERT_EQ(sent_.order[0], 1);
    ASSERT_EQ(sent_.order[1], 2);
    /* the receiver has no peer; bind twice is refused */
    struct sockaddr_storage ss;
    ASSERT_EQ(tide_udp_remote_address(b, &ss, NULL), -ENOTCONN);
    ASSERT_EQ(tide_udp_bind(b, ip, 0, 0), -EALREADY);
    closes_ = 0;
    close_all(loop, a, b);
    ASSERT_EQ(closes_, 2);
}

static int ipv6_loopback_works(void)
{
    int fd = socket(AF_INET6, SOCK_DGRAM, 0);
    if (fd < 0) return 0;
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

/* A dual-stack IPv6 socket hears IPv4 senders as ::ffff:a.b.c.d; one made
 * with TIDE_UDP_IPV6ONLY cannot be reached that way. */
static void test_dual_stack(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int p6, p4;
    tide_udp_t *six = bound(loop, AF_INET6, "::", &p6);
    tide_udp_t *four = bound(loop, AF_INET, "127.0.0.1", &p4);
    inbox_t in = {0};
    ASSERT_OK(tide_udp_recv_start(six, on_recv, &in));
    struct sockaddr_storage to = addr_of("127.0.0.1", p6);
    ASSERT_OK(tide_udp_send(four, "v4", 2, SA(to), NULL, NULL));
    run_until(loop, &in.count, 1);
    ASSERT_STR_EQ(in.data[0], "v4");
    ASSERT_STR_EQ(in.ip, "::ffff:127.0.0.1");
    close_all(loop, six, four);

    ASSERT_OK(tide_loop_new(&loop));
    tide_udp_t *only;
    ASSERT_OK(tide_udp_new(loop, AF_INET6, TIDE_UDP_IPV6ONLY, &only));
    ASSERT_OK(tide_udp_bind(only, "::", 0, 0));
    ASSERT_EQ(tide_udp_new(loop, AF_INET, TIDE_UDP_IPV6ONLY, &four), -EINVAL);
    ASSERT_EQ(tide_udp_new(loop, AF_UNIX, 0, &four), -EAFNOSUPPORT);
    int fd = tide_udp_fd(only);
    int v = 0;
    socklen_t len = sizeof v;
    ASSERT_OK(getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len));
    ASSERT_EQ(v, 1);
    close_all(loop, only, NULL);
}

/* 48 datagrams waiting in the kernel are read with a few recvmmsg calls
 * (16 per call), in order, in one readiness event. */
static void test_recv_batching(void)
{
    faults_install();
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int pb;
    tide_udp_t *b = bound(loop, AF_INET, "127.0.0.1", &pb);
    int raw = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_storage to = addr_of("127.0.0.1", pb);
    for (int i = 0; i < 48; i++) {
        char msg[16];
        int n = snprintf(msg, sizeof msg, "m%d", i);
        ASSERT_EQ(sendto(raw, msg, (size_t)n, 0, SA(to), sizeof(struct sockaddr_in)), n);
    }
    inbox_t in = {0};
    ASSERT_OK(tide_udp_recv_start(b, on_recv, &in));
    ASSERT_GE(tide_run(loop, TIDE_RUN_ONCE), 0);
    ASSERT_EQ(in.count, 48);
    for (int i = 0; i < 48; i++) {
        char want[16];
        snprintf(want, sizeof want, "m%d", i);
        ASSERT_STR_EQ(in.data[i], want);
    }
    /* three full batches, then one that finds the socket empty */
    ASSERT_LE(recvmmsg_calls, 4);
    close(raw);
    close_all(loop, b, NULL);
    faults_remove();
}

/* The socket buffer is "full" (EAGAIN) for the first sends: they queue, in
 * order, and leave in sendmmsg batches once writable, even when the
 * kernel takes only part of a batch and refuses a whole call once. */
static void test_send_queue_order(void)
{
    faults_install();
    pair_t p;
    pair_open(&p, AF_INET, "127.0.0.1", 1);
    reset_sent();
    sendmsg_eagain = 1;
    sendmmsg_eagain = 1;
    sendmmsg_cap = 7;
    char msgs[40][8];
    for (int i = 0; i < 40; i++) {
        snprintf(msgs[i], sizeof msgs[i], "q%d", i);
        ASSERT_OK(tide_udp_send(p.a, msgs[i], strlen(msgs[i]), SA(p.to_b), on_sent,
                                (void *)(intptr_t)i));
    }
    ASSERT_EQ(sendmsg_calls, 1); /* only the first tried at once: the rest queued behind it */
    ASSERT_EQ(tide_udp_send_queue_count(p.a), 40);
    ASSERT_EQ(tide_udp_send_queue_size(p.a), 10 * 2 + 30 * 3);
    run_until(p.loop, &sent_.calls, 40);
    for (int i = 0; i < 40; i++) {
        ASSERT_EQ(sent_.order[i], i);
        ASSERT_EQ(sent_.status[i], 0);
    }
    ASSERT_EQ(tide_udp_send_queue_count(p.a), 0);
    ASSERT_EQ(sendmmsg_calls, 1 + 6); /* one refusal, then 40 in batches of 7 */
    run_until(p.loop, &p.in.count, 40);
    for (int i = 0; i < 40; i++) ASSERT_STR_EQ(p.in.data[i], msgs[i]);
    close_all(p.loop, p.a, p.b);
    faults_remove();
}

/* EINTR is retried; ENOMEM from recvmmsg is reported and reading goes on. */
static void test_interrupts(void)
{
    faults_install();
    pair_t p;
    pair_open(&p, AF_INET, "127.0.0.1", 1);
    reset_sent();
    sendmsg_eintr = 3;
    ASSERT_OK(tide_udp_send(p.a, "x", 1, SA(p.to_b), on_sent, NULL));
    ASSERT_EQ(sendmsg_calls, 4);
    ASSERT_EQ(tide_udp_send_queue_count(p.a), 0);
    recvmmsg_fail = ENOMEM;
    run_until(p.loop, &p.in.errors, 1);
    ASSERT_EQ(p.in.last_status, -ENOMEM);
    run_until(p.loop, &p.in.count, 1);
    ASSERT_STR_EQ(p.in.data[0], "x");
    recvmmsg_fail = EINTR;
    ASSERT_OK(tide_udp_send(p.a, "y", 1, SA(p.to_b), on_sent, NULL));
    run_until(p.loop, &p.in.count, 2);
    ASSERT_EQ(p.in.errors, 1);
    run_until(p.loop, &sent_.calls, 2);
    /* no socket to be had */
    socket_fail = EMFILE;
    tide_udp_t *c;
    ASSERT_EQ(tide_udp_new(p.loop, AF_INET, 0, &c), -EMFILE);
    socket_fail = 0;
    close_all(p.loop, p.a, p.b);
    faults_remove();
}

/* Allocation failures: the loop's UDP state, the handle pool, the receive
 * slots and the request pool each fail cleanly, and work after. */
static void test_out_of_memory(void)
{
    counting_alloc_install();
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_udp_t *u = NULL;
    alloc_budget = 0;
    ASSERT_EQ(tide_udp_new(loop, AF_INET, 0, &u), -ENOMEM); /* per-loop state */
    alloc_budget = 1;
    ASSERT_EQ(tide_udp_new(loop, AF_INET, 0, &u), -ENOMEM); /* the handle pool */
    alloc_budget = -1;
    ASSERT_OK(tide_udp_new(loop, AF_INET, 0, &u));
    ASSERT_OK(tide_udp_bind(u, "127.0.0.1", 0, 0));
    inbox_t in = {0};
    alloc_budget = 0;
    ASSERT_EQ(tide_udp_recv_start(u, on_recv, &in), -ENOMEM); /* receive slots */
    struct sockaddr_storage to = addr_of("127.0.0.1", 9);
    ASSERT_EQ(tide_udp_send(u, "z", 1, SA(to), NULL, NULL), -ENOMEM); /* request pool */
    alloc_budget = -1;
    ASSERT_OK(tide_udp_recv_start(u, on_recv, &in));
    /* after warm-up, sending and receiving allocate nothing */
    int port;
    struct sockaddr_storage self;
    ASSERT_OK(tide_udp_local_address(u, &self, NULL));
    char ip[64];
    ASSERT_OK(tide_udp_addr_name(SA(self), ip, sizeof ip, &port));
    to = addr_of("127.0.0.1", port);
    reset_sent();
    ASSERT_OK(tide_udp_send(u, "w", 1, SA(to), on_sent, NULL));
    run_until(loop, &in.count, 1);
    run_until(loop, &sent_.calls, 1);
    long before = alloc_calls;
    for (int i = 0; i < 20; i++) ASSERT_OK(tide_udp_send(u, "w", 1, SA(to), on_sent, NULL));
    run_until(loop, &in.count, 21);
    run_until(loop, &sent_.calls, 21);
    ASSERT_EQ(alloc_calls, before);
    ASSERT_OK(tide_close(TIDE_HANDLE(u), NULL));
    TEST_CLOSE_LOOP(loop);
    ASSERT_EQ(alloc_live, 0);
    faults_remove();
}

/* A datagram longer than the max message arrives cut, flagged; one longer
 * than UDP allows fails with EMSGSIZE in its callback, or as 'error'. */
static int error_code_;
static int on_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    error_code_ = ((tide_error_t *)arg)->code;
    return 0;
}

static void test_truncation_and_emsgsize(void)
{
    pair_t p;
    pair_open(&p, AF_INET, "127.0.0.1", 0);
    tide_loop_t *loop = p.loop;
    tide_udp_t *a = p.a, *b = p.b;
    inbox_t *in = &p.in;
    ASSERT_EQ(tide_udp_set_max_message(b, 0), -EINVAL);
    ASSERT_EQ(tide_udp_set_max_message(b, 65537), -EINVAL);
    ASSERT_OK(tide_udp_set_max_message(b, 8));
    ASSERT_OK(tide_udp_recv_start(b, on_recv, in));
    struct sockaddr_storage to = p.to_b;
    ASSERT_OK(tide_udp_send(a, "0123456789abcdef", 16, SA(to), NULL, NULL));
    ASSERT_OK(tide_udp_send(a, "short", 5, SA(to), NULL, NULL));
    run_until(loop, &in->count, 2);
    ASSERT_EQ(in->len[0], 8);
    ASSERT_STR_EQ(in->data[0], "01234567");
    ASSERT_EQ(in->flags[0], TIDE_UDP_TRUNCATED);
    ASSERT_EQ(in->flags[1], 0);

    static char big[70000];
    reset_sent();
    ASSERT_OK(tide_udp_send(a, big, sizeof big, SA(to), on_sent, NULL));
    run_until(loop, &sent_.calls, 1);
    ASSERT_EQ(sent_.status[0], -EMSGSIZE);
    /* no callback: the failure is an 'error' event */
    ASSERT_OK(tide_on(tide_udp_emitter(a), TIDE_EVENT_ERROR, on_error, NULL));
    ASSERT_OK(tide_udp_send(a, big, sizeof big, SA(to), NULL, NULL));
    while (!error_code_) ASSERT_GE(tide_run(loop, TIDE_RUN_NOWAIT), 0);
    ASSERT_EQ(error_code_, -EMSGSIZE);
    close_all(loop, a, b);
}

/* Bad calls get clear codes. */
static void test_bad_input(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_udp_t *u;
    ASSERT_OK(tide_udp_new(loop, AF_INET, 0, &u));
    struct sockaddr_storage ss;
    ASSERT_EQ(tide_udp_addr(AF_INET, "300.1.1.1", 1, &ss, NULL), -EINVAL);
    ASSERT_EQ(tide_udp_addr(AF_INET, "127.0.0.1", 70000, &ss, NULL), -EINVAL);
    ASSERT_EQ(tide_udp_addr(AF_INET6, "::1%nosuchif", 1, &ss, NULL), -EINVAL);
    ASSERT_OK(tide_udp_addr(AF_INET6, "::1%1", 1, &ss, NULL));
    ASSERT_EQ(tide_udp_bind(u, "not an ip", 0, 0), -EINVAL);
    ASSERT_EQ(tide_udp_bind(u, "::1", 0, 0), -EINVAL);
    ASSERT_EQ(tide_udp_bind(u, "127.0.0.1", 0, 99), -EINVAL);
    ASSERT_EQ(tide_udp_send(u, "x", 1, NULL, NULL, NULL), -EDESTADDRREQ);
    ASSERT_EQ(tide_udp_sendv(u, NULL, 0, NULL, NULL, NULL), -EINVAL);
    struct iovec many[TIDE_UDP_MAX_IOV + 1];
    memset(many, 0, sizeof many);
    ss = addr_of("127.0.0.1", 9);
    ASSERT_EQ(tide_udp_sendv(u, many, TIDE_UDP_MAX_IOV + 1, SA(ss), NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_udp_disconnect(u), -ENOTCONN);
    ASSERT_EQ(tide_udp_connect(u, "127.0.0.1", 0), -EINVAL);
    ASSERT_EQ(tide_udp_set_ttl(u, 0), -EINVAL);
    ASSERT_EQ(tide_udp_set_ttl(u, 256), -EINVAL);
    ASSERT_OK(tide_udp_set_ttl(u, 64));
    ASSERT_EQ(tide_udp_set_recv_buffer_size(u, 0), -EINVAL);
    ASSERT_OK(tide_udp_set_recv_buffer_size(u, 65536));
    ASSERT_EQ(tide_udp_recv_buffer_size(u), 131072); /* Linux doubles it */
    ASSERT_OK(tide_udp_set_send_buffer_size(u, 65536));
    ASSERT_EQ(tide_udp_send_buffer_size(u), 131072);
    ASSERT_EQ(tide_udp_add_membership(u, "not a group", NULL), -EINVAL);
    ASSERT_EQ(tide_udp_add_membership(u, "ff02::1", NULL), -EINVAL); /* IPv6 group, IPv4 socket */
    ASSERT_OK(tide_close(TIDE_HANDLE(u), NULL));
    ASSERT_EQ(tide_close(TIDE_HANDLE(u), NULL), -EALREADY);
    ASSERT_EQ(tide_udp_send(u, "x", 1, SA(ss), NULL, NULL), -EBADF);
    ASSERT_EQ(tide_udp_bind(u, "127.0.0.1", 0, 0), -EBADF);
    ASSERT_EQ(tide_udp_recv_start(u, on_recv, NULL), -EBADF);
    TEST_CLOSE_LOOP(loop);
}

/* The broadcast option is what the kernel asks for before a datagram may
 * go to a broadcast address. */
static void test_broadcast(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_udp_t *u;
    ASSERT_OK(tide_udp_new(loop, AF_INET, 0, &u));
    struct sockaddr_storage to = addr_of("255.255.255.255", 9);
    reset_sent();
    ASSERT_OK(tide_udp_send(u, "b", 1, SA(to), on_sent, NULL));
    run_until(loop, &sent_.calls, 1);
    ASSERT_EQ(sent_.status[0], -EACCES);
    ASSERT_OK(tide_udp_set_broadcast(u, 1));
    int v = 0;
    socklen_t len = sizeof v;
    ASSERT_OK(getsockopt(tide_udp_fd(u), SOL_SOCKET, SO_BROADCAST, &v, &len));
    ASSERT_EQ(v, 1);
    ASSERT_OK(tide_udp_send(u, "b", 1, SA(to), on_sent, NULL));
    run_until(loop, &sent_.calls, 2);
    /* Allowed now; a container without a route says ENETUNREACH instead. */
    ASSERT(sent_.status[1] != -EACCES);
    ASSERT_OK(tide_udp_set_broadcast(u, 0));
    len = sizeof v;
    ASSERT_OK(getsockopt(tide_udp_fd(u), SOL_SOCKET, SO_BROADCAST, &v, &len));
    ASSERT_EQ(v, 0);
    close_all(loop, u, NULL);
}

/* Connected UDP: sends need no address, and the ICMP port unreachable that
 * a send to a closed port brings back fails the next send, or a reader. */
static int free_port(tide_loop_t *loop)
{
    int port;
    tide_udp_t *t = bound(loop, AF_INET, "127.0.0.1", &port);
    ASSERT_OK(tide_close(TIDE_HANDLE(t), NULL));
    return port;
}

static tide_udp_t *connected_;
static void send_second(tide_udp_t *u, int status, void *data)
{
    on_sent(u, status, data);
    if (sent_.calls == 1) ASSERT_OK(tide_udp_send(u, "2", 1, NULL, on_sent, (void *)2));
}

static void test_connected(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int port = free_port(loop);
    tide_udp_t *u;
    ASSERT_OK(tide_udp_new(loop, AF_INET, 0, &u));
    connected_ = u;
    ASSERT_OK(tide_udp_connect(u, "127.0.0.1", port));
    ASSERT_EQ(tide_udp_connect(u, "127.0.0.1", port), -EISCONN);
    struct sockaddr_storage ss;
    char ip[64];
    int p;
    ASSERT_OK(tide_udp_remote_address(u, &ss, NULL));
    ASSERT_OK(tide_udp_addr_name(SA(ss), ip, sizeof ip, &p));
    ASSERT_EQ(p, port);
    ASSERT_OK(tide_udp_local_address(u, &ss, NULL)); /* connect bound it */
    struct sockaddr_storage to = addr_of("127.0.0.1", port);
    ASSERT_EQ(tide_udp_send(u, "x", 1, SA(to), NULL, NULL), -EISCONN);
    reset_sent();
    ASSERT_OK(tide_udp_send(u, "1", 1, NULL, send_second, (void *)1));
    run_until(loop, &sent_.calls, 2);
    ASSERT_EQ(sent_.status[0], 0);
    ASSERT_EQ(sent_.status[1], -ECONNREFUSED);

    /* while reading, the refusal reaches the receive callback */
    inbox_t in = {0};
    ASSERT_OK(tide_udp_recv_start(u, on_recv, &in));
    ASSERT_OK(tide_udp_send(u, "3", 1, NULL, NULL, NULL));
    run_until(loop, &in.errors, 1);
    ASSERT_EQ(in.last_status, -ECONNREFUSED);
    ASSERT_OK(tide_udp_recv_stop(u));

    ASSERT_OK(tide_udp_disconnect(u));
    ASSERT_EQ(tide_udp_remote_address(u, &ss, NULL), -ENOTCONN);
    ASSERT_EQ(tide_udp_send(u, "x", 1, NULL, NULL, NULL), -EDESTADDRREQ);
    close_all(loop, u, NULL);
}

/* Closing with queued sends: 'close' comes from a tick (Node's
 * socketCloseNT), then each send callback gets -ECANCELED, in order, in
 * the close phase, before the close callback. */
static test_log_t order_;
static void log_cancel(tide_udp_t *u, int status, void *data)
{
    char s[32];
    snprintf(s, sizeof s, "send%d:%s", (int)(intptr_t)data, tide_err_name(status));
    test_log(&order_, s);
}
static int log_close_event(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    test_log(&order_, "close-event");
    return 0;
}
static void log_close_cb(tide_handle_t *h, void *data) { test_log(&order_, "close-cb"); }

static void test_close_with_queued_sends(void)
{
    faults_install();
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_udp_t *u;
    ASSERT_OK(tide_udp_new(loop, AF_INET, 0, &u));
    ASSERT_OK(tide_on(tide_udp_emitter(u), TIDE_EVENT_CLOSE, log_close_event, NULL));
    sendmsg_eagain = 1;
    sendmmsg_eagain = 1000;
    struct sockaddr_storage to = addr_of("127.0.0.1", 9);
    for (int i = 1; i <= 3; i++)
        ASSERT_OK(tide_udp_send(u, "q", 1, SA(to), log_cancel, (void *)(intptr_t)i));
    ASSERT_EQ(tide_udp_send_queue_count(u), 3);
    ASSERT_OK(tide_close(TIDE_HANDLE(u), log_close_cb));
    ASSERT_EQ(order_.len, 0);
    TEST_CLOSE_LOOP(loop);
    ASSERT_STR_EQ(order_.buf,
                  "close-event send1:ECANCELED send2:ECANCELED send3:ECANCELED close-cb");
    faults_remove();
}

/* Event mode: 'listening' and 'connect' from a tick, 'message' per
 * datagram with the same message struct as the callback path. */
static test_log_t events_;
static int on_event(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    if (ev == tide_udp_event_message()) {
        const tide_udp_message_t *m = arg;
        char s[64];
        snprintf(s, sizeof s, "message:%.*s", (int)m->len, (const char *)m->data);
        test_log(&events_, s);
    } else {
        test_log(&events_, tide_event_name(ev));
    }
    return 0;
}
static void tick_mark(tide_loop_t *loop, void *data) { test_log(&events_, data); }

static void test_events(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_udp_t *a, *b;
    ASSERT_OK(tide_udp_new(loop, AF_INET, 0, &a));
    ASSERT_OK(tide_udp_new(loop, AF_INET, 0, &b));
    tide_emitter_t *em = tide_udp_emitter(b);
    ASSERT_OK(tide_udp_bind(b, "127.0.0.1", 0, 0));
    /* added after bind, as Node allows */
    ASSERT_OK(tide_on(em, tide_udp_event_listening(), on_event, NULL));
    ASSERT_OK(tide_on(em, tide_udp_event_message(), on_event, NULL));
    ASSERT_OK(tide_on(em, TIDE_EVENT_CLOSE, on_event, NULL));
    ASSERT_OK(tide_on(tide_udp_emitter(a), tide_udp_event_connect(), on_event, NULL));
    ASSERT_OK(tide_next_tick(loop, tick_mark, "tick"));
    ASSERT_OK(tide_udp_recv_start(b, NULL, NULL));
    struct sockaddr_storage self;
    ASSERT_OK(tide_udp_local_address(b, &self, NULL));
    ASSERT_OK(tide_udp_connect_addr(a, SA(self), sizeof(struct sockaddr_in)));
    ASSERT_OK(tide_udp_send(a, "one", 3, NULL, NULL, NULL));
    ASSERT_OK(tide_udp_send(a, "two", 3, NULL, NULL, NULL));
    ASSERT_EQ(events_.len, 0);
    while (!strstr(events_.buf, "two")) ASSERT_GE(tide_run(loop, TIDE_RUN_NOWAIT), 0);
    close_all(loop, a, b);
    ASSERT_STR_EQ(events_.buf, "listening tick connect message:one message:two close");
}

/* An unreferenced reading socket does not keep the loop alive. */
static void test_unref(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int p;
    tide_udp_t *u = bound(loop, AF_INET, "127.0.0.1", &p);
    inbox_t in = {0};
    ASSERT_OK(tide_udp_recv_start(u, on_recv, &in));
    ASSERT(tide_is_active(TIDE_HANDLE(u)));
    tide_unref(TIDE_HANDLE(u));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    tide_ref(TIDE_HANDLE(u));
    ASSERT_OK(tide_udp_recv_stop(u));
    ASSERT(!tide_is_active(TIDE_HANDLE(u)));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    close_all(loop, u, NULL);
}

/* ---- awaiting forms ------------------------------------------------------------ */

typedef struct {
    tide_udp_t *a, *b;
    int port_b;
    tide_abort_controller_t *ctrl;
    int step;
} await_ctx_t;

static void abort_now(tide_loop_t *loop, void *data)
{
    await_ctx_t *c = data;
    ASSERT_OK(tide_abort(c->ctrl, NULL));
}

static tide_result_t await_body(tide_loop_t *loop, void *arg)
{
    await_ctx_t *c = arg;
    struct sockaddr_storage to = addr_of("127.0.0.1", c->port_b);
    ASSERT_OK(tide_udp_send_await(c->a, "ping", 4, SA(to), NULL));
    char buf[16];
    size_t len;
    unsigned flags;
    struct sockaddr_storage from;
    socklen_t fromlen;
    ASSERT_OK(tide_udp_recv_await(c->b, buf, sizeof buf, &len, &from, &fromlen, &flags, NULL));
    ASSERT_EQ(len, 4);
    ASSERT_OK(memcmp(buf, "ping", 4));
    ASSERT_EQ(fromlen, sizeof(struct sockaddr_in));
    /* a buffer too small: cut and flagged */
    ASSERT_OK(tide_udp_send_await(c->a, "longer", 6, SA(to), NULL));
    ASSERT_OK(tide_udp_recv_await(c->b, buf, 3, &len, NULL, NULL, &flags, NULL));
    ASSERT_EQ(len, 3);
    ASSERT_EQ(flags, TIDE_UDP_TRUNCATED);
    /* an abort while waiting leaves nothing behind: the socket stops
     * reading, so the loop can end */
    ASSERT_OK(tide_abort_controller_new(loop, &c->ctrl));
    tide_await_opts_t opts = {tide_abort_controller_signal(c->ctrl), 0};
    ASSERT_OK(tide_set_immediate(loop, abort_now, c) > 0 ? 0 : -1);
    ASSERT_EQ(tide_udp_recv_await(c->b, buf, sizeof buf, &len, NULL, NULL, NULL, &opts),
              -ECANCELED);
    ASSERT(!tide_is_active(TIDE_HANDLE(c->b)));
    tide_abort_controller_free(c->ctrl);
    /* a send aborted while queued is withdrawn and never leaves */
    faults_install();
    sendmsg_eagain = 1;
    sendmmsg_eagain = 1000;
    ASSERT_OK(tide_abort_controller_new(loop, &c->ctrl));
    opts.signal = tide_abort_controller_signal(c->ctrl);
    ASSERT_OK(tide_set_immediate(loop, abort_now, c) > 0 ? 0 : -1);
    ASSERT_EQ(tide_udp_send_await(c->a, "never", 5, SA(to), &opts), -ECANCELED);
    ASSERT_EQ(tide_udp_send_queue_count(c->a), 0);
    tide_abort_controller_free(c->ctrl);
    faults_remove();
    /* closing the socket answers a waiting fiber */
    c->step = 1;
    ASSERT_EQ(tide_udp_recv_await(c->b, buf, sizeof buf, &len, NULL, NULL, NULL, NULL),
              -ECANCELED);
    c->step = 2;
    return tide_ok(NULL);
}

static void close_b(tide_loop_t *loop, void *data)
{
    await_ctx_t *c = data;
    if (c->step == 1) ASSERT_OK(tide_close(TIDE_HANDLE(c->b), NULL));
    else ASSERT_OK(tide_set_immediate(loop, close_b, c) > 0 ? 0 : -1);
}

static void test_await(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    await_ctx_t c = {0};
    int pa;
    c.a = bound(loop, AF_INET, "127.0.0.1", &pa);
    c.b = bound(loop, AF_INET, "127.0.0.1", &c.port_b);
    char buf[4];
    ASSERT_EQ(tide_udp_recv_await(c.b, buf, sizeof buf, NULL, NULL, NULL, NULL, NULL), -EPERM);
    tide_promise_t *p;
    ASSERT_OK(tide_async(loop, await_body, &c, &p));
    ASSERT_OK(tide_set_immediate(loop, close_b, &c) > 0 ? 0 : -1);
    ASSERT_GE(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(c.step, 2);
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_FULFILLED);
    tide_promise_release(p);
    close_all(loop, c.a, NULL);
}

/* A deadline ends the wait with -ETIMEDOUT and takes nothing: on the
 * virtual clock, the loop jumps to it instead of waiting. */
static tide_result_t deadline_body(tide_loop_t *loop, void *arg)
{
    tide_udp_t *u = arg;
    char buf[8];
    tide_await_opts_t opts = {NULL, tide_now_ns(loop) + 5 * 1000000};
    ASSERT_EQ(tide_udp_recv_await(u, buf, sizeof buf, NULL, NULL, NULL, NULL, &opts), -ETIMEDOUT);
    ASSERT(!tide_is_active(TIDE_HANDLE(u)));
    ASSERT_OK(tide_close(TIDE_HANDLE(u), NULL));
    return tide_ok(NULL);
}

static void test_await_deadline(void)
{
    tide_loop_t *loop = new_virtual_loop();
    int port;
    tide_udp_t *u = bound(loop, AF_INET, "127.0.0.1", &port);
    tide_promise_t *p;
    ASSERT_OK(tide_async(loop, deadline_body, u, &p));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_FULFILLED);
    ASSERT_GE(tide_now_ns(loop), 5 * 1000000);
    tide_promise_release(p);
    ASSERT_OK(tide_loop_close(loop));
}

int main(void)
{
    test_send_recv(AF_INET, "127.0.0.1");
    if (ipv6_loopback_works()) {
        test_send_recv(AF_INET6, "::1");
        test_dual_stack();
    } else {
        printf("IPv6 loopback unavailable here: the ::1 cases were skipped\n");
    }
    test_recv_batching();
    test_send_queue_order();
    test_interrupts();
    test_out_of_memory();
    test_truncation_and_emsgsize();
    test_bad_input();
    test_broadcast();
    test_connected();
    test_close_with_queued_sends();
    test_events();
    test_unref();
    test_await();
    test_await_deadline();
    printf("ok\n");
    return 0;
}
