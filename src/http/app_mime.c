/* app_mime.c - media types: the Content-Type for a file extension (a sorted
 * table searched by bisection), the compression package's notion of a
 * compressible type, and Content-Type parsing (media type, parameters). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/app_internal.h"

typedef struct {
    const char *ext;
    const char *type;
} mime_entry;

/* Sorted by extension (bsearch). Text types carry charset=UTF-8 as the
 * send package adds it. */
static const mime_entry mime_table[] = {
    {"7z", "application/x-7z-compressed"},
    {"avif", "image/avif"},
    {"bin", "application/octet-stream"},
    {"bmp", "image/bmp"},
    {"css", "text/css; charset=UTF-8"},
    {"csv", "text/csv; charset=UTF-8"},
    {"gif", "image/gif"},
    {"gz", "application/gzip"},
    {"htm", "text/html; charset=UTF-8"},
    {"html", "text/html; charset=UTF-8"},
    {"ico", "image/x-icon"},
    {"jpeg", "image/jpeg"},
    {"jpg", "image/jpeg"},
    {"js", "text/javascript; charset=UTF-8"},
    {"json", "application/json; charset=UTF-8"},
    {"map", "application/json; charset=UTF-8"},
    {"md", "text/markdown; charset=UTF-8"},
    {"mjs", "text/javascript; charset=UTF-8"},
    {"mp3", "audio/mpeg"},
    {"mp4", "video/mp4"},
    {"ogg", "audio/ogg"},
    {"otf", "font/otf"},
    {"pdf", "application/pdf"},
    {"png", "image/png"},
    {"svg", "image/svg+xml"},
    {"tar", "application/x-tar"},
    {"ttf", "font/ttf"},
    {"txt", "text/plain; charset=UTF-8"},
    {"wasm", "application/wasm"},
    {"wav", "audio/wav"},
    {"webm", "video/webm"},
    {"webp", "image/webp"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"xml", "application/xml; charset=UTF-8"},
    {"zip", "application/zip"},
};

static int cmp_ext(const void *key, const void *entry)
{
    return strcasecmp(key, ((const mime_entry *)entry)->ext);
}

const char *tide_http_mime_type(const char *filename)
{
    const char *slash = filename ? strrchr(filename, '/') : NULL;
    const char *base = slash ? slash + 1 : filename;
    const char *dot = base ? strrchr(base, '.') : NULL;
    if (!dot || !dot[1] || strlen(dot + 1) > 8) return "application/octet-stream";
    const mime_entry *e = bsearch(dot + 1, mime_table, sizeof mime_table / sizeof *mime_table,
                                  sizeof *mime_table, cmp_ext);
    return e ? e->type : "application/octet-stream";
}

void tide__http_media_type(const char *content_type, char *buf, size_t cap)
{
    size_t o = 0;
    if (cap == 0) return;
    if (content_type) {
        const char *p = content_type;
        while (*p == ' ' || *p == '\t') p++;
        for (; *p && *p != ';' && *p != ' ' && *p != '\t' && o + 1 < cap; p++)
            buf[o++] = (char)tolower((unsigned char)*p);
    }
    buf[o] = '\0';
}

int tide__http_header_param(const char *value, const char *param, char *buf, size_t cap)
{
    size_t plen = strlen(param);
    const char *p = value ? strchr(value, ';') : NULL;
    while (p) {
        p++;
        while (*p == ' ' || *p == '\t') p++;
        if (strncasecmp(p, param, plen) == 0 && p[plen] == '=') {
            p += plen + 1;
            int quoted = *p == '"';
            if (quoted) p++;
            size_t o = 0;
            for (; *p && *p != ';' && (quoted ? *p != '"' : (*p != ' ' && *p != '\t')) &&
                   o + 1 < cap;
                 p++)
                buf[o++] = (char)tolower((unsigned char)*p);
            buf[o] = '\0';
            return 1;
        }
        p = strchr(p, ';');
    }
    if (cap) buf[0] = '\0';
    return 0;
}

int tide__http_compressible(const char *content_type)
{
    char t[128];
    tide__http_media_type(content_type, t, sizeof t);
    if (!t[0]) return 0;
    if (strncmp(t, "text/", 5) == 0) return 1;
    static const char *const types[] = {
        "application/json", "application/javascript", "application/xml",
        "application/xhtml+xml", "application/rss+xml", "application/atom+xml",
        "application/x-www-form-urlencoded", "application/wasm", "image/svg+xml",
        "image/x-icon", "application/manifest+json", "font/otf", "font/ttf",
    };
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (strcmp(t, types[i]) == 0) return 1;
    size_t n = strlen(t);
    return (n > 5 && strcmp(t + n - 5, "+json") == 0) || (n > 4 && strcmp(t + n - 4, "+xml") == 0);
}
