/* http/parser.c - llhttp behind tide's guard (see parser.h). The guard
 * wraps a few of the owner's callbacks and scans each header block and
 * trailer section with guard.c before llhttp parses it. A header block is
 * scanned from its first span (the method of a request, the version of a
 * response), whose pointer says where it starts; trailers have no such
 * span, so at the last chunk the guard pauses llhttp to learn where they
 * start, scans, and resumes: the owner never sees that pause. The wrappers
 * also cap chunk extensions and make 1xx, 204 and 304 responses bodiless,
 * as Node's parser does. */
#include "http/parser.h"

#include "http/guard.h"

#include <string.h>

static tide__http_parser_t *parser_of(llhttp_t *ll)
{
    return (tide__http_parser_t *)ll; /* ll is the first member */
}

/* Scans from at to the end of the bytes being parsed; on a violation sets
 * llhttp's reason and returns the errno to give back to it. */
static int scan(tide__http_parser_t *p, const char *at)
{
    tide__http_guard_error_t e;
    const char *to = tide__http_guard_scan(&p->guard, at, p->guard.end, &e);
    if (to) {
        p->guard.scanned = to;
        return 0;
    }
    p->guard.bad = e.at;
    p->error_reason = e.reason;
    llhttp_set_error_reason(&p->ll, e.reason);
    return e.code;
}

static int on_message_begin(llhttp_t *ll)
{
    tide__http_parser_t *p = parser_of(ll);
    p->guard.ext_bytes = 0;
    tide__http_guard_begin(&p->guard, TIDE__GUARD_PENDING, ll->type == HTTP_RESPONSE);
    return p->user->on_message_begin ? p->user->on_message_begin(ll) : 0;
}

/* The first span of a message starts its header block: scan it all now,
 * before llhttp parses further. A span cut by the end of a read comes
 * again in the next; by then the block is being scanned already. */
static int first_span(llhttp_t *ll, llhttp_data_cb owner, const char *at, size_t len)
{
    tide__http_parser_t *p = parser_of(ll);
    if (p->guard.phase == TIDE__GUARD_PENDING) {
        p->guard.phase = TIDE__GUARD_BLOCK;
        int r = scan(p, at);
        if (r != 0)
            return r;
    }
    return owner ? owner(ll, at, len) : 0;
}

static int on_method(llhttp_t *ll, const char *at, size_t len)
{
    return first_span(ll, parser_of(ll)->user->on_method, at, len);
}

static int on_version(llhttp_t *ll, const char *at, size_t len)
{
    return first_span(ll, parser_of(ll)->user->on_version, at, len);
}

/* The last chunk: the owner's callback, then a pause of the guard's own
 * (or the owner's, when it paused), to learn where the trailers start. */
static int on_chunk_header(llhttp_t *ll)
{
    tide__http_parser_t *p = parser_of(ll);
    p->guard.ext_bytes = 0; /* Node counts extensions per chunk-size line */
    int r = p->user->on_chunk_header ? p->user->on_chunk_header(ll) : 0;
    if (ll->content_length != 0 || (r != 0 && r != HPE_PAUSED))
        return r;
    tide__http_guard_begin(&p->guard, TIDE__GUARD_BLOCK, 0);
    p->guard.paused = r == 0;
    return HPE_PAUSED;
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
 * even on a response that cannot have one (RFC 9112 6.3): 1xx, 204, 304.
 * The flag, not the return value, says so: it holds across an owner's
 * pause here too. 101 is left to llhttp's upgrade handling. */
static int on_headers_complete_response(llhttp_t *ll)
{
    tide__http_parser_t *p = parser_of(ll);
    unsigned status = ll->status_code;
    if ((status < 200 || status == 204 || status == 304) && status != 101)
        ll->flags |= F_SKIPBODY;
    return p->user->on_headers_complete ? p->user->on_headers_complete(ll) : 0;
}

void tide__http_parser_init(tide__http_parser_t *p, llhttp_type_t type,
                            const llhttp_settings_t *settings, void *owner_data)
{
    memset(p, 0, sizeof(*p));
    p->user = settings;
    p->wrapped = *settings;
    p->wrapped.on_message_begin = on_message_begin;
    if (type == HTTP_RESPONSE)
        p->wrapped.on_version = on_version;
    else
        p->wrapped.on_method = on_method;
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
static llhttp_errno_t reject(tide__http_parser_t *p, llhttp_errno_t code, const char *data,
                             size_t *consumed)
{
    p->ll.error = code;
    p->ll.reason = p->error_reason;
    p->ll.error_pos = p->guard.bad;
    *consumed = (size_t)(p->guard.bad - data);
    return code;
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

    const char *at = data, *end = data + len;
    p->guard.end = end;
    p->guard.scanned = data;
    /* Bytes scanned before the owner paused come again now: not twice. */
    size_t skip = p->guard.ahead < len ? p->guard.ahead : len;
    p->guard.ahead -= skip;
    if (p->guard.phase == TIDE__GUARD_BLOCK && p->guard.ahead == 0) {
        /* A block left open by the last read, or trailers the owner
         * paused at the start of. */
        int code = scan(p, data + skip);
        if (code != 0)
            return reject(p, (llhttp_errno_t)code, data, consumed);
    }
    for (;;) {
        llhttp_errno_t err = llhttp_execute(&p->ll, at, (size_t)(end - at));
        if (err == HPE_OK) {
            *consumed = len;
            return HPE_OK;
        }
        if (p->error_reason) /* the guard rejected, from a callback */
            return reject(p, err, data, consumed);
        const char *pos = llhttp_get_error_pos(&p->ll);
        if (err == HPE_PAUSED && p->guard.paused) {
            /* The guard's own pause: trailers start at pos. */
            p->guard.paused = 0;
            llhttp_resume(&p->ll);
            int code = scan(p, pos);
            if (code != 0)
                return reject(p, (llhttp_errno_t)code, data, consumed);
            at = pos;
            continue;
        }
        *consumed = pos ? (size_t)(pos - data) : len;
        /* The owner paused: it feeds the rest again after resuming. */
        if (pos && p->guard.scanned > pos)
            p->guard.ahead = (size_t)(p->guard.scanned - pos);
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
    /* A pause on the last byte (in on_message_complete, say) leaves llhttp
     * short of the steps that need no input: run them before the EOF. */
    llhttp_errno_t err = tide__http_parser_execute(p, "", 0, NULL);
    if (err != HPE_OK)
        return err;
    return llhttp_finish(&p->ll);
}

const char *tide__http_parser_reason(const tide__http_parser_t *p)
{
    if (p->error_reason)
        return p->error_reason;
    const char *r = llhttp_get_error_reason(&p->ll);
    return r ? r : llhttp_errno_name(llhttp_get_errno(&p->ll));
}
