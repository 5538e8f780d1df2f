/* io/dns.c - getaddrinfo and getnameinfo on the thread pool's DNS lane:
 * one request record per lookup carries the copied arguments, the result
 * and how to report it (callback or promise); an abort reports at once and
 * leaves the worker to finish quietly, the record freeing what it found. */
#include <string.h>

#include "io/work_internal.h"
#include "tide/dns.h"

enum { KIND_ADDRINFO, KIND_NAMEINFO };

/* One node of a list tide hands out: the addrinfo, its address and its
 * canonical name in one block, so tide_dns_free is one free per node. */
typedef struct dns_node {
    struct addrinfo ai;
    struct sockaddr_storage addr;
    char canon[];
} dns_node_t;

typedef struct {
    tide_loop_t *loop;
    int kind;
    int abandoned; /* reported to the caller already (an abort) */
    int for_await; /* the promise is an await's: its list goes to the awaiter */
    tide_work_t *work;
    tide__abort_watch_t abort;
    tide_dns_lookup_cb lookup_cb;
    tide_dns_nameinfo_cb nameinfo_cb;
    void *data;
    tide_promise_t *promise;
    /* arguments */
    const char *node; /* inside this block, or NULL */
    const char *service;
    struct addrinfo hints;
    int has_hints;
    struct sockaddr_storage sa;
    socklen_t salen;
    int flags;
    /* results */
    struct addrinfo *res;
    tide_nameinfo_t info;
    char strings[];
} dns_req_t;

void tide_dns_free(struct addrinfo *res)
{
    while (res) {
        struct addrinfo *next = res->ai_next;
        tide__free(tide__container_of(res, dns_node_t, ai));
        res = next;
    }
}

/* The resolver's list, copied into tide's own blocks (on the worker). */
static int copy_list(const struct addrinfo *in, struct addrinfo **out)
{
    struct addrinfo *head = NULL, **tail = &head;
    for (; in; in = in->ai_next) {
        size_t canon = in->ai_canonname ? strlen(in->ai_canonname) + 1 : 0;
        dns_node_t *n = tide__malloc(sizeof *n + canon);
        if (!n || in->ai_addrlen > sizeof n->addr) {
            tide__free(n);
            tide_dns_free(head);
            return -ENOMEM;
        }
        n->ai = *in;
        memcpy(&n->addr, in->ai_addr, in->ai_addrlen);
        n->ai.ai_addr = (struct sockaddr *)&n->addr;
        n->ai.ai_canonname = canon ? memcpy(n->canon, in->ai_canonname, canon) : NULL;
        n->ai.ai_next = NULL;
        *tail = &n->ai;
        tail = &n->ai.ai_next;
    }
    *out = head;
    return 0;
}

static int map_gai_error(int rc)
{
    switch (rc) {
    case 0: return 0;
    case EAI_NONAME:
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
        return TIDE_ENOTFOUND;
    case EAI_AGAIN: return TIDE_EAI_AGAIN;
    case EAI_FAIL: return TIDE_EAI_FAIL;
    case EAI_FAMILY: return TIDE_EAI_FAMILY;
    case EAI_BADFLAGS: return TIDE_EAI_BADFLAGS;
    case EAI_SERVICE: return TIDE_EAI_SERVICE;
    case EAI_SOCKTYPE: return TIDE_EAI_SOCKTYPE;
    case EAI_OVERFLOW: return TIDE_EAI_OVERFLOW;
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY: return TIDE_EAI_ADDRFAMILY;
#endif
    case EAI_MEMORY: return -ENOMEM;
    case EAI_SYSTEM: return errno ? -errno : -EIO;
    default: return TIDE_EAI_FAIL;
    }
}

static int dns_work(void *data)
{
    dns_req_t *r = data;
    if (r->kind == KIND_NAMEINFO) {
        errno = 0;
        return map_gai_error(tide__sys.getnameinfo((struct sockaddr *)&r->sa, r->salen,
                                                   r->info.host, sizeof r->info.host,
                                                   r->info.service, sizeof r->info.service,
                                                   r->flags));
    }
    struct addrinfo *res = NULL;
    errno = 0;
    int rc = map_gai_error(
        tide__sys.getaddrinfo(r->node, r->service, r->has_hints ? &r->hints : NULL, &res));
    if (rc == 0) {
        rc = copy_list(res, &r->res);
        freeaddrinfo(res);
    }
    return rc;
}

static void req_free(dns_req_t *r)
{
    tide_dns_free(r->res);
    tide__free(r);
}

/* A promise's nameinfo is the record's own: freeing it frees the record. */
static void free_nameinfo_value(void *value)
{
    req_free(tide__container_of(value, dns_req_t, info));
}

static void free_list_value(void *value) { tide_dns_free(value); }

static tide_error_t *make_error(const dns_req_t *r, int status)
{
    if (r->kind == KIND_NAMEINFO) return tide_error_new(status, "getnameinfo %s", tide_err_name(status));
    return tide_error_new(status, "getaddrinfo %s %s", tide_err_name(status),
                          r->node ? r->node : r->service);
}

static void dns_done(tide_loop_t *loop, int status, void *data)
{
    dns_req_t *r = data;
    r->work = NULL;
    tide__abort_unwatch(&r->abort);
    if (r->abandoned) {
        req_free(r);
        return;
    }
    if (r->promise) {
        tide_promise_t *p = r->promise;
        if (status < 0) {
            tide_promise_reject(p, make_error(r, status));
            req_free(r);
        } else if (r->kind == KIND_NAMEINFO) {
            tide_promise_fulfil_owned(p, &r->info, free_nameinfo_value);
        } else if (r->for_await) {
            tide_promise_fulfil(p, r->res);
            r->res = NULL;
            req_free(r);
        } else {
            tide_promise_fulfil_owned(p, r->res, free_list_value);
            r->res = NULL;
            req_free(r);
        }
        tide_promise_release(p);
        return;
    }
    if (r->kind == KIND_NAMEINFO) {
        r->nameinfo_cb(loop, status, status < 0 ? NULL : &r->info, r->data);
    } else {
        struct addrinfo *res = r->res;
        r->res = NULL;
        r->lookup_cb(loop, status, res, r->data);
    }
    req_free(r);
}

/* An abort of the call's signal, or (reason NULL) an await that gave up. */
static void dns_abort(tide_abort_signal_t *signal, tide_error_t *reason, void *data)
{
    dns_req_t *r = data;
    r->abandoned = 1;
    tide_work_cancel(r->work);
    if (r->promise) {
        tide_promise_reject(r->promise, reason ? tide_error_ref(reason)
                                               : tide_error_new(-ECANCELED, "await abandoned"));
        tide_promise_release(r->promise);
        r->promise = NULL;
    } else if (r->kind == KIND_NAMEINFO) {
        r->nameinfo_cb(r->loop, reason->code, NULL, r->data);
    } else {
        r->lookup_cb(r->loop, reason->code, NULL, r->data);
    }
}

static dns_req_t *req_new(tide_loop_t *loop, int kind, const char *node, const char *service)
{
    size_t nlen = node ? strlen(node) + 1 : 0, slen = service ? strlen(service) + 1 : 0;
    dns_req_t *r = tide__malloc(sizeof *r + nlen + slen);
    if (!r) return NULL;
    memset(r, 0, sizeof *r);
    r->loop = loop;
    r->kind = kind;
    if (node) r->node = memcpy(r->strings, node, nlen);
    if (service) r->service = memcpy(r->strings + nlen, service, slen);
    return r;
}

/* Listen on the signal and queue the lookup; frees r on failure. */
static int req_start(dns_req_t *r, tide_abort_signal_t *signal)
{
    int rc;
    if (signal) {
        if (tide_abort_signal_aborted(signal)) {
            rc = tide_abort_signal_reason(signal)->code;
            goto fail;
        }
        if ((rc = tide__abort_watch(&r->abort, signal, dns_abort, r)) != 0) goto fail;
    }
    rc = tide_work_submit(r->loop, TIDE_LANE_DNS, dns_work, dns_done, r, &r->work);
    if (rc == 0) return 0;
    tide__abort_unwatch(&r->abort);
fail:
    req_free(r);
    return rc;
}

static dns_req_t *lookup_req(tide_loop_t *loop, const char *node, const char *service,
                             const struct addrinfo *hints)
{
    dns_req_t *r = req_new(loop, KIND_ADDRINFO, node, service);
    if (r && hints) {
        r->has_hints = 1;
        r->hints.ai_flags = hints->ai_flags;
        r->hints.ai_family = hints->ai_family;
        r->hints.ai_socktype = hints->ai_socktype;
        r->hints.ai_protocol = hints->ai_protocol;
    }
    return r;
}

static dns_req_t *nameinfo_req(tide_loop_t *loop, const struct sockaddr *sa, socklen_t len,
                               int flags)
{
    dns_req_t *r = req_new(loop, KIND_NAMEINFO, NULL, NULL);
    if (r) {
        memcpy(&r->sa, sa, len);
        r->salen = len;
        r->flags = flags;
    }
    return r;
}

/* Promise form of a request made by one of the two makers above. */
static int start_promise(tide_loop_t *loop, dns_req_t *r, tide_abort_signal_t *signal,
                         tide_promise_t **out)
{
    if (!r) return -ENOMEM;
    *out = NULL;
    tide_promise_t *p;
    int rc = tide_promise_new(loop, &p);
    if (rc) {
        req_free(r);
        return rc;
    }
    if (signal && tide_abort_signal_aborted(signal)) {
        req_free(r);
        tide_promise_reject(p, tide_error_ref(tide_abort_signal_reason(signal)));
        *out = p;
        return 0;
    }
    r->promise = tide_promise_ref(p);
    rc = req_start(r, signal);
    if (rc) {
        tide_promise_release(p);
        tide_promise_release(p);
        return rc;
    }
    *out = p;
    return 0;
}

#define LOOKUP_ARGS_OK (loop && (node || service))
#define NAMEINFO_ARGS_OK (loop && sa && len > 0 && len <= sizeof(struct sockaddr_storage))

int tide_dns_lookup(tide_loop_t *loop, const char *node, const char *service,
                    const struct addrinfo *hints, tide_abort_signal_t *signal,
                    tide_dns_lookup_cb cb, void *data)
{
    if (!LOOKUP_ARGS_OK || !cb) return -EINVAL;
    dns_req_t *r = lookup_req(loop, node, service, hints);
    if (!r) return -ENOMEM;
    r->lookup_cb = cb;
    r->data = data;
    return req_start(r, signal);
}

int tide_dns_lookup_promise(tide_loop_t *loop, const char *node, const char *service,
                            const struct addrinfo *hints, tide_abort_signal_t *signal,
                            tide_promise_t **out)
{
    if (!LOOKUP_ARGS_OK || !out) return -EINVAL;
    return start_promise(loop, lookup_req(loop, node, service, hints), signal, out);
}

int tide_dns_lookup_await(tide_loop_t *loop, const char *node, const char *service,
                          const struct addrinfo *hints, const tide_await_opts_t *opts,
                          struct addrinfo **res)
{
    if (!LOOKUP_ARGS_OK || !res) return -EINVAL;
    *res = NULL;
    if (!tide_in_async()) return -EPERM;
    dns_req_t *r = lookup_req(loop, node, service, hints);
    if (r) r->for_await = 1;
    tide_promise_t *p;
    int rc = start_promise(loop, r, opts ? opts->signal : NULL, &p);
    if (rc) return rc;
    void *value;
    rc = tide_await_opts(p, opts, &value, NULL);
    if (rc == 0) {
        *res = value; /* the promise was fulfilled with a list it does not own */
    } else if (tide_promise_state_of(p) == TIDE_PROMISE_PENDING) {
        /* Woken by the deadline or the scope: the lookup is abandoned and
         * dns_done frees what it finds. r lives until dns_done. */
        dns_abort(NULL, NULL, r);
    } else if (tide_promise_state_of(p) == TIDE_PROMISE_FULFILLED) {
        tide_dns_free(tide_promise_value(p));
    }
    tide_promise_release(p);
    return rc;
}

int tide_dns_nameinfo(tide_loop_t *loop, const struct sockaddr *sa, socklen_t len, int flags,
                      tide_abort_signal_t *signal, tide_dns_nameinfo_cb cb, void *data)
{
    if (!NAMEINFO_ARGS_OK || !cb) return -EINVAL;
    dns_req_t *r = nameinfo_req(loop, sa, len, flags);
    if (!r) return -ENOMEM;
    r->nameinfo_cb = cb;
    r->data = data;
    return req_start(r, signal);
}

int tide_dns_nameinfo_promise(tide_loop_t *loop, const struct sockaddr *sa, socklen_t len,
                              int flags, tide_abort_signal_t *signal, tide_promise_t **out)
{
    if (!NAMEINFO_ARGS_OK || !out) return -EINVAL;
    return start_promise(loop, nameinfo_req(loop, sa, len, flags), signal, out);
}

int tide_dns_nameinfo_await(tide_loop_t *loop, const struct sockaddr *sa, socklen_t len,
                            int flags, const tide_await_opts_t *opts, tide_nameinfo_t *info)
{
    if (!NAMEINFO_ARGS_OK || !info) return -EINVAL;
    if (!tide_in_async()) return -EPERM;
    tide_promise_t *p;
    int rc = tide_dns_nameinfo_promise(loop, sa, len, flags, opts ? opts->signal : NULL, &p);
    if (rc) return rc;
    void *value;
    rc = tide_await_opts(p, opts, &value, NULL);
    if (rc == 0) *info = *(const tide_nameinfo_t *)value;
    tide_promise_release(p);
    return rc;
}
