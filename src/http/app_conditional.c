/* app_conditional.c - the pieces of HTTP caching and partial content that
 * static files need: HTTP dates both ways, weak ETags from size and mtime
 * (as the send package makes them), If-None-Match lists, and the Range
 * header with the range-parser package's rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http/app_internal.h"

static const char *const wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void tide__http_fmt_date(char buf[32], time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, 32, "%s, %02d %s %04d %02d:%02d:%02d GMT", wdays[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int month_of(const char *m)
{
    for (int i = 0; i < 12; i++)
        if (strncasecmp(m, months[i], 3) == 0) return i;
    return -1;
}

time_t tide__http_parse_date(const char *s)
{
    struct tm tm = {0};
    char mon[4] = {0};
    int d, y, h, mi, sec;
    const char *comma = strchr(s, ',');
    if (comma) {
        /* "Sun, 06 Nov 1994 08:49:37 GMT" or "Sunday, 06-Nov-94 08:49:37 GMT" */
        if (sscanf(comma + 1, " %d %3s %d %d:%d:%d", &d, mon, &y, &h, &mi, &sec) != 6 &&
            sscanf(comma + 1, " %d-%3s-%d %d:%d:%d", &d, mon, &y, &h, &mi, &sec) != 6)
            return -1;
        if (y < 100) y += y < 70 ? 2000 : 1900;
    } else {
        /* asctime: "Sun Nov  6 08:49:37 1994" */
        char wd[4];
        if (sscanf(s, "%3s %3s %d %d:%d:%d %d", wd, mon, &d, &h, &mi, &sec, &y) != 7) return -1;
    }
    int m = month_of(mon);
    if (m < 0 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970) return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = m;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return timegm(&tm);
}

void tide__http_etag(char buf[64], uint64_t size, int64_t mtime_ms)
{
    snprintf(buf, 64, "W/\"%llx-%llx\"", (unsigned long long)size, (unsigned long long)mtime_ms);
}

/* Compare opaque tags ignoring the W/ prefix (weak comparison). */
static int same_tag(const char *a, size_t alen, const char *b)
{
    if (alen >= 2 && a[0] == 'W' && a[1] == '/') a += 2, alen -= 2;
    if (b[0] == 'W' && b[1] == '/') b += 2;
    return strlen(b) == alen && memcmp(a, b, alen) == 0;
}

int tide__http_etag_match(const char *header, const char *etag)
{
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        if (!*p) break;
        const char *start = p;
        while (*p && *p != ',') p++;
        const char *end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t')) end--;
        if (end - start == 1 && *start == '*') return 1;
        if (same_tag(start, (size_t)(end - start), etag)) return 1;
    }
    return 0;
}

/* One "a-b", "a-" or "-n" spec; 1 satisfiable, 0 unsatisfiable, -1 bad. */
static int one_range(const char *s, size_t len, uint64_t size, uint64_t *a, uint64_t *b)
{
    char tmp[64];
    while (len && (*s == ' ' || *s == '\t')) s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    if (len == 0 || len >= sizeof tmp) return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *dash = strchr(tmp, '-');
    if (!dash) return -1;
    *dash = '\0';
    const char *first = tmp, *last = dash + 1;
    for (const char *c = first; *c; c++)
        if (*c < '0' || *c > '9') return -1;
    for (const char *c = last; *c; c++)
        if (*c < '0' || *c > '9') return -1;
    if (!*first && !*last) return -1;
    if (!*first) { /* the last n bytes */
        uint64_t n = strtoull(last, NULL, 10);
        if (n == 0 || size == 0) return 0;
        *a = n >= size ? 0 : size - n;
        *b = size - 1;
        return 1;
    }
    *a = strtoull(first, NULL, 10);
    *b = *last ? strtoull(last, NULL, 10) : (size ? size - 1 : 0);
    if (*last && *b < *a) return -1;
    if (*a >= size) return 0;
    if (*b >= size) *b = size - 1;
    return 1;
}

int tide__http_parse_range(const char *header, uint64_t size, uint64_t *start, uint64_t *end)
{
    if (!header) return 0;
    const char *eq = strchr(header, '=');
    if (!eq || (size_t)(eq - header) != 5 || strncasecmp(header, "bytes", 5) != 0) return 0;
    const char *p = eq + 1;
    int satisfiable = 0, specs = 0;
    uint64_t a = 0, b = 0;
    while (1) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        uint64_t ra, rb;
        int r = one_range(p, len, size, &ra, &rb);
        if (r < 0) return 0; /* malformed: ignore the header, as send does */
        specs++;
        if (r == 1) {
            if (satisfiable) {
                /* A second satisfiable range: several parts would need
                 * multipart/byteranges; serve-static answers 200 instead,
                 * unless they combine into one. */
                if (ra <= b + 1 && rb + 1 >= a) {
                    if (ra < a) a = ra;
                    if (rb > b) b = rb;
                } else {
                    satisfiable = 2;
                }
            } else {
                a = ra, b = rb;
                satisfiable = 1;
            }
        }
        if (!comma) break;
        p = comma + 1;
    }
    if (specs == 0) return 0;
    if (!satisfiable) return -1;
    if (satisfiable == 2) return 0;
    *start = a;
    *end = b;
    return 1;
}
