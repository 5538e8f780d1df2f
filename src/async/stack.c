/* async/stack.c - fiber stacks (see stack.h): slabs of guarded stacks, one
 * pool of warm stacks per stack size, and the trimming that gives pages
 * back to the kernel when the pool is full.
 *
 * Why slabs: vm.max_map_count (65530 by default) caps the mappings of a
 * process. A stack mapped on its own with an mprotect'ed guard costs two, so
 * a process could not hold even 33,000 fibers. MADV_GUARD_INSTALL (Linux
 * 6.13) puts a guard page inside a mapping without splitting it, so a slab
 * of 64 stacks is one mapping and 100,000 fibers need about 1,600. Where the
 * kernel lacks it (EINVAL), each stack gets its own mapping and an
 * mprotect'ed guard, and the map count is the limit again. */
#include <sys/mman.h>
#include <unistd.h>

#include "async/sanitize.h"
#include "async/stack.h"
#include "core/internal.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102 /* Linux 6.13; older headers lack the name */
#endif

enum { GUARD_UNKNOWN, GUARD_MADVISE, GUARD_MPROTECT };

/* A slab holds up to 64 stacks, and about 8 MiB of address space at most,
 * so large stacks do not reserve gigabytes at a time. */
#define SLAB_STACKS_MAX 64
#define SLAB_BYTES ((size_t)8 << 20)

struct tide__slab {
    tide__queue_t node;      /* in its class's slabs */
    tide__queue_t open_node; /* in its class's open slabs while it has free slots */
    tide__stack_class_t *cls;
    char *base;
    size_t len;
    tide__stack_t *free; /* slots neither in a fiber nor pooled */
    uint32_t count;
    uint32_t used; /* slots in a fiber or pooled */
    tide__stack_t stacks[];
};

struct tide__stack_class {
    tide__stack_class_t *next;
    size_t size;
    tide__stack_t *pool; /* LIFO: the most recently used stack is the warmest */
    unsigned pool_len;
    tide__queue_t slabs;
    tide__queue_t open;
};

/* Threads may ask at the same time; they all store the same value, and the
 * atomic says so to TSan. */
size_t tide__page_size(void)
{
    static _Atomic size_t page;
    size_t p = atomic_load_explicit(&page, memory_order_relaxed);
    if (TIDE__UNLIKELY(!p)) {
        long sys = sysconf(_SC_PAGESIZE);
        p = sys > 0 ? (size_t)sys : 4096;
        atomic_store_explicit(&page, p, memory_order_relaxed);
    }
    return p;
}

size_t tide__stack_round(size_t size)
{
    size_t page = tide__page_size();
    if (size < TIDE__STACK_MIN) size = TIDE__STACK_MIN;
    if (size > SIZE_MAX / 2) return 0;
    return (size + page - 1) & ~(page - 1);
}

/* Guards at the bottom of every stack of a new slab. The first slab of a
 * loop finds out whether the kernel has MADV_GUARD_INSTALL (and whether
 * its madvise can be believed); -EAGAIN when it has not, so the slab is
 * remade with one stack (see map_slab). */
/* An advice value no kernel defines. A madvise that accepts it ignores
 * advice it does not know (qemu-user does), so its "yes" to
 * MADV_GUARD_INSTALL would leave stacks without guards. */
#define TIDE__MADV_NONSENSE 0x7ffe

static int install_guards(tide__stacks_t *stacks, char *base, uint32_t n, size_t stride)
{
    size_t page = tide__page_size();
    if (stacks->guard_mode == GUARD_UNKNOWN &&
        tide__sys.madvise(base, page, TIDE__MADV_NONSENSE) == 0) {
        stacks->guard_mode = GUARD_MPROTECT;
        return -EAGAIN;
    }
    if (stacks->guard_mode != GUARD_MPROTECT) {
        uint32_t i = 0;
        for (; i < n; i++)
            if (tide__sys.madvise(base + i * stride, page, MADV_GUARD_INSTALL) != 0) break;
        if (i == n) {
            stacks->guard_mode = GUARD_MADVISE;
            return 0;
        }
        if (i == 0 && errno == EINVAL && stacks->guard_mode == GUARD_UNKNOWN) {
            stacks->guard_mode = GUARD_MPROTECT;
            return -EAGAIN;
        }
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++)
        if (tide__sys.mprotect(base + i * stride, page, PROT_NONE) != 0) return -ENOMEM;
    return 0;
}

static int map_slab(tide__stacks_t *stacks, tide__stack_class_t *cls)
{
    size_t page = tide__page_size();
    size_t stride = page + cls->size;
    size_t n = SLAB_BYTES / stride;
    if (n > SLAB_STACKS_MAX) n = SLAB_STACKS_MAX;
    /* Without guard installation each stack is its own mapping, so it can
     * be unmapped as soon as it is not needed. */
    if (n == 0 || stacks->guard_mode == GUARD_MPROTECT) n = 1;

    tide__slab_t *slab = tide__malloc(sizeof *slab + n * sizeof slab->stacks[0]);
    if (!slab) return -ENOMEM;
    size_t len = n * stride;
    /* NORESERVE: only the pages a fiber touches are ever committed. */
    char *base = tide__sys.mmap(NULL, len, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (base == MAP_FAILED) {
        tide__free(slab);
        return -ENOMEM;
    }
    /* With transparent huge pages always on, one fiber's first touch would
     * make 2 MiB of its neighbours' stacks resident. Best effort. */
    (void)tide__sys.madvise(base, len, MADV_NOHUGEPAGE);
    int err = install_guards(stacks, base, (uint32_t)n, stride);
    if (err) {
        tide__sys.munmap(base, len);
        tide__free(slab);
        return err == -EAGAIN ? map_slab(stacks, cls) : err;
    }
    slab->cls = cls;
    slab->base = base;
    slab->len = len;
    slab->count = (uint32_t)n;
    slab->used = 0;
    slab->free = NULL;
    for (size_t i = n; i-- > 0;) {
        tide__stack_t *s = &slab->stacks[i];
        s->lo = base + i * stride + page;
        s->size = cls->size;
        s->slab = slab;
        /* Valgrind must know every stack, or it takes a switch between two
         * stacks of one slab for a huge frame and marks the memory between. */
        s->valgrind_id = VALGRIND_STACK_REGISTER(s->lo, s->lo + s->size);
        s->next = slab->free;
        slab->free = s;
    }
    tide__queue_insert_tail(&cls->slabs, &slab->node);
    tide__queue_insert_head(&cls->open, &slab->open_node);
    return 0;
}

static void unmap_slab(tide__slab_t *slab)
{
    for (uint32_t i = 0; i < slab->count; i++) VALGRIND_STACK_DEREGISTER(slab->stacks[i].valgrind_id);
    tide__queue_remove(&slab->node);
    tide__queue_remove(&slab->open_node);
    tide__sys.munmap(slab->base, slab->len);
    tide__free(slab);
}

static tide__stack_class_t *class_for(tide__stacks_t *stacks, size_t size)
{
    for (tide__stack_class_t *c = stacks->classes; c; c = c->next)
        if (c->size == size) return c;
    tide__stack_class_t *c = tide__calloc(1, sizeof *c);
    if (!c) return NULL;
    c->size = size;
    tide__queue_init(&c->slabs);
    tide__queue_init(&c->open);
    c->next = stacks->classes;
    stacks->classes = c;
    return c;
}

int tide__stack_get(tide__stacks_t *stacks, size_t size, tide__stack_t **out)
{
    tide__stack_class_t *cls = class_for(stacks, size);
    if (!cls) return -ENOMEM;
    tide__stack_t *s = cls->pool;
    if (TIDE__LIKELY(s)) {
        cls->pool = s->next;
        cls->pool_len--;
        stacks->pooled--;
        *out = s;
        return 0;
    }
    if (tide__queue_empty(&cls->open)) {
        int err = map_slab(stacks, cls);
        if (err) return err;
    }
    tide__slab_t *slab = tide__container_of(tide__queue_head(&cls->open), tide__slab_t, open_node);
    s = slab->free;
    slab->free = s->next;
    slab->used++;
    stacks->mapped++;
    if (!slab->free) tide__queue_remove(&slab->open_node);
    *out = s;
    return 0;
}

void tide__stack_put(tide__stacks_t *stacks, tide__stack_t *s)
{
    tide__slab_t *slab = s->slab;
    tide__stack_class_t *cls = slab->cls;
    if (TIDE__LIKELY(cls->pool_len < TIDE__STACK_POOL_MAX)) {
        s->next = cls->pool;
        cls->pool = s;
        cls->pool_len++;
        stacks->pooled++;
        return;
    }
    /* The pool is full: this stack's memory goes back to the kernel. Only
     * here, not on every reuse, so a pooled stack comes back warm. */
    slab->used--;
    stacks->mapped--;
    if (slab->used == 0) {
        unmap_slab(slab);
        return;
    }
    (void)tide__sys.madvise(s->lo, s->size, MADV_DONTNEED);
    s->next = slab->free;
    slab->free = s;
    if (!tide__queue_linked(&slab->open_node)) tide__queue_insert_head(&cls->open, &slab->open_node);
}

void tide__stacks_destroy(tide__stacks_t *stacks)
{
    tide__stack_class_t *c = stacks->classes;
    while (c) {
        tide__stack_class_t *next = c->next;
        while (!tide__queue_empty(&c->slabs))
            unmap_slab(tide__container_of(tide__queue_head(&c->slabs), tide__slab_t, node));
        tide__free(c);
        c = next;
    }
    stacks->classes = NULL;
    stacks->pooled = 0;
    stacks->mapped = 0;
}
