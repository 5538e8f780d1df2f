/* async/stack.h - fiber stacks: mmap'd, with a guard page below each one
 * (stacks grow down), carved from slabs, and pooled per loop so a new fiber
 * usually gets a stack that is already mapped and warm. See docs/FIBERS.md
 * for why slabs and MADV_GUARD_INSTALL, and the fallback's limit. */
#ifndef TIDE_ASYNC_STACK_H
#define TIDE_ASYNC_STACK_H

#include <stddef.h>
#include <stdint.h>

typedef struct tide__slab tide__slab_t;
typedef struct tide__stack_class tide__stack_class_t;

/* One stack. Lives in its slab's header, so it costs no allocation. */
typedef struct tide__stack {
    char *lo;                 /* lowest usable byte; the guard ends here */
    size_t size;              /* usable bytes, a multiple of the page size */
    tide__slab_t *slab;
    struct tide__stack *next; /* in the pool or in the slab's free slots */
    unsigned valgrind_id;
} tide__stack_t;

/* A loop's stacks: one class per stack size in use. */
typedef struct {
    tide__stack_class_t *classes;
    int guard_mode;  /* how guards are made; decided by the first slab */
    uint64_t pooled; /* stacks kept for reuse, all classes */
    uint64_t mapped; /* stacks in fibers or pooled, all classes */
} tide__stacks_t;

/* Stacks kept warm per size class; more go back to the kernel. */
#define TIDE__STACK_POOL_MAX 64
/* Smallest usable size a fiber may ask for. */
#define TIDE__STACK_MIN (16 * 1024)

/* The page size, which is also the guard's size. */
size_t tide__page_size(void);

/* A size rounded up to whole pages and at least TIDE__STACK_MIN; 0 when
 * the rounding would overflow. */
size_t tide__stack_round(size_t size);

/* A stack of `size` usable bytes (already rounded): from the pool, else a
 * free slot of a slab, else a new slab. -ENOMEM when nothing can be mapped. */
int tide__stack_get(tide__stacks_t *stacks, size_t size, tide__stack_t **out);

/* Hand a stack back: into the pool while it has room, else its pages go
 * back to the kernel and a slab with no stack left in use is unmapped. */
void tide__stack_put(tide__stacks_t *stacks, tide__stack_t *stack);

/* Unmap everything; every stack must have been put back. */
void tide__stacks_destroy(tide__stacks_t *stacks);

/* Whether addr lies in the guard page below the stack. Async-signal-safe. */
static inline int tide__stack_guard_hit(const tide__stack_t *stack, const void *addr,
                                        size_t page)
{
    uintptr_t a = (uintptr_t)addr, lo = (uintptr_t)stack->lo;
    return a < lo && a >= lo - page;
}

#endif /* TIDE_ASYNC_STACK_H */
