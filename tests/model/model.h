/* tests/model/model.h - what the tide sides of the differential tests
 * share: the random numbers, xorshift32 drawn exactly as model.js draws
 * them for the Node sides, and a check that stops on a failed call. */
#ifndef TIDE_TESTS_MODEL_H
#define TIDE_TESTS_MODEL_H

#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

static uint32_t model_state;

static void seed_rnd(uint32_t seed) { model_state = seed ? seed : 1; }

/* The next number, 0 to n-1. */
static uint32_t rnd(uint32_t n)
{
    uint32_t x = model_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    model_state = x;
    return x % n;
}

static void must(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, tide_strerror(rc));
        exit(2);
    }
}

#endif
