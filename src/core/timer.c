/* core/timer.c - timer handles and the timers phase.
 *
 * The data structure is chosen for churn. A server re-arms an idle timeout
 * on every request, always with the same duration. A binary heap of timers
 * (libuv) makes every re-arm O(log n) with cache misses all the way down; a
 * timing wheel makes firing order approximate; a linked list per duration
 * (Node) makes a re-arm O(1) but still touches both neighbours of the timer,
 * two cache misses on top of the timer itself when connections are many.
 *
 * tide keeps one FIFO per distinct duration, as Node does, but the FIFO is a
 * ring of small entries (timer, start sequence) and a re-arm never unlinks
 * anything: it stamps the timer with a new expiry and sequence and appends
 * a new entry at the ring's tail, which is hot in cache. The old entry goes
 * stale, recognised later because its sequence no longer matches the
 * timer's. So a restart touches the timer and the tail, nothing else.
 * Appends come in clock order, so every ring stays sorted by expiry.
 *
 * Stale entries are dropped when they reach the head, and a ring that fills
 * up with them is compacted in place (amortised: at least three quarters of
 * it is stale then), so memory stays within a small multiple of the live
 * timers. Each list's heap key is its head entry's (expiry, sequence); a
 * restart may leave that key too early, never too late, and the timers
 * phase and the poll timeout skip stale heads before trusting it. The lists
 * sit in a binary min-heap (one entry per distinct duration, usually a
 * handful) and a hash table finds a duration's list. Ties between equal
 * expiries go to the timer started first, across lists too, because the
 * heap key includes the start sequence.
 *
 * Timer memory comes from per-loop pools that are only freed with the loop,
 * so a stale entry may always read its timer's sequence: a stopped or closed
 * timer has sequence 0, and sequences are never reused.
 *
 * Start times. A start's time is read no earlier than the start itself
 * (not the cached loop time), so a timer never fires before its full
 * timeout has elapsed. A start that arms a timer reads the clock at once.
 *
 * Deferred restarts. A restart of an armed timer in the list it is already
 * in (refresh, the idle-timeout pattern) is only recorded: the timer
 * pointer goes into a per-loop buffer. A server pushing back many cold
 * deadlines is limited by how much of each restart waits for the timer's
 * cache miss, so the buffer is reached through the thread's current loop
 * (tide__loop_current), not through the timer, and the timer only feeds
 * predicted branches and a store. The flush (tide__timers_stamp) takes one
 * clock reading, after every buffered call, and gives each timer in buffer
 * order a new sequence and an entry at its list's tail, its line long in
 * cache by then. It runs when the buffer is full and before anything that
 * needs a timer's true state: any other start, stop, close, get_due_in,
 * the timers phase and poll timeout, the end of the callback (or main
 * program) that made the restarts, loop close. So order and ties are those
 * of immediate restarts, and a restart counts from a moment between the
 * call and the end of that callback: late, never early. Readings only
 * grow, so rings stay sorted.
 *
 * The flush cannot fail: every ring keeps RESERVE free entries, room for a
 * whole buffer, restored after each append. When memory for that runs out
 * the list is marked short and, while any list is, restarts take the
 * direct path (append now, -ENOMEM when the ring is truly full).
 *
 * Layout. What a restart and its flush touch in the timer (handle header,
 * list, sequence, the started and own-list flags) fills its first cache
 * line (internal.h), and the expiry is in the entry. */
#include <string.h>

#include "core/internal.h"

/* A list entry carries the expiry, so a flush writes nothing into the
 * timer beyond its first cache line (internal.h). */
typedef struct tide__timer_entry {
    tide_timer_t *timer;
    uint64_t seq; /* the timer's sequence when this entry was appended */
    uint64_t due; /* ns, absolute loop clock */
} tide__timer_entry_t;

struct tide__timer_list {
    uint64_t head_due; /* heap key: the head entry's expiry ... */
    uint64_t head_seq; /* ... and start sequence */
    uint64_t timeout;  /* ns; the duration this list holds */
    tide__timer_entry_t *ring;
    uint32_t mask;     /* ring capacity - 1 (a power of two) */
    uint32_t head;     /* free-running indexes: length = tail - head */
    uint32_t tail;
    uint32_t live;     /* armed timers in this list: valid entries */
    uint32_t heap_index;
    uint8_t is_short;  /* room below RESERVE: growth failed (counted in timer_short) */
};

/* Free entries every ring keeps, so a flush of the restart buffer always
 * has room for every buffered restart without allocating. */
#define RESERVE TIDE__TIMER_PENDING_MAX
#define RING_MIN (2 * RESERVE)
#define SPARE_MAX_MASK 1023 /* rings up to 1024 entries are kept for reuse */
#define PREFETCH_AHEAD 8

static inline int entry_valid(const tide__timer_entry_t *e) { return e->timer->seq == e->seq; }

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

/* ---- rings --------------------------------------------------------------- */

static int ring_alloc(tide_loop_t *loop, tide__timer_list_t *l)
{
    if (loop->timer_spare_len) {
        uint32_t i = --loop->timer_spare_len;
        l->ring = loop->timer_spare[i];
        l->mask = loop->timer_spare_mask[i];
    } else {
        l->ring = tide__malloc(sizeof *l->ring * RING_MIN);
        if (!l->ring) return -ENOMEM;
        l->mask = RING_MIN - 1;
    }
    l->head = l->tail = 0;
    return 0;
}

static void ring_release(tide_loop_t *loop, tide__timer_list_t *l)
{
    if (l->mask <= SPARE_MAX_MASK && loop->timer_spare_len < 8) {
        loop->timer_spare[loop->timer_spare_len] = l->ring;
        loop->timer_spare_mask[loop->timer_spare_len++] = l->mask;
    } else {
        tide__free(l->ring);
    }
    l->ring = NULL;
}

static inline tide__timer_entry_t *ring_at(const tide__timer_list_t *l, uint32_t i)
{
    return &l->ring[i & l->mask];
}

/* Make the head entry valid and the heap key its (expiry, sequence). The
 * list must have a live timer, so a valid entry exists. */
static void list_rekey(tide_loop_t *loop, tide__timer_list_t *l)
{
    tide__timers_settle(loop); /* a buffered timer's old entry still looks valid */
    tide__timer_entry_t *e = ring_at(l, l->head);
    while (!entry_valid(e)) e = ring_at(l, ++l->head);
    l->head_due = e->due;
    l->head_seq = e->seq;
}

/* Drop every stale entry, keeping order. Touches each entry's timer, so
 * the timers are prefetched a few entries ahead. */
static void ring_compact(tide__timer_list_t *l)
{
    uint32_t w = l->head;
    for (uint32_t r = l->head; r != l->tail; r++) {
        if (l->tail - r > PREFETCH_AHEAD) __builtin_prefetch(ring_at(l, r + PREFETCH_AHEAD)->timer);
        tide__timer_entry_t e = *ring_at(l, r);
        if (entry_valid(&e)) *ring_at(l, w++) = e;
    }
    l->tail = w;
}

static int ring_grow(tide__timer_list_t *l)
{
    void *ring = l->ring;
    int err = tide__ring_regrow(&ring, &l->mask, &l->head, &l->tail, sizeof *l->ring, RING_MIN);
    if (!err) l->ring = ring;
    return err;
}

/* Room for one more entry in a full ring: compact it when most of it is
 * stale, else grow it. The head may change, and with it the key, which can
 * only grow (the ring is sorted and the old key was a lower bound). */
static int list_make_room(tide_loop_t *loop, tide__timer_list_t *l)
{
    uint32_t len = l->tail - l->head;
    if (len >= 4 * (uint64_t)l->live + RING_MIN) {
        ring_compact(l);
        if (l->live) {
            list_rekey(loop, l);
            heap_sift_down(loop, l->heap_index);
        }
        return 0;
    }
    return ring_grow(l);
}

static inline int ring_full(const tide__timer_list_t *l) { return l->tail - l->head > l->mask; }

static inline uint32_t ring_room(const tide__timer_list_t *l) { return l->mask + 1 - (l->tail - l->head); }

static void list_mark_short(tide_loop_t *loop, tide__timer_list_t *l, int is_short)
{
    if (l->is_short == is_short) return;
    l->is_short = (uint8_t)is_short;
    if (is_short)
        loop->timer_short++;
    else
        loop->timer_short--;
}

/* Room for one append that leaves RESERVE entries free. When memory runs
 * out the list is marked short, which sends every restart down the direct
 * path until it recovers; -ENOMEM only when not even this append fits. */
static int list_reserve(tide_loop_t *loop, tide__timer_list_t *l)
{
    if (TIDE__LIKELY(ring_room(l) > RESERVE)) return 0;
    int err = list_make_room(loop, l);
    (void)err; /* judged by the room left */
    list_mark_short(loop, l, ring_room(l) <= RESERVE);
    return ring_full(l) ? -ENOMEM : 0;
}

static inline tide__timer_entry_t *ring_push(tide__timer_list_t *l, tide_timer_t *t, uint64_t due)
{
    tide__timer_entry_t *e = ring_at(l, l->tail++);
    e->timer = t;
    e->seq = t->seq;
    e->due = due;
    return e;
}

/* t's valid entry in its list. Sequences grow along a ring (every append
 * takes a new one), so a binary search finds it. */
static const tide__timer_entry_t *timer_entry(const tide__timer_list_t *l, const tide_timer_t *t)
{
    uint32_t lo = l->head, n = l->tail - l->head;
    while (n > 1) {
        uint32_t half = n / 2;
        if (ring_at(l, lo + half)->seq <= t->seq) lo += half;
        n -= half;
    }
    return ring_at(l, lo);
}

/* Whether a refresh may simply append: armed in the list of its own
 * timeout. Kept as a flag so refresh reads nothing past the first line. */
static inline void timer_mark_own(tide_timer_t *t)
{
    t->h.flags &= (uint16_t)~TIDE__TIMER_OWN;
    if (t->list && t->list->timeout == t->timeout) t->h.flags |= TIDE__TIMER_OWN;
}

/* ---- lists ---------------------------------------------------------------- */

/* A new, empty list for timeout: in the table, not yet in the heap (it has
 * no key until its first entry). */
static tide__timer_list_t *list_create(tide_loop_t *loop, uint64_t timeout)
{
    if ((loop->timer_table_len + 1) * 2 > loop->timer_table_cap && table_grow(loop)) return NULL;
    tide__timer_list_t *l = tide__pool_get(&loop->timer_list_pool);
    if (!l) return NULL;
    if (ring_alloc(loop, l)) {
        tide__pool_put(&loop->timer_list_pool, l);
        return NULL;
    }
    l->timeout = timeout;
    l->live = 0;
    l->heap_index = UINT32_MAX;
    l->is_short = 0;
    table_put(loop, l);
    loop->timer_table_len++;
    return l;
}

static void list_release(tide_loop_t *loop, tide__timer_list_t *l)
{
    list_mark_short(loop, l, 0);
    if (l->heap_index != UINT32_MAX) heap_remove(loop, l);
    table_remove(loop, l);
    ring_release(loop, l);
    tide__pool_put(&loop->timer_list_pool, l);
}

/* Take t out of its list: its entry goes stale. The list's key may now be
 * early; that is allowed and costs at most one early look. */
static tide__timer_list_t *timer_detach(tide_loop_t *loop, tide_timer_t *t)
{
    tide__timer_list_t *l = t->list;
    t->list = NULL;
    t->seq = 0;
    t->h.flags &= (uint16_t)~TIDE__TIMER_OWN;
    l->live--;
    loop->timer_count--;
    return l;
}

static void timer_unlink(tide_loop_t *loop, tide_timer_t *t)
{
    tide__timer_list_t *l = timer_detach(loop, t);
    if (!l->live) list_release(loop, l);
}

static inline uint64_t due_after(uint64_t now, uint64_t timeout)
{
    return timeout > UINT64_MAX - now ? UINT64_MAX : now + timeout;
}

/* Flush the restart buffer (see the top of the file): one clock reading,
 * taken after every buffered call, and for each timer a new sequence and
 * an entry at its list's tail. The rings kept RESERVE entries free, so
 * nothing here can fail; a list left with less room gets more now. Biased
 * late, the reading does not become the cached time either: the timers
 * phase compares expiries with real readings only. */
void tide__timers_stamp(tide_loop_t *loop)
{
    uint32_t n = loop->timer_pending_len;
    loop->timer_pending_len = 0;
    uint64_t now = tide__clock_start(loop);
    for (uint32_t i = 0; i < n; i++) {
        tide_timer_t *t = loop->timer_pending[i];
        tide__timer_list_t *l = t->list;
        t->seq = ++loop->timer_seq;
        ring_push(l, t, due_after(now, l->timeout));
        if (TIDE__UNLIKELY(ring_room(l) <= RESERVE)) list_reserve(loop, l);
    }
}

/* Buffer the restart of t, armed in the list of its timeout. Its loop's
 * buffer is reached without reading t: the caller has compared t's loop
 * with the thread's current one, a branch the CPU predicts while t's
 * memory is still on its way, so nothing here waits for it. */
static inline void timer_defer(tide_loop_t *loop, tide_timer_t *t)
{
    loop->timer_pending[loop->timer_pending_len++] = t;
    if (TIDE__UNLIKELY(loop->timer_pending_len == TIDE__TIMER_PENDING_MAX))
        tide__timers_stamp(loop);
}

/* Whether a restart of t with its own timeout may be buffered: armed in
 * that list and no list short of room. */
static inline int timer_may_defer(const tide_loop_t *loop, unsigned flags)
{
    return (flags & TIDE__TIMER_OWN) && !loop->timer_short;
}

/* Arm t to expire timeout ns from now, from a clock reading taken now.
 * Re-arming with the duration of the list t is already in is an append to
 * that list's ring and nothing else. On failure (-ENOMEM) the timer is
 * left as it was. */
static int timer_arm(tide_loop_t *loop, tide_timer_t *t, uint64_t timeout)
{
    /* The buffered restarts came first: they take a reading no later than
     * this one, so every ring stays sorted by expiry and sequences stay in
     * call order. */
    tide__timers_settle(loop);
    uint64_t due = due_after(tide__clock_start(loop), timeout);
    uint64_t seq = loop->timer_seq + 1;

    tide__timer_list_t *l = t->list;
    if (l && l->timeout == timeout) {
        if (list_reserve(loop, l)) return -ENOMEM;
        loop->timer_seq = seq;
        t->seq = seq;
        ring_push(l, t, due);
        return 0;
    }

    tide__timer_list_t *n = table_find(loop, timeout);
    if (n) {
        if (list_reserve(loop, n)) return -ENOMEM;
    } else {
        n = list_create(loop, timeout);
        if (!n) return -ENOMEM;
        n->head_due = due;
        n->head_seq = seq;
        if (heap_push(loop, n)) {
            list_release(loop, n);
            return -ENOMEM;
        }
    }
    if (l) timer_unlink(loop, t);
    loop->timer_seq = seq;
    t->seq = seq;
    t->list = n;
    timer_mark_own(t);
    n->live++;
    loop->timer_count++;
    ring_push(n, t, due);
    return 0;
}

static void timer_disarm(tide_loop_t *loop, tide_timer_t *t)
{
    tide__timers_settle(loop); /* t may be buffered */
    if (t->list) timer_unlink(loop, t);
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
    t->h.flags |= TIDE__TIMER_STARTED;
    if (timer_may_defer(loop, t->h.flags) && t->timeout == timeout_ns) {
        timer_defer(loop, t); /* armed, so already active */
        return 0;
    }
    int err = timer_arm(loop, t, timeout_ns);
    if (err) return err;
    t->timeout = timeout_ns; /* what refresh re-arms with, even after repeats */
    timer_mark_own(t);
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

static int timer_refresh_slow(tide_timer_t *t, unsigned flags)
{
    if (flags & (TIDE__CLOSING | TIDE__CLOSED)) return -EALREADY;
    if (!(flags & TIDE__TIMER_STARTED)) return -EINVAL;
    tide_loop_t *loop = t->h.loop;
    t->h.context = loop->context;
    if (timer_may_defer(loop, flags)) {
        timer_defer(loop, t);
        return 0;
    }
    int err = timer_arm(loop, t, t->timeout);
    if (err) return err;
    tide__handle_start(&t->h);
    return 0;
}

/* The restart of a server's idle timeout. The timer is usually cold, and
 * the common case (armed in the list of its timeout, on the thread's
 * current loop) lets nothing wait for it but two predicted branches and
 * one store: the loop comes from the thread, not from the timer, so the
 * buffer append and the next restarts go ahead while it is fetched. */
int tide_timer_refresh(tide_timer_t *t)
{
    if (!t) return -EINVAL;
    tide_loop_t *cur = tide__loop_current;
    unsigned flags = t->h.flags;
    /* Hidden from the compiler as an equality, or it would use the loop
     * read from t below and make everything wait for t again. */
    int same_loop = t->h.loop == cur;
    __asm__("" : "+r"(same_loop));
    if (TIDE__LIKELY(same_loop) &&
        TIDE__LIKELY((flags & (TIDE__CLOSING | TIDE__CLOSED | TIDE__TIMER_OWN)) == TIDE__TIMER_OWN) &&
        TIDE__LIKELY(!cur->timer_short)) {
        t->h.context = cur->context;
        timer_defer(cur, t);
        return 0;
    }
    return timer_refresh_slow(t, flags);
}

int tide_timer_again(tide_timer_t *t)
{
    if (!t) return -EINVAL;
    if (t->h.flags & (TIDE__CLOSING | TIDE__CLOSED)) return -EALREADY;
    if (!(t->h.flags & TIDE__TIMER_STARTED)) return -EINVAL;
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
    tide__timers_settle(t->h.loop);
    uint64_t due = timer_entry(t->list, t)->due;
    uint64_t now = tide__loop_now(t->h.loop);
    if (due <= now) return 0;
    return (due - now + TIDE__NS_PER_MS - 1) / TIDE__NS_PER_MS;
}

void tide__timer_close(tide_timer_t *t) { timer_disarm(t->h.loop, t); }

/* ---- the timers phase ----------------------------------------------------- */

/* The earliest expiry, after dropping stale heads so the loop does not wake
 * for a timer that was restarted or stopped. */
int tide__timers_next_due(tide_loop_t *loop, uint64_t *due)
{
    tide__timers_settle(loop);
    while (loop->timer_heap_len) {
        tide__timer_list_t *l = loop->timer_heap[0];
        if (entry_valid(ring_at(l, l->head))) {
            *due = l->head_due;
            return 1;
        }
        list_rekey(loop, l);
        heap_sift_down(loop, 0);
    }
    return 0;
}

/* Run every timer due at the time read when the phase begins, earliest
 * first. Timers started during the phase (sequence >= the one recorded at
 * its start) wait for the next iteration even with a zero timeout, so a
 * repeating zero-timeout timer cannot starve the loop. */
void tide__run_timers(tide_loop_t *loop)
{
    if (!loop->timer_heap_len) return;
    uint64_t now = tide__loop_now(loop);
    uint64_t seq_limit = loop->timer_seq + 1;
    while (loop->timer_heap_len) {
        tide__timers_settle(loop);
        tide__timer_list_t *l = loop->timer_heap[0];
        if (l->head_due > now || l->head_seq >= seq_limit) break;
        tide__timer_entry_t *e = ring_at(l, l->head);
        if (l->tail - l->head > PREFETCH_AHEAD)
            __builtin_prefetch(ring_at(l, l->head + PREFETCH_AHEAD)->timer);
        tide_timer_t *t = e->timer;
        if (!entry_valid(e)) {
            list_rekey(loop, l); /* the key was early: restarted or stopped */
            heap_sift_down(loop, 0);
            continue;
        }
        l->head++;
        if (TIDE__UNLIKELY(l->is_short) && ring_room(l) > RESERVE) list_mark_short(loop, l, 0);
        timer_detach(loop, t);
        if (t->repeat && t->repeat == l->timeout && !l->live) {
            /* The common interval: the only timer of its list goes back in
             * at the tail, so the list is kept rather than rebuilt. */
            l->head = l->tail;
            list_mark_short(loop, l, 0); /* the whole ring is free */
            t->list = l;
            timer_mark_own(t);
            l->live = 1;
            loop->timer_count++;
            uint64_t due = due_after(tide__clock_start(loop), l->timeout);
            t->seq = ++loop->timer_seq;
            ring_push(l, t, due);
            l->head_due = due;
            l->head_seq = t->seq;
            heap_sift_down(loop, 0);
        } else {
            if (l->live) {
                list_rekey(loop, l);
                heap_sift_down(loop, 0);
            } else {
                list_release(loop, l);
            }
            /* Re-arm before the callback (from a fresh reading, so the next
             * firing is a full period away), so the callback may stop or
             * restart the timer and have the last word. A repeating timer
             * that cannot be re-armed (no memory) fires this once more and
             * stops. */
            if (!t->repeat || timer_arm(loop, t, t->repeat)) tide__handle_stop(&t->h);
            tide__timers_settle(loop); /* the period counts from before the callback */
        }
        TIDE__CALLBACK(loop, t->h.context, t->cb(t, t->h.data));
    }
}

void tide__timers_destroy(tide_loop_t *loop)
{
    loop->timer_pending_len = 0; /* buffered restarts die with their timers */
    loop->timer_short = 0;
    for (uint32_t i = 0; i < loop->timer_heap_len; i++) tide__free(loop->timer_heap[i]->ring);
    for (uint32_t i = 0; i < loop->timer_spare_len; i++) tide__free(loop->timer_spare[i]);
    loop->timer_spare_len = 0;
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
