/* io/udp.c - a UDP socket's life: creation, addresses, bind and connect,
 * the fd watcher that serves both directions, and close. Sending is in
 * udp_send.c, receiving in udp_recv.c, socket options in udp_options.c. */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/udp_internal.h"

/* ---- per-loop state ------------------------------------------------------ */

static void udp_loop_destroy(tide_loop_t *loop, void *state)
{
    tide__udp_loop_t *st = state;
    tide__pool_destroy(&st->sends);
    tide__free(st->slots);
    tide__free(st);
    loop->slots[TIDE__SLOT_UDP].state = NULL;
    loop->slots[TIDE__SLOT_UDP].destroy = NULL;
}

static void udp_dispatch(tide_loop_t *loop, tide__io_t *io, unsigned events);
static void udp_close(tide_handle_t *h);
static void udp_finish(tide_handle_t *h);

tide__udp_loop_t *tide__udp_loop(tide_loop_t *loop)
{
    tide__slot_t *slot = &loop->slots[TIDE__SLOT_UDP];
    if (TIDE__LIKELY(slot->state != NULL)) return slot->state;
    tide__udp_loop_t *st = tide__calloc(1, sizeof *st);
    if (!st) return NULL;
    tide__pool_init(&st->sends, sizeof(tide__udp_send_t));
    tide__pool_init(&loop->handle_pools[TIDE_HANDLE_UDP], sizeof(tide_udp_t));
    loop->handle_hooks[TIDE_HANDLE_UDP].close = udp_close;
    loop->handle_hooks[TIDE_HANDLE_UDP].finish = udp_finish;
    loop->io_dispatch[TIDE__IO_UDP] = udp_dispatch;
    slot->state = st;
    slot->destroy = udp_loop_destroy;
    return st;
}

/* The receive slots are made the first time any socket of the loop reads
 * and live as long as the loop: one set serves every socket, because only
 * one socket is read at a time. */
int tide__udp_recv_buffers(tide__udp_loop_t *st)
{
    if (st->slots) return 0;
    st->slots = tide__malloc((size_t)TIDE__UDP_BATCH * TIDE__UDP_SLOT);
    return st->slots ? 0 : -ENOMEM;
}

/* ---- creation and addresses ---------------------------------------------- */

static int set_int_option(int fd, int level, int name, int value)
{
    if (tide__sys.setsockopt(fd, level, name, &value, sizeof value) < 0) return -errno;
    return 0;
}

int tide_udp_new(tide_loop_t *loop, int family, unsigned flags, tide_udp_t **out)
{
    if (!loop || !out) return -EINVAL;
    *out = NULL;
    if (family != AF_INET && family != AF_INET6) return -EAFNOSUPPORT;
    if (flags & ~(unsigned)TIDE_UDP_IPV6ONLY) return -EINVAL;
    if ((flags & TIDE_UDP_IPV6ONLY) && family != AF_INET6) return -EINVAL;
    tide__udp_loop_t *st = tide__udp_loop(loop);
    if (!st) return -ENOMEM;
    tide_udp_t *u = tide__pool_get(&loop->handle_pools[TIDE_HANDLE_UDP]);
    if (!u) return -ENOMEM;
    int fd = tide__sys.socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int err = -errno;
        tide__pool_put(&loop->handle_pools[TIDE_HANDLE_UDP], u);
        return err;
    }
    if (family == AF_INET6) {
        /* Linux's default follows a sysctl; Node makes it explicit. */
        int err = set_int_option(fd, IPPROTO_IPV6, IPV6_V6ONLY, (flags & TIDE_UDP_IPV6ONLY) != 0);
        if (err) {
            tide__sys.close(fd);
            tide__pool_put(&loop->handle_pools[TIDE_HANDLE_UDP], u);
            return err;
        }
    }
    memset(u, 0, sizeof *u);
    tide__handle_init(loop, &u->h, TIDE_HANDLE_UDP);
    u->io.fd = fd;
    u->io.type = TIDE__IO_UDP;
    u->family = family;
    u->max_message = TIDE__UDP_SLOT;
    tide__queue_init(&u->send_queue);
    tide__queue_init(&u->send_done);
    tide__queue_init(&u->waiters);
    tide__queue_init(&u->done_pending.node);
    tide_emitter_init(&u->em, loop);
    *out = u;
    return 0;
}

/* An interface name ("lo") or index ("1") as a scope id; 0 if unknown. */
unsigned tide__udp_scope(const char *name)
{
    unsigned idx = if_nametoindex(name);
    if (idx) return idx;
    char *end;
    unsigned long v = strtoul(name, &end, 10);
    return *name && !*end && v <= UINT32_MAX ? (unsigned)v : 0;
}

int tide_udp_addr(int family, const char *ip, int port, struct sockaddr_storage *out,
                  socklen_t *len)
{
    if (!out || port < 0 || port > 65535) return -EINVAL;
    memset(out, 0, sizeof *out);
    if (!family) family = ip && strchr(ip, ':') ? AF_INET6 : AF_INET;
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)out;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        if (ip && inet_pton(AF_INET, ip, &in->sin_addr) != 1) return -EINVAL;
        if (len) *len = sizeof *in;
        return 0;
    }
    if (family != AF_INET6) return -EAFNOSUPPORT;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)port);
    if (ip) {
        /* "fe80::1%eth0": the zone names the scope. */
        char text[INET6_ADDRSTRLEN + 1];
        const char *zone = strchr(ip, '%');
        size_t n = zone ? (size_t)(zone - ip) : strlen(ip);
        if (n >= sizeof text) return -EINVAL;
        memcpy(text, ip, n);
        text[n] = '\0';
        if (inet_pton(AF_INET6, text, &in6->sin6_addr) != 1) return -EINVAL;
        if (zone) {
            in6->sin6_scope_id = tide__udp_scope(zone + 1);
            if (!in6->sin6_scope_id) return -EINVAL;
        }
    }
    if (len) *len = sizeof *in6;
    return 0;
}

int tide_udp_addr_name(const struct sockaddr *addr, char *ip, size_t cap, int *port)
{
    if (!addr || !ip) return -EINVAL;
    const void *bytes;
    int p;
    if (addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
        bytes = &in->sin_addr;
        p = ntohs(in->sin_port);
    } else if (addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
        bytes = &in6->sin6_addr;
        p = ntohs(in6->sin6_port);
    } else {
        return -EAFNOSUPPORT;
    }
    if (!inet_ntop(addr->sa_family, bytes, ip, (socklen_t)cap)) return -ENOSPC;
    if (port) *port = p;
    return 0;
}

/* ---- bind and connect ---------------------------------------------------- */

static int usable(const tide_udp_t *u)
{
    if (!u) return -EINVAL;
    if (tide__udp_closing(u)) return -EBADF;
    return 0;
}

int tide_udp_bind_addr(tide_udp_t *u, const struct sockaddr *addr, socklen_t len, unsigned flags)
{
    int err = usable(u);
    if (err) return err;
    if (!addr || (flags & ~(unsigned)(TIDE_UDP_REUSEADDR | TIDE_UDP_REUSEPORT))) return -EINVAL;
    if (addr->sa_family != u->family) return -EAFNOSUPPORT;
    if (u->flags & U_BOUND) return -EALREADY;
    if ((flags & TIDE_UDP_REUSEADDR) &&
        (err = set_int_option(u->io.fd, SOL_SOCKET, SO_REUSEADDR, 1)) != 0)
        return err;
    if ((flags & TIDE_UDP_REUSEPORT) &&
        (err = set_int_option(u->io.fd, SOL_SOCKET, SO_REUSEPORT, 1)) != 0)
        return err;
    if (tide__sys.bind(u->io.fd, addr, len) < 0) return -errno;
    u->flags |= U_BOUND;
    tide__udp_emit_later(u, tide_udp_event_listening());
    return 0;
}

int tide_udp_bind(tide_udp_t *u, const char *ip, int port, unsigned flags)
{
    int err = usable(u);
    if (err) return err;
    struct sockaddr_storage ss;
    socklen_t len;
    if ((err = tide_udp_addr(u->family, ip, port, &ss, &len)) != 0) return err;
    return tide_udp_bind_addr(u, (struct sockaddr *)&ss, len, flags);
}

/* Reading or connecting needs a local port; bind to any, as Node does. */
int tide__udp_autobind(tide_udp_t *u)
{
    if (u->flags & U_BOUND) return 0;
    struct sockaddr_storage ss;
    socklen_t len;
    tide_udp_addr(u->family, NULL, 0, &ss, &len);
    if (tide__sys.bind(u->io.fd, (struct sockaddr *)&ss, len) < 0) return -errno;
    u->flags |= U_BOUND;
    tide__udp_emit_later(u, tide_udp_event_listening());
    return 0;
}

int tide_udp_connect_addr(tide_udp_t *u, const struct sockaddr *addr, socklen_t len)
{
    int err = usable(u);
    if (err) return err;
    if (!addr) return -EINVAL;
    if (u->flags & U_CONNECTED) return -EISCONN;
    if (addr->sa_family != u->family) return -EAFNOSUPPORT;
    if ((err = tide__udp_autobind(u)) != 0) return err;
    if (tide__sys.connect(u->io.fd, addr, len) < 0) return -errno;
    u->flags |= U_CONNECTED;
    tide__udp_emit_later(u, tide_udp_event_connect());
    return 0;
}

int tide_udp_connect(tide_udp_t *u, const char *ip, int port)
{
    int err = usable(u);
    if (err) return err;
    if (!ip || port <= 0) return -EINVAL;
    struct sockaddr_storage ss;
    socklen_t len;
    if ((err = tide_udp_addr(u->family, ip, port, &ss, &len)) != 0) return err;
    return tide_udp_connect_addr(u, (struct sockaddr *)&ss, len);
}

int tide_udp_disconnect(tide_udp_t *u)
{
    int err = usable(u);
    if (err) return err;
    if (!(u->flags & U_CONNECTED)) return -ENOTCONN;
    /* connect() to AF_UNSPEC dissolves the association (udp(7)). */
    struct sockaddr sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_family = AF_UNSPEC;
    if (tide__sys.connect(u->io.fd, &sa, sizeof sa) < 0 && errno != EAFNOSUPPORT) return -errno;
    u->flags &= ~(unsigned)U_CONNECTED;
    return 0;
}

int tide_udp_local_address(const tide_udp_t *u, struct sockaddr_storage *out, socklen_t *len)
{
    int err = usable(u);
    if (err) return err;
    if (!out) return -EINVAL;
    socklen_t n = sizeof *out;
    if (tide__sys.getsockname(u->io.fd, (struct sockaddr *)out, &n) < 0) return -errno;
    if (len) *len = n;
    return 0;
}

int tide_udp_remote_address(const tide_udp_t *u, struct sockaddr_storage *out, socklen_t *len)
{
    int err = usable(u);
    if (err) return err;
    if (!out) return -EINVAL;
    if (!(u->flags & U_CONNECTED)) return -ENOTCONN;
    socklen_t n = sizeof *out;
    if (tide__sys.getpeername(u->io.fd, (struct sockaddr *)out, &n) < 0) return -errno;
    if (len) *len = n;
    return 0;
}

int tide_udp_fd(const tide_udp_t *u) { return u && !tide__udp_closing(u) ? u->io.fd : -EBADF; }

tide_emitter_t *tide_udp_emitter(tide_udp_t *u) { return u ? &u->em : NULL; }

/* ---- the fd watcher ------------------------------------------------------ */

int tide__udp_wants_read(const tide_udp_t *u)
{
    return (u->flags & U_READING) || !tide__queue_empty(&u->waiters);
}

/* Readable while someone takes datagrams, writable while sends wait. The
 * handle is active (keeps the loop alive) only while reading: queued
 * sends count as requests of their own. */
int tide__udp_update_watch(tide_udp_t *u)
{
    unsigned want = 0;
    if (tide__udp_wants_read(u)) want |= TIDE__IN;
    if (!tide__queue_empty(&u->send_queue)) want |= TIDE__OUT;
    if (want & TIDE__IN)
        tide__handle_start(&u->h);
    else
        tide__handle_stop(&u->h);
    if (!want) {
        tide__io_stop(u->h.loop, &u->io);
        return 0;
    }
    return tide__io_start(u->h.loop, &u->io, want);
}

static void udp_dispatch(tide_loop_t *loop, tide__io_t *io, unsigned events)
{
    tide_udp_t *u = tide__container_of(io, tide_udp_t, io);
    /* An error (ICMP unreachable) wakes both sides: whichever system call
     * runs first collects it. Queued sends go first, as they were asked
     * for first. */
    if ((events & (TIDE__OUT | TIDE__ERR | TIDE__HUP)) && !tide__queue_empty(&u->send_queue))
        tide__udp_flush(u);
    if (tide__udp_closing(u)) return;
    if ((events & (TIDE__IN | TIDE__ERR | TIDE__HUP)) && tide__udp_wants_read(u)) tide__udp_read(u);
}

/* ---- close ---------------------------------------------------------------- */

/* Inside tide_close: stop and close the fd now (the number may be reused
 * at once); what the socket held is answered in udp_finish. */
static void udp_close(tide_handle_t *h)
{
    tide_udp_t *u = (tide_udp_t *)h;
    tide__io_stop(h->loop, &u->io);
    tide__sys.close(u->io.fd);
    u->flags &= ~(unsigned)(U_READING | U_EVENTS);
    tide__udp_cancel_sends(u);
    tide__udp_fail_waiters(u, -ECANCELED);
    tide__udp_emit_later(u, TIDE_EVENT_CLOSE);
}

/* Close phase, before the close callback: the send callbacks, and 'close'
 * if its tick could not be queued. */
static void udp_finish(tide_handle_t *h)
{
    tide_udp_t *u = (tide_udp_t *)h;
    tide__udp_run_done(u);
    if (!u->close_emitted && tide_listener_count(&u->em, TIDE_EVENT_CLOSE))
        TIDE__CALLBACK(h->loop, h->context, tide_emit(&u->em, TIDE_EVENT_CLOSE, NULL));
    tide_emitter_destroy(&u->em);
}
