/* http/guard.h - the line-structure check the parser runs over every
 * header block and trailer section before llhttp sees the bytes (see
 * guard.c for the rules and parser.c for when it runs). Internal. */
#ifndef TIDE_HTTP_GUARD_H
#define TIDE_HTTP_GUARD_H

#include "http/parser.h"

/* IDLE: nothing to scan (a body, or between messages); PENDING: a message
 * began, its header block is scanned from its first span; BLOCK: inside a
 * header block or trailer section, scanned up to guard->scanned. */
enum { TIDE__GUARD_IDLE = 0, TIDE__GUARD_PENDING = 1, TIDE__GUARD_BLOCK = 2 };

/* What a rejected block did wrong: the offending byte, llhttp's errno that
 * Node's parser gives for it, and a reason for logs. */
typedef struct {
    const char *at;
    llhttp_errno_t code;
    const char *reason;
} tide__http_guard_error_t;

/* A header block (status_line: it is a response's, whose status line is
 * checked too) or a trailer section starts: at the next byte (phase
 * TIDE__GUARD_BLOCK), or at its first span (TIDE__GUARD_PENDING). */
void tide__http_guard_begin(tide__http_guard_t *g, int phase, int status_line);

/* Scans [s, end) as the next bytes of the block. Returns the first byte
 * after the block's blank line (the guard is idle again), end when the
 * block goes on past it, or NULL with *e filled on a violation. */
const char *tide__http_guard_scan(tide__http_guard_t *g, const char *s, const char *end,
                                  tide__http_guard_error_t *e);

#endif /* TIDE_HTTP_GUARD_H */
