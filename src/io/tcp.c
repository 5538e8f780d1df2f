/* io/tcp.c - TCP: addresses from text, listening sockets with their
 * options, connecting by host and port, and the per-connection options
 * (nodelay, keep-alive, reset). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "io/net_internal.h"
#include "tide/tcp.h"

int tide_net_addr(const char *host, int port, struct sockaddr_storage *addr, socklen_t *len)
{
    if (!host || !addr || !len || port < 0 || port > 65535) return -EINVAL;
    memset(addr, 0, sizeof *addr);
    if (strcmp(host, "localhost") == 0) host = "127.0.0.1";
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *len = sizeof *v4;
        return 0;
    }
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *len = sizeof *v6;
        return 0;
    }
    return -EINVAL;
}

int tide_net_addr_name(const struct sockaddr *addr, char *buf, size_t size, int *port)
{
    if (!addr || !buf) return -EINVAL;
    const void *src;
    int p;
    if (addr->sa_family == AF_INET) {
        src = &((const struct sockaddr_in *)addr)->sin_addr;
        p = ntohs(((const struct sockaddr_in *)addr)->sin_port);
    } else if (addr->sa_family == AF_INET6) {
        src = &((const struct sockaddr_in6 *)addr)->sin6_addr;
        p = ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
    } else {
        return -EAFNOSUPPORT;
    }
    if (!inet_ntop(addr->sa_family, src, buf, (socklen_t)size)) return -errno;
    if (port) *port = p;
    return 0;
}

static int set_int(int fd, int level, int name, int value)
{
    return tide__sys.setsockopt(fd, level, name, &value, sizeof value) < 0 ? -errno : 0;
}

static int keepalive(int fd, int on, unsigned delay_ms)
{
    int err = set_int(fd, SOL_SOCKET, SO_KEEPALIVE, on ? 1 : 0);
    if (err || !on || !delay_ms) return err;
    int secs = (int)((delay_ms + 999) / 1000);
    return set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, secs);
}

int tide__tcp_options(int fd, unsigned flags, unsigned keepalive_delay_ms)
{
    int err = 0;
    if (flags & TIDE_NET_NODELAY) err = set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
    if (!err && (flags & TIDE_NET_KEEPALIVE)) err = keepalive(fd, 1, keepalive_delay_ms);
    return err;
}

/* ---- listening -------------------------------------------------------------- */

int tide_tcp_listen_addr(tide_loop_t *loop, const struct sockaddr *addr, socklen_t len,
                         const tide_listen_opts_t *opts, tide_connection_cb cb, void *data,
                         tide_server_t **out)
{
    if (!loop || !addr || !out) return -EINVAL;
    if (addr->sa_family != AF_INET && addr->sa_family != AF_INET6) return -EAFNOSUPPORT;
    unsigned flags = opts ? opts->flags : 0;
    int fd = tide__sys.socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int err = set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    if (!err && (flags & TIDE_NET_REUSEPORT)) err = set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
    if (!err && addr->sa_family == AF_INET6)
        err = set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, (flags & TIDE_NET_IPV6_ONLY) ? 1 : 0);
    if (!err && tide__sys.bind(fd, addr, len) < 0) err = -errno;
    if (!err) err = tide__server_listen(loop, fd, addr->sa_family, opts, cb, data, out);
    if (err) tide__net_close_fd(fd);
    return err;
}

int tide_tcp_listen(tide_loop_t *loop, const char *host, int port, const tide_listen_opts_t *opts,
                    tide_connection_cb cb, void *data, tide_server_t **out)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int err = tide_net_addr(host ? host : "::", port, &ss, &len);
    if (err) return err;
    err = tide_tcp_listen_addr(loop, (struct sockaddr *)&ss, len, opts, cb, data, out);
    if ((err == -EAFNOSUPPORT || err == -EADDRNOTAVAIL) && !host) {
        tide_net_addr("0.0.0.0", port, &ss, &len);
        err = tide_tcp_listen_addr(loop, (struct sockaddr *)&ss, len, opts, cb, data, out);
    }
    return err;
}

/* ---- connecting --------------------------------------------------------------- */

int tide_tcp_connect_addr(tide_loop_t *loop, const struct sockaddr *addr, socklen_t len,
                          const tide_connect_opts_t *opts, tide_connect_cb cb, void *data,
                          tide_stream_t **out)
{
    if (!loop || !addr || !out) return -EINVAL;
    if (addr->sa_family != AF_INET && addr->sa_family != AF_INET6) return -EAFNOSUPPORT;
    return tide__connect(loop, addr, len, opts, cb, data, NULL, out);
}

int tide_tcp_connect(tide_loop_t *loop, const char *host, int port,
                     const tide_connect_opts_t *opts, tide_connect_cb cb, void *data,
                     tide_stream_t **out)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int err = tide_net_addr(host, port, &ss, &len);
    if (err) return err;
    return tide_tcp_connect_addr(loop, (struct sockaddr *)&ss, len, opts, cb, data, out);
}

int tide_tcp_connect_promise(tide_loop_t *loop, const char *host, int port,
                             const tide_connect_opts_t *opts, tide_promise_t **out)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (!loop || !out) return -EINVAL;
    int err = tide_net_addr(host, port, &ss, &len);
    if (err) return err;
    return tide__connect_promise(loop, (struct sockaddr *)&ss, len, opts, out);
}

int tide_tcp_connect_await(tide_loop_t *loop, const char *host, int port,
                           const tide_connect_opts_t *opts, tide_stream_t **out)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (!loop || !out) return -EINVAL;
    int err = tide_net_addr(host, port, &ss, &len);
    if (err) return err;
    return tide__connect_await(loop, (struct sockaddr *)&ss, len, opts, out);
}

/* ---- per-connection options ------------------------------------------------------ */

static tide__sock_t *tcp_sock(tide_stream_t *s)
{
    tide__sock_t *k = tide__sock_of(s);
    return k && (k->flags & SOCK_IS_SOCKET) && !(k->flags & SOCK_UNIX) ? k : NULL;
}

int tide_tcp_set_nodelay(tide_stream_t *s, int on)
{
    tide__sock_t *k = tcp_sock(s);
    if (!k) return -EINVAL;
    if (k->flags & SOCK_CLOSED) return -EBADF;
    return set_int(k->io.fd, IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0);
}

int tide_tcp_set_keepalive(tide_stream_t *s, int on, unsigned delay_ms)
{
    tide__sock_t *k = tcp_sock(s);
    if (!k) return -EINVAL;
    if (k->flags & SOCK_CLOSED) return -EBADF;
    return keepalive(k->io.fd, on, delay_ms);
}

int tide_tcp_reset(tide_stream_t *s)
{
    tide__sock_t *k = tcp_sock(s);
    if (!k) return -EINVAL;
    if (k->flags & SOCK_CLOSED) return -EBADF;
    /* A zero linger time makes close() send RST and drop what is queued. */
    struct linger lg = {1, 0};
    if (tide__sys.setsockopt(k->io.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0) return -errno;
    tide_stream_destroy(s, NULL);
    return 0;
}
