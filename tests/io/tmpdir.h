/* tests/io/tmpdir.h - the scratch directory of a file test: made once by
 * main, and at(name) for the path of a file in it (four at a time, so one
 * call may take several paths). Needs test.h's ASSERT. */
#ifndef TIDE_TESTS_IO_TMPDIR_H
#define TIDE_TESTS_IO_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

static char dir[64];

static void tmpdir_make(const char *prefix)
{
    snprintf(dir, sizeof dir, "/tmp/%s-XXXXXX", prefix);
    ASSERT(mkdtemp(dir) != NULL);
}

static char *at(const char *name)
{
    static char bufs[4][256];
    static int i;
    char *b = bufs[i++ % 4];
    snprintf(b, 256, "%s/%s", dir, name);
    return b;
}

#endif
