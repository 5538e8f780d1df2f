/* tide/udp.h - UDP sockets, as Node's dgram and libuv's uv_udp: bind,
 * connected UDP, sends with a completion callback behind a send queue,
 * batched receives, multicast, broadcast and the socket options.
 *
 * Sending tries the system call at once and queues the datagram only when
 * the socket buffer is full; queued datagrams leave in order, many per
 * system call (sendmmsg). The callback always comes from the loop, never
 * from inside tide_udp_send. The bytes must stay valid until it runs.
 *
 * Receiving reads up to 16 datagrams per system call (recvmmsg) into a
 * buffer the loop shares among all its sockets: a socket that is not
 * reading holds no receive memory, and a message's bytes are valid only
 * during the callback that gets them. A socket reads while it has a
 * receive callback, is in event mode (tide_udp_recv_start with cb NULL:
 * each datagram becomes a 'message' event), or has a fiber in
 * tide_udp_recv_await.
 *
 * A socket is a handle: tide_close(TIDE_HANDLE(u), cb) closes it, and
 * every send still queued gets its callback with -ECANCELED before cb.
 * Callbacks and events come at Node's turns (docs/UDP.md). */
#ifndef TIDE_UDP_H
#define TIDE_UDP_H

#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>

#include "tide/async.h"
#include "tide/emitter.h"
#include "tide/loop.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tide_udp_s tide_udp_t;

/* Options of tide_udp_new and tide_udp_bind. */
enum {
    TIDE_UDP_IPV6ONLY = 1,  /* an IPv6 socket refuses IPv4 (default: dual stack) */
    TIDE_UDP_REUSEADDR = 2, /* SO_REUSEADDR: share the port (multicast listeners) */
    TIDE_UDP_REUSEPORT = 4  /* SO_REUSEPORT: the kernel spreads datagrams */
};

/* Flags of a received message. */
enum {
    TIDE_UDP_TRUNCATED = 1 /* longer than the socket's max message: the rest was lost */
};

/* The most iovecs one send may gather. */
#define TIDE_UDP_MAX_IOV 8

typedef struct {
    const void *data;
    size_t len;                /* bytes in data (at most the max message size) */
    const struct sockaddr *from;
    socklen_t fromlen;
    unsigned flags;            /* TIDE_UDP_TRUNCATED */
} tide_udp_message_t;

/* One datagram (status 0, msg set) or a receive error (status < 0, msg
 * NULL: -ECONNREFUSED on a connected socket after an ICMP unreachable,
 * -ENOMEM, ...); reading goes on after an error. */
typedef void (*tide_udp_recv_cb)(tide_udp_t *u, int status, const tide_udp_message_t *msg,
                                 void *data);
/* status: 0 once the datagram left, or a negative errno (-EMSGSIZE,
 * -ECONNREFUSED, -ECANCELED when the socket closed first). */
typedef void (*tide_udp_send_cb)(tide_udp_t *u, int status, void *data);

/* Make a socket of family AF_INET or AF_INET6. flags: TIDE_UDP_IPV6ONLY
 * (AF_INET6 only; otherwise an IPv6 socket also speaks IPv4 through mapped
 * addresses). Returns 0, -EINVAL, -EAFNOSUPPORT, -EMFILE or -ENOMEM. */
TIDE_API int tide_udp_new(tide_loop_t *loop, int family, unsigned flags, tide_udp_t **out);

/* Parse ip ("127.0.0.1", "::1"; NULL means the socket's any address when
 * used by bind) and port into out. -EINVAL for an address that is neither
 * IPv4 nor IPv6 text or a port above 65535. family 0 picks by the text. */
TIDE_API int tide_udp_addr(int family, const char *ip, int port, struct sockaddr_storage *out,
                           socklen_t *len);
/* Write addr as text into ip (at least 46 bytes) and its port into *port.
 * IPv4-mapped IPv6 addresses stay in their IPv6 form, as Node prints them. */
TIDE_API int tide_udp_addr_name(const struct sockaddr *addr, char *ip, size_t cap, int *port);

/* Bind to ip (NULL: any) and port (0: the kernel picks). flags:
 * TIDE_UDP_REUSEADDR, TIDE_UDP_REUSEPORT. Returns 0, -EINVAL,
 * -EADDRINUSE, -EADDRNOTAVAIL, -EALREADY (already bound). A 'listening'
 * event follows from a tick. */
TIDE_API int tide_udp_bind(tide_udp_t *u, const char *ip, int port, unsigned flags);
TIDE_API int tide_udp_bind_addr(tide_udp_t *u, const struct sockaddr *addr, socklen_t len,
                                unsigned flags);

/* Connected UDP: sends go to the peer without an address, only its
 * datagrams are received, and ICMP errors come back as -ECONNREFUSED.
 * Binds to an ephemeral port first if needed. -EISCONN when connected
 * already. A 'connect' event follows two ticks later, as in Node. */
TIDE_API int tide_udp_connect(tide_udp_t *u, const char *ip, int port);
TIDE_API int tide_udp_connect_addr(tide_udp_t *u, const struct sockaddr *addr, socklen_t len);
/* Forget the peer: -ENOTCONN when there is none. */
TIDE_API int tide_udp_disconnect(tide_udp_t *u);

/* Send len bytes (which must stay valid until cb) to addr, or to the peer
 * of a connected socket (addr NULL). cb may be NULL: then a failure is an
 * 'error' event. Sent (or refused) at once, cb follows two ticks later
 * (one on a connected socket), as Node's; queued, it follows from the
 * writable event. Returns 0 (cb follows), -EINVAL, -EISCONN (an address on
 * a connected socket), -EDESTADDRREQ (none on an unconnected one),
 * -EBADF after close, or -ENOMEM. */
TIDE_API int tide_udp_send(tide_udp_t *u, const void *buf, size_t len,
                           const struct sockaddr *addr, tide_udp_send_cb cb, void *data);
/* The same, gathering up to TIDE_UDP_MAX_IOV buffers into one datagram. */
TIDE_API int tide_udp_sendv(tide_udp_t *u, const struct iovec *iov, int iovcnt,
                            const struct sockaddr *addr, tide_udp_send_cb cb, void *data);
/* What waits in the send queue: datagrams and their bytes. */
TIDE_API size_t tide_udp_send_queue_count(const tide_udp_t *u);
TIDE_API size_t tide_udp_send_queue_size(const tide_udp_t *u);

/* Start receiving. cb NULL: event mode, each datagram is emitted as
 * 'message' (argument: const tide_udp_message_t *) and errors as 'error'.
 * Binds to any address and an ephemeral port if not bound. -EALREADY if
 * reading already, -ENOMEM if the loop's receive buffer cannot be made. */
TIDE_API int tide_udp_recv_start(tide_udp_t *u, tide_udp_recv_cb cb, void *data);
/* Stop: no further datagram is read (the kernel keeps them). Datagrams of
 * the batch in hand when stopped from a callback are dropped. */
TIDE_API int tide_udp_recv_stop(tide_udp_t *u);
/* The longest datagram a receive keeps (default 65536, the most UDP can
 * carry); a longer one arrives cut to size with TIDE_UDP_TRUNCATED. */
TIDE_API int tide_udp_set_max_message(tide_udp_t *u, size_t size);

/* ---- options (setsockopt) ------------------------------------------ */
TIDE_API int tide_udp_set_broadcast(tide_udp_t *u, int on);
TIDE_API int tide_udp_set_ttl(tide_udp_t *u, int ttl); /* 1..255 */
TIDE_API int tide_udp_set_multicast_ttl(tide_udp_t *u, int ttl); /* 0..255 */
TIDE_API int tide_udp_set_multicast_loopback(tide_udp_t *u, int on);
/* The interface multicast leaves from: an IPv4 address of the interface,
 * or for IPv6 an interface name or "::%name" / a scope index as text. */
TIDE_API int tide_udp_set_multicast_interface(tide_udp_t *u, const char *iface);
/* Join or leave group (on iface, NULL: the kernel's choice). */
TIDE_API int tide_udp_add_membership(tide_udp_t *u, const char *group, const char *iface);
TIDE_API int tide_udp_drop_membership(tide_udp_t *u, const char *group, const char *iface);
/* Source-specific multicast: only source's datagrams to group. */
TIDE_API int tide_udp_add_source_membership(tide_udp_t *u, const char *source,
                                            const char *group, const char *iface);
TIDE_API int tide_udp_drop_source_membership(tide_udp_t *u, const char *source,
                                             const char *group, const char *iface);
/* SO_RCVBUF / SO_SNDBUF. Linux doubles what is set; get reports the
 * kernel's value, as Node's getRecvBufferSize does. */
TIDE_API int tide_udp_set_recv_buffer_size(tide_udp_t *u, int size);
TIDE_API int tide_udp_set_send_buffer_size(tide_udp_t *u, int size);
TIDE_API int tide_udp_recv_buffer_size(const tide_udp_t *u);
TIDE_API int tide_udp_send_buffer_size(const tide_udp_t *u);

/* Local address (after bind) and peer (when connected): 0, -EBADF,
 * -ENOTCONN. */
TIDE_API int tide_udp_local_address(const tide_udp_t *u, struct sockaddr_storage *out,
                                    socklen_t *len);
TIDE_API int tide_udp_remote_address(const tide_udp_t *u, struct sockaddr_storage *out,
                                     socklen_t *len);
TIDE_API int tide_udp_fd(const tide_udp_t *u);

/* The socket's emitter: 'message', 'error', 'listening', 'connect' and
 * 'close' (from a tick queued by tide_close, as Node's socketCloseNT; the
 * -ECANCELED send callbacks and the close callback come later, in the
 * close phase). Node's close(cb) is a 'close' listener. */
TIDE_API tide_emitter_t *tide_udp_emitter(tide_udp_t *u);
/* Event ids of 'message', 'listening' and 'connect' (interned names). */
TIDE_API tide_event_t tide_udp_event_message(void);
TIDE_API tide_event_t tide_udp_event_listening(void);
TIDE_API tide_event_t tide_udp_event_connect(void);

/* ---- awaiting forms (inside tide_async) ------------------------------ */
/* Wait for one datagram and copy it into buf (cap bytes; a longer one is
 * cut and *flags gets TIDE_UDP_TRUNCATED). from/fromlen/len/flags may be
 * NULL. Waiting fibers take datagrams before the receive callback, in the
 * order they began to wait. Returns 0, a receive error, the abort reason
 * or -ETIMEDOUT at the deadline (then no datagram was taken), -ECANCELED
 * when the socket closes, -EPERM outside an async function. */
TIDE_API int tide_udp_recv_await(tide_udp_t *u, void *buf, size_t cap, size_t *len,
                                 struct sockaddr_storage *from, socklen_t *fromlen,
                                 unsigned *flags, const tide_await_opts_t *opts);
/* Send and wait until the datagram left: 0 or the send's error. An abort
 * before it left takes it out of the queue, so buf is free on return. */
TIDE_API int tide_udp_send_await(tide_udp_t *u, const void *buf, size_t len,
                                 const struct sockaddr *addr, const tide_await_opts_t *opts);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_UDP_H */
