/* http/parser.h - the one way tide parses HTTP/1.x: llhttp (built strict)
 * behind a guard that rejects what strict llhttp 8.1 still lets through
 * and Node 20's parser does not: obs-fold lines, bare CR or LF line ends,
 * "\r\n\n" ending a header block, oversized chunk extensions. The server
 * and the client both parse through here and never call llhttp_execute
 * themselves.
 *
 * Use. Fill an llhttp_settings_t with your callbacks (any may be NULL) and
 * keep it alive as long as the parser (a static const is usual); init the
 * parser with it; feed every byte received, in order, to
 * tide__http_parser_execute. Your callbacks get &p->ll and find their
 * owner in p->ll.data. Callbacks the guard needs are wrapped, so yours run
 * unchanged and in llhttp's order. */
#ifndef TIDE_HTTP_PARSER_H
#define TIDE_HTTP_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include <llhttp.h>

/* Node caps the chunk-extension bytes (names and values, quotes included)
 * of one chunk-size line at 16 KiB; the count starts again at each line. */
#define TIDE__HTTP_MAX_CHUNK_EXT 16384

/* The guard's state: it survives between reads, so a bad byte is caught
 * however the bytes are split (see guard.c). */
typedef struct {
    uint8_t phase;      /* idle, a message begun, or inside a header block / trailers */
    uint8_t line;       /* where in the current line: start, middle, after CR */
    uint8_t status;     /* a response's status line: how far its code has been checked */
    uint8_t paused;     /* the last pause was the guard's own, not the owner's */
    uint32_t ext_bytes; /* chunk-extension bytes of this chunk-size line so far */
    size_t ahead;       /* bytes the guard scanned beyond where the owner paused */
    const char *end;    /* the end of the bytes being parsed now */
    const char *scanned; /* how far into them the guard has scanned */
    const char *bad;    /* the byte it rejected */
} tide__http_guard_t;

typedef struct tide__http_parser_s {
    llhttp_t ll;                     /* ll.data belongs to the owner */
    const llhttp_settings_t *user;   /* the owner's callbacks */
    llhttp_settings_t wrapped;       /* the owner's, with the guard's in front of some */
    tide__http_guard_t guard;
    const char *error_reason;        /* the guard's reason, when it rejected */
} tide__http_parser_t;

/* type: HTTP_REQUEST or HTTP_RESPONSE. settings must outlive p. */
void tide__http_parser_init(tide__http_parser_t *p, llhttp_type_t type,
                            const llhttp_settings_t *settings, void *owner_data);
/* Back to the start state for a new connection (keeps type and settings). */
void tide__http_parser_reset(tide__http_parser_t *p);

/* Parse len bytes. Returns HPE_OK when all were consumed; HPE_PAUSED or
 * HPE_PAUSED_UPGRADE when one of your callbacks paused (then *consumed is
 * how many bytes were taken: resume with tide__http_parser_resume and feed
 * the rest again, with len 0 if nothing is left, which runs the steps the
 * pause put off, such as on_message_complete); any other llhttp_errno_t is a parse error (the
 * connection cannot continue: see tide__http_parser_reason). The guard's
 * rejections use the errno Node's parser gives for the same bytes
 * (HPE_INVALID_HEADER_TOKEN for obs-fold, HPE_CR_EXPECTED for a bare LF,
 * HPE_LF_EXPECTED for a bare CR, HPE_INVALID_STATUS, HPE_USER for
 * oversized chunk extensions), each with its own reason. Once an error is
 * returned every later call returns it again with *consumed 0, until
 * reset. *consumed may be NULL. */
llhttp_errno_t tide__http_parser_execute(tide__http_parser_t *p, const char *data, size_t len,
                                         size_t *consumed);
void tide__http_parser_resume(tide__http_parser_t *p);
/* The peer closed: completes a body that runs to EOF, or fails one that
 * was cut short (HPE_INVALID_EOF_STATE). It first finishes the steps a
 * pause on the last byte left undone (on_message_complete after a pause
 * in on_headers_complete, say); callbacks it runs must not pause. */
llhttp_errno_t tide__http_parser_finish(tide__http_parser_t *p);
/* Why the last call failed, for logs and error messages. */
const char *tide__http_parser_reason(const tide__http_parser_t *p);

#endif /* TIDE_HTTP_PARSER_H */
