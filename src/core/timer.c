/* core/timer.c - timer handles and the timers phase.
 *
 * The data structure is chosen for churn. A server re-arms an idle timeout
 * on every request, always with the same duration; a binary heap of timers
 * (libuv) makes every re-arm O(log n) with cache misses all the way down,
 * and a timing wheel makes firing order approximate. Like Node, tide keeps
 * one FIFO list per distinct duration: timers started later with the same
 * duration expire later, so appending keeps each list sorted, and re-arming
 * is "move to the tail", O(1). The lists sit in a binary min-heap keyed by
 * their head's (expiry, start sequence); the heap has one entry per distinct
 * duration (usually a handful), and only changes when a list's head does. A
 * hash table finds a duration's list. Firing pops a head and sifts one list.
 * Ties between equal expiries go to the timer started first, across lists
 * too, because the heap key includes the start sequence number.
 *
 * Start times are fresh clock readings (not the cached loop time), so a
 * timer never fires before its full timeout has elapsed. */
#include <string.h>

#include "core/internal.h"

struct tide__timer_list {
    uint64_t head_due; /* cached heap key: the head timer's expiry ... */
    uint64_t head_seq; /* ... and start sequence */
    uint64_t timeout;  /* ns; the duration this list holds */
    tide__queue_t timers;
    uint32_t heap_index;
};

/* ---- heap of lists ------------------------------------------------------ */

static inline int list_less(const tide__timer_list_t *a, const tide__timer_list_t *b)
{
    return a->head_due < b->head_due || (a->head_due == b->head_due && a->head_seq < b->head_seq);
}

static inline void heap_set(tide_loop_t *loop, uint32_t i, tide__timer_list_t *l)
{
    loop->timer_heap[i] = l;
    l->heap_index = i;
}

static void heap_sift_up(tide_loop_t *loop, uint32_t i)
{
    tide__timer_list_t *l = loop->timer_heap[i];
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!list_less(l, loop->timer_heap[parent])) break;
        heap_set(loop, i, loop->timer_heap[parent]);
        i = parent;
    }
    heap_set(loop, i, l);
}

static void heap_sift_down(tide_loop_t *loop, uint32_t i)
{
    tide__timer_list_t *l = loop->timer_heap[i];
    uint32_t n = loop->timer_heap_len;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && list_less(loop->timer_heap[c + 1], loop->timer_heap[c])) c++;
        if (!list_less(loop->timer_heap[c], l)) break;
        heap_set(loop, i, loop->timer_heap[c]);
        i = c;
    }
    heap_set(loop, i, l);
}

static int heap_push(tide_loop_t *loop, tide__timer_list_t *l)
{
    if (loop->timer_heap_len == loop->timer_heap_cap) {
        uint32_t cap = loop->timer_heap_cap ? loop->timer_heap_cap * 2 : 16;
        tide__timer_list_t **h = tide__realloc(loop->timer_heap, sizeof *h * cap);
        if (!h) return -ENOMEM;
        loop->timer_heap = h;
        loop->timer_heap_cap = cap;
    }
    heap_set(loop, loop->timer_heap_len++, l);
    heap_sift_up(loop, l->heap_index);
    return 0;
}

static void heap_remove(tide_loop_t *loop, tide__timer_list_t *l)
{
    uint32_t i = l->heap_index;
    tide__timer_list_t *last = loop->timer_heap[--loop->timer_heap_len];
    if (last == l) return;
    heap_set(loop, i, last);
    if (i > 0 && list_less(last, loop->timer_heap[(i - 1) / 2]))
        heap_sift_up(loop, i);
    else
        heap_sift_down(loop, i);
}

/* ---- duration -> list table (open addressing, linear probing) ----------- */

static inline uint32_t table_slot(const tide_loop_t *loop, uint64_t timeout)
{
    uint64_t h = timeout * UINT64_C(0x9E3779B97F4A7C15);
    return (uint32_t)(h >> 32) & (loop->timer_table_cap - 1);
}

static tide__timer_list_t *table_find(const tide_loop_t *loop, uint64_t timeout)
{
    if (!loop->timer_table_cap) return NULL;
    uint32_t mask = loop->timer_table_cap - 1;
    for (uint32_t i = table_slot(loop, timeout);; i = (i + 1) & mask) {
        tide__timer_list_t *l = loop->timer_table[i];
        if (!l) return NULL;
        if (l->timeout == timeout) return l;
    }
}

static void table_put(tide_loop_t *loop, tide__timer_list_t *l)
{
    uint32_t mask = loop->timer_table_cap - 1;
    uint32_t i = table_slot(loop, l->timeout);
    while (loop->timer_table[i]) i = (i + 1) & mask;
    loop->timer_table[i] = l;
}

static int table_grow(tide_loop_t *loop)
{
    uint32_t old_cap = loop->timer_table_cap;
    tide__timer_list_t **old = loop->timer_table;
    uint32_t cap = old_cap ? old_cap * 2 : 64;
    tide__timer_list_t **t = tide__calloc(cap, sizeof *t);
    if (!t) return -ENOMEM;
    loop->timer_table = t;
    loop->timer_table_cap = cap;
    for (uint32_t i = 0; i < old_cap; i++)
        if (old[i]) table_put(loop, old[i]);
    tide__free(old);
    return 0;
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
static void table_remove(tide_loop_t *loop, tide__timer_list_t *l)
{
    uint32_t mask = loop->timer_table_cap - 1;
    uint32_t i = table_slot(loop, l->timeout);
    while (loop->timer_table[i] != l) i = (i + 1) & mask;
    for (uint32_t j = (i + 1) & mask;; j = (j + 1) & mask) {
        tide__timer_list_t *m = loop->timer_table[j];
        if (!m) break;
        uint32_t home = table_slot(loop, m->timeout);
        /* m may move into the hole at i unless its home lies in (i, j]. */
        if (((j - home) & mask) >= ((j - i) & mask)) {
            loop->timer_table[i] = m;
            i = j;
        }
    }
    loop->timer_table[i] = NULL;
    loop->timer_table_len--;
}

/* ---- linking timers into lists ----------------------------------------- */

static inline tide_timer_t *list_head(const tide__timer_list_t *l)
{
    return tide__container_of(tide__queue_head(&l->timers), tide_timer_t, node);
}

static inline void list_rekey(tide__timer_list_t *l)
{
    tide_timer_t *h = list_head(l);
    l->head_due = h->due;
    l->head_seq = h->seq;
}

static int timer_link(tide_loop_t *loop, tide_timer_t *t)
{
    tide__timer_list_t *l = table_find(loop, t->timeout);
    if (l) {
        tide__queue_insert_tail(&l->timers, &t->node);
        t->list = l;
        return 0;
    }
    if ((loop->timer_table_len + 1) * 2 > loop->timer_table_cap && table_grow(loop))
        return -ENOMEM;
    l = tide__pool_get(&loop->timer_list_pool);
    if (!l) return -ENOMEM;
    l->timeout = t->timeout;
    tide__queue_init(&l->timers);
    tide__queue_insert_tail(&l->timers, &t->node);
    list_rekey(l);
    if (heap_push(loop, l)) {
        tide__pool_put(&loop->timer_list_pool, l);
        return -ENOMEM;
    }
    table_put(loop, l);
    loop->timer_table_len++;
    t->list = l;
    return 0;
}

static void timer_unlink(tide_loop_t *loop, tide_timer_t *t)
{
    tide__timer_list_t *l = t->list;
    int was_head = tide__queue_head(&l->timers) == &t->node;
    tide__queue_remove(&t->node);
    t->list = NULL;
    if (tide__queue_empty(&l->timers)) {
        heap_remove(loop, l);
        table_remove(loop, l);
        tide__pool_put(&loop->timer_list_pool, l);
    } else if (was_head) {
        list_rekey(l); /* the key only grows: the new head expires later */
        heap_sift_down(loop, l->heap_index);
    }
}

/* Arm t to expire timeout ns from now. The common re-arm, same duration as
 * the list it is already in, never touches the table and usually not the
 * heap: it is a move to the tail of the list. */
static int timer_arm(tide_loop_t *loop, tide_timer_t *t, uint64_t timeout)
{
    uint64_t now = tide__clock(loop);
    /* A timer start refreshes the loop's cached time, as Node's does. */
    loop->now = now;
    loop->time_stale = 0;

    tide__timer_list_t *l = t->list;
    if (l && l->timeout == timeout) {
        int was_head = tide__queue_head(&l->timers) == &t->node;
        tide__queue_remove(&t->node);
        tide__queue_insert_tail(&l->timers, &t->node);
        t->due = now + timeout;
        t->seq = loop->timer_seq++;
        if (was_head) {
            list_rekey(l);
            heap_sift_down(loop, l->heap_index);
        }
        return 0;
    }
    if (l) {
        timer_unlink(loop, t);
        loop->timer_count--;
    }
    t->timeout = timeout;
    t->due = now + timeout;
    t->seq = loop->timer_seq++;
    int err = timer_link(loop, t);
    if (err) {
        tide__handle_stop(&t->h);
        return err;
    }
    loop->timer_count++;
    return 0;
}

static void timer_disarm(tide_loop_t *loop, tide_timer_t *t)
{
    if (t->list) {
        timer_unlink(loop, t);
        loop->timer_count--;
    }
    tide__handle_stop(&t->h);
}

/* ---- public API ---------------------------------------------------------- */

int tide_timer_new(tide_loop_t *loop, tide_timer_t **out)
{
    if (!loop || !out) return -EINVAL;
    tide_timer_t *t = tide__pool_get(&loop->handle_pools[TIDE_HANDLE_TIMER]);
    if (!t) return -ENOMEM;
    memset(t, 0, sizeof *t);
    tide__handle_init(loop, &t->h, TIDE_HANDLE_TIMER);
    tide__queue_init(&t->node);
    *out = t;
    return 0;
}

int tide_timer_start_ns(tide_timer_t *t, tide_timer_cb cb, uint64_t timeout_ns,
                        uint64_t repeat_ns, void *data)
{
    if (!t || !cb) return -EINVAL;
    if (t->h.flags & (TIDE__CLOSING | TIDE__CLOSED)) return -EALREADY;
    tide_loop_t *loop = t->h.loop;
    t->cb = cb;
    t->h.data = data;
    t->h.context = loop->context;
    t->repeat = repeat_ns;
    t->started = 1;
    int err = timer_arm(loop, t, timeout_ns);
    if (err) return err;
    tide__handle_start(&t->h);
    return 0;
}

int tide_timer_start(tide_timer_t *t, tide_timer_cb cb, uint64_t timeout_ms,
                     uint64_t repeat_ms, void *data)
{
    if (timeout_ms > UINT64_MAX / TIDE__NS_PER_MS || repeat_ms > UINT64_MAX / TIDE__NS_PER_MS)
        return -EINVAL;
    return tide_timer_start_ns(t, cb, timeout_ms * TIDE__NS_PER_MS, repeat_ms * TIDE__NS_PER_MS,
                               data);
}

int tide_timer_stop(tide_timer_t *t)
{
    if (!t) return -EINVAL;
    if (t->h.flags & TIDE__CLOSED) return -EALREADY;
    timer_disarm(t->h.loop, t);
    return 0;
}

int tide_timer_refresh(tide_timer_t *t)
{
    if (!t) return -EINVAL;
    if (t->h.flags & (TIDE__CLOSING | TIDE__CLOSED)) return -EALREADY;
    if (!t->started) return -EINVAL;
    tide_loop_t *loop = t->h.loop;
    t->h.context = loop->context;
    int err = timer_arm(loop, t, t->timeout);
    if (err) return err;
    tide__handle_start(&t->h);
    return 0;
}

int tide_timer_again(tide_timer_t *t)
{
    if (!t) return -EINVAL;
    if (t->h.flags & (TIDE__CLOSING | TIDE__CLOSED)) return -EALREADY;
    if (!t->started) return -EINVAL;
    if (!t->repeat) {
        timer_disarm(t->h.loop, t);
        return 0;
    }
    int err = timer_arm(t->h.loop, t, t->repeat);
    if (err) return err;
    tide__handle_start(&t->h);
    return 0;
}

void tide_timer_set_repeat(tide_timer_t *t, uint64_t repeat_ms)
{
    if (t) t->repeat = repeat_ms > UINT64_MAX / TIDE__NS_PER_MS ? UINT64_MAX : repeat_ms * TIDE__NS_PER_MS;
}

uint64_t tide_timer_get_repeat(const tide_timer_t *t) { return t ? t->repeat / TIDE__NS_PER_MS : 0; }

uint64_t tide_timer_get_due_in(const tide_timer_t *t)
{
    if (!t || !t->list) return 0;
    uint64_t now = tide__loop_now(t->h.loop);
    if (t->due <= now) return 0;
    return (t->due - now + TIDE__NS_PER_MS - 1) / TIDE__NS_PER_MS;
}

void tide__timer_close(tide_timer_t *t) { timer_disarm(t->h.loop, t); }

/* ---- the timers phase ----------------------------------------------------- */

int tide__timers_next_due(const tide_loop_t *loop, uint64_t *due)
{
    if (!loop->timer_heap_len) return 0;
    *due = loop->timer_heap[0]->head_due;
    return 1;
}

/* Run every timer due at the time read when the phase begins, earliest
 * first. Timers started during the phase (sequence >= the one recorded at
 * its start) wait for the next iteration even with a zero timeout, so a
 * repeating zero-timeout timer cannot starve the loop. */
void tide__run_timers(tide_loop_t *loop)
{
    if (!loop->timer_heap_len) return;
    uint64_t now = tide__loop_now(loop);
    uint64_t seq_limit = loop->timer_seq;
    while (loop->timer_heap_len) {
        tide__timer_list_t *l = loop->timer_heap[0];
        if (l->head_due > now || l->head_seq >= seq_limit) break;
        tide_timer_t *t = list_head(l);
        if (t->repeat) {
            /* Re-arm before the callback (from a fresh reading, so the
             * next firing is a full period away), so the callback may stop
             * or restart the timer and have the last word. */
            timer_arm(loop, t, t->repeat);
        } else {
            timer_unlink(loop, t);
            loop->timer_count--;
            tide__handle_stop(&t->h);
        }
        TIDE__CALLBACK(loop, t->h.context, t->cb(t, t->h.data));
    }
}

void tide__timers_destroy(tide_loop_t *loop)
{
    tide__free(loop->timer_heap);
    tide__free(loop->timer_table);
    loop->timer_heap = NULL;
    loop->timer_table = NULL;
    loop->timer_heap_len = loop->timer_heap_cap = 0;
    loop->timer_table_len = loop->timer_table_cap = 0;
    tide__pool_destroy(&loop->timer_list_pool);
}

void tide__timers_init(tide_loop_t *loop)
{
    tide__pool_init(&loop->timer_list_pool, sizeof(tide__timer_list_t));
}
