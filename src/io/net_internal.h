/* io/net_internal.h - the private layout of fd-backed streams (sockets,
 * pipes, TTYs) and servers, the per-loop net state (object pools, the
 * shared read buffers, the spare fd kept for EMFILE) and the calls the
 * net files share. */
#ifndef TIDE_IO_NET_INTERNAL_H
#define TIDE_IO_NET_INTERNAL_H

#include <sys/socket.h>

#include "io/stream_internal.h"
#include "tide/net.h"

/* Bytes one read may bring: a read buffer from the shared pool. */
#define TIDE__READ_BUF_SIZE 65536
/* Free read buffers kept for reuse; more than this go back to malloc. */
#define TIDE__READ_BUF_SPARE 64

enum {
    SOCK_WANT_READ = 1u << 0,   /* the stream asked for data (_read) */
    SOCK_CONNECTING = 1u << 1,  /* connect() in progress */
    SOCK_EOF = 1u << 2,         /* the peer's end was read */
    SOCK_IS_SOCKET = 1u << 3,   /* shutdown/sendmsg work on it */
    SOCK_UNIX = 1u << 4,        /* AF_UNIX: may carry fds */
    SOCK_TTY = 1u << 5,
    SOCK_REF = 1u << 6,         /* counts towards keeping the loop alive */
    SOCK_ACTIVE = 1u << 7,      /* counted in loop->active_refs now */
    SOCK_NO_READ = 1u << 8,     /* a write-only fd: _read brings nothing */
    SOCK_CLOSE_ON_FINAL = 1u << 9, /* a write-only non-socket: end() closes it */
    SOCK_CLOSED = 1u << 10,     /* the fd is closed */
    SOCK_WRITING = 1u << 11,    /* a write/writev waits for completion */
    SOCK_NO_CLOSE = 1u << 12,   /* tide_pipe_open(TIDE_PIPE_NO_CLOSE) */
    SOCK_DESTROYED = 1u << 13,
    /* 1u << 14 is fdstream.c's own */
    SOCK_PASS_FDS = 1u << 15,   /* receive SCM_RIGHTS fds (recvmsg) */
    SOCK_WAS_BLOCKING = 1u << 16 /* tide set O_NONBLOCK: undone if the fd stays open */
};

struct tide__sock_ext;

/* One fd-backed stream: the stream and the socket are one pool object
 * (tide__stream_make_hosted), the stream first, so each is found from the
 * other without a pointer. stream is an array of one so that k->stream
 * reads as the stream's pointer. The stream's data pointer holds the
 * context the socket was made in (its callbacks run in it). */
typedef struct tide__sock {
    tide_stream_t stream[1];
    tide__io_t io;
    uint32_t flags;
    uint64_t bytes_read;
    uint64_t bytes_written;
    struct tide__sock_ext *ext;          /* rare state (connect, fds, tty) */
} tide__sock_t;

static inline tide__sock_t *tide__sock_from(tide_stream_t *s) { return (tide__sock_t *)s; }

/* What only some sockets need, allocated when first needed. */
typedef struct tide__sock_ext {
    struct tide__connect *connect; /* a connect in flight */
    /* fds received (SCM_RIGHTS) and not yet taken */
    int *rfds;
    uint32_t nrfds, rfds_cap, rfds_head;
    /* fds to send with the first byte of a chunk, in write order */
    struct tide__fdmsg *sendq, *sendq_tail;
    /* a TTY's saved mode and resize watch */
    struct tide__tty *tty;
} tide__sock_ext_t;

typedef struct tide__fdmsg {
    struct tide__fdmsg *next;
    const tide_chunk_t *chunk; /* the chunk the fds go with */
    int nfds;
    int fds[];
} tide__fdmsg_t;

/* A listening socket (TCP or Unix). */
struct tide_server_s {
    tide__io_t io;
    tide_loop_t *loop;
    void *context;
    tide_connection_cb cb;
    void *data;
    unsigned flags;     /* TIDE_NET_* given to listen, + SERVER_* below */
    size_t hwm;
    unsigned keepalive; /* keep-alive delay for connections, ms */
    int family;
    char *path;         /* a Unix server's path, unlinked at close */
    tide_server_close_cb close_cb;
    void *close_data;
    tide_id_t retry;    /* accepting paused after EMFILE without a spare fd */
    tide__queue_t waiters; /* fibers in tide_server_accept_await */
    tide__queue_t node;    /* in the loop's list of servers */
    tide__pending_t closing; /* the close callback's turn */
    uint64_t accepted;
    uint64_t emfile;       /* connections dropped for lack of fds */
};

enum {
    SERVER_ACTIVE = 1u << 24,
    SERVER_CLOSED = 1u << 25,
    SERVER_UNREF = 1u << 26
};

/* Per-loop net state (slot TIDE__SLOT_NET). */
typedef struct {
    tide_loop_t *loop;
    tide__pool_t socks;
    void *free_bufs;      /* read buffers, linked through their first word */
    unsigned nfree_bufs;
    uint64_t bufs_out;    /* read buffers lent to chunks */
    int closing;          /* the loop closed: buffers go back to malloc */
    int spare_fd;         /* kept open for the EMFILE trick, -1: none */
    tide__queue_t servers;
    tide__queue_t ttys;   /* TTYs whose mode must be restored */
} tide__net_t;

tide__net_t *tide__net(tide_loop_t *loop);

/* A read buffer from the pool, and its release (a tide_release_fn). */
void *tide__net_buf_get(tide__net_t *net);
void tide__net_buf_put(void *base, void *net);

/* Wrap fd (non-blocking, cloexec) as a duplex stream with one reference
 * for the caller; flags SOCK_*; stream_flags TIDE_STREAM_*. On failure
 * the fd is left open for the caller. */
int tide__sock_new(tide_loop_t *loop, int fd, uint32_t flags, unsigned stream_flags, size_t hwm,
                   tide__sock_t **out);
/* The socket of a stream, or NULL when the stream is not fd-backed. */
tide__sock_t *tide__sock_of(const tide_stream_t *s);
tide__sock_ext_t *tide__sock_ext(tide__sock_t *k);
void tide__sock_ext_free(tide__sock_t *k);
/* Events for the socket's fd (net.c dispatches here). */
void tide__sock_ready(tide__sock_t *k, unsigned events);
/* Re-register the watcher with what the socket wants now. */
void tide__sock_update(tide__sock_t *k);
/* The connect finished (status 0 or negative errno). */
void tide__sock_connected(tide__sock_t *k, int status);
void tide__sock_fail(tide__sock_t *k, int code, const char *what);

/* connect.c */
int tide__connect(tide_loop_t *loop, const struct sockaddr *sa, socklen_t salen,
                  const tide_connect_opts_t *opts, tide_connect_cb cb, void *data,
                  tide_promise_t *promise, tide_stream_t **out);
int tide__connect_promise(tide_loop_t *loop, const struct sockaddr *sa, socklen_t salen,
                          const tide_connect_opts_t *opts, tide_promise_t **out);
int tide__connect_await(tide_loop_t *loop, const struct sockaddr *sa, socklen_t salen,
                        const tide_connect_opts_t *opts, tide_stream_t **out);
void tide__connect_ready(tide__sock_t *k);
void tide__connect_cancel(tide__sock_t *k, int status);

/* tcp.c: TCP_NODELAY and keep-alive as TIDE_NET_* flags ask */
int tide__tcp_options(int fd, unsigned flags, unsigned keepalive_delay_ms);

/* server.c */
int tide__server_listen(tide_loop_t *loop, int fd, int family, const tide_listen_opts_t *opts,
                        tide_connection_cb cb, void *data, tide_server_t **out);
void tide__server_ready(tide_server_t *srv, unsigned events);
void tide__servers_destroy(tide__net_t *net);

/* unix.c: fd passing */
void tide__sock_fds_free(tide__sock_t *k);
int tide__sock_recv_fds(tide__sock_t *k, struct msghdr *msg);
/* The head of the send queue went out with its chunk: close its fds. */
void tide__fdmsg_sent(tide__sock_t *k);

/* tty.c */
void tide__tty_restore(tide__sock_t *k);
void tide__ttys_destroy(tide__net_t *net);

/* fdpipe.c: the SOCK_* flags for an fd (and make it non-blocking). */
int tide__fd_kind(int fd, uint32_t *flags);

/* Give the socket's fd up: closed, or (TIDE_PIPE_NO_CLOSE) left open as
 * blocking as it was given. */
void tide__sock_let_go_fd(tide__sock_t *k);

/* Close an fd through the system-call table, keeping errno. */
void tide__net_close_fd(int fd);

/* Out of file descriptors on accept (EMFILE/ENFILE from listen_fd): take
 * each pending connection with the loop's spare fd and close it, counting
 * them in *shed. 1 when the backlog was emptied and the spare is kept
 * again, so accepting may go on; 0 when the caller must stop watching
 * listen_fd for TIDE__EMFILE_PAUSE_MS (level-triggered epoll would report
 * the backlog on every iteration) and then call tide__net_keep_spare. */
#define TIDE__EMFILE_PAUSE_MS 100
int tide__net_shed_backlog(tide_loop_t *loop, int listen_fd, uint64_t *shed);
void tide__net_keep_spare(tide_loop_t *loop);

#endif /* TIDE_IO_NET_INTERNAL_H */
