/* tide/error.h - the error objects promises reject with: a negative code,
 * a message, and the place in the source where the error was made.
 *
 * Errors are immutable and reference-counted, so one rejection can travel
 * down a chain of promises without copies. Making one never fails: when
 * memory runs out, a shared static "not enough memory" error comes back. */
#ifndef TIDE_ERROR_H
#define TIDE_ERROR_H

#include <stdarg.h>
#include <stdio.h>

#include "tide/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tide_error_s tide_error_t;
struct tide_error_s {
    int code;              /* negative: -errno or a TIDE_E* code */
    const char *message;   /* never NULL */
    const char *file;      /* where it was made (tide_error_new's caller) */
    int line;
    const char *func;
    size_t nerrors;        /* for TIDE_EAGGREGATE: the input errors ... */
    tide_error_t *const *errors; /* ... in input order */
};

/* Make an error with one reference. code must be negative (a nonnegative
 * code is replaced by -EINVAL and the message says so). fmt may be NULL for
 * the code's standard message. Use the macro: it records the place. */
TIDE_API tide_error_t *tide_error_new_at(int code, const char *file, int line, const char *func,
                                         const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
#define tide_error_new(code, ...) tide_error_new_at((code), __FILE__, __LINE__, __func__, __VA_ARGS__)

/* An error grouping others (Node's AggregateError): code TIDE_EAGGREGATE,
 * takes a new reference to each of the n errors. */
TIDE_API tide_error_t *tide_error_aggregate_at(const char *message, tide_error_t *const *errors,
                                               size_t n, const char *file, int line,
                                               const char *func);
#define tide_error_aggregate(msg, errors, n)                                    \
    tide_error_aggregate_at((msg), (errors), (n), __FILE__, __LINE__, __func__)

/* Take and drop references. Both accept NULL. ref returns its argument. */
TIDE_API tide_error_t *tide_error_ref(tide_error_t *error);
TIDE_API void tide_error_release(tide_error_t *error);

/* "ECANCELED: operation canceled (at file.c:12 in fn)", with the inner errors
 * of an aggregate on the lines after. Returns what snprintf would. */
TIDE_API int tide_error_format(const tide_error_t *error, char *buf, size_t size);
TIDE_API void tide_error_print(const tide_error_t *error, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* TIDE_ERROR_H */
