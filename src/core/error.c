/* core/error.c - names and messages for tide's error codes, generated from
 * the one table in tide/common.h, and the library version. */
#include "tide/common.h"

const char *tide_err_name(int err)
{
    if (err < 0) err = -err;
    switch (err) {
#define TIDE__NAME_CASE(code, msg)                                             \
    case code:                                                                 \
        return #code;
        TIDE_ERRNO_MAP(TIDE__NAME_CASE)
#undef TIDE__NAME_CASE
    default:
        return "UNKNOWN";
    }
}

const char *tide_strerror(int err)
{
    if (err == 0) return "success";
    if (err < 0) err = -err;
    switch (err) {
#define TIDE__MSG_CASE(code, msg)                                              \
    case code:                                                                 \
        return msg;
        TIDE_ERRNO_MAP(TIDE__MSG_CASE)
#undef TIDE__MSG_CASE
    default:
        return "unknown error";
    }
}

unsigned tide_version(void)
{
    return (TIDE_VERSION_MAJOR << 16) | (TIDE_VERSION_MINOR << 8) | TIDE_VERSION_PATCH;
}

const char *tide_version_string(void) { return TIDE_VERSION_STRING; }
