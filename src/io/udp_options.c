/* io/udp_options.c - the socket options of a UDP socket: TTLs, broadcast,
 * buffer sizes and multicast (membership, source-specific membership,
 * loopback, outgoing interface), for IPv4 and IPv6. An IPv4 group on a
 * dual-stack IPv6 socket uses the IPv4 options, which Linux allows. */
#include <arpa/inet.h>
#include <string.h>

#include "io/udp_internal.h"

static int sockopt(const tide_udp_t *u, int level, int name, const void *val, socklen_t len)
{
    if (!u) return -EINVAL;
    if (tide__udp_closing(u)) return -EBADF;
    if (tide__sys.setsockopt(u->io.fd, level, name, val, len) < 0) return -errno;
    return 0;
}

static int int_opt(const tide_udp_t *u, int level, int name, int value)
{
    return sockopt(u, level, name, &value, sizeof value);
}

/* The IPv4 or IPv6 variant of an option, by the socket's family. */
static int family_opt(const tide_udp_t *u, int v4, int v6, int value)
{
    if (!u) return -EINVAL;
    return u->family == AF_INET6 ? int_opt(u, IPPROTO_IPV6, v6, value)
                                 : int_opt(u, IPPROTO_IP, v4, value);
}

int tide_udp_set_broadcast(tide_udp_t *u, int on) { return int_opt(u, SOL_SOCKET, SO_BROADCAST, !!on); }

int tide_udp_set_ttl(tide_udp_t *u, int ttl)
{
    if (ttl < 1 || ttl > 255) return -EINVAL;
    return family_opt(u, IP_TTL, IPV6_UNICAST_HOPS, ttl);
}

int tide_udp_set_multicast_ttl(tide_udp_t *u, int ttl)
{
    if (ttl < 0 || ttl > 255) return -EINVAL;
    return family_opt(u, IP_MULTICAST_TTL, IPV6_MULTICAST_HOPS, ttl);
}

int tide_udp_set_multicast_loopback(tide_udp_t *u, int on)
{
    return family_opt(u, IP_MULTICAST_LOOP, IPV6_MULTICAST_LOOP, !!on);
}

/* An IPv6 interface: NULL (any), "name", "index", or "addr%zone". */
static int v6_interface(const char *iface, unsigned *index)
{
    *index = 0;
    if (!iface || !*iface) return 0;
    const char *zone = strchr(iface, '%');
    *index = tide__udp_scope(zone ? zone + 1 : iface);
    if (*index) return 0;
    struct in6_addr a;
    return !zone && inet_pton(AF_INET6, iface, &a) == 1 ? 0 : -EINVAL;
}

static int v4_interface(const char *iface, struct in_addr *out)
{
    out->s_addr = htonl(INADDR_ANY);
    if (!iface) return 0;
    return inet_pton(AF_INET, iface, out) == 1 ? 0 : -EINVAL;
}

int tide_udp_set_multicast_interface(tide_udp_t *u, const char *iface)
{
    if (!u) return -EINVAL;
    if (u->family == AF_INET6) {
        unsigned index;
        int err = v6_interface(iface, &index);
        return err ? err : int_opt(u, IPPROTO_IPV6, IPV6_MULTICAST_IF, (int)index);
    }
    struct in_addr a;
    int err = v4_interface(iface, &a);
    return err ? err : sockopt(u, IPPROTO_IP, IP_MULTICAST_IF, &a, sizeof a);
}

static int membership(tide_udp_t *u, const char *group, const char *iface, int join)
{
    if (!u || !group) return -EINVAL;
    struct in_addr g4;
    if (inet_pton(AF_INET, group, &g4) == 1) {
        struct ip_mreq m;
        m.imr_multiaddr = g4;
        int err = v4_interface(iface, &m.imr_interface);
        if (err) return err;
        return sockopt(u, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m, sizeof m);
    }
    if (u->family != AF_INET6) return -EINVAL;
    struct ipv6_mreq m6;
    if (inet_pton(AF_INET6, group, &m6.ipv6mr_multiaddr) != 1) return -EINVAL;
    unsigned index;
    int err = v6_interface(iface, &index);
    if (err) return err;
    m6.ipv6mr_interface = index;
    return sockopt(u, IPPROTO_IPV6, join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, &m6,
                   sizeof m6);
}

int tide_udp_add_membership(tide_udp_t *u, const char *group, const char *iface)
{
    return membership(u, group, iface, 1);
}

int tide_udp_drop_membership(tide_udp_t *u, const char *group, const char *iface)
{
    return membership(u, group, iface, 0);
}

static int source_membership(tide_udp_t *u, const char *source, const char *group,
                             const char *iface, int join)
{
    if (!u || !source || !group) return -EINVAL;
    struct ip_mreq_source m;
    if (inet_pton(AF_INET, group, &m.imr_multiaddr) == 1) {
        if (inet_pton(AF_INET, source, &m.imr_sourceaddr) != 1) return -EINVAL;
        int err = v4_interface(iface, &m.imr_interface);
        if (err) return err;
        return sockopt(u, IPPROTO_IP, join ? IP_ADD_SOURCE_MEMBERSHIP : IP_DROP_SOURCE_MEMBERSHIP,
                       &m, sizeof m);
    }
    if (u->family != AF_INET6) return -EINVAL;
    struct group_source_req r;
    memset(&r, 0, sizeof r);
    socklen_t len;
    if (tide_udp_addr(AF_INET6, group, 0, &r.gsr_group, &len) ||
        tide_udp_addr(AF_INET6, source, 0, &r.gsr_source, &len))
        return -EINVAL;
    unsigned index;
    int err = v6_interface(iface, &index);
    if (err) return err;
    r.gsr_interface = index;
    return sockopt(u, IPPROTO_IPV6, join ? MCAST_JOIN_SOURCE_GROUP : MCAST_LEAVE_SOURCE_GROUP, &r,
                   sizeof r);
}

int tide_udp_add_source_membership(tide_udp_t *u, const char *source, const char *group,
                                   const char *iface)
{
    return source_membership(u, source, group, iface, 1);
}

int tide_udp_drop_source_membership(tide_udp_t *u, const char *source, const char *group,
                                    const char *iface)
{
    return source_membership(u, source, group, iface, 0);
}

/* ---- buffer sizes --------------------------------------------------------- */

int tide_udp_set_recv_buffer_size(tide_udp_t *u, int size)
{
    return size <= 0 ? -EINVAL : int_opt(u, SOL_SOCKET, SO_RCVBUF, size);
}

int tide_udp_set_send_buffer_size(tide_udp_t *u, int size)
{
    return size <= 0 ? -EINVAL : int_opt(u, SOL_SOCKET, SO_SNDBUF, size);
}

static int get_int(const tide_udp_t *u, int name)
{
    if (!u) return -EINVAL;
    if (tide__udp_closing(u)) return -EBADF;
    int v = 0;
    socklen_t len = sizeof v;
    if (tide__sys.getsockopt(u->io.fd, SOL_SOCKET, name, &v, &len) < 0) return -errno;
    return v;
}

int tide_udp_recv_buffer_size(const tide_udp_t *u) { return get_int(u, SO_RCVBUF); }
int tide_udp_send_buffer_size(const tide_udp_t *u) { return get_int(u, SO_SNDBUF); }
