/* http/token.c - header name and value checks (see token.h). */
#include "http/token.h"

#include <string.h>

int tide__http_is_token(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch <= 32 || ch >= 127 || strchr("\"(),/:;<=>?@[\\]{}", ch)) return 0;
    }
    return 1;
}

int tide__http_is_field_value(const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch != '\t' && (ch < 32 || ch == 127)) return 0;
    }
    return 1;
}
