/* core/internal.h - the private layout of the loop and of its handles, and
 * the internal calls the core files share. Nothing here is public: the ABI
 * is the opaque pointers of include/tide, so this layout may change freely. */
#ifndef TIDE_CORE_INTERNAL_H
#define TIDE_CORE_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>

#include "tide.h"
#include "backend/backend.h"
#include "core/queue.h"
#include "core/sys.h"

#if defined(__GNUC__)
#define TIDE__NOINLINE __attribute__((noinline))
#define TIDE__LIKELY(x) __builtin_expect(!!(x), 1)
#define TIDE__UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define TIDE__NOINLINE
#define TIDE__LIKELY(x) (x)
#define TIDE__UNLIKELY(x) (x)
#endif

#define TIDE__NS_PER_MS UINT64_C(1000000)

/* ---- pools ------------------------------------------------------------ */

/* A free list of fixed-size objects carved from chunks that live as long as
 * the loop. The free-list link overlays the object's first word; handles keep
 * their flags word intact so closing a handed-back handle is detected.
 * Objects never handed out yet are carved from the newest chunk one at a
 * time (bump..end), so a chunk's untouched tail costs address space, not
 * resident memory. */
typedef struct tide__pool {
    size_t size;
    size_t align; /* objects start at multiples of this (16 by default) */
    size_t chunk_objects;
    void *free_list;
    void *chunks;
    char *bump; /* the next never-used object of the newest chunk */
    char *end;  /* the end of the newest chunk */
} tide__pool_t;

void tide__pool_init(tide__pool_t *pool, size_t size);
/* The same with objects aligned to `align` (a power of two) and sized in
 * multiples of it: a cache-line-aligned pool lets an object's hot fields
 * share one line. */
void tide__pool_init_aligned(tide__pool_t *pool, size_t size, size_t align);
/* When the free list is empty: the next never-used object, from a new
 * chunk if need be (pool.c). */
void *tide__pool_grow(tide__pool_t *pool);

/* Inline: a get or put is a list pop or push on every hot path. */
static inline void *tide__pool_get(tide__pool_t *pool)
{
    void *obj = pool->free_list;
    if (TIDE__UNLIKELY(!obj)) return tide__pool_grow(pool);
    pool->free_list = *(void **)obj;
    return obj;
}

static inline void tide__pool_put(tide__pool_t *pool, void *obj)
{
    *(void **)obj = pool->free_list;
    pool->free_list = obj;
}
/* Make sure the next get cannot fail: 0, or -1 when memory has run out.
 * For a call that must refuse before it changes anything. */
static inline int tide__pool_reserve(tide__pool_t *pool)
{
    if (TIDE__LIKELY(pool->free_list != NULL)) return 0;
    void *obj = tide__pool_grow(pool);
    if (!obj) return -1;
    tide__pool_put(pool, obj);
    return 0;
}
/* Call fn for every object ever handed out, given back or not (the
 * caller tells which by what it wrote in them): for a walk of what is
 * still in use when the loop closes, without a list kept meanwhile. */
void tide__pool_each(tide__pool_t *pool, void (*fn)(void *obj, void *arg), void *arg);
void tide__pool_destroy(tide__pool_t *pool);
/* Objects handed out and not put back: a walk of the free list, for tests
 * and checks, never for a hot path. */
size_t tide__pool_in_use(const tide__pool_t *pool);

/* ---- FIFO ring of deferred calls (ticks, microtasks) ------------------- */

typedef struct {
    tide_fn fn;
    void *data;
    void *context;
} tide__call_t;

typedef struct {
    tide__call_t *items;
    uint32_t mask; /* capacity - 1; capacity is a power of two */
    uint32_t cap;  /* 0 until the first push */
    uint32_t head;
    uint32_t tail;
} tide__ring_t;

/* Grow a power-of-two ring of items of `size` bytes to twice its capacity
 * (first_cap for an empty one), unwrapped so its items start at index 0.
 * Shared by every ring in tide; -ENOMEM leaves the ring as it was. */
int tide__ring_regrow(void **items, uint32_t *mask, uint32_t *head, uint32_t *tail, size_t size,
                      uint32_t first_cap);
int tide__ring_grow(tide__ring_t *ring);
void tide__ring_destroy(tide__ring_t *ring);
/* A push that finds the ring full: grow, then push (pool.c). Out of line
 * so the inline push below keeps no state across a call. */
int tide__ring_push_grow(tide__ring_t *ring, tide_fn fn, void *data, void *context);

static inline int tide__ring_empty(const tide__ring_t *r) { return r->head == r->tail; }

static inline int tide__ring_push(tide__ring_t *r, tide_fn fn, void *data, void *context)
{
    uint32_t tail = r->tail;
    if (TIDE__UNLIKELY(tail - r->head == r->cap)) return tide__ring_push_grow(r, fn, data, context);
    tide__call_t *c = &r->items[tail & r->mask];
    c->fn = fn;
    c->data = data;
    c->context = context;
    r->tail = tail + 1;
    return 0;
}

/* ---- generation-checked ids ------------------------------------------- */

/* Slots hold a pointer and a generation. An id is (generation << 32) | slot+1,
 * so a freed slot's generation moves on and old ids stop matching. */
typedef struct {
    void *ptr;
    uint32_t gen;
    uint32_t next_free;
} tide__id_slot_t;

typedef struct {
    tide__id_slot_t *slots;
    uint32_t count;
    uint32_t cap;
    uint32_t free_head; /* slot index + 1; 0 = none */
} tide__ids_t;

int64_t tide__ids_alloc(tide__ids_t *ids, void *ptr);
void *tide__ids_get(const tide__ids_t *ids, int64_t id);
void tide__ids_free(tide__ids_t *ids, int64_t id);
void tide__ids_destroy(tide__ids_t *ids);

/* ---- handles ---------------------------------------------------------- */

enum {
    TIDE__ACTIVE = 1,
    TIDE__REF = 2,
    TIDE__CLOSING = 4,
    TIDE__CLOSED = 8,
    TIDE__INTERNAL = 16 /* owned by the loop itself (an id timer, a signal pipe) */
};

struct tide_handle_s {
    union {
        tide_loop_t *loop;
        void *pool_next; /* while handed back to the pool */
    };
    void *data;
    void *context; /* async context captured when the handle was started */
    tide_close_cb close_cb;
    tide_handle_t *next_closing;
    uint16_t type;
    uint16_t flags;
};

void tide__handle_init(tide_loop_t *loop, tide_handle_t *h, int type);
void tide__run_closing(tide_loop_t *loop);
int tide__loop_iterate(tide_loop_t *loop, tide_run_mode mode);

/* An fd watcher: the unit the backend registers. The type tag picks the
 * dispatch in tide__io_ready (a switch, not a stored function pointer). */
enum {
    TIDE__IO_POLL = 1,
    TIDE__IO_WAKEUP,
    TIDE__IO_SIGNAL,
    TIDE__IO_SOCK,
    TIDE__IO_SERVER,
    TIDE__IO_UDP,
    TIDE__IO_FS_WATCH,
    TIDE__IO_HTTP,        /* an HTTP server's connection (http/) */
    TIDE__IO_HTTP_CLIENT  /* an HTTP client's connection (http/) */
};
#define TIDE__IO_TYPES 10

struct tide__io {
    int fd;
    uint8_t type;
    unsigned pevents; /* wanted */
    unsigned events;  /* registered with the backend */
};

/* Timer pools are aligned to the cache line, and the handle header plus
 * `list` and `seq` fill exactly the first line: that line is all a restart
 * (refresh, or a start with the same timeout) touches in the timer. The
 * expiry lives in the timer's list entry (timer.c), not here. */
#define TIDE__TIMER_ALIGN 64

/* Timer-only handle flags, above the common ones. */
enum {
    TIDE__TIMER_STARTED = 0x100, /* has been started at least once */
    TIDE__TIMER_OWN = 0x200      /* armed in the list of `timeout`: a refresh may append */
};

struct tide_timer_s {
    tide_handle_t h;
    struct tide__timer_list *list; /* the list it is armed in, or NULL */
    uint64_t seq;     /* start order, breaks ties; 0 when not armed */
    /* second line: read by starts, repeats and callbacks, not by refresh */
    uint64_t timeout; /* ns, as last started (what refresh re-arms with) */
    uint64_t repeat;  /* ns, 0 = one-shot */
    tide_timer_cb cb;
};

/* set_timeout/set_interval: a timer the loop owns, reached through an id. */
typedef struct {
    tide_timer_t timer;
    tide_fn fn;
    void *arg;
    int64_t id;
    uint8_t firing;  /* its callback is running */
    uint8_t cleared; /* cleared from inside its own callback */
} tide__timeout_t;

struct tide_idle_s {
    tide_handle_t h;
    tide_idle_cb cb;
    tide__queue_t node;
};

struct tide_poll_s {
    tide_handle_t h;
    tide__io_t io;
    tide_poll_cb cb;
};

struct tide_wakeup_s {
    tide_handle_t h;
    tide_wakeup_cb cb;
    tide__queue_t node;
    atomic_int pending;
};

struct tide_signal_s {
    tide_handle_t h;
    tide_signal_cb cb;
    int signum;
    uint8_t oneshot;
    tide__queue_t node;
};

/* ---- the loop --------------------------------------------------------- */

/* One immediate; lives in a growable array and links by index, so the
 * array may move and ids stay valid. cb == NULL marks a cleared one. */
typedef struct {
    tide_fn fn;
    void *data;
    void *context;
    uint32_t next; /* index + 1 of the next queued or free slot; 0 = none */
    uint32_t gen;
} tide__immediate_t;

typedef struct tide__timer_list tide__timer_list_t;

/* How many timer restarts may be buffered and share one clock reading
 * (timer.c); every timer list keeps this much free room in its ring. */
#define TIDE__TIMER_PENDING_MAX 32

/* The counter-based clock of timer starts (fastclock.c). */
typedef struct {
    uint64_t anchor_counter; /* counter and clock read together ... */
    uint64_t anchor_ns;      /* ... at the last real reading */
    uint64_t mult;           /* ns per tick, 32.32 fixed point; 0 = unknown */
    uint64_t max_ticks;      /* how far past the anchor the estimate is used */
    uint64_t base_counter;   /* first anchor: the rate is measured from it */
    uint64_t base_ns;
    uint64_t calibrated_span;
    uint64_t max_gap;        /* widest anchor pair kept, in ticks (1 us) */
    int enabled;
} tide__fastclock_t;

/* Upper layers (async, ...) keep per-loop state here. Core only knows the
 * slot numbers and calls destroy from tide_loop_close, so it never includes
 * an upper layer. Destroyed in reverse slot order: later slots may use
 * earlier ones. */
enum {
    TIDE__SLOT_PROMISES,
    TIDE__SLOT_TASKS,
    TIDE__SLOT_FIBERS,
    TIDE__SLOT_EVENTS,
    TIDE__SLOT_STREAMS,
    TIDE__SLOT_WORK, /* the thread pool's per-loop side (io/work.c) */
    TIDE__SLOT_NET,
    TIDE__SLOT_PROCESSES,
    TIDE__SLOT_UDP,
    TIDE__SLOT_FS_WATCH,
    TIDE__SLOT_HTTP,        /* the HTTP server's per-loop side (date cache, pools) */
    TIDE__SLOT_HTTP_CLIENT, /* the HTTP client's agents */
    TIDE__SLOT_COUNT
};
typedef struct {
    void *state;
    void (*destroy)(tide_loop_t *loop, void *state);
} tide__slot_t;

/* Handle types of upper layers (sockets, watchers) plug into core here, set
 * by the layer when it makes its first handle of the type, so core never
 * calls up. close runs inside tide_close (stop the I/O, close the fd);
 * finish runs in the close phase just before the close callback (the last
 * callbacks of what the handle still held, as libuv's finish_close).
 * io_dispatch is the readiness dispatch of an fd watcher type. */
#define TIDE__HANDLE_TYPES 16
typedef struct {
    void (*close)(tide_handle_t *h);
    void (*finish)(tide_handle_t *h);
} tide__handle_hooks_t;
typedef void (*tide__io_dispatch_fn)(tide_loop_t *loop, tide__io_t *io, unsigned events);

struct tide_loop_s {
    /* hot state first */
    void *context;         /* current async context */
    unsigned active_refs;  /* active and referenced handles */
    unsigned active_reqs;  /* requests in flight */
    unsigned immediate_count; /* queued, not cleared */
    int stop_flag;
    int running;
    int draining;
    int time_stale;        /* the cached time needs reading before use */
    uint64_t now;          /* cached clock, ns */

    tide__ring_t ticks;
    tide__ring_t microtasks;
    /* Set by an upper layer while it has end-of-drain work (the promise
     * layer's unhandled-rejection check). Runs once both queues are empty;
     * returns nonzero when it queued more ticks or microtasks. */
    int (*drain_hook)(tide_loop_t *loop);

    /* timers: one FIFO list per distinct timeout, in a heap by head expiry */
    tide__timer_list_t **timer_heap;
    uint32_t timer_heap_len;
    uint32_t timer_heap_cap;
    tide__timer_list_t **timer_table; /* open addressing by timeout */
    uint32_t timer_table_cap;
    uint32_t timer_table_len;
    uint64_t timer_seq;
    unsigned timer_count;
    tide__pool_t timer_list_pool;
    /* rings of released lists, kept for the next list so a timeout that
     * comes and goes does not malloc each time */
    struct tide__timer_entry *timer_spare[8];
    uint32_t timer_spare_mask[8];
    uint32_t timer_spare_len;
    /* Timers restarted since the last clock reading: their sequence, list
     * entry and expiry are written when the buffer is flushed (timer.c,
     * "deferred restarts"). */
    uint32_t timer_pending_len;
    uint32_t timer_short; /* lists without room for a full buffer (no memory) */
    tide_timer_t *timer_pending[TIDE__TIMER_PENDING_MAX];

    /* immediates */
    tide__immediate_t *imm;
    uint32_t imm_cap;
    uint32_t imm_free;  /* index + 1 */
    uint32_t imm_head;  /* index + 1 */
    uint32_t imm_tail;  /* index + 1 */

    tide__queue_t idle_handles;
    tide__queue_t prepare_handles;
    tide__queue_t check_handles;
    tide__queue_t pending; /* tide__pending_t nodes for the pending phase */
    tide_handle_t *closing_head;
    tide_handle_t *closing_tail;
    unsigned open_handles;

    /* backend and fd watchers */
    const tide__backend_ops_t *backend;
    void *backend_state;
    tide__io_t **watchers; /* by fd */
    unsigned nwatchers;    /* size of the array */
    unsigned nfds;         /* watchers registered with the backend */

    /* cross-thread wakeup */
    tide__io_t wakeup_io;
    tide__queue_t wakeup_handles;

    /* signals */
    tide__io_t signal_io;
    int signal_wfd;
    int signal_slot;
    tide__queue_t signal_handles;
    unsigned signal_counts[65]; /* handles watching each signal */

    tide__fastclock_t fastclock;

    /* test clock */
    int virtual_clock;
    uint64_t virtual_now;

    /* accounting */
    uint64_t idle_ns;
    uint64_t busy_ns;
    uint64_t run_start;     /* hrtime when the current tide_run began */
    uint64_t run_idle_base; /* idle_ns when it began */
    uint64_t iterations;
    uint64_t events;
    uint64_t callbacks;

    tide__ids_t timeout_ids;
    tide__pool_t handle_pools[TIDE__HANDLE_TYPES]; /* indexed by tide_handle_type */
    tide__handle_hooks_t handle_hooks[TIDE__HANDLE_TYPES];
    tide__io_dispatch_fn io_dispatch[TIDE__IO_TYPES];
    tide__pool_t timeout_pool;

    /* state of the upper layers, made on first use, destroyed at close */
    tide__slot_t slots[TIDE__SLOT_COUNT];
    void *data;
};

/* ---- internal calls shared by the core files -------------------------- */

/* Mark active / inactive, keeping the loop's count of live referenced ones. */
static inline void tide__handle_start(tide_handle_t *h)
{
    if (h->flags & TIDE__ACTIVE) return;
    h->flags |= TIDE__ACTIVE;
    if (h->flags & TIDE__REF) h->loop->active_refs++;
}

static inline void tide__handle_stop(tide_handle_t *h)
{
    if (!(h->flags & TIDE__ACTIVE)) return;
    h->flags &= ~TIDE__ACTIVE;
    if (h->flags & TIDE__REF) h->loop->active_refs--;
}


/* Run cb's drain: ticks, then microtasks, repeat until both are empty. */
void tide__drain(tide_loop_t *loop);

static inline void tide__maybe_drain(tide_loop_t *loop)
{
    if (!tide__ring_empty(&loop->ticks) || !tide__ring_empty(&loop->microtasks) ||
        loop->drain_hook)
        tide__drain(loop);
}

/* The clock the loop runs on: real monotonic time or the test clock. A
 * real reading also anchors the fast clock. */
uint64_t tide__clock(tide_loop_t *loop);
/* A real reading that anchors the fast clock. */
uint64_t tide__clock_sample(tide_loop_t *loop);
/* "Now" for a timer start: never earlier than the true time (fastclock.c). */
uint64_t tide__clock_start(tide_loop_t *loop);
void tide__fastclock_init(tide_loop_t *loop);

static inline uint64_t tide__loop_now(tide_loop_t *loop)
{
    if (loop->time_stale) {
        loop->now = tide__clock(loop);
        loop->time_stale = 0;
    }
    return loop->now;
}

/* The loop run (or last created) on this thread: a timer restart reaches
 * its loop's buffer through it without waiting for the timer's memory. */
extern __thread tide_loop_t *tide__loop_current __attribute__((tls_model("initial-exec")));

void tide__run_timers(tide_loop_t *loop);
/* Flush the buffered restarts: one clock reading gives them their expiry. */
void tide__timers_stamp(tide_loop_t *loop);
static inline void tide__timers_settle(tide_loop_t *loop)
{
    if (TIDE__UNLIKELY(loop->timer_pending_len)) tide__timers_stamp(loop);
}
int tide__timers_next_due(tide_loop_t *loop, uint64_t *due);
void tide__timers_init(tide_loop_t *loop);
void tide__timers_destroy(tide_loop_t *loop);
void tide__timer_close(tide_timer_t *timer);
void tide__timeouts_destroy(tide_loop_t *loop);

void tide__run_immediates(tide_loop_t *loop);
void tide__immediates_destroy(tide_loop_t *loop);

void tide__run_idle_queue(tide_loop_t *loop, tide__queue_t *queue);
void tide__idle_close(tide_idle_t *handle);

/* Pending phase: work deferred by the I/O layer to the next iteration. */
typedef struct tide__pending {
    tide__queue_t node;
    void (*fn)(tide_loop_t *loop, struct tide__pending *p);
    void *context;
} tide__pending_t;
void tide__pending_push(tide_loop_t *loop, tide__pending_t *p);
void tide__pending_cancel(tide_loop_t *loop, tide__pending_t *p);
void tide__run_pending(tide_loop_t *loop);

/* fd watchers */
int tide__io_start(tide_loop_t *loop, tide__io_t *io, unsigned events);
void tide__io_stop(tide_loop_t *loop, tide__io_t *io);
void tide__poll_close(tide_poll_t *watcher);
void tide__poll_dispatch(tide_loop_t *loop, tide__io_t *io, unsigned events);
void tide__watchers_destroy(tide_loop_t *loop);

void tide__wakeup_dispatch(tide_loop_t *loop);
void tide__wakeup_close(tide_wakeup_t *handle);
void tide__wakeup_destroy(tide_loop_t *loop);

void tide__signal_dispatch(tide_loop_t *loop);
void tide__signal_close(tide_signal_t *handle);
void tide__signal_destroy(tide_loop_t *loop);
void tide__signal_ignore_sigpipe(void);

/* Call a callback with its saved async context, count it and drain after. */
#define TIDE__CALLBACK(loop, ctx, call)                                        \
    do {                                                                       \
        void *tide__saved_ctx = (loop)->context;                               \
        (loop)->context = (ctx);                                               \
        (loop)->callbacks++;                                                   \
        call;                                                                  \
        (loop)->context = tide__saved_ctx;                                     \
        tide__maybe_drain(loop);                                               \
        tide__timers_settle(loop);                                             \
    } while (0)

#endif /* TIDE_CORE_INTERNAL_H */
