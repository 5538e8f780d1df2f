/* http/client_agent.c - Node's http.Agent: one pool per host:port of
 * keep-alive connections, at most max_sockets of them busy (requests
 * beyond wait in FIFO order), at most max_free_sockets idle, each idle one
 * closed after the free timeout or when the server closes it. Also the
 * life of a connection: DNS lookup, connect, and its close. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/client_internal.h"
#include "tide/dns.h"

/* ---- agents ------------------------------------------------------------ */

static void agent_maybe_free(tide_http_agent_t *agent)
{
    if (!agent->destroyed || agent->nconns) return;
    while (!tide__queue_empty(&agent->pools)) {
        tide__hc_pool_t *p = tide__container_of(tide__queue_head(&agent->pools), tide__hc_pool_t, node);
        tide__queue_remove(&p->node);
        tide__free(p->host);
        tide__free(p);
    }
    tide__free(agent);
}

int tide_http_agent_new(tide_loop_t *loop, const tide_http_agent_opts_t *opts,
                        tide_http_agent_t **out)
{
    if (!loop || !out) return -EINVAL;
    tide_http_agent_t *a = tide__calloc(1, sizeof *a);
    if (!a) return -ENOMEM;
    a->loop = loop;
    if (opts) a->opts = *opts;
    if (!a->opts.max_free_sockets) a->opts.max_free_sockets = 256;
    if (!a->opts.free_timeout_ms) a->opts.free_timeout_ms = 5000;
    tide__queue_init(&a->pools);
    *out = a;
    return 0;
}

static void default_agent_destroy(tide_loop_t *loop, void *state)
{
    tide_http_agent_t *a = state;
    loop->slots[TIDE__SLOT_HTTP_CLIENT].state = NULL;
    loop->slots[TIDE__SLOT_HTTP_CLIENT].destroy = NULL;
    /* The loop closes only once every socket has: nothing is left in it. */
    a->is_default = 0;
    a->destroyed = 1;
    agent_maybe_free(a);
}

tide_http_agent_t *tide_http_agent_default(tide_loop_t *loop)
{
    if (!loop) return NULL;
    tide__slot_t *slot = &loop->slots[TIDE__SLOT_HTTP_CLIENT];
    if (slot->state) return slot->state;
    tide_http_agent_t *a;
    if (tide_http_agent_new(loop, NULL, &a)) return NULL;
    a->is_default = 1;
    slot->state = a;
    slot->destroy = default_agent_destroy;
    return a;
}

tide_http_agent_t *tide__hc_agent_of(tide_loop_t *loop, tide_http_agent_t *agent)
{
    return agent ? agent : tide_http_agent_default(loop);
}

void tide_http_agent_destroy(tide_http_agent_t *agent)
{
    if (!agent || agent->destroyed) return;
    agent->destroyed = 1;
    if (agent->is_default) {
        tide__slot_t *slot = &agent->loop->slots[TIDE__SLOT_HTTP_CLIENT];
        slot->state = NULL;
        slot->destroy = NULL;
        agent->is_default = 0;
    }
    tide__queue_t *q = tide__queue_head(&agent->pools);
    while (q != &agent->pools) {
        tide__queue_t *next = q->next;
        tide__hc_pool_t *p = tide__container_of(q, tide__hc_pool_t, node);
        /* closing the last socket of a pool frees the pool */
        for (unsigned n = p->nfree; n > 0; n--)
            tide__hc_conn_close(tide__container_of(tide__queue_head(&p->free), tide__hc_conn_t, node));
        q = next;
    }
    agent_maybe_free(agent);
}

void tide_http_agent_stats(const tide_http_agent_t *agent, tide_http_agent_stats_t *out)
{
    if (!agent || !out) return;
    *out = agent->stats;
    out->sockets = out->free = out->pending = 0;
    for (tide__queue_t *q = agent->pools.next; q != &agent->pools; q = q->next) {
        tide__hc_pool_t *p = tide__container_of(q, tide__hc_pool_t, node);
        out->sockets += p->nsockets;
        out->free += p->nfree;
        for (tide__queue_t *e = p->pending.next; e != &p->pending; e = e->next) out->pending++;
    }
}

static tide__hc_pool_t *pool_get(tide_http_agent_t *agent, const char *host, int port)
{
    for (tide__queue_t *q = agent->pools.next; q != &agent->pools; q = q->next) {
        tide__hc_pool_t *p = tide__container_of(q, tide__hc_pool_t, node);
        if (p->port == port && strcasecmp(p->host, host) == 0) return p;
    }
    tide__hc_pool_t *p = tide__calloc(1, sizeof *p);
    if (!p) return NULL;
    p->host = tide__malloc(strlen(host) + 1);
    if (!p->host) {
        tide__free(p);
        return NULL;
    }
    strcpy(p->host, host);
    p->port = port;
    p->agent = agent;
    tide__queue_init(&p->free);
    tide__queue_init(&p->pending);
    tide__queue_insert_tail(&agent->pools, &p->node);
    return p;
}

/* An empty pool goes, so a program that talks to many hosts keeps none
 * of the ones it stopped using. */
static void pool_maybe_free(tide__hc_pool_t *p)
{
    if (p->nsockets || !tide__queue_empty(&p->pending)) return;
    tide__queue_remove(&p->node);
    tide__free(p->host);
    tide__free(p);
}

/* ---- connections ---------------------------------------------------------- */

static void conn_unref(tide__hc_conn_t *conn)
{
    if (--conn->refs) return;
    tide_http_agent_t *agent = conn->agent;
    agent->nconns--;
    tide_dns_free(conn->addrs);
    tide__free(conn);
    agent_maybe_free(agent);
}

static void timer_closed(tide_handle_t *h, void *data)
{
    (void)h;
    conn_unref(data);
}

static int conn_on_close(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
static int conn_on_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
static int conn_on_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);

/* Add (on) or remove the connection's listeners on its socket. */
static int conn_listen(tide__hc_conn_t *conn, tide_stream_t *s, int on)
{
    int (*op)(tide_stream_t *, tide_event_t, tide_listener_fn, void *) = on ? tide_stream_on : tide_stream_off;
    int rc = op(s, TIDE_EVENT_DATA, tide__hc_conn_on_data, conn);
    if (!rc) rc = op(s, TIDE_EVENT_END, conn_on_end, conn);
    if (!rc) rc = op(s, TIDE_EVENT_ERROR, conn_on_error, conn);
    if (!rc) rc = op(s, TIDE_EVENT_CLOSE, conn_on_close, conn);
    return rc;
}

/* Out of the pool and closed: the socket is destroyed (its 'close' lets
 * the connection go), timers closed. Safe to call twice. */
void tide__hc_conn_close(tide__hc_conn_t *conn)
{
    if (conn->state == CONN_CLOSED) return;
    int was_free = conn->state == CONN_FREE;
    conn->state = CONN_CLOSED;
    tide__hc_pool_t *p = conn->pool;
    conn->pool = NULL;
    if (was_free) {
        tide__queue_remove(&conn->node);
        p->nfree--;
    }
    if (conn->sock && !tide_stream_destroyed(conn->sock)) tide_stream_destroy(conn->sock, NULL);
    conn->refs += 2; /* until each timer's close callback */
    tide_handle_set_data((tide_handle_t *)conn->timer, conn);
    tide_close((tide_handle_t *)conn->timer, timer_closed);
    tide_handle_set_data((tide_handle_t *)conn->ctimer, conn);
    tide_close((tide_handle_t *)conn->ctimer, timer_closed);
    if (p) {
        p->nsockets--;
        /* a slot opened: the next queued request may connect */
        if (!tide__queue_empty(&p->pending)) {
            tide__hc_ex_t *ex = tide__container_of(tide__queue_head(&p->pending), tide__hc_ex_t, node);
            tide__queue_remove(&ex->node);
            tide__hc_acquire(ex);
        } else {
            pool_maybe_free(p);
        }
    }
    conn_unref(conn); /* the pool's */
}

static void free_timeout(tide_timer_t *t, void *data)
{
    (void)t;
    tide__hc_conn_t *conn = data;
    if (conn->state == CONN_FREE) tide__hc_conn_close(conn);
}

void tide__hc_conn_arm(tide__hc_conn_t *conn, uint64_t ms)
{
    if (ms == 0 || ms == TIDE_HTTP_AGENT_NO_TIMEOUT) tide_timer_stop(conn->timer);
    else tide_timer_start(conn->timer, free_timeout, ms, 0, conn);
}

static int conn_on_close(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    (void)ev, (void)arg;
    tide__hc_conn_t *conn = data;
    tide_stream_t *s = tide_stream_of(em);
    if (s == conn->sock) { /* not a failed attempt's socket */
        if (conn->state != CONN_CLOSED) tide__hc_conn_eof(conn, TIDE_ERR_HTTP_SOCKET_HANG_UP);
        conn->sock = NULL;
    }
    conn_listen(conn, s, 0);
    tide_stream_release(s);
    conn_unref(conn); /* the socket's */
    return 0;
}

static int conn_on_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    (void)em, (void)ev;
    tide__hc_conn_t *conn = data;
    tide_error_t *err = arg;
    if (tide_stream_of(em) != conn->sock) return 0; /* a failed attempt's */
    if (conn->state == CONN_CONNECTING || conn->state == CONN_CLOSED) return 0; /* connect_done has it */
    tide__hc_conn_eof(conn, err->code);
    return 0;
}

static int conn_on_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    (void)ev, (void)arg;
    tide__hc_conn_t *conn = data;
    if (tide_stream_of(em) == conn->sock) tide__hc_conn_eof(conn, 0);
    return 0;
}

/* A failed attempt's socket goes; its 'error' and 'close' still reach the
 * listeners, which ignore a socket that is no longer conn->sock, and its
 * 'close' releases it and the connection's reference. */
static void conn_drop_attempt(tide__hc_conn_t *conn)
{
    tide_stream_t *s = conn->sock;
    conn->sock = NULL;
    if (!tide_stream_destroyed(s)) tide_stream_destroy(s, NULL);
}

static int conn_try_next(tide__hc_conn_t *conn);

/* The connection could not be made: the exchange hears it. */
static void conn_fail(tide__hc_conn_t *conn, int code)
{
    tide__hc_ex_t *ex = conn->ex;
    conn->ex = NULL;
    tide__hc_conn_close(conn);
    if (ex) tide__hc_ex_conn_failed(ex, code);
}

static void connect_done(tide_stream_t *s, int status, void *data)
{
    tide__hc_conn_t *conn = data;
    /* A dropped attempt's socket reports -ECANCELED as it goes. */
    if (conn->state != CONN_CONNECTING || s != conn->sock) return;
    if (status < 0) {
        /* Another address may answer (the connection stays CONNECTING);
         * the last failure is the one reported. */
        if (conn->next_addr) {
            conn_drop_attempt(conn);
            int rc = conn_try_next(conn);
            if (rc == 0) return;
            if (rc != -ETIMEDOUT) status = rc;
        }
        conn_fail(conn, status);
        return;
    }
    conn->state = CONN_BUSY;
    tide_dns_free(conn->addrs);
    conn->addrs = conn->next_addr = NULL;
    tide_tcp_set_nodelay(s, 1);
    if (conn->ex && conn->ex->state == EX_CONNECTING) tide__hc_ex_start(conn->ex);
}

static int conn_connect(tide__hc_conn_t *conn, const struct sockaddr *sa, socklen_t len,
                        uint64_t timeout_ms)
{
    tide__hc_ex_t *ex = conn->ex;
    tide_connect_opts_t co;
    memset(&co, 0, sizeof co);
    co.timeout_ms = timeout_ms;
    tide_stream_t *s;
    int rc = tide_tcp_connect_addr(conn->agent->loop, sa, len, &co, connect_done, conn, &s);
    if (rc) return rc;
    conn->sock = s;
    conn->state = CONN_CONNECTING;
    conn->refs++; /* until 'close' */
    conn->agent->stats.connections++;
    if (conn_listen(conn, s, 1)) {
        /* Listeners could not be added (no memory): none stays, and the
         * socket goes at once (destroyed without an error, nothing is
         * uncaught; its connect reports to a socket no longer ours). */
        conn_listen(conn, s, 0);
        conn->sock = NULL;
        tide_stream_destroy(s, NULL);
        tide_stream_release(s);
        conn->refs--;
        return -ENOMEM;
    }
    /* The request goes out with the connect, queued on the socket, unless
     * another address may still be tried: its body must not be spent on a
     * socket that fails. Then it starts once connected. */
    if (ex && ex->state == EX_CONNECTING && !conn->next_addr) tide__hc_ex_start(ex);
    return 0;
}

/* Connect to the next resolved address. As Node's autoSelectFamily does,
 * an attempt that has not connected within TIDE__HC_ATTEMPT_MS gives way to
 * the next address; the last one has what is left of connect_timeout_ms.
 * -ETIMEDOUT when that has run out. */
static int conn_try_next(tide__hc_conn_t *conn)
{
    int rc = -ECONNREFUSED;
    while (conn->next_addr) {
        struct addrinfo *ai = conn->next_addr;
        conn->next_addr = ai->ai_next;
        uint64_t timeout_ms = 0;
        if (conn->connect_deadline) {
            uint64_t now = tide_now(conn->agent->loop);
            if (now >= conn->connect_deadline) return -ETIMEDOUT;
            timeout_ms = conn->connect_deadline - now;
        }
        if (conn->next_addr && (!timeout_ms || timeout_ms > TIDE__HC_ATTEMPT_MS)) timeout_ms = TIDE__HC_ATTEMPT_MS;
        struct sockaddr_storage ss;
        memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
        if (ss.ss_family == AF_INET) ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)conn->pool->port);
        else ((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)conn->pool->port);
        rc = conn_connect(conn, (struct sockaddr *)&ss, ai->ai_addrlen, timeout_ms);
        if (rc == 0) return 0;
    }
    return rc;
}

/* The resolver's answer reordered as Node's autoSelectFamily tries it:
 * families alternate, starting with the first address's, each family in
 * the resolver's order. Only TCP addresses of IPv4 and IPv6 are kept in the
 * order; the others stay at the end and are never tried. */
static struct addrinfo *interleave_families(struct addrinfo *res)
{
    struct addrinfo *lists[2] = {NULL, NULL}, **tails[2] = {&lists[0], &lists[1]};
    struct addrinfo *rest = NULL, **rest_tail = &rest;
    int first = -1;
    for (struct addrinfo *ai = res, *next; ai; ai = next) {
        next = ai->ai_next;
        ai->ai_next = NULL;
        int f = ai->ai_family == AF_INET ? 0 : ai->ai_family == AF_INET6 ? 1 : -1;
        if (f < 0) {
            *rest_tail = ai;
            rest_tail = &ai->ai_next;
            continue;
        }
        if (first < 0) first = f;
        *tails[f] = ai;
        tails[f] = &ai->ai_next;
    }
    struct addrinfo *head = NULL, **tail = &head;
    for (int f = first < 0 ? 0 : first; lists[0] || lists[1]; f ^= 1) {
        if (!lists[f]) continue;
        struct addrinfo *ai = lists[f];
        lists[f] = ai->ai_next;
        ai->ai_next = NULL;
        *tail = ai;
        tail = &ai->ai_next;
    }
    *tail = rest;
    return head;
}

static void lookup_done(tide_loop_t *loop, int status, struct addrinfo *res, void *data)
{
    (void)loop;
    tide__hc_conn_t *conn = data;
    if (conn->state == CONN_RESOLVING) {
        int rc = status;
        if (!rc && !res) rc = TIDE_ENOTFOUND;
        if (!rc) {
            conn->addrs = conn->next_addr = interleave_families(res);
            res = NULL;
            rc = conn_try_next(conn);
        }
        if (rc) conn_fail(conn, rc);
    }
    tide_dns_free(res);
    conn_unref(conn); /* the lookup's */
}

/* A numeric address or "localhost" connects at once; other names are
 * looked up first, and their addresses tried in turn. */
static int conn_open(tide__hc_conn_t *conn)
{
    tide__hc_pool_t *p = conn->pool;
    uint64_t timeout_ms = conn->ex ? conn->ex->opts.connect_timeout_ms : 0;
    struct sockaddr_storage ss;
    socklen_t len;
    if (tide_net_addr(p->host, p->port, &ss, &len) == 0)
        return conn_connect(conn, (struct sockaddr *)&ss, len, timeout_ms);
    /* The connect timeout covers the lookup too. */
    if (timeout_ms) conn->connect_deadline = tide_now(conn->agent->loop) + timeout_ms;
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = tide_dns_lookup(conn->agent->loop, p->host, NULL, &hints, NULL, lookup_done, conn);
    if (rc) return rc;
    conn->state = CONN_RESOLVING;
    conn->refs++;
    return 0;
}

static tide__hc_conn_t *conn_new(tide__hc_pool_t *p, int *rc)
{
    tide_http_agent_t *agent = p->agent;
    tide__hc_conn_t *conn = tide__calloc(1, sizeof *conn);
    if (!conn) {
        *rc = -ENOMEM;
        return NULL;
    }
    conn->agent = agent;
    conn->pool = p;
    tide__queue_init(&conn->node);
    conn->free_timeout_ms = agent->opts.free_timeout_ms;
    if ((*rc = tide_timer_new(agent->loop, &conn->timer)) != 0) {
        tide__free(conn);
        return NULL;
    }
    if ((*rc = tide_timer_new(agent->loop, &conn->ctimer)) != 0) {
        tide_close((tide_handle_t *)conn->timer, NULL);
        tide__free(conn);
        return NULL;
    }
    if ((*rc = tide__http_parser_init(&conn->parser, HTTP_RESPONSE, &tide__hc_settings, conn))) {
        tide_close((tide_handle_t *)conn->timer, NULL);
        tide_close((tide_handle_t *)conn->ctimer, NULL);
        tide__free(conn);
        return NULL;
    }
    conn->refs = 1; /* the pool's, dropped by conn_close */
    agent->nconns++;
    p->nsockets++;
    return conn;
}

static void conn_give(tide__hc_conn_t *conn, tide__hc_ex_t *ex, int reused)
{
    conn->ex = ex;
    ex->conn = conn;
    ex->reused = reused;
    conn->agent->stats.requests++;
    if (reused) conn->agent->stats.reused++;
}

/* Give ex a connection: a free one (newest first, unless FIFO), a new one
 * while under max_sockets, or a place in the queue. An error is reported
 * to ex (from the loop: this runs from the loop or before the caller's
 * callback could be due). */
int tide__hc_acquire(tide__hc_ex_t *ex)
{
    tide_http_agent_t *agent = ex->agent;
    tide__hc_pool_t *p = pool_get(agent, ex->host, ex->port);
    if (!p) return -ENOMEM;
    ex->pool = p;
    ex->state = EX_QUEUED;
    if (!tide__queue_empty(&p->free)) {
        tide__queue_t *q = agent->opts.flags & TIDE_HTTP_AGENT_FIFO ? p->free.prev : p->free.next;
        tide__hc_conn_t *conn = tide__container_of(q, tide__hc_conn_t, node);
        tide__queue_remove(&conn->node);
        p->nfree--;
        conn->state = CONN_BUSY;
        tide_timer_stop(conn->timer);
        tide_net_ref(conn->sock);
        conn_give(conn, ex, 1);
        tide__hc_ex_start(ex);
        return 0;
    }
    if (agent->opts.max_sockets && p->nsockets >= agent->opts.max_sockets) {
        tide__queue_insert_tail(&p->pending, &ex->node);
        return 0;
    }
    int rc;
    tide__hc_conn_t *conn = conn_new(p, &rc);
    if (!conn) {
        pool_maybe_free(p);
        return rc;
    }
    conn_give(conn, ex, 0);
    ex->state = EX_CONNECTING;
    rc = conn_open(conn);
    if (rc) {
        conn->ex = NULL;
        ex->conn = NULL;
        agent->stats.requests--;
        tide__hc_conn_close(conn);
        return rc;
    }
    return 0;
}

/* A queued exchange gives up its place (aborted). */
void tide__hc_unqueue(tide__hc_ex_t *ex)
{
    if (!tide__queue_linked(&ex->node)) return;
    tide__queue_remove(&ex->node);
    pool_maybe_free(ex->pool);
}

/* The exchange on conn is over. A reusable connection serves the next
 * queued request or waits in the free list (unref'd, as Node's are, so
 * it never keeps the program alive); any other closes. */
void tide__hc_release_conn(tide__hc_conn_t *conn, int reusable)
{
    tide_http_agent_t *agent = conn->agent;
    tide__hc_pool_t *p = conn->pool;
    conn->ex = NULL;
    tide_timer_stop(conn->timer);
    tide_timer_stop(conn->ctimer);
    if (conn->state != CONN_BUSY) return; /* closed meanwhile */
    if (!reusable || agent->destroyed || (agent->opts.flags & TIDE_HTTP_AGENT_NO_KEEPALIVE) ||
        !conn->sock || tide_stream_destroyed(conn->sock)) {
        tide__hc_conn_close(conn);
        return;
    }
    tide__http_parser_reset(&conn->parser);
    if (!tide__queue_empty(&p->pending)) {
        tide__hc_ex_t *ex = tide__container_of(tide__queue_head(&p->pending), tide__hc_ex_t, node);
        tide__queue_remove(&ex->node);
        conn_give(conn, ex, 1);
        tide__hc_ex_start(ex);
        return;
    }
    if (p->nfree >= agent->opts.max_free_sockets || conn->free_timeout_ms == 0) {
        tide__hc_conn_close(conn);
        return;
    }
    conn->state = CONN_FREE;
    tide__queue_insert_head(&p->free, &conn->node);
    p->nfree++;
    tide_net_unref(conn->sock);
    if (tide_stream_is_paused(conn->sock)) tide_stream_resume(conn->sock); /* see the server's close */
    tide__hc_conn_arm(conn, conn->free_timeout_ms);
    tide_unref((tide_handle_t *)conn->timer);
}
