/* http/client_internal.h - the HTTP client's private objects: the agent and
 * its per host:port pools, a pooled connection, one request exchange and
 * the response, plus the calls the client files share. An exchange asks
 * its pool for a connection, writes its head and body, parses the response
 * through http/parser.h and hands the connection back at the end. */
#ifndef TIDE_HTTP_CLIENT_INTERNAL_H
#define TIDE_HTTP_CLIENT_INTERNAL_H

#include <sys/socket.h>

#include "core/internal.h"
#include "async/abort_watch.h"
#include "core/queue.h"
#include "http/parser.h"
#include "tide/http_client.h"
#include "tide/net.h"
#include "tide/tcp.h"

typedef struct tide__hc_pool_s tide__hc_pool_t;
typedef struct tide__hc_conn_s tide__hc_conn_t;
typedef struct tide__hc_ex_s tide__hc_ex_t;

/* Header lines as "name\0value\0" runs in one buffer; offs holds each
 * line's name and value offsets, so growing the buffer moves nothing. */
typedef struct {
    char *buf;
    size_t len, cap;
    size_t *offs; /* 2 per line */
    size_t n, ncap;
    int in_value; /* the parser is inside a value: the next field starts a line */
} tide__hc_headers_t;

struct tide_http_agent_s {
    tide_loop_t *loop;
    tide_http_agent_opts_t opts; /* defaults filled in */
    tide__queue_t pools;
    size_t nconns;    /* connections not yet freed */
    int destroyed;    /* tide_http_agent_destroy was called */
    int is_default;
    tide_http_agent_stats_t stats;
};

struct tide__hc_pool_s {
    tide__queue_t node; /* in agent->pools */
    tide_http_agent_t *agent;
    char *host;         /* without brackets */
    int port;
    tide__queue_t free;    /* idle connections, newest at the head */
    tide__queue_t pending; /* exchanges waiting for a socket, FIFO */
    unsigned nsockets;     /* connecting, busy and free */
    unsigned nfree;
};

enum { CONN_RESOLVING, CONN_CONNECTING, CONN_BUSY, CONN_FREE, CONN_CLOSED };

/* How long a connect to one of several resolved addresses may take before
 * the next one is tried (Node's autoSelectFamilyAttemptTimeout). */
#define TIDE__HC_ATTEMPT_MS 250

struct tide__hc_conn_s {
    tide__queue_t node; /* in pool->free while free */
    tide_http_agent_t *agent;
    tide__hc_pool_t *pool;  /* NULL once it left the pool (closed) */
    tide_stream_t *sock;    /* NULL until connecting, or after 'close' */
    tide__http_parser_t parser;
    tide__hc_ex_t *ex;      /* the exchange it serves */
    tide_timer_t *timer;    /* free-socket or request idle timeout */
    tide_timer_t *ctimer;   /* the 100-continue wait */
    unsigned refs;          /* the pool, the socket until 'close', timers, a lookup */
    int state;
    unsigned served;        /* responses completed on it */
    unsigned in_parse;      /* inside its data listener */
    uint64_t free_timeout_ms;
    const tide_chunk_t *chunk; /* the socket chunk being parsed */
    int msg_done;           /* the parser paused at the end of a response */
    int keep;               /* that response allows reuse */
    /* While connecting to a name: the resolver's addresses (owned) in the
     * order they are tried, the next one to try, and when the whole
     * connect must be done (0: no connect timeout). */
    struct addrinfo *addrs;
    struct addrinfo *next_addr;
    uint64_t connect_deadline;
};

enum { EX_QUEUED, EX_CONNECTING, EX_SENT, EX_BODY, EX_DONE };

struct tide__hc_ex_s {
    tide__queue_t node;     /* in pool->pending while queued */
    tide_loop_t *loop;
    tide_http_agent_t *agent;
    tide__hc_pool_t *pool;
    tide__hc_conn_t *conn;
    unsigned refs;          /* in flight, the body stream, callers on the stack */
    int state;
    /* the request */
    char *method;
    char *url, *host, *target; /* target: path and query */
    int port;
    tide_http_header_t *hdrs;  /* the caller's, copied (for redirects) */
    size_t nhdrs;
    const tide_chunk_t *body;  /* a copy of the caller's buffer body */
    size_t body_len;
    const tide_chunk_t *head;  /* the serialized head, rebuilt per hop */
    tide_http_request_opts_t opts; /* timeouts, flags, limits (pointers not kept) */
    tide__abort_watch_t abort;
    /* the streamed request body */
    tide_stream_t *wbody;
    const tide_chunk_t *wpend; /* a write waiting for the socket or a 100 */
    int wpend_final;           /* end() waiting likewise */
    int wfinished;             /* the last chunk went out */
    int wdiscard;              /* a final response came first: drop the body */
    /* progress */
    int expect;            /* Expect: 100-continue was sent */
    int waiting_continue;  /* body held back for the 100 */
    int sent_all;          /* head and whole body handed to the socket */
    int got_bytes;         /* a byte of the response arrived */
    int is_head;
    int retried;
    unsigned redirects;
    int reused;
    /* the response */
    tide_http_response_t *res; /* owned until delivered; cleared when it is freed */
    int res_owned;
    int delivered;         /* cb has run */
    int dump;              /* a redirect's body: read and drop */
    tide_http_response_cb cb;
    void *data;
};

struct tide_http_response_s {
    tide_loop_t *loop;
    unsigned refs;
    int status;
    int minor;
    char *status_text;
    tide__hc_headers_t headers, trailers;
    tide_stream_t *body;
    tide__hc_ex_t *ex;     /* while the exchange still feeds the body */
    char *url;
    unsigned redirects;
    int reused;
    char *bytes;           /* collected body */
    size_t nbytes, bcap;
};

/* headers */
int tide__hc_headers_add(tide__hc_headers_t *h, const char *at, size_t len, int value);
int tide__hc_headers_end_field(tide__hc_headers_t *h);
int tide__hc_headers_end_value(tide__hc_headers_t *h);
void tide__hc_headers_clear(tide__hc_headers_t *h);
void tide__hc_headers_free(tide__hc_headers_t *h);
const char *tide__hc_headers_get(const tide__hc_headers_t *h, const char *name);
int tide__hc_headers_at(const tide__hc_headers_t *h, size_t i, const char **name,
                        const char **value);

/* URLs and the request head */
int tide__hc_url_parse(const char *url, char **host, int *port, char **target);
char *tide__hc_url_resolve(const char *base, const char *location);
int tide__hc_check_headers(const tide_http_header_t *hdrs, size_t n);
int tide__hc_build_head(tide__hc_ex_t *ex);

/* the agent */
tide_http_agent_t *tide__hc_agent_of(tide_loop_t *loop, tide_http_agent_t *agent);
int tide__hc_acquire(tide__hc_ex_t *ex);
void tide__hc_unqueue(tide__hc_ex_t *ex);
void tide__hc_release_conn(tide__hc_conn_t *conn, int reusable);
void tide__hc_conn_close(tide__hc_conn_t *conn);
void tide__hc_conn_arm(tide__hc_conn_t *conn, uint64_t ms);

/* the exchange */
void tide__hc_ex_start(tide__hc_ex_t *ex);      /* it has a connected or connecting socket */
void tide__hc_ex_conn_failed(tide__hc_ex_t *ex, int code);
void tide__hc_ex_fail(tide__hc_ex_t *ex, tide_error_t *err); /* takes err */
void tide__hc_ex_release(tide__hc_ex_t *ex);
void tide__hc_ex_done(tide__hc_ex_t *ex, int reusable); /* the response ended */
void tide__hc_ex_continue(tide__hc_ex_t *ex);   /* send the held body */
void tide__hc_ex_wrote(tide__hc_ex_t *ex);      /* a socket write completed */

int tide__hc_start(tide_loop_t *loop, const tide_http_request_opts_t *opts,
                   tide_http_response_cb cb, void *data, tide_stream_t **body_out);
int tide__hc_wants_redirect(tide__hc_ex_t *ex, int status);
void tide__hc_follow(tide__hc_ex_t *ex, int reusable);

/* the connection's parser */
extern const llhttp_settings_t tide__hc_settings;
int tide__hc_conn_on_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
void tide__hc_conn_eof(tide__hc_conn_t *conn, int code);

/* the response */
tide_http_response_t *tide__hc_response_new(tide_loop_t *loop);
int tide__hc_response_open_body(tide_http_response_t *res, size_t hwm);
tide_error_t *tide__hc_error(int code, const char *what);

#endif /* TIDE_HTTP_CLIENT_INTERNAL_H */
