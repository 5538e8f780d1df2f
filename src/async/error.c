/* async/error.c - reference-counted error objects: one allocation holding
 * the public fields, the count and the message text. */
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

typedef struct {
    tide_error_t pub;   /* first, so the public pointer is the object */
    atomic_uint refs;   /* 0 marks the static out-of-memory error */
    char text[];        /* message, then the aggregate's error array */
} error_obj_t;

static error_obj_t oom_error = {
    .pub = {.code = -ENOMEM, .message = "not enough memory", .file = "", .func = ""},
};

static error_obj_t *obj_of(tide_error_t *e) { return (error_obj_t *)e; }

static error_obj_t *alloc_error(int code, const char *file, int line, const char *func,
                                size_t text_len, size_t extra)
{
    error_obj_t *o = tide__malloc(sizeof *o + text_len + 1 + extra);
    if (!o) return NULL;
    atomic_init(&o->refs, 1);
    o->pub.code = code;
    o->pub.message = o->text;
    o->pub.file = file ? file : "";
    o->pub.line = line;
    o->pub.func = func ? func : "";
    o->pub.nerrors = 0;
    o->pub.errors = NULL;
    return o;
}

tide_error_t *tide_error_new_at(int code, const char *file, int line, const char *func,
                                const char *fmt, ...)
{
    char buf[512];
    const char *msg;
    if (code >= 0) {
        snprintf(buf, sizeof buf, "error made with nonnegative code %d", code);
        code = -EINVAL;
        msg = buf;
    } else if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        msg = buf;
    } else {
        msg = tide_strerror(code);
    }
    size_t len = strlen(msg);
    error_obj_t *o = alloc_error(code, file, line, func, len, 0);
    if (!o) return &oom_error.pub;
    memcpy(o->text, msg, len + 1);
    return &o->pub;
}

tide_error_t *tide_error_aggregate_at(const char *message, tide_error_t *const *errors,
                                      size_t n, const char *file, int line, const char *func)
{
    if (!message) message = "All promises were rejected";
    size_t len = strlen(message);
    /* The array goes after the text, aligned for pointers. */
    size_t end = offsetof(error_obj_t, text) + len + 1;
    size_t pad = (sizeof(void *) - end % sizeof(void *)) % sizeof(void *);
    error_obj_t *o = alloc_error(TIDE_EAGGREGATE, file, line, func, len, pad + n * sizeof(void *));
    if (!o) return &oom_error.pub;
    memcpy(o->text, message, len + 1);
    tide_error_t **arr = (tide_error_t **)(o->text + len + 1 + pad);
    for (size_t i = 0; i < n; i++) arr[i] = tide_error_ref(errors[i]);
    o->pub.nerrors = n;
    o->pub.errors = arr;
    return &o->pub;
}

tide_error_t *tide_error_ref(tide_error_t *e)
{
    if (e && e != &oom_error.pub) atomic_fetch_add_explicit(&obj_of(e)->refs, 1, memory_order_relaxed);
    return e;
}

void tide_error_release(tide_error_t *e)
{
    if (!e || e == &oom_error.pub) return;
    error_obj_t *o = obj_of(e);
    if (atomic_fetch_sub_explicit(&o->refs, 1, memory_order_acq_rel) != 1) return;
    for (size_t i = 0; i < e->nerrors; i++) tide_error_release(e->errors[i]);
    tide__free(o);
}

int tide_error_format(const tide_error_t *e, char *buf, size_t size)
{
    if (!e) return snprintf(buf, size, "(no error)");
    int n = snprintf(buf, size, "%s: %s", tide_err_name(e->code), e->message);
    if (e->file && *e->file)
        n += snprintf(buf + ((size_t)n < size ? (size_t)n : size), (size_t)n < size ? size - (size_t)n : 0,
                      " (at %s:%d in %s)", e->file, e->line, e->func);
    return n;
}

void tide_error_print(const tide_error_t *e, FILE *out)
{
    char buf[1024];
    tide_error_format(e, buf, sizeof buf);
    fprintf(out, "%s\n", buf);
    for (size_t i = 0; e && i < e->nerrors; i++) {
        tide_error_format(e->errors[i], buf, sizeof buf);
        fprintf(out, "  [%zu] %s\n", i, buf);
    }
}
