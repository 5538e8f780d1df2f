/* tide/dns.h - name lookups off the loop: getaddrinfo and getnameinfo run
 * on the thread pool's DNS lane (tide/work.h), so slow file work cannot
 * hold them up. Each comes as a callback, a promise and an awaiting form.
 *
 * Failures are negative codes: ENOTFOUND (the resolver's EAI_NONAME and
 * EAI_NODATA, as Node names them), TIDE_EAI_AGAIN, TIDE_EAI_FAIL,
 * TIDE_EAI_FAMILY, TIDE_EAI_BADFLAGS, TIDE_EAI_SERVICE, TIDE_EAI_SOCKTYPE,
 * TIDE_EAI_OVERFLOW, TIDE_EAI_ADDRFAMILY, -ENOMEM, or the errno of
 * EAI_SYSTEM; tide_err_name and tide_strerror name them. Promise
 * rejections carry Node's message: "getaddrinfo ENOTFOUND example.invalid".
 *
 * Cancellation: an abort of the signal reports the signal's reason at
 * once (the callback runs from the abort, the promise rejects). A lookup
 * still queued never runs; one that already runs cannot be stopped, so it
 * completes on its worker without telling anyone and its result is freed. */
#ifndef TIDE_DNS_H
#define TIDE_DNS_H

#include <netdb.h>
#include <sys/socket.h>

#include "tide/abort.h"
#include "tide/async.h"
#include "tide/common.h"
#include "tide/promise.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- getaddrinfo ------------------------------------------------------- */

/* res (NULL on failure) is yours: free the whole list with tide_dns_free. */
typedef void (*tide_dns_lookup_cb)(tide_loop_t *loop, int status, struct addrinfo *res,
                                   void *data);

/* getaddrinfo(node, service, hints) on the DNS lane. node or service may
 * be NULL (not both); hints may be NULL; all three are copied. signal may
 * be NULL. -EINVAL for bad arguments, -ECANCELED (the reason's code) when
 * signal is already aborted, -ENOMEM, or tide_work_submit's errors. */
TIDE_API int tide_dns_lookup(tide_loop_t *loop, const char *node, const char *service,
                             const struct addrinfo *hints, tide_abort_signal_t *signal,
                             tide_dns_lookup_cb cb, void *data);
/* Fulfils with the struct addrinfo * list, which the promise owns (it is
 * freed with the promise). */
TIDE_API int tide_dns_lookup_promise(tide_loop_t *loop, const char *node, const char *service,
                                     const struct addrinfo *hints, tide_abort_signal_t *signal,
                                     tide_promise_t **out);
/* Inside an async function: 0 with *res (yours, tide_dns_free) or a
 * negative code (the lookup's, the abort reason's, -ETIMEDOUT, -EPERM). */
TIDE_API int tide_dns_lookup_await(tide_loop_t *loop, const char *node, const char *service,
                                   const struct addrinfo *hints, const tide_await_opts_t *opts,
                                   struct addrinfo **res);
/* Free a list tide handed out (NULL is fine). Not for freeaddrinfo's lists. */
TIDE_API void tide_dns_free(struct addrinfo *res);

/* ---- getnameinfo ------------------------------------------------------- */

typedef struct {
    char host[NI_MAXHOST];
    char service[NI_MAXSERV];
} tide_nameinfo_t;

/* info (NULL on failure) is borrowed for the call. */
typedef void (*tide_dns_nameinfo_cb)(tide_loop_t *loop, int status, const tide_nameinfo_t *info,
                                     void *data);

/* getnameinfo(sa, len, flags) on the DNS lane (NI_* flags); sa is copied. */
TIDE_API int tide_dns_nameinfo(tide_loop_t *loop, const struct sockaddr *sa, socklen_t len,
                               int flags, tide_abort_signal_t *signal, tide_dns_nameinfo_cb cb,
                               void *data);
/* Fulfils with a const tide_nameinfo_t * that the promise owns. */
TIDE_API int tide_dns_nameinfo_promise(tide_loop_t *loop, const struct sockaddr *sa,
                                       socklen_t len, int flags, tide_abort_signal_t *signal,
                                       tide_promise_t **out);
/* Inside an async function: fills *info and returns 0, or a negative code. */
TIDE_API int tide_dns_nameinfo_await(tide_loop_t *loop, const struct sockaddr *sa, socklen_t len,
                                     int flags, const tide_await_opts_t *opts,
                                     tide_nameinfo_t *info);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_DNS_H */
