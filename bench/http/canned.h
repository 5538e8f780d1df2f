/* bench/http/canned.h - the response the hand-written HTTP peers (libuv,
 * minimal) send: 200, text/plain, Content-Length 13, "Hello, World!" and
 * a Date refreshed once a second as every real server keeps one. Kept as
 * CANNED_BATCH copies back to back so that N pipelined answers are one
 * write from one buffer. Header-only, like ../echo/server.h. */
#ifndef BENCH_HTTP_CANNED_H
#define BENCH_HTTP_CANNED_H

#include <stdio.h>
#include <string.h>
#include <time.h>

#define CANNED_BATCH 256
#define CANNED_HEAD "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nDate: "
#define CANNED_DATE_LEN 29 /* "Tue, 24 Nov 2026 23:17:47 GMT" */
#define CANNED_TAIL "\r\n\r\nHello, World!"
#define CANNED_LEN (sizeof CANNED_HEAD - 1 + CANNED_DATE_LEN + sizeof CANNED_TAIL - 1)

static char canned_batch[CANNED_BATCH * CANNED_LEN];
static time_t canned_second = -1;

/* Rewrite the Date of every copy when the second has changed. */
static inline void canned_refresh(time_t now)
{
    if (now == canned_second) return;
    canned_second = now;
    char date[CANNED_DATE_LEN + 1];
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    for (size_t i = 0; i < CANNED_BATCH; i++)
        memcpy(canned_batch + i * CANNED_LEN + sizeof CANNED_HEAD - 1, date, CANNED_DATE_LEN);
}

static inline void canned_init(void)
{
    for (size_t i = 0; i < CANNED_BATCH; i++) {
        char *r = canned_batch + i * CANNED_LEN;
        memcpy(r, CANNED_HEAD, sizeof CANNED_HEAD - 1);
        memcpy(r + sizeof CANNED_HEAD - 1 + CANNED_DATE_LEN, CANNED_TAIL, sizeof CANNED_TAIL - 1);
    }
    canned_refresh(time(NULL));
}

#endif
