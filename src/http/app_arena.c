/* app_arena.c - a bump allocator for one request's decoded strings (params,
 * query, cookies, forms): everything goes at once when the response ends,
 * and the first block stays with the pooled context for the next request. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http/app_internal.h"

struct tide__arena_block {
    tide__arena_block_t *next;
    size_t used, cap;
    max_align_t data[];
};

#define ARENA_BLOCK 4096

void *tide__arena_alloc(tide__arena_t *a, size_t n)
{
    size_t need = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    tide__arena_block_t *b = a->head;
    if (!b || b->cap - b->used < need) {
        size_t cap = need > ARENA_BLOCK ? need : ARENA_BLOCK;
        tide__arena_block_t *nb = malloc(sizeof *nb + cap);
        if (!nb) return NULL;
        nb->used = 0;
        nb->cap = cap;
        /* A big one-off goes behind the current block so the current
         * block's free room stays usable. */
        if (b && cap > ARENA_BLOCK) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = (char *)b->data + b->used;
    b->used += need;
    return p;
}

char *tide__arena_strndup(tide__arena_t *a, const char *s, size_t n)
{
    char *p = tide__arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void tide__arena_reset(tide__arena_t *a)
{
    tide__arena_block_t *b = a->head, *keep = NULL;
    while (b) {
        tide__arena_block_t *next = b->next;
        if (!keep && b->cap == ARENA_BLOCK) {
            keep = b;
            keep->used = 0;
            keep->next = NULL;
        } else {
            free(b);
        }
        b = next;
    }
    a->head = keep;
}

void tide__arena_free(tide__arena_t *a)
{
    tide__arena_block_t *b = a->head;
    while (b) {
        tide__arena_block_t *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}
