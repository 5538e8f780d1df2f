/* http/parser.c - llhttp behind tide's guard (see parser.h). This first
 * version feeds llhttp directly; the guard's checks live in guard.c. */
#include "http/parser.h"

#include <string.h>

void tide__http_parser_init(tide__http_parser_t *p, llhttp_type_t type,
                            const llhttp_settings_t *settings, void *owner_data)
{
    memset(p, 0, sizeof(*p));
    p->user = settings;
    llhttp_init(&p->ll, type, settings);
    p->ll.data = owner_data;
}

void tide__http_parser_reset(tide__http_parser_t *p)
{
    llhttp_reset(&p->ll);
    memset(&p->guard, 0, sizeof(p->guard));
    p->error_reason = NULL;
}

llhttp_errno_t tide__http_parser_execute(tide__http_parser_t *p, const char *data, size_t len,
                                         size_t *consumed)
{
    llhttp_errno_t err = llhttp_execute(&p->ll, data, len);
    if (consumed) {
        const char *pos = llhttp_get_error_pos(&p->ll);
        *consumed = (err == HPE_OK || pos == NULL) ? len : (size_t)(pos - data);
    }
    return err;
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
    return llhttp_finish(&p->ll);
}

const char *tide__http_parser_reason(const tide__http_parser_t *p)
{
    if (p->error_reason)
        return p->error_reason;
    const char *r = llhttp_get_error_reason(&p->ll);
    return r ? r : llhttp_errno_name(llhttp_get_errno(&p->ll));
}
