/* tests/io/test_udp_multicast.c - multicast over the loopback interface:
 * join, receive, leave, source-specific membership, and the multicast
 * options as the kernel reports them. A kernel or container that refuses
 * multicast on lo is detected, said so, and only the delivery part is
 * skipped. */
#include <netinet/in.h>

#include "test.h"

#define GROUP "239.255.42.99"

typedef struct {
    int got;
    int timed_out;
    char data[32];
    tide_timer_t *guard;
} wait_t;

static void on_recv(tide_udp_t *u, int status, const tide_udp_message_t *m, void *data)
{
    wait_t *w = data;
    ASSERT_OK(status);
    size_t n = m->len < 31 ? m->len : 31;
    memcpy(w->data, m->data, n);
    w->data[n] = '\0';
    w->got++;
    tide_timer_stop(w->guard);
}

static int send_status = 1;
static void on_sent(tide_udp_t *u, int status, void *data) { send_status = status; }

/* The guard only bounds a datagram that never comes; delivery over
 * loopback is immediate when the kernel allows it at all. */
static void on_guard(tide_timer_t *t, void *data) { ((wait_t *)data)->timed_out = 1; }

static int get_opt(tide_udp_t *u, int level, int name)
{
    int v = -1;
    socklen_t len = sizeof v;
    unsigned char c;
    if (getsockopt(tide_udp_fd(u), level, name, &v, &len) < 0) return -errno;
    if (len == 1) {
        memcpy(&c, &v, 1);
        return c;
    }
    return v;
}

/* Send one datagram to the group and wait for it (or for the guard).
 * Returns 1 when it arrived, 0 when the kernel would not deliver it. */
static int roundtrip(tide_loop_t *loop, tide_udp_t *tx, int port, wait_t *w, const char *msg)
{
    struct sockaddr_storage to;
    ASSERT_OK(tide_udp_addr(AF_INET, GROUP, port, &to, NULL));
    send_status = 1;
    w->got = w->timed_out = 0;
    ASSERT_OK(tide_timer_start(w->guard, on_guard, 2000, 0, w));
    ASSERT_OK(tide_udp_send(tx, msg, strlen(msg), (struct sockaddr *)&to, on_sent, NULL));
    while (!w->got && !w->timed_out) ASSERT_GE(tide_run(loop, TIDE_RUN_ONCE), 0);
    tide_timer_stop(w->guard);
    if (send_status < 0) {
        printf("multicast send refused here (%s)\n", tide_err_name(send_status));
        return 0;
    }
    return w->got;
}

static void test_ipv4(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_udp_t *rx, *tx;
    ASSERT_OK(tide_udp_new(loop, AF_INET, 0, &rx));
    ASSERT_OK(tide_udp_new(loop, AF_INET, 0, &tx));
    ASSERT_OK(tide_udp_bind(rx, "0.0.0.0", 0, TIDE_UDP_REUSEADDR));
    ASSERT_EQ(get_opt(rx, SOL_SOCKET, SO_REUSEADDR), 1);
    struct sockaddr_storage self;
    ASSERT_OK(tide_udp_local_address(rx, &self, NULL));
    char ip[64];
    int port;
    ASSERT_OK(tide_udp_addr_name((struct sockaddr *)&self, ip, sizeof ip, &port));

    /* the options, as the kernel reads them back */
    ASSERT_OK(tide_udp_set_multicast_ttl(tx, 1));
    ASSERT_EQ(get_opt(tx, IPPROTO_IP, IP_MULTICAST_TTL), 1);
    ASSERT_EQ(tide_udp_set_multicast_ttl(tx, 256), -EINVAL);
    ASSERT_OK(tide_udp_set_multicast_loopback(tx, 0));
    ASSERT_EQ(get_opt(tx, IPPROTO_IP, IP_MULTICAST_LOOP), 0);
    ASSERT_OK(tide_udp_set_multicast_loopback(tx, 1));
    ASSERT_EQ(get_opt(tx, IPPROTO_IP, IP_MULTICAST_LOOP), 1);
    ASSERT_OK(tide_udp_set_multicast_interface(tx, "127.0.0.1"));
    ASSERT_EQ(tide_udp_set_multicast_interface(tx, "no-such-address"), -EINVAL);
    ASSERT_EQ(tide_udp_add_source_membership(rx, "bad", GROUP, NULL), -EINVAL);

    wait_t w = {0};
    ASSERT_OK(tide_timer_new(loop, &w.guard));
    ASSERT_OK(tide_udp_recv_start(rx, on_recv, &w));
    int err = tide_udp_add_membership(rx, GROUP, "127.0.0.1");
    if (err) {
        printf("joining a multicast group on lo refused here (%s): delivery not checked\n",
               tide_err_name(err));
    } else if (!roundtrip(loop, tx, port, &w, "to the group")) {
        printf("this kernel does not deliver multicast on lo: delivery not checked\n");
        ASSERT_OK(tide_udp_drop_membership(rx, GROUP, "127.0.0.1"));
    } else {
        ASSERT_STR_EQ(w.data, "to the group");
        ASSERT_OK(tide_udp_drop_membership(rx, GROUP, "127.0.0.1"));
        ASSERT_EQ(tide_udp_drop_membership(rx, GROUP, "127.0.0.1"), -EADDRNOTAVAIL);
        /* source-specific: only 127.0.0.1's datagrams to the group */
        ASSERT_OK(tide_udp_add_source_membership(rx, "127.0.0.1", GROUP, "127.0.0.1"));
        ASSERT_EQ(roundtrip(loop, tx, port, &w, "from the source"), 1);
        ASSERT_STR_EQ(w.data, "from the source");
        ASSERT_OK(tide_udp_drop_source_membership(rx, "127.0.0.1", GROUP, "127.0.0.1"));
        /* leaving twice: the kernel's error, passed through */
        ASSERT_LT(tide_udp_drop_source_membership(rx, "127.0.0.1", GROUP, "127.0.0.1"), 0);
    }
    ASSERT_OK(tide_close(TIDE_HANDLE(w.guard), NULL));
    ASSERT_OK(tide_close(TIDE_HANDLE(rx), NULL));
    ASSERT_OK(tide_close(TIDE_HANDLE(tx), NULL));
    TEST_CLOSE_LOOP(loop);
}

static void test_ipv6_options(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_udp_t *u;
    if (tide_udp_new(loop, AF_INET6, 0, &u) != 0) {
        printf("no IPv6 sockets here: the IPv6 options were not checked\n");
        ASSERT_OK(tide_loop_close(loop));
        return;
    }
    ASSERT_OK(tide_udp_set_multicast_ttl(u, 5));
    ASSERT_EQ(get_opt(u, IPPROTO_IPV6, IPV6_MULTICAST_HOPS), 5);
    ASSERT_OK(tide_udp_set_multicast_loopback(u, 0));
    ASSERT_EQ(get_opt(u, IPPROTO_IPV6, IPV6_MULTICAST_LOOP), 0);
    ASSERT_OK(tide_udp_set_ttl(u, 7));
    ASSERT_EQ(get_opt(u, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 7);
    ASSERT_OK(tide_udp_set_multicast_interface(u, NULL));
    ASSERT_EQ(tide_udp_set_multicast_interface(u, "no-such-interface"), -EINVAL);
    ASSERT_EQ(tide_udp_add_membership(u, "not-a-group", NULL), -EINVAL);
    ASSERT_OK(tide_close(TIDE_HANDLE(u), NULL));
    TEST_CLOSE_LOOP(loop);
}

int main(void)
{
    test_ipv4();
    test_ipv6_options();
    printf("ok\n");
    return 0;
}
