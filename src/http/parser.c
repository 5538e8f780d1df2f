/* http/parser.c - llhttp behind tide's guard (see parser.h). The guard
 * wraps a few of the owner's callbacks: at the start of each message and
 * at the last chunk of a chunked body it pauses llhttp to learn where the
 * header block or the trailers begin, scans them with guard.c before
 * llhttp parses them, and resumes, so the owner never sees those pauses.
 * The wrappers also cap chunk extensions and make 1xx, 204 and 304
 * responses bodiless, as Node's parser does. */
#include "http/parser.h"

#include "http/guard.h"

#include <string.h>

static tide__http_parser_t *parser_of(llhttp_t *ll)
{
    return (tide__http_parser_t *)ll; /* ll is the first member */
}

/* The owner's callback, then a pause of the guard's own (or the owner's,
 * when it paused): the block that follows is scanned before llhttp goes on. */
static int begin_block(tide__http_parser_t *p, llhttp_cb owner, int status_line)
{
    int r = owner ? owner(&p->ll) : 0;
    if (r != 0 && r != HPE_PAUSED)
        return r;
    tide__http_guard_begin(&p->guard, status_line);
    p->guard.paused = r == 0;
    return HPE_PAUSED;
}

static int on_message_begin(llhttp_t *ll)
{
    tide__http_parser_t *p = parser_of(ll);
    p->guard.ext_bytes = 0;
    return begin_block(p, p->user->on_message_begin, ll->type == HTTP_RESPONSE);
}

static int on_chunk_header(llhttp_t *ll)
{
    tide__http_parser_t *p = parser_of(ll);
    p->guard.ext_bytes = 0; /* Node counts extensions per chunk-size line */
    if (ll->content_length == 0) /* the last chunk: trailers follow */
        return begin_block(p, p->user->on_chunk_header, 0);
    return p->user->on_chunk_header ? p->user->on_chunk_header(ll) : 0;
}

static int count_extension(tide__http_parser_t *p, size_t len)
{
    p->guard.ext_bytes += (uint32_t)(len <= TIDE__HTTP_MAX_CHUNK_EXT ? len : TIDE__HTTP_MAX_CHUNK_EXT + 1);
    if (p->guard.ext_bytes <= TIDE__HTTP_MAX_CHUNK_EXT)
        return 0;
    llhttp_set_error_reason(&p->ll, "Chunk extensions overflow: more than 16 KiB on one chunk-size line");
    return HPE_USER;
}

static int on_extension_name(llhttp_t *ll, const char *at, size_t len)
{
    tide__http_parser_t *p = parser_of(ll);
    int r = count_extension(p, len);
    if (r == 0 && p->user->on_chunk_extension_name)
        r = p->user->on_chunk_extension_name(ll, at, len);
    return r;
}

static int on_extension_value(llhttp_t *ll, const char *at, size_t len)
{
    tide__http_parser_t *p = parser_of(ll);
    int r = count_extension(p, len);
    if (r == 0 && p->user->on_chunk_extension_value)
        r = p->user->on_chunk_extension_value(ll, at, len);
    return r;
}

/* llhttp 8.1 reads a body framed by Content-Length or Transfer-Encoding
 * even on a response that cannot have one (RFC 9112 6.3): 1xx, 204, 304. */
static int on_headers_complete_response(llhttp_t *ll)
{
    tide__http_parser_t *p = parser_of(ll);
    int r = p->user->on_headers_complete ? p->user->on_headers_complete(ll) : 0;
    unsigned status = ll->status_code;
    if (r == 0 && (status < 200 || status == 204 || status == 304) && status != 101)
        r = 1;
    return r;
}

void tide__http_parser_init(tide__http_parser_t *p, llhttp_type_t type,
                            const llhttp_settings_t *settings, void *owner_data)
{
    memset(p, 0, sizeof(*p));
    p->user = settings;
    p->wrapped = *settings;
    p->wrapped.on_message_begin = on_message_begin;
    p->wrapped.on_chunk_header = on_chunk_header;
    p->wrapped.on_chunk_extension_name = on_extension_name;
    p->wrapped.on_chunk_extension_value = on_extension_value;
    if (type == HTTP_RESPONSE)
        p->wrapped.on_headers_complete = on_headers_complete_response;
    llhttp_init(&p->ll, type, &p->wrapped);
    p->ll.data = owner_data;
}

void tide__http_parser_reset(tide__http_parser_t *p)
{
    p->ll.settings = &p->wrapped;
    llhttp_reset(&p->ll);
    memset(&p->guard, 0, sizeof(p->guard));
    p->error_reason = NULL;
}

/* Puts llhttp in the guard's error state, so every later call repeats it. */
static llhttp_errno_t guard_reject(tide__http_parser_t *p, const tide__http_guard_error_t *e)
{
    p->ll.error = e->code;
    p->ll.reason = e->reason;
    p->ll.error_pos = e->at;
    p->error_reason = e->reason;
    return e->code;
}

llhttp_errno_t tide__http_parser_execute(tide__http_parser_t *p, const char *data, size_t len,
                                         size_t *consumed)
{
    size_t dummy;
    if (!consumed)
        consumed = &dummy;
    *consumed = 0;
    if (p->ll.error != HPE_OK) /* failed, or paused and not resumed */
        return (llhttp_errno_t)p->ll.error;
    p->ll.settings = &p->wrapped; /* the parser may have moved since init */

    const char *at = data, *end = data + len, *scanned = NULL;
    /* Bytes scanned before the owner paused come again now: not twice. */
    size_t skip = p->guard.ahead < len ? p->guard.ahead : len;
    p->guard.ahead -= skip;
    if (p->guard.phase != TIDE__GUARD_IDLE && p->guard.ahead == 0) {
        /* A block left open by the last read, or one the owner paused at
         * the start of. */
        tide__http_guard_error_t e;
        if (!(scanned = tide__http_guard_scan(&p->guard, at + skip, end, &e))) {
            *consumed = (size_t)(e.at - data);
            return guard_reject(p, &e);
        }
    }
    for (;;) {
        llhttp_errno_t err = llhttp_execute(&p->ll, at, (size_t)(end - at));
        if (err == HPE_OK) {
            *consumed = len;
            p->guard.ahead = 0;
            return HPE_OK;
        }
        const char *pos = llhttp_get_error_pos(&p->ll);
        if (err == HPE_PAUSED && p->guard.paused) {
            /* The guard's own pause: a block starts at pos. */
            p->guard.paused = 0;
            llhttp_resume(&p->ll);
            tide__http_guard_error_t e;
            if (!(scanned = tide__http_guard_scan(&p->guard, pos, end, &e))) {
                *consumed = (size_t)(e.at - data);
                return guard_reject(p, &e);
            }
            at = pos;
            continue;
        }
        *consumed = pos ? (size_t)(pos - data) : len;
        /* The owner paused: it feeds the rest again after resuming. */
        p->guard.ahead = scanned && scanned > pos ? (size_t)(scanned - pos) : 0;
        return err;
    }
}

void tide__http_parser_resume(tide__http_parser_t *p)
{
    if (llhttp_get_errno(&p->ll) == HPE_PAUSED_UPGRADE)
        llhttp_resume_after_upgrade(&p->ll);
    else
        llhttp_resume(&p->ll);
}

llhttp_errno_t tide__http_parser_finish(tide__http_parser_t *p)
{
    if (p->ll.error != HPE_OK)
        return (llhttp_errno_t)p->ll.error;
    return llhttp_finish(&p->ll);
}

const char *tide__http_parser_reason(const tide__http_parser_t *p)
{
    if (p->error_reason)
        return p->error_reason;
    const char *r = llhttp_get_error_reason(&p->ll);
    return r ? r : llhttp_errno_name(llhttp_get_errno(&p->ll));
}
