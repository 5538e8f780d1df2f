/* io/udp_internal.h - the private layout of a UDP socket, its send
 * requests and receive waiters, and the per-loop UDP state (the request
 * pool and the shared receive buffer), for the udp*.c files. */
#ifndef TIDE_IO_UDP_INTERNAL_H
#define TIDE_IO_UDP_INTERNAL_H

#include <netinet/in.h>

#include "core/internal.h"
#include "tide/udp.h"

/* Datagrams per recvmmsg/sendmmsg call, and the receive slot size: the
 * largest UDP payload (65,527 bytes over IPv6) fits in one slot. */
#define TIDE__UDP_BATCH 16
#define TIDE__UDP_SLOT 65536
/* Datagrams one readiness event may deliver before the loop moves on, so
 * a flooded socket cannot starve the rest of the loop. */
#define TIDE__UDP_READ_BUDGET 256

typedef union {
    struct sockaddr sa;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
} tide__udp_addr_t;

typedef struct tide__udp_send {
    tide__queue_t node;  /* in the send queue, then in the done list */
    tide_udp_send_cb cb;
    void *data;
    void *context;
    tide__udp_addr_t addr;
    socklen_t addrlen;   /* 0: the connected peer */
    int iovcnt;
    int status;
    int hops;            /* ticks left before the callback (sent at once) */
    tide_udp_t *u;
    size_t len;
    struct iovec iov[TIDE_UDP_MAX_IOV];
} tide__udp_send_t;

/* A fiber in tide_udp_recv_await, on its own stack. */
typedef struct {
    tide__queue_t node;
    tide_promise_t *promise;
    void *buf;
    size_t cap;
    size_t len;
    tide__udp_addr_t from;
    socklen_t fromlen;
    unsigned flags;
    int status;
    int done;
} tide__udp_waiter_t;

enum {
    U_BOUND = 1,
    U_CONNECTED = 2,
    U_READING = 4,  /* recv_start was called */
    U_EVENTS = 8,   /* ... with cb NULL: 'message' events */
    U_WATCHED = 16  /* the fd watcher is registered */
};

struct tide_udp_s {
    tide_handle_t h;
    tide__io_t io;
    int family;
    unsigned flags;
    size_t max_message;
    tide_udp_recv_cb recv_cb;
    void *recv_data;
    void *recv_context;
    tide__queue_t send_queue; /* waiting for the socket buffer, in order */
    tide__queue_t send_done;  /* left (or failed), callback not run yet */
    size_t send_queue_count;
    size_t send_queue_size;
    tide__pending_t done_pending; /* runs send_done from the pending phase */
    int done_queued;
    tide__queue_t waiters;    /* tide__udp_waiter_t */
    int close_emitted;        /* 'close' went out from its tick */
    tide_emitter_t em;
};

/* Per-loop state (slot TIDE__SLOT_UDP). */
typedef struct {
    tide__pool_t sends;
    char *slots;               /* TIDE__UDP_BATCH slots, made on first read */
    struct mmsghdr msgs[TIDE__UDP_BATCH];
    struct iovec iov[TIDE__UDP_BATCH];
    tide__udp_addr_t from[TIDE__UDP_BATCH];
    struct mmsghdr out[TIDE__UDP_BATCH]; /* a batch of queued sends */
} tide__udp_loop_t;

tide__udp_loop_t *tide__udp_loop(tide_loop_t *loop);
/* Make the shared receive slots: 0 or -ENOMEM. */
int tide__udp_recv_buffers(tide__udp_loop_t *st);

/* Bind to the any address and an ephemeral port unless bound. */
int tide__udp_autobind(tide_udp_t *u);
unsigned tide__udp_scope(const char *name);

/* Register or drop interest in readable/writable to match what the socket
 * needs now (reading, queued sends). */
int tide__udp_update_watch(tide_udp_t *u);
int tide__udp_wants_read(const tide_udp_t *u);

/* Sending (udp_send.c). */
void tide__udp_flush(tide_udp_t *u);
void tide__udp_run_done(tide_udp_t *u);
void tide__udp_cancel_sends(tide_udp_t *u);
int tide__udp_send_req(tide_udp_t *u, const struct iovec *iov, int iovcnt,
                       const struct sockaddr *addr, tide_udp_send_cb cb, void *data,
                       tide__udp_send_t **out);
/* Take a request out of the queue if it has not left yet (an aborted
 * await): it completes with -ECANCELED. Returns 1 if it was taken. */
int tide__udp_send_withdraw(tide_udp_t *u, tide__udp_send_t *req);

/* Receiving (udp_recv.c). */
void tide__udp_read(tide_udp_t *u);
void tide__udp_fail_waiters(tide_udp_t *u, int status);

/* Events (udp_events.c): an error with no callback to take it. */
void tide__udp_emit_error(tide_udp_t *u, int status);
void tide__udp_emit_later(tide_udp_t *u, tide_event_t event);

static inline int tide__udp_closing(const tide_udp_t *u)
{
    return (u->h.flags & (TIDE__CLOSING | TIDE__CLOSED)) != 0;
}

#endif /* TIDE_IO_UDP_INTERNAL_H */
