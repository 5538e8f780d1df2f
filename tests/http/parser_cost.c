/* parser_cost.c MODE [ROUNDS] - what the guard adds to llhttp: parses
 * ROUNDS x 1000 pipelined GET requests (a few headers each, as a load
 * generator sends them) in 16 KiB reads, either through tide__http_parser
 * (MODE guard) or straight through llhttp with the same callbacks (MODE
 * llhttp). Count instructions with callgrind, only inside parse_all:
 *   valgrind --tool=callgrind --toggle-collect=parse_all parser_cost guard 100
 * and divide by the requests it prints (see docs/HTTP_PARSER.md). */
#include "http/parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char request[] = "GET /plaintext HTTP/1.1\r\n"
                              "Host: 127.0.0.1:8080\r\n"
                              "User-Agent: wrk/4.2\r\n"
                              "Accept: */*\r\n"
                              "Connection: keep-alive\r\n"
                              "\r\n";

typedef struct {
    size_t messages, header_bytes;
} count_t;

static int on_span(llhttp_t *ll, const char *at, size_t n)
{
    ((count_t *)ll->data)->header_bytes += n;
    return 0;
}

static int on_complete(llhttp_t *ll)
{
    ((count_t *)ll->data)->messages++;
    return 0;
}

static const llhttp_settings_t settings = {
    .on_url = on_span,
    .on_header_field = on_span,
    .on_header_value = on_span,
    .on_message_complete = on_complete,
};

/* The measured part: every read of every round, one way or the other. */
__attribute__((noinline)) static int parse_all(int guard, const char *buf, size_t len, int rounds,
                                               count_t *count)
{
    enum { READ = 16384 };
    tide__http_parser_t p;
    llhttp_t ll;
    tide__http_parser_init(&p, HTTP_REQUEST, &settings, count);
    llhttp_init(&ll, HTTP_REQUEST, &settings);
    ll.data = count;
    for (int r = 0; r < rounds; r++) {
        for (size_t off = 0; off < len; off += READ) {
            size_t n = len - off < READ ? len - off : READ;
            llhttp_errno_t err = guard ? tide__http_parser_execute(&p, buf + off, n, NULL)
                                       : llhttp_execute(&ll, buf + off, n);
            if (err != HPE_OK)
                return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "guard") != 0 && strcmp(argv[1], "llhttp") != 0)) {
        fprintf(stderr, "usage: %s guard|llhttp [ROUNDS]\n", argv[0]);
        return 2;
    }
    int rounds = argc > 2 ? atoi(argv[2]) : 100;
    size_t one = sizeof(request) - 1, len = one * 1000;
    char *buf = malloc(len);
    for (size_t i = 0; i < 1000; i++)
        memcpy(buf + i * one, request, one);
    count_t count = {0, 0};
    if (parse_all(strcmp(argv[1], "guard") == 0, buf, len, rounds, &count) != 0) {
        fprintf(stderr, "parse error\n");
        return 1;
    }
    printf("%zu requests, %zu header bytes\n", count.messages, count.header_bytes);
    free(buf);
    return 0;
}
