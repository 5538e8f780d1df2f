/* http/guard.c - the line structure of a header block or trailer section,
 * checked byte by byte across reads: every line ends in CR LF, no CR or LF
 * stands alone, no line starts with SP or HT (obs-fold, a request-smuggling
 * vector) or with ':' (an empty field name), the block ends at the first
 * empty line, and a response's status code is exactly three digits after
 * one space. llhttp 8.1 checks the tokens inside the lines; these are the
 * rules it does not keep and Node's parser does. */
#include "http/guard.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum {
    LINE_START = 0, /* the previous line ended in CR LF (or the block began) */
    LINE_MIDDLE,    /* inside a line */
    LINE_CR,        /* a line's CR was seen: LF must follow */
    BLANK_CR,       /* a CR opened a line: LF must follow and end the block */
};

/* A response's status line: SP_WAIT until the space after the version,
 * then three digits (DIGIT_1..DIGIT_3), then SP or CR (CODE_END); DONE
 * once checked. Requests start at DONE. */
enum { ST_DONE = 0, ST_SP_WAIT, ST_DIGIT_1, ST_DIGIT_2, ST_DIGIT_3, ST_CODE_END };

void tide__http_guard_begin(tide__http_guard_t *g, int phase, int status_line)
{
    g->phase = (uint8_t)phase;
    g->line = LINE_START;
    g->status = status_line ? ST_SP_WAIT : ST_DONE;
}

static const char *reject(tide__http_guard_error_t *e, const char *at, llhttp_errno_t code,
                          const char *reason)
{
    e->at = at;
    e->code = code;
    e->reason = reason;
    return NULL;
}

/* The first CR or LF in [s, end), or end: sixteen bytes at a time with
 * SSE2, else eight at a time (a zero byte of w ^ CR or w ^ LF marks one),
 * then byte by byte; never a read past end. */
static inline const char *find_line_end(const char *s, const char *end)
{
#if defined(__SSE2__)
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    while (end - s >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
        unsigned hit = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
        if (hit)
            return s + __builtin_ctz(hit);
        s += 16;
    }
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    while (end - s >= 8) {
        uint64_t w, c, l;
        memcpy(&w, s, 8);
        c = w ^ (ones * '\r');
        l = w ^ (ones * '\n');
        uint64_t hit = (((c - ones) & ~c) | ((l - ones) & ~l)) & highs;
        if (hit) /* the lowest marked byte is exact: borrows only run upward */
            return s + (__builtin_ctzll(hit) >> 3);
        s += 8;
    }
#endif
    while (s < end && *s != '\r' && *s != '\n')
        s++;
    return s;
}

/* Bytes that cannot start a header line, or end the block when followed
 * by LF: SP, HT (obs-fold), ':' (an empty name), a bare LF, CR. */
static const unsigned char unusual_start[256] = {
    [' '] = 1, ['\t'] = 1, [':'] = 1, ['\n'] = 1, ['\r'] = 1,
};

/* Checks the status line's code; returns where the line check takes over. */
static const char *scan_status(tide__http_guard_t *g, const char *s, const char *end,
                               tide__http_guard_error_t *e)
{
    for (; s < end && g->status != ST_DONE; s++) {
        char c = *s;
        if (c == '\r' || c == '\n') {
            if (g->status != ST_CODE_END && g->status != ST_SP_WAIT)
                return reject(e, s, HPE_INVALID_STATUS, "Invalid status code: fewer than three digits");
            g->status = ST_DONE; /* a version with no code: llhttp's to reject */
            return s;
        }
        switch (g->status) {
        case ST_SP_WAIT:
            if (c == ' ')
                g->status = ST_DIGIT_1;
            break;
        case ST_DIGIT_1:
        case ST_DIGIT_2:
        case ST_DIGIT_3:
            if (c < '0' || c > '9')
                return reject(e, s, HPE_INVALID_STATUS, "Invalid status code: not three digits after one space");
            g->status++;
            break;
        default: /* ST_CODE_END */
            if (c != ' ')
                return reject(e, s, HPE_INVALID_STATUS, "Invalid status code: more than three digits");
            g->status = ST_DONE;
            break;
        }
        g->line = LINE_MIDDLE;
    }
    return s;
}

const char *tide__http_guard_scan(tide__http_guard_t *g, const char *s, const char *end,
                                  tide__http_guard_error_t *e)
{
    if (g->status != ST_DONE && !(s = scan_status(g, s, end, e)))
        return NULL;
    /* The common case first: whole lines in the buffer, from a line's start
     * to its CR LF and the next line's first byte, no state kept between.
     * Anything unusual leaves it for the byte-by-byte loop below, which
     * rejects with the reason or carries the state to the next read. */
    if (g->line == LINE_START || g->line == LINE_MIDDLE) {
        int line = g->line;
        while (end - s >= 3) {
            if (line == LINE_START) {
                if (unusual_start[(unsigned char)*s]) {
                    if (s[0] != '\r' || s[1] != '\n')
                        break;
                    g->phase = TIDE__GUARD_IDLE;
                    g->line = LINE_START;
                    return s + 2;
                }
                s++;
            }
            const char *cr = find_line_end(s, end);
            if (end - cr < 3 || cr[0] != '\r' || cr[1] != '\n') {
                line = LINE_MIDDLE;
                s = cr;
                break;
            }
            line = LINE_START;
            s = cr + 2;
        }
        g->line = (uint8_t)line;
    }
    while (s < end) {
        switch (g->line) {
        case LINE_MIDDLE:
            s = find_line_end(s, end);
            if (s == end)
                return end;
            if (*s == '\n')
                return reject(e, s, HPE_CR_EXPECTED, "Bare LF: a line must end in CR LF");
            g->line = LINE_CR;
            s++;
            break;
        case LINE_CR:
            if (*s != '\n')
                return reject(e, s, HPE_LF_EXPECTED, "Bare CR: CR must be followed by LF");
            g->line = LINE_START;
            s++;
            break;
        case LINE_START:
            switch (*s) {
            case '\r':
                g->line = BLANK_CR;
                s++;
                break;
            case '\n':
                return reject(e, s, HPE_CR_EXPECTED, "Bare LF: the blank line ending a header block must be CR LF");
            case ' ':
            case '\t':
                return reject(e, s, HPE_INVALID_HEADER_TOKEN, "Header line starts with whitespace (obs-fold)");
            case ':':
                return reject(e, s, HPE_INVALID_HEADER_TOKEN, "Header line with an empty field name");
            default:
                g->line = LINE_MIDDLE;
                s++;
                break;
            }
            break;
        default: /* BLANK_CR */
            if (*s != '\n')
                return reject(e, s, HPE_LF_EXPECTED, "Bare CR: the blank line ending a header block must be CR LF");
            g->phase = TIDE__GUARD_IDLE;
            g->line = LINE_START;
            return s + 1;
        }
    }
    return end;
}
