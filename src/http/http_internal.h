/* http/http_internal.h - the private layout of the HTTP server: the
 * per-loop state (pools, the cached Date line), servers, connections and
 * exchanges (one request with its response), and the calls the server's
 * files share. A connection is a raw fd with a core watcher, not a stream:
 * streams are made only when a handler asks for a body or response stream. */
#ifndef TIDE_HTTP_INTERNAL_H
#define TIDE_HTTP_INTERNAL_H

#include "http/parser.h"
#include "io/net_internal.h"
#include "tide/http.h"

/* A connection's output block from the per-loop pool; bigger responses
 * grow it with realloc and such blocks go back to malloc. */
#define TIDE__HTTP_OUT_BLOCK 16384
#define TIDE__HTTP_OUT_SPARE 64
/* Bytes of an exchange's arena kept inside its pooled record. */
#define TIDE__HTTP_ARENA_INLINE 1024
#define TIDE__HTTP_INLINE_HEADERS 16
#define TIDE__HTTP_RES_INLINE_HEADERS 8
/* Response bytes batched before a flush in the middle of a read. */
#define TIDE__HTTP_CORK_LIMIT 65536
/* Unread request body a connection still discards after the response;
 * past it the connection closes instead (a client that streams a huge
 * upload nobody wants should not keep the server busy). */
#define TIDE__HTTP_DISCARD_LIMIT (1024 * 1024)

/* The watcher's owner, after the io (listening fd or connection). */
enum { TIDE__HTTP_LISTENER = 1, TIDE__HTTP_CONN = 2 };

/* Per-loop state (slot TIDE__SLOT_HTTP). */
typedef struct tide__http_loop {
    tide_loop_t *loop;
    tide__pool_t conns;
    tide__pool_t exchanges;
    void *free_out;          /* output blocks, linked through their first word */
    unsigned nfree_out;
    uint64_t date_next;      /* loop time (ns) when the Date line goes stale */
    char date[48];           /* "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n" */
    size_t date_len;
    tide__queue_t servers;
} tide__http_loop_t;

/* A list of connections ordered by deadline: every entry was added with
 * the same timeout, so appending keeps the order and the head expires
 * first. */
typedef struct {
    tide__queue_t head;
    uint64_t timeout; /* ns; 0: no timeout */
} tide__http_tlist_t;

enum { TL_NONE, TL_HEADERS, TL_REQUEST, TL_KEEPALIVE };
enum { PAUSE_NONE, PAUSE_HEADERS, PAUSE_WAIT };

enum {
    SRV_CLOSING = 1u << 0, /* close() called: no new connections */
    SRV_CLOSED_FD = 1u << 1,
    SRV_CLOSE_QUEUED = 1u << 2, /* the close callback's tick is queued */
    SRV_DESTROYING = 1u << 3    /* the loop closes: no callbacks */
};

struct tide_http_server_s {
    tide__io_t io;
    uint32_t tag;
    uint32_t flags;
    tide_loop_t *loop;
    tide__http_loop_t *hl;
    tide_http_handler_fn handler;
    void *data;
    tide_http_server_opts_t opts; /* with the defaults filled in */
    size_t hwm;
    int port;
    tide__queue_t conns;
    size_t nconns;
    uint64_t nrequests;
    tide__http_tlist_t tl[4]; /* by TL_* (TL_NONE unused) */
    tide_timer_t *sweep;
    uint64_t sweep_due;       /* 0: not armed */
    tide_id_t retry;          /* accepting paused after EMFILE; 0: not */
    uint64_t dropped;         /* connections closed unserved for lack of fds */
    tide_http_server_close_cb close_cb;
    void *close_data;
    tide__queue_t node;       /* in the loop's servers */
};

enum {
    C_IN_PROCESS = 1u << 0,   /* parsing a read: responses are corked */
    C_PAUSED = 1u << 1,       /* the parser waits (stash holds the rest) */
    C_WAIT_RES = 1u << 2,     /* ... for the current response to end */
    C_WAIT_BODY = 1u << 3,    /* ... for the body's reader */
    C_WAIT_OUT = 1u << 4,     /* ... for the output to drain */
    C_CLOSED = 1u << 5,       /* the fd is closed */
    C_CLOSE_AFTER = 1u << 6,  /* close once the output is flushed */
    C_RESUME_QUEUED = 1u << 7,/* a tick will parse the stash */
    C_WROTE = 1u << 8,        /* bytes have been sent on it */
    C_EOF = 1u << 9,          /* the peer's end was read */
    C_IN_MESSAGE = 1u << 10,  /* between message begin and complete */
    C_HEADERS_DONE = 1u << 11,
    C_UPGRADED = 1u << 12,    /* the fd went to an upgrade handler */
    C_CB_QUEUED = 1u << 13,   /* a tick runs the write callbacks */
    C_DISCARD = 1u << 14      /* the response ended: drop the rest of the body */
};


/* A write callback waiting for its bytes to reach the kernel. */
typedef struct {
    uint64_t mark; /* conn->sent must reach this */
    tide_stream_cb cb;
    void *data;
    tide_stream_t *stream; /* the response stream, when it asked */
} tide__http_wcb_t;

typedef struct tide__http_conn {
    tide__io_t io;
    uint32_t tag;
    uint32_t flags;
    tide_http_server_t *srv;
    tide__queue_t node;        /* in the server's connections */
    tide__queue_t tnode;       /* in one deadline list */
    uint64_t deadline;
    uint64_t msg_start;        /* ns: when the message being read began */
    struct tide_http_req_s *cur;/* the request being read or answered */
    uint32_t refs;             /* exchange + queued ticks: freed at 0 once closed */
    uint8_t tlist;             /* TL_* it is in */
    uint8_t pause;             /* why a callback paused the parser (PAUSE_*) */
    uint16_t fail_status;      /* a limit's status (413, 414, 431, 501) */
    uint32_t nreqs;            /* requests on this connection */
    uint32_t hdr_bytes;        /* header block bytes so far */
    /* unparsed input kept while the parser waits */
    char *stash;
    uint32_t stash_off, stash_len;
    /* pending output */
    char *out;
    uint32_t out_off, out_len, out_cap;
    uint64_t sent;             /* bytes handed to the kernel, ever */
    uint64_t queued;           /* bytes put in out, ever */
    struct tide__http_conn_ext *ext; /* rare state, made on first use */
    tide__http_parser_t parser;
} tide__http_conn_t;

/* What only some connections need for a while: write callbacks, a file
 * being sent. Kept out of the record so an idle connection stays small;
 * freed once empty. */
typedef struct tide__http_conn_ext {
    tide__http_wcb_t *wcbs; /* in order */
    uint32_t wcb_head, wcb_tail, wcb_cap;
    int file_fd;            /* a sendfile in progress, after the out bytes; -1: none */
    uint64_t file_off, file_left;
} tide__http_conn_ext_t;

tide__http_conn_ext_t *tide__http_conn_ext(tide__http_conn_t *c);
/* Free the ext once it holds nothing. */
void tide__http_conn_ext_trim(tide__http_conn_t *c);
static inline int tide__http_has_wcbs(const tide__http_conn_t *c)
{
    return c->ext && c->ext->wcb_head != c->ext->wcb_tail;
}

typedef struct {
    const char *name, *value;
} tide__http_hdr_t;

/* A response header: removed ones have name NULL. */
typedef struct {
    const char *name, *value;
    uint32_t name_len, value_len;
} tide__http_rhdr_t;

enum {
    RES_HEADERS_SENT = 1u << 0,
    RES_ENDED = 1u << 1,         /* end called (the user is done with it) */
    RES_DONE = 1u << 2,          /* every byte queued (file sent too) */
    RES_CHUNKED = 1u << 3,
    RES_CLOSE = 1u << 4,         /* the connection closes after it */
    RES_NO_BODY = 1u << 5,       /* HEAD, 204, 304 */
    RES_NEED_DRAIN = 1u << 6,
    RES_CLOSE_NOTIFIED = 1u << 7,
    RES_HAS_CL = 1u << 8,        /* the user set Content-Length */
    RES_HAS_TE = 1u << 9,
    RES_HAS_DATE = 1u << 10,
    RES_HAS_CONN = 1u << 11,
    RES_CONTINUE_SENT = 1u << 12,
    RES_FILE = 1u << 13,         /* a send_file is in progress */
    RES_CLOSE_PENDING = 1u << 14 /* the close callback's tick is queued */
};

struct tide_http_res_s {
    uint32_t flags;
    int status;
    uint64_t content_length; /* what the user set, with RES_HAS_CL */
    tide__http_rhdr_t *hdrs;
    uint32_t nhdrs, hcap;
    tide__http_rhdr_t inline_hdrs[TIDE__HTTP_RES_INLINE_HEADERS];
    tide_http_res_fn drain_fn, close_fn, finish_fn;
    void *drain_data, *close_data, *finish_data;
    tide_stream_t *stream;
    const char *ctype; /* tide_http_res_send's Content-Type, for the head */
};

enum {
    Q_KEEP_ALIVE = 1u << 0,
    Q_CHUNKED = 1u << 1,
    Q_HAS_BODY = 1u << 2,
    Q_COMPLETE = 1u << 3,      /* message complete */
    Q_EXPECT_CONTINUE = 1u << 4,
    Q_UPGRADE = 1u << 5,       /* handed to on_upgrade */
    Q_HEAD = 1u << 6,
    Q_IN_VALUE = 1u << 7,      /* a header value is being built */
    Q_IN_FIELD = 1u << 8,
    Q_BODY_WANTED = 1u << 9    /* the body stream was asked for */
};

/* An arena block beyond the inline bytes. */
typedef struct tide__http_block {
    struct tide__http_block *next;
    char data[];
} tide__http_block_t;

/* One request and its response, pooled. */
struct tide_http_req_s {
    tide__http_conn_t *conn;
    tide_http_server_t *srv;
    uint32_t flags;
    uint8_t method;
    uint8_t minor;
    int64_t content_length;
    uint64_t body_bytes;
    /* strings */
    const char *url, *path, *query;
    tide__http_hdr_t *hdrs;
    uint32_t nhdrs, hcap;
    /* the arena: the current block, where the string being built starts */
    char *abase;
    uint32_t aused, atop, astart; /* strings grow up from 0, copies down from the top */
    const char *field;            /* the header name waiting for its value */
    tide__http_block_t *blocks;
    tide_stream_t *body;
    tide_http_res_t res;
    tide__http_hdr_t inline_hdrs[TIDE__HTTP_INLINE_HEADERS];
    char arena[TIDE__HTTP_ARENA_INLINE];
};


static inline tide_http_req_t *tide__http_req_of(const tide_http_res_t *res)
{
    return tide__container_of(res, tide_http_req_t, res);
}

/* ---- server.c / loop state ---------------------------------------------- */
tide__http_loop_t *tide__http_loop(tide_loop_t *loop);
/* A connection has gone: counts, graceful close's last callback. */
void tide__http_server_conn_gone(tide_http_server_t *srv);

/* ---- conn.c: connections ------------------------------------------------- */
int tide__http_conn_adopt(tide_http_server_t *srv, int fd);
void tide__http_conn_ready(tide__http_conn_t *c, unsigned events);
/* Parse what is stashed (after a response ended, a body was read, the
 * output drained), later on a tick. */
void tide__http_conn_resume_soon(tide__http_conn_t *c);
/* Close now: status (0 none) is written first when nothing of a response
 * is on the wire; code goes to on_client_error when it is nonzero. */
void tide__http_conn_fail(tide__http_conn_t *c, int code, int status);
void tide__http_conn_close(tide__http_conn_t *c);
void tide__http_conn_unref(tide__http_conn_t *c);
/* The parser paused: keep the unparsed rest until it may go on. */
int tide__http_conn_stash(tide__http_conn_t *c, const char *p, size_t n);
/* Re-register the watcher for what the connection waits on now. */
void tide__http_conn_watch(tide__http_conn_t *c);
int tide__http_conn_idle(const tide__http_conn_t *c);

/* ---- conn_parse.c: the parser's callbacks --------------------------------- */
extern const llhttp_settings_t tide__http_settings;
/* Feed bytes; returns 0, or -1 when the connection was closed. */
int tide__http_conn_parse(tide__http_conn_t *c, const char *data, size_t len);

/* ---- conn_write.c: output ------------------------------------------------- */
/* Room for n more bytes at out + out_len (NULL: no memory). */
char *tide__http_out_reserve(tide__http_conn_t *c, size_t n);
static inline void tide__http_out_commit(tide__http_conn_t *c, size_t n)
{
    c->out_len += (uint32_t)n;
    c->queued += n;
}
int tide__http_out_append(tide__http_conn_t *c, const void *p, size_t n);
/* Bytes waiting to go out. */
static inline size_t tide__http_out_pending(const tide__http_conn_t *c)
{
    return (size_t)(c->out_len - c->out_off) +
           (c->ext && c->ext->file_fd >= 0 ? (size_t)c->ext->file_left : 0);
}
/* Write what is pending now; 0, or a negative errno (the connection is
 * then closed). Watches for writability when the kernel is full. */
int tide__http_flush(tide__http_conn_t *c);
/* Flush unless a read is being parsed (then its end flushes once). */
int tide__http_flush_soon(tide__http_conn_t *c);
void tide__http_out_release(tide__http_conn_t *c);
int tide__http_wcb_push(tide__http_conn_t *c, tide_stream_cb cb, void *data,
                        tide_stream_t *stream);
/* Run the write callbacks whose bytes went out (or all, failing, once closed). */
void tide__http_wcbs_run(tide__http_conn_t *c);
void tide__http_writable(tide__http_conn_t *c);

/* ---- conn_timeout.c ------------------------------------------------------- */
void tide__http_tlist_set(tide__http_conn_t *c, int which, uint64_t deadline);
void tide__http_tlist_leave(tide__http_conn_t *c);
void tide__http_sweep_stop(tide_http_server_t *srv);

/* ---- request.c ------------------------------------------------------------ */
tide_http_req_t *tide__http_req_new(tide__http_conn_t *c);
void tide__http_req_free(tide_http_req_t *req);
/* The arena: append to the string being built, finish it (NUL), copy. */
int tide__http_arena_append(tide_http_req_t *req, const char *p, size_t n);
const char *tide__http_arena_finish(tide_http_req_t *req);
const char *tide__http_arena_dup(tide_http_req_t *req, const char *p, size_t n);
/* n bytes aligned for pointers, from the top. */
void *tide__http_arena_alloc(tide_http_req_t *req, size_t n);
int tide__http_req_add_header(tide_http_req_t *req, const char *name, const char *value);

/* ---- request_body.c ------------------------------------------------------- */
/* Body bytes arrived: 1 take more, 0 the reader's buffer is full. */
int tide__http_body_push(tide_http_req_t *req, const char *p, size_t n);
void tide__http_body_end(tide_http_req_t *req);
/* The request goes away before its body ended (err NULL: quietly). */
void tide__http_body_abort(tide_http_req_t *req, int code);
void tide__http_body_detach(tide_http_req_t *req);

/* ---- response.c ----------------------------------------------------------- */
/* The exchange is over on both sides: release it, go on with the next. */
void tide__http_exchange_finish(tide_http_req_t *req);
/* Maybe finish: the response is done and the request read. */
void tide__http_exchange_check(tide_http_req_t *req);
/* The connection closed under a response in flight. */
void tide__http_res_conn_closed(tide_http_req_t *req);
void tide__http_res_drained(tide_http_res_t *res);
int tide__http_res_head(tide_http_res_t *res, uint64_t body_len, int know_len);
/* write, with the completion going to cb or to the response stream */
int tide__http_res_write(tide_http_res_t *res, const void *buf, size_t len, tide_stream_cb cb,
                         void *data, tide_stream_t *stream);
void tide__http_res_stream_detach(tide_http_res_t *res);

/* ---- date.c / status.c ---------------------------------------------------- */
/* "Date: ...\r\n" for now, formatted at most once a second. */
const char *tide__http_date(tide__http_loop_t *hl, size_t *len);
/* Write "HTTP/1.1 200 OK\r\n" at dst (room for 64 bytes); its length. */
size_t tide__http_put_status(char *dst, int status);

/* ---- upgrade.c ------------------------------------------------------------ */
/* The parser stopped after an upgrade request: hand the fd over. */
void tide__http_upgrade(tide__http_conn_t *c, const char *rest, size_t len);

#endif /* TIDE_HTTP_INTERNAL_H */
