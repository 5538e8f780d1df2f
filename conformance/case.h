/* conformance/case.h - what every case.c shares: MUST() for calls that
 * cannot fail in a correct run (a failure exits with status 2 and names the
 * call, so a broken case never looks like a wrong order), and print(), the
 * console.log of a string passed as callback data. */
#ifndef TIDE_CONFORMANCE_CASE_H
#define TIDE_CONFORMANCE_CASE_H

#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#define MUST(call) case_must((call), #call)

static inline int64_t case_must(int64_t r, const char *what)
{
    if (r < 0) {
        fprintf(stderr, "%s: %s\n", what, tide_strerror((int)r));
        exit(2);
    }
    return r;
}

static inline void print(tide_loop_t *loop, void *data)
{
    (void)loop;
    printf("%s\n", (const char *)data);
}

#endif /* TIDE_CONFORMANCE_CASE_H */
