/* http/date.c - the Date header, formatted at most once a second: the
 * loop's cached clock says when the current second ends, so a response
 * costs a compare and a copy, not a clock read and a strftime. */
#include <stdio.h>
#include <time.h>

#include "http/http_internal.h"

static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

const char *tide__http_date(tide__http_loop_t *hl, size_t *len)
{
    uint64_t now = tide__loop_now(hl->loop);
    if (TIDE__UNLIKELY(now >= hl->date_next)) {
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        int n = snprintf(hl->date, sizeof hl->date, "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n",
                         days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
                         tm.tm_hour, tm.tm_min, tm.tm_sec);
        hl->date_len = n > 0 && (size_t)n < sizeof hl->date ? (size_t)n : 0;
        /* stale when this wall-clock second is over */
        hl->date_next = now + (uint64_t)(1000000000L - ts.tv_nsec);
    }
    *len = hl->date_len;
    return hl->date;
}
