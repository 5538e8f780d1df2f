/* core/pool.c - the per-loop containers that keep hot paths free of
 * malloc: fixed-size object pools, the FIFO ring behind ticks and
 * microtasks, and the generation-checked id table. */
#include <string.h>

#include "core/internal.h"

/* ---- pools ------------------------------------------------------------ */

/* Each chunk starts with a link to the previous chunk and its number of
 * objects, then the objects. */
#define TIDE__CHUNK_HEADER 16

void tide__pool_init(tide__pool_t *pool, size_t size) { tide__pool_init_aligned(pool, size, 16); }

void tide__pool_init_aligned(tide__pool_t *pool, size_t size, size_t align)
{
    if (size < sizeof(void *)) size = sizeof(void *);
    pool->size = (size + align - 1) & ~(align - 1);
    pool->align = align;
    pool->chunk_objects = 32;
    pool->free_list = NULL;
    pool->chunks = NULL;
    pool->bump = pool->end = NULL;
}

void *tide__pool_grow(tide__pool_t *pool)
{
    if (pool->bump == pool->end) {
        /* Chunks double up to 4096 objects, so warm-up costs few mallocs
         * and a small loop stays small. Nothing of a chunk is written
         * before its objects are handed out. */
        size_t n = pool->chunk_objects;
        size_t pad = pool->align > TIDE__CHUNK_HEADER ? pool->align - TIDE__CHUNK_HEADER : 0;
        char *chunk = tide__malloc(TIDE__CHUNK_HEADER + pad + n * pool->size);
        if (!chunk) return NULL;
        *(void **)chunk = pool->chunks;
        ((size_t *)chunk)[1] = n;
        pool->chunks = chunk;
        /* malloc gives 16-byte alignment: skip to the first aligned object. */
        uintptr_t first = ((uintptr_t)chunk + TIDE__CHUNK_HEADER + pool->align - 1) & ~(uintptr_t)(pool->align - 1);
        pool->bump = (char *)first;
        pool->end = pool->bump + n * pool->size;
        if (pool->chunk_objects < 4096) pool->chunk_objects *= 2;
    }
    void *obj = pool->bump;
    pool->bump += pool->size;
    return obj;
}

size_t tide__pool_in_use(const tide__pool_t *pool)
{
    size_t carved = 0;
    for (char *chunk = pool->chunks; chunk; chunk = *(void **)chunk) carved += ((size_t *)chunk)[1];
    carved -= (size_t)(pool->end - pool->bump) / pool->size;
    for (void *obj = pool->free_list; obj; obj = *(void **)obj) carved--;
    return carved;
}

void tide__pool_each(tide__pool_t *pool, void (*fn)(void *obj, void *arg), void *arg)
{
    for (char *chunk = pool->chunks; chunk; chunk = *(void **)chunk) {
        char *obj = chunk + TIDE__CHUNK_HEADER;
        char *end = obj + ((size_t *)chunk)[1] * pool->size;
        /* The newest chunk's objects past bump were never handed out. */
        if (chunk == pool->chunks) end = pool->bump;
        for (; obj < end; obj += pool->size) fn(obj, arg);
    }
}

void tide__pool_destroy(tide__pool_t *pool)
{
    void *chunk = pool->chunks;
    while (chunk) {
        void *prev = *(void **)chunk;
        tide__free(chunk);
        chunk = prev;
    }
    pool->chunks = NULL;
    pool->free_list = NULL;
    pool->bump = pool->end = NULL;
}

/* ---- ring ------------------------------------------------------------- */

int tide__ring_regrow(void **items, uint32_t *mask, uint32_t *head, uint32_t *tail, size_t size,
                      uint32_t first_cap)
{
    uint32_t cap = *items ? (*mask + 1) * 2 : first_cap;
    if (cap == 0) return -ENOMEM; /* would overflow 32 bits */
    char *fresh = tide__malloc(size * cap);
    if (!fresh) return -ENOMEM;
    /* The live items may wrap past the end: copy them as (at most) two runs
     * so they start at index 0 of the new array. */
    uint32_t n = *tail - *head;
    if (n) {
        uint32_t start = *head & *mask;
        uint32_t first = *mask + 1 - start < n ? *mask + 1 - start : n;
        memcpy(fresh, (char *)*items + (size_t)start * size, (size_t)first * size);
        memcpy(fresh + (size_t)first * size, *items, (size_t)(n - first) * size);
    }
    tide__free(*items);
    *items = fresh;
    *mask = cap - 1;
    *head = 0;
    *tail = n;
    return 0;
}

int tide__ring_grow(tide__ring_t *r)
{
    void *items = r->items;
    int err = tide__ring_regrow(&items, &r->mask, &r->head, &r->tail, sizeof *r->items, 256);
    if (err) return err;
    r->items = items;
    r->cap = r->mask + 1;
    return 0;
}

TIDE__NOINLINE int tide__ring_push_grow(tide__ring_t *r, tide_fn fn, void *data, void *context)
{
    int err = tide__ring_grow(r);
    if (err) return err;
    return tide__ring_push(r, fn, data, context);
}

void tide__ring_destroy(tide__ring_t *r)
{
    tide__free(r->items);
    memset(r, 0, sizeof *r);
}

/* ---- ids -------------------------------------------------------------- */

int64_t tide__ids_alloc(tide__ids_t *ids, void *ptr)
{
    uint32_t idx;
    if (ids->free_head) {
        idx = ids->free_head - 1;
        ids->free_head = ids->slots[idx].next_free;
    } else {
        if (ids->count == ids->cap) {
            uint32_t cap = ids->cap ? ids->cap * 2 : 64;
            if (cap > INT32_MAX) return -ENOMEM;
            tide__id_slot_t *s = tide__realloc(ids->slots, sizeof *s * cap);
            if (!s) return -ENOMEM;
            ids->slots = s;
            ids->cap = cap;
        }
        idx = ids->count++;
        ids->slots[idx].gen = 1;
    }
    ids->slots[idx].ptr = ptr;
    ids->slots[idx].next_free = 0;
    return ((int64_t)ids->slots[idx].gen << 32) | (int64_t)(idx + 1);
}

void *tide__ids_get(const tide__ids_t *ids, int64_t id)
{
    if (id <= 0) return NULL;
    uint32_t idx = (uint32_t)(id & 0xffffffff);
    uint32_t gen = (uint32_t)(id >> 32);
    if (idx == 0 || idx > ids->count) return NULL;
    const tide__id_slot_t *s = &ids->slots[idx - 1];
    if (s->gen != gen || !s->ptr) return NULL;
    return s->ptr;
}

void tide__ids_free(tide__ids_t *ids, int64_t id)
{
    if (!tide__ids_get(ids, id)) return;
    uint32_t idx = (uint32_t)(id & 0xffffffff) - 1;
    tide__id_slot_t *s = &ids->slots[idx];
    s->ptr = NULL;
    /* Generations stay below 2^31 so ids stay positive int64 values. */
    s->gen = (s->gen + 1) & 0x7fffffff;
    if (s->gen == 0) s->gen = 1;
    s->next_free = ids->free_head;
    ids->free_head = idx + 1;
}

void tide__ids_destroy(tide__ids_t *ids)
{
    tide__free(ids->slots);
    memset(ids, 0, sizeof *ids);
}
