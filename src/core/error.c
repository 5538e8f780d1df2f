/* core/error.c - names and messages for tide's error codes, generated from
 * the one table in tide/common.h, and the library version. */
#include <limits.h>

#include "tide/common.h"

/* Either sign; INT_MIN (whose negation overflows) maps to 0, not a code. */
static int err_magnitude(int err) { return err == INT_MIN ? 0 : err < 0 ? -err : err; }

const char *tide_err_name(int err)
{
    switch (err_magnitude(err)) {
#define TIDE__NAME_CASE(code, msg)                                             \
    case code:                                                                 \
        return #code;
        TIDE_ERRNO_MAP(TIDE__NAME_CASE)
#undef TIDE__NAME_CASE
#define TIDE__OWN_NAME_CASE(name, value, msg)                                  \
    case -(value):                                                             \
        return #name;
        TIDE_OWN_ERROR_MAP(TIDE__OWN_NAME_CASE)
#undef TIDE__OWN_NAME_CASE
    default:
        return "UNKNOWN";
    }
}

const char *tide_strerror(int err)
{
    if (err == 0) return "success";
    switch (err_magnitude(err)) {
#define TIDE__MSG_CASE(code, msg)                                              \
    case code:                                                                 \
        return msg;
        TIDE_ERRNO_MAP(TIDE__MSG_CASE)
#undef TIDE__MSG_CASE
#define TIDE__OWN_MSG_CASE(name, value, msg)                                   \
    case -(value):                                                             \
        return msg;
        TIDE_OWN_ERROR_MAP(TIDE__OWN_MSG_CASE)
#undef TIDE__OWN_MSG_CASE
    default:
        return "unknown error";
    }
}

unsigned tide_version(void)
{
    return (TIDE_VERSION_MAJOR << 16) | (TIDE_VERSION_MINOR << 8) | TIDE_VERSION_PATCH;
}

const char *tide_version_string(void) { return TIDE_VERSION_STRING; }
