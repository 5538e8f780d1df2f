/* events/emitter.c - listener lists and emit (SEMANTICS.md E1-E8).
 *
 * Each event with listeners has an entry, in order of first registration
 * but errorMonitor last (that is the order of tide_event_names and of
 * tide_remove_all for every event), pointing at an array of
 * registrations. Node copies the array at every emit to get its snapshot;
 * tide copies on write instead: while any emit of this emitter is under
 * way, a change to an array that an emit has started iterating goes to a
 * fresh copy, and the old array is kept until the last emit returns. So an
 * emit that changes nothing, the common case, copies nothing and allocates
 * nothing, and the snapshot rule holds exactly.
 *
 * once: Node wraps the listener in a function that removes itself and
 * remembers that it fired, and the wrapper object is shared by every
 * snapshot. Here a once registration carries an id instead; the ids that
 * fired while emits are under way are remembered in the state (cleared
 * when the last emit returns), so a nested emit that fires it stops the
 * outer emit's snapshot from firing it again, while one removed unfired
 * by tide_off still runs in the snapshots that hold it, as in Node.
 *
 * Most emitters never need any of that: a socket has one 'data' and one
 * 'error' listener. While every event has one plain listener and there are
 * at most two events, they live in a 40-byte small record instead of the
 * state and an array per event; the first registration that does not fit
 * moves them to the full state for good. */
#include <string.h>

#include "core/internal.h"
#include "events/events_internal.h"

#define DEFAULT_MAX_LISTENERS 10
#define INLINE_ENTRIES 3

typedef struct {
    tide_listener_fn fn;
    void *data;
    uint32_t once; /* 0, or this once registration's id */
} listener_t;

typedef struct list {
    uint32_t count;
    uint32_t cap;
    uint32_t shared; /* an emit has begun iterating it */
    struct list *next_dead;
    listener_t items[];
} list_t;

typedef struct {
    tide_event_t event;
    uint32_t warned; /* the max-listeners warning went out for it */
    list_t *list;    /* never empty */
} entry_t;

typedef struct {
    tide_loop_t *loop;
    uint32_t depth; /* emits under way */
    uint32_t nentries, entries_cap;
    uint32_t hint; /* the entry the last emit found: streams emit one event in runs */
    unsigned max_listeners;
    uint32_t next_once;
    int destroyed; /* destroy ran inside an emit: stop, free at the end */
    int settle;    /* the last emit to return has work: destroyed, graveyard or fired */
    entry_t *entries;
    list_t *graveyard; /* arrays replaced while emits were under way */
    uint32_t *fired;   /* once ids fired while emits are under way */
    uint32_t nfired, fired_cap;
    tide__event_waiter_t *waiters; /* pending tide_event_once promises */
    /* The first entries live here: most emitters (a stream with 'data',
     * 'error' and 'close' listeners) never need more, nor a second block. */
    entry_t first[INLINE_ENTRIES];
} state_t;

#define EM_LOOP(em) ((em)->tide_private_[0])
#define EM_STATE(em) ((em)->tide_private_[1])

/* The small record: up to SMALL_EVENTS events, one plain listener each,
 * in order of registration (a free slot, event 0, only ever follows the
 * used ones). Never meta-events nor errorMonitor, so adding to it or
 * removing from it announces nothing, and the max-listeners limit is the
 * default one, which one listener cannot pass. EM_STATE holds its address
 * with the low bit set; the state's address has it clear. */
#define SMALL_EVENTS 2
#define SMALL_TAG ((uintptr_t)1)

typedef struct {
    tide_event_t event[SMALL_EVENTS];
    struct {
        tide_listener_fn fn;
        void *data;
    } listener[SMALL_EVENTS];
} small_t;

/* ---- storage --------------------------------------------------------------- */

static state_t *state_of(const tide_emitter_t *em)
{
    uintptr_t p = (uintptr_t)EM_STATE(em);
    return (p & SMALL_TAG) ? NULL : (state_t *)p;
}

static small_t *small_of(const tide_emitter_t *em)
{
    uintptr_t p = (uintptr_t)EM_STATE(em);
    return (p & SMALL_TAG) ? (small_t *)(p & ~SMALL_TAG) : NULL;
}

static uint32_t small_count(const small_t *sm)
{
    uint32_t n = 0;
    while (n < SMALL_EVENTS && sm->event[n] != TIDE_EVENT_NONE) n++;
    return n;
}

/* The slot of event in sm, or -1. */
static inline int small_find(const small_t *sm, tide_event_t event)
{
    for (int i = 0; i < SMALL_EVENTS; i++)
        if (sm->event[i] == event) return event == TIDE_EVENT_NONE ? -1 : i;
    return -1;
}

/* Take slot i out, keeping the others' order; the record goes when empty. */
static void small_remove(tide_emitter_t *em, small_t *sm, int i)
{
    for (; i + 1 < SMALL_EVENTS; i++) {
        sm->event[i] = sm->event[i + 1];
        sm->listener[i] = sm->listener[i + 1];
    }
    sm->event[SMALL_EVENTS - 1] = TIDE_EVENT_NONE;
    if (sm->event[0] == TIDE_EVENT_NONE) {
        EM_STATE(em) = NULL;
        tide__free(sm);
    }
}

/* Add a registration to the small record if it fits there (making the
 * record if there is none): 0 done, 1 it does not fit, or -ENOMEM. */
static int small_add(tide_emitter_t *em, tide_event_t event, tide_listener_fn fn, void *data,
                     int once)
{
    if (once || event == TIDE_EVENT_NEW_LISTENER || event == TIDE_EVENT_REMOVE_LISTENER ||
        event == TIDE_EVENT_ERROR_MONITOR)
        return 1;
    small_t *sm = small_of(em);
    if (!sm) {
        sm = tide__calloc(1, sizeof *sm);
        if (!sm) return -ENOMEM;
        EM_STATE(em) = (void *)((uintptr_t)sm | SMALL_TAG);
    } else if (small_find(sm, event) >= 0) {
        return 1;
    }
    uint32_t i = small_count(sm);
    if (i == SMALL_EVENTS) return 1;
    sm->event[i] = event;
    sm->listener[i].fn = fn;
    sm->listener[i].data = data;
    return 0;
}

static void state_free(state_t *s);
static entry_t *entry_add(state_t *s, tide_event_t event);

/* The full state, made now if need be, with the small record's listeners
 * moved into it; NULL when memory runs out (nothing changed then). */
static state_t *state_make(tide_emitter_t *em)
{
    state_t *s = state_of(em);
    if (s) return s;
    s = tide__calloc(1, sizeof *s);
    if (!s) return NULL;
    s->loop = EM_LOOP(em);
    s->max_listeners = DEFAULT_MAX_LISTENERS;
    s->entries = s->first;
    s->entries_cap = INLINE_ENTRIES;
    small_t *sm = small_of(em);
    for (uint32_t i = 0, n = sm ? small_count(sm) : 0; i < n; i++) {
        entry_t *e = entry_add(s, sm->event[i]);
        if (!e) {
            state_free(s);
            return NULL;
        }
        e->list->items[0] = (listener_t){sm->listener[i].fn, sm->listener[i].data, 0};
        e->list->count = 1;
    }
    tide__free(sm);
    EM_STATE(em) = s;
    return s;
}

static list_t *list_new(uint32_t cap)
{
    list_t *l = tide__malloc(sizeof *l + cap * sizeof(listener_t));
    if (!l) return NULL;
    l->count = 0;
    l->cap = cap;
    l->shared = 0;
    l->next_dead = NULL;
    return l;
}

/* An array no longer in use by the emitter: freed now, or when the last
 * emit under way returns if one may be iterating it. */
static void list_retire(state_t *s, list_t *l)
{
    if (s->depth && l->shared) {
        l->next_dead = s->graveyard;
        s->graveyard = l;
        s->settle = 1;
    } else {
        tide__free(l);
    }
}

static entry_t *entry_find(const state_t *s, tide_event_t event)
{
    for (uint32_t i = 0; i < s->nentries; i++)
        if (s->entries[i].event == event) return &s->entries[i];
    return NULL;
}

/* entry_find for emit, trying the entry the previous emit found first. An
 * index is only a guess (entries shift when one goes), so it is checked. */
static inline entry_t *entry_find_hinted(state_t *s, tide_event_t event)
{
    uint32_t h = s->hint;
    if (h < s->nentries && s->entries[h].event == event) return &s->entries[h];
    entry_t *e = entry_find(s, event);
    if (e) s->hint = (uint32_t)(e - s->entries);
    return e;
}

/* The entry's array, safe to change in place and with room for need
 * registrations; NULL when memory runs out (nothing changed then). */
static list_t *list_for_change(state_t *s, entry_t *e, uint32_t need)
{
    list_t *l = e->list;
    if (s->depth && l->shared) {
        list_t *copy = list_new(need > l->cap ? need : l->cap);
        if (!copy) return NULL;
        copy->count = l->count;
        memcpy(copy->items, l->items, l->count * sizeof(listener_t));
        list_retire(s, l);
        e->list = copy;
        return copy;
    }
    if (need > l->cap) {
        uint32_t cap = l->cap * 2 > need ? l->cap * 2 : need;
        list_t *grown = tide__realloc(l, sizeof *l + cap * sizeof(listener_t));
        if (!grown) return NULL;
        grown->cap = cap;
        e->list = grown;
        return grown;
    }
    return l;
}

/* Drop entry e (its array is empty or being discarded), keeping the order
 * of the others. */
static void entry_remove(state_t *s, entry_t *e)
{
    list_retire(s, e->list);
    size_t i = (size_t)(e - s->entries);
    memmove(e, e + 1, (s->nentries - i - 1) * sizeof *e);
    s->nentries--;
}

static entry_t *entry_add(state_t *s, tide_event_t event)
{
    if (s->nentries == s->entries_cap) {
        uint32_t cap = s->entries_cap * 2;
        int inline_now = s->entries == s->first;
        entry_t *grown = tide__realloc(inline_now ? NULL : s->entries, cap * sizeof *grown);
        if (!grown) return NULL;
        if (inline_now) memcpy(grown, s->first, sizeof s->first);
        s->entries = grown;
        s->entries_cap = cap;
    }
    /* Room for one: an event most often has one listener, and a second
     * one grows the array (list_for_change doubles it). */
    list_t *l = list_new(1);
    if (!l) return NULL;
    entry_t *e = &s->entries[s->nentries++];
    /* Node's eventNames() is Reflect.ownKeys(): symbols after strings,
     * and errorMonitor is a symbol, so its entry stays last. */
    if (event != TIDE_EVENT_ERROR_MONITOR && e != s->entries &&
        e[-1].event == TIDE_EVENT_ERROR_MONITOR) {
        e[0] = e[-1];
        e--;
    }
    e->event = event;
    e->warned = 0;
    e->list = l;
    return e;
}

static void state_free(state_t *s)
{
    for (uint32_t i = 0; i < s->nentries; i++) tide__free(s->entries[i].list);
    for (list_t *l = s->graveyard, *next; l; l = next) {
        next = l->next_dead;
        tide__free(l);
    }
    if (s->entries != s->first) tide__free(s->entries);
    tide__free(s->fired);
    tide__free(s);
}

/* The last emit under way returned: free what was kept for it. */
static TIDE__NOINLINE void state_settle(state_t *s)
{
    if (s->destroyed) {
        state_free(s);
        return;
    }
    for (list_t *l = s->graveyard, *next; l; l = next) {
        next = l->next_dead;
        tide__free(l);
    }
    s->graveyard = NULL;
    s->nfired = 0;
    s->settle = 0;
}

/* ---- registration ----------------------------------------------------------- */

static int has_listeners(const state_t *s, tide_event_t event) { return entry_find(s, event) != NULL; }

static int listener_add(tide_emitter_t *em, tide_event_t event, tide_listener_fn fn, void *data,
                        int prepend, int once)
{
    if (!em || !EM_LOOP(em) || event == TIDE_EVENT_NONE || !fn) return -EINVAL;
    if (!state_of(em)) {
        int r = small_add(em, event, fn, data, once);
        if (r <= 0) return r;
    }
    state_t *s = state_make(em);
    if (!s) return -ENOMEM;
    if (has_listeners(s, TIDE_EVENT_NEW_LISTENER)) {
        tide_listener_info_t info = {event, fn, data, once};
        int r = tide_emit(em, TIDE_EVENT_NEW_LISTENER, &info);
        if (r < 0) return r;
        s = state_make(em); /* a newListener listener may have destroyed em */
        if (!s) return -ENOMEM;
    }
    entry_t *e = entry_find(s, event);
    int fresh = e == NULL;
    if (fresh && !(e = entry_add(s, event))) return -ENOMEM;
    list_t *l = list_for_change(s, e, e->list->count + 1);
    if (!l) {
        if (fresh) entry_remove(s, e);
        return -ENOMEM;
    }
    listener_t item = {fn, data, 0};
    if (once) {
        if (++s->next_once == 0) s->next_once = 1;
        item.once = s->next_once;
    }
    if (prepend) {
        memmove(&l->items[1], &l->items[0], l->count * sizeof item);
        l->items[0] = item;
    } else {
        l->items[l->count] = item;
    }
    l->count++;
    if (s->max_listeners && l->count > s->max_listeners && !e->warned) {
        e->warned = 1;
        tide__warn_max_listeners(s->loop, em, event, l->count, s->max_listeners);
    }
    return 0;
}

int tide_on(tide_emitter_t *em, tide_event_t event, tide_listener_fn fn, void *data)
{
    return listener_add(em, event, fn, data, 0, 0);
}

int tide_once(tide_emitter_t *em, tide_event_t event, tide_listener_fn fn, void *data)
{
    return listener_add(em, event, fn, data, 0, 1);
}

int tide_prepend(tide_emitter_t *em, tide_event_t event, tide_listener_fn fn, void *data)
{
    return listener_add(em, event, fn, data, 1, 0);
}

int tide_prepend_once(tide_emitter_t *em, tide_event_t event, tide_listener_fn fn, void *data)
{
    return listener_add(em, event, fn, data, 1, 1);
}

/* Remove registration pos of event's entry, then tell removeListener's
 * listeners (with the counts already updated). */
static int remove_at(tide_emitter_t *em, state_t *s, entry_t *e, uint32_t pos)
{
    list_t *l = list_for_change(s, e, e->list->count);
    if (!l) return -ENOMEM;
    listener_t gone = l->items[pos];
    tide_event_t event = e->event;
    memmove(&l->items[pos], &l->items[pos + 1], (l->count - pos - 1) * sizeof gone);
    /* Node keeps the warned mark on its listener array, which goes when
     * one listener is left: the next time the count goes over, it warns
     * again. */
    if (--l->count == 0) entry_remove(s, e);
    else if (l->count == 1) e->warned = 0;
    if (!has_listeners(s, TIDE_EVENT_REMOVE_LISTENER)) return 0;
    tide_listener_info_t info = {event, gone.fn, gone.data, gone.once != 0};
    int r = tide_emit(em, TIDE_EVENT_REMOVE_LISTENER, &info);
    return r < 0 ? r : 0;
}

/* The position of the last registration equal to item (fn, data and, for
 * once registrations, the id), or -1. */
static int64_t find_last(const list_t *l, tide_listener_fn fn, void *data, uint32_t once,
                         int match_once)
{
    for (uint32_t i = l->count; i-- > 0;) {
        const listener_t *it = &l->items[i];
        if (it->fn == fn && it->data == data && (!match_once || it->once == once)) return i;
    }
    return -1;
}

int tide_off(tide_emitter_t *em, tide_event_t event, tide_listener_fn fn, void *data)
{
    if (!em || event == TIDE_EVENT_NONE || !fn) return -EINVAL;
    small_t *sm = small_of(em);
    if (sm) {
        int i = small_find(sm, event);
        if (i < 0 || sm->listener[i].fn != fn || sm->listener[i].data != data) return -ENOENT;
        small_remove(em, sm, i);
        return 0;
    }
    state_t *s = state_of(em);
    entry_t *e = s ? entry_find(s, event) : NULL;
    if (!e) return -ENOENT;
    int64_t pos = find_last(e->list, fn, data, 0, 0);
    if (pos < 0) return -ENOENT;
    return remove_at(em, s, e, (uint32_t)pos);
}

/* Node's removeAllListeners(event) when removeListener has listeners:
 * remove a snapshot of the registrations one by one from the last,
 * emitting removeListener for each. */
static int remove_all_announced(tide_emitter_t *em, tide_event_t event)
{
    state_t *s = state_of(em);
    entry_t *e = s ? entry_find(s, event) : NULL;
    if (!e) return 0;
    uint32_t n = e->list->count;
    listener_t *snapshot = tide__malloc(n * sizeof *snapshot);
    if (!snapshot) return -ENOMEM;
    memcpy(snapshot, e->list->items, n * sizeof *snapshot);
    int r = 0;
    for (uint32_t i = n; i-- > 0 && r == 0;) {
        s = state_of(em);
        e = s ? entry_find(s, event) : NULL;
        if (!e) break;
        int64_t pos = find_last(e->list, snapshot[i].fn, snapshot[i].data, snapshot[i].once, 1);
        if (pos >= 0) r = remove_at(em, s, e, (uint32_t)pos);
    }
    tide__free(snapshot);
    return r;
}

/* Drop every entry without a word. */
static void drop_entries(state_t *s)
{
    while (s->nentries) entry_remove(s, &s->entries[s->nentries - 1]);
}

/* Node's removeAllListeners() when removeListener has listeners: each event
 * of a snapshot of the names in turn, removeListener's own listeners last,
 * then it starts over with no events at all, so listeners that the
 * removeListener listeners added meanwhile go too, unannounced. */
static int remove_every_event(tide_emitter_t *em)
{
    state_t *s = state_of(em);
    uint32_t n = s->nentries;
    tide_event_t *events = tide__malloc((n ? n : 1) * sizeof *events);
    if (!events) return -ENOMEM;
    for (uint32_t i = 0; i < n; i++) events[i] = s->entries[i].event;
    int r = 0;
    for (uint32_t i = 0; i < n && r == 0; i++)
        if (events[i] != TIDE_EVENT_REMOVE_LISTENER) r = remove_all_announced(em, events[i]);
    tide__free(events);
    if (r == 0) r = remove_all_announced(em, TIDE_EVENT_REMOVE_LISTENER);
    if (r == 0 && (s = state_of(em)) != NULL) drop_entries(s);
    return r;
}

int tide_remove_all(tide_emitter_t *em, tide_event_t event)
{
    if (!em) return -EINVAL;
    small_t *sm = small_of(em);
    if (sm) {
        if (event == TIDE_EVENT_NONE) {
            EM_STATE(em) = NULL;
            tide__free(sm);
        } else {
            int i = small_find(sm, event);
            if (i >= 0) small_remove(em, sm, i);
        }
        return 0;
    }
    state_t *s = state_of(em);
    if (!s) return 0;
    if (has_listeners(s, TIDE_EVENT_REMOVE_LISTENER))
        return event == TIDE_EVENT_NONE ? remove_every_event(em) : remove_all_announced(em, event);
    if (event != TIDE_EVENT_NONE) {
        entry_t *e = entry_find(s, event);
        if (e) entry_remove(s, e);
        return 0;
    }
    drop_entries(s);
    return 0;
}

/* ---- emit ------------------------------------------------------------------- */

/* A once registration is about to be called from a snapshot: unless a
 * nested emit fired it already, mark it fired and take it out of the
 * current list. Returns 1 to call it, 0 to skip it, or a removeListener
 * listener's failure. */
static TIDE__NOINLINE int once_claim(tide_emitter_t *em, state_t *s, tide_event_t event,
                                     const listener_t *it)
{
    for (uint32_t i = 0; i < s->nfired; i++)
        if (s->fired[i] == it->once) return 0;
    if (s->nfired == s->fired_cap) {
        uint32_t cap = s->fired_cap ? s->fired_cap * 2 : 8;
        uint32_t *grown = tide__realloc(s->fired, cap * sizeof *grown);
        /* Without room the id goes unrecorded: only a nested emit that
         * fires the same registration could then fire it twice. */
        if (grown) {
            s->fired = grown;
            s->fired_cap = cap;
        }
    }
    if (s->nfired < s->fired_cap) s->fired[s->nfired++] = it->once;
    s->settle = 1;
    entry_t *e = entry_find(s, event);
    if (!e) return 1;
    int64_t pos = find_last(e->list, it->fn, it->data, it->once, 1);
    if (pos < 0) return 1;
    int r = remove_at(em, s, e, (uint32_t)pos);
    if (r < 0) {
        /* Node's wrapper marks itself fired only when removeListener has
         * returned: if a removeListener listener throws, an outer snapshot
         * that still holds the registration calls it after all. */
        for (uint32_t i = s->nfired; i-- > 0;)
            if (s->fired[i] == it->once) {
                s->fired[i] = s->fired[--s->nfired];
                break;
            }
        return r;
    }
    return 1;
}

/* Call the snapshot l. Returns 1 or the first failure. */
static TIDE__NOINLINE int run_listeners(tide_emitter_t *em, state_t *s, tide_event_t event,
                                        list_t *l, void *arg)
{
    int result = 1;
    l->shared = 1;
    s->depth++;
    for (const listener_t *it = l->items, *end = it + l->count; it != end; it++) {
        if (TIDE__UNLIKELY(it->once != 0)) {
            int claim = once_claim(em, s, event, it);
            if (claim < 0 || s->destroyed) {
                if (claim < 0) result = claim;
                break;
            }
            if (claim == 0) continue;
        }
        int r = it->fn(em, event, arg, it->data);
        if (TIDE__UNLIKELY((r < 0) | s->destroyed)) {
            if (r < 0) result = r;
            break;
        }
    }
    if (--s->depth == 0 && TIDE__UNLIKELY(s->settle)) state_settle(s);
    return result;
}

/* Call the small record's listener for event, if it has one: nothing of
 * the record is read after the call, so the listener may change it. */
static inline int small_emit(tide_emitter_t *em, small_t *sm, tide_event_t event, void *arg)
{
    int i = small_find(sm, event);
    if (i < 0) return 0;
    int r = sm->listener[i].fn(em, event, arg, sm->listener[i].data);
    return r < 0 ? r : 1;
}

/* 'error' is never silent (E6): errorMonitor listeners first, then the
 * 'error' listeners, or, with none, the loop's uncaught-error hook. */
static TIDE__NOINLINE int emit_error(tide_emitter_t *em, void *arg)
{
    small_t *sm = small_of(em);
    if (sm && small_find(sm, TIDE_EVENT_ERROR) >= 0) return small_emit(em, sm, TIDE_EVENT_ERROR, arg);
    state_t *s = state_of(em);
    entry_t *monitor = s ? entry_find(s, TIDE_EVENT_ERROR_MONITOR) : NULL;
    if (monitor) {
        int r = run_listeners(em, s, TIDE_EVENT_ERROR_MONITOR, monitor->list, arg);
        if (r < 0) return r;
        s = state_of(em);
    }
    entry_t *e = s ? entry_find(s, TIDE_EVENT_ERROR) : NULL;
    if (e) return run_listeners(em, s, TIDE_EVENT_ERROR, e->list, arg);
    tide_error_t *err = arg ? tide_error_ref(arg)
                            : tide_error_new(TIDE_EUNHANDLED, "Unhandled error. (undefined)");
    int code = err->code;
    tide_report_uncaught(EM_LOOP(em), err);
    tide_error_release(err);
    return code;
}

int tide_emit(tide_emitter_t *em, tide_event_t event, void *arg)
{
    if (TIDE__UNLIKELY(!em)) return -EINVAL;
    if (TIDE__UNLIKELY(event == TIDE_EVENT_ERROR)) return emit_error(em, arg);
    uintptr_t p = (uintptr_t)EM_STATE(em);
    if (!p) return 0;
    if (p & SMALL_TAG) return small_emit(em, (small_t *)(p & ~SMALL_TAG), event, arg);
    state_t *s = (state_t *)p;
    entry_t *e = entry_find_hinted(s, event);
    if (!e) return 0;
    list_t *l = e->list;
    /* One plain listener, the most common case, needs no snapshot: nothing
     * of the array is read after the call, so the listener may change it
     * in place. */
    if (l->count == 1 && !l->items[0].once) {
        int r = l->items[0].fn(em, event, arg, l->items[0].data);
        return r < 0 ? r : 1;
    }
    return run_listeners(em, s, event, l, arg);
}

/* ---- lifetime and queries --------------------------------------------------- */

void tide_emitter_init(tide_emitter_t *em, tide_loop_t *loop)
{
    if (!em) return;
    EM_LOOP(em) = loop;
    EM_STATE(em) = NULL;
}

void tide_emitter_destroy(tide_emitter_t *em)
{
    if (!em) return;
    small_t *sm = small_of(em);
    if (sm) {
        EM_STATE(em) = NULL;
        tide__free(sm);
        return;
    }
    state_t *s = state_of(em);
    if (!s) return;
    while (s->waiters) tide__event_waiter_cancel(s->waiters);
    EM_STATE(em) = NULL;
    if (!s->depth) {
        state_free(s);
        return;
    }
    /* Inside one of its own listeners: the emits under way stop after the
     * listener returns, and the last of them frees the state. */
    for (uint32_t i = 0; i < s->nentries; i++) list_retire(s, s->entries[i].list);
    s->nentries = 0;
    s->destroyed = 1;
    s->settle = 1;
}

tide_loop_t *tide_emitter_loop(const tide_emitter_t *em) { return em ? EM_LOOP(em) : NULL; }

size_t tide_listener_count(const tide_emitter_t *em, tide_event_t event)
{
    const small_t *sm = em ? small_of(em) : NULL;
    if (sm) return small_find(sm, event) >= 0;
    const state_t *s = em ? state_of(em) : NULL;
    const entry_t *e = s ? entry_find(s, event) : NULL;
    return e ? e->list->count : 0;
}

size_t tide_listeners(const tide_emitter_t *em, tide_event_t event, tide_listener_info_t *out,
                      size_t cap)
{
    const small_t *sm = em ? small_of(em) : NULL;
    if (sm) {
        int i = small_find(sm, event);
        if (i < 0) return 0;
        if (cap && out)
            out[0] = (tide_listener_info_t){event, sm->listener[i].fn, sm->listener[i].data, 0};
        return 1;
    }
    const state_t *s = em ? state_of(em) : NULL;
    const entry_t *e = s ? entry_find(s, event) : NULL;
    if (!e) return 0;
    const list_t *l = e->list;
    for (uint32_t i = 0; i < l->count && i < cap && out; i++) {
        out[i].event = event;
        out[i].fn = l->items[i].fn;
        out[i].data = l->items[i].data;
        out[i].once = l->items[i].once != 0;
    }
    return l->count;
}

size_t tide_event_names(const tide_emitter_t *em, tide_event_t *out, size_t cap)
{
    const small_t *sm = em ? small_of(em) : NULL;
    if (sm) {
        uint32_t n = small_count(sm);
        for (uint32_t i = 0; i < n && i < cap && out; i++) out[i] = sm->event[i];
        return n;
    }
    const state_t *s = em ? state_of(em) : NULL;
    if (!s) return 0;
    for (uint32_t i = 0; i < s->nentries && i < cap && out; i++) out[i] = s->entries[i].event;
    return s->nentries;
}

int tide_emitter_set_max_listeners(tide_emitter_t *em, unsigned n)
{
    if (!em) return -EINVAL;
    state_t *s = state_make(em);
    if (!s) return -ENOMEM;
    s->max_listeners = n;
    return 0;
}

unsigned tide_emitter_max_listeners(const tide_emitter_t *em)
{
    const state_t *s = em ? state_of(em) : NULL;
    return s ? s->max_listeners : DEFAULT_MAX_LISTENERS;
}

/* ---- waiters of tide_event_once ----------------------------------------------- */

int tide__emitter_add_waiter(tide_emitter_t *em, tide__event_waiter_t *w)
{
    state_t *s = state_make(em);
    if (!s) return -ENOMEM;
    w->prev = NULL;
    w->next = s->waiters;
    if (s->waiters) s->waiters->prev = w;
    s->waiters = w;
    return 0;
}

void tide__emitter_remove_waiter(tide_emitter_t *em, tide__event_waiter_t *w)
{
    state_t *s = state_of(em);
    if (w->prev)
        w->prev->next = w->next;
    else if (s)
        s->waiters = w->next;
    if (w->next) w->next->prev = w->prev;
    w->next = w->prev = NULL;
}
