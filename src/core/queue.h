/* core/queue.h - intrusive circular doubly linked list. The node lives in
 * the object it links, so linking allocates nothing; container_of gets back
 * from the node to the object. */
#ifndef TIDE_CORE_QUEUE_H
#define TIDE_CORE_QUEUE_H

#include <stddef.h>

typedef struct tide__queue {
    struct tide__queue *next;
    struct tide__queue *prev;
} tide__queue_t;

#define tide__container_of(ptr, type, member)                                  \
    ((type *)((char *)(ptr) - offsetof(type, member)))

static inline void tide__queue_init(tide__queue_t *q)
{
    q->next = q;
    q->prev = q;
}

static inline int tide__queue_empty(const tide__queue_t *q) { return q->next == q; }

static inline tide__queue_t *tide__queue_head(const tide__queue_t *q) { return q->next; }

static inline void tide__queue_insert_tail(tide__queue_t *h, tide__queue_t *q)
{
    q->next = h;
    q->prev = h->prev;
    q->prev->next = q;
    h->prev = q;
}

static inline void tide__queue_insert_head(tide__queue_t *h, tide__queue_t *q)
{
    q->next = h->next;
    q->prev = h;
    q->next->prev = q;
    h->next = q;
}

/* Unlink q and leave it pointing at itself, so a second remove is harmless
 * and "is it linked?" is a cheap test. */
static inline void tide__queue_remove(tide__queue_t *q)
{
    q->prev->next = q->next;
    q->next->prev = q->prev;
    q->next = q;
    q->prev = q;
}

static inline int tide__queue_linked(const tide__queue_t *q) { return q->next != q; }

/* Move every node of h onto n (which must be empty); h ends up empty. */
static inline void tide__queue_move(tide__queue_t *h, tide__queue_t *n)
{
    if (tide__queue_empty(h)) {
        tide__queue_init(n);
        return;
    }
    n->next = h->next;
    n->prev = h->prev;
    n->next->prev = n;
    n->prev->next = n;
    tide__queue_init(h);
}

/* Splice every node of from in front of h's nodes, keeping from's order;
 * from ends up empty. */
static inline void tide__queue_prepend(tide__queue_t *h, tide__queue_t *from)
{
    if (tide__queue_empty(from)) return;
    tide__queue_t *first = from->next, *last = from->prev;
    last->next = h->next;
    h->next->prev = last;
    h->next = first;
    first->prev = h;
    tide__queue_init(from);
}

#endif /* TIDE_CORE_QUEUE_H */
