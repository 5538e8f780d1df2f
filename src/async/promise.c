/* async/promise.c - promises: settling, then/catch/finally and the
 * resolve steps of ECMAScript (SEMANTICS.md P3, P6), on per-loop pools.
 *
 * A reaction job is one microtask whose data is the reaction itself, so a
 * then() on a settled promise costs two pool pops and one ring push. The
 * turn counts follow the specification literally: adopting a promise
 * queues a resolve-thenable job that attaches a pass-through reaction,
 * which is why it settles two turns late, as in V8. */
#include <stdio.h>
#include <string.h>

#include "async/promise_internal.h"

/* ---- the per-loop state ----------------------------------------------- */

static void promises_destroy(tide_loop_t *loop, void *state)
{
    tide__promises_t *s = state;
    /* Records of the rejection check hold references; drop them first so
     * the pools below are all that is left. */
    for (uint32_t i = 0; i < s->unhandled_len; i++) tide_promise_release(s->unhandled[i]);
    for (uint32_t i = 0; i < s->handled_late_len; i++) tide_promise_release(s->handled_late[i]);
    tide__free(s->unhandled);
    tide__free(s->handled_late);
    tide__pool_destroy(&s->promises);
    tide__pool_destroy(&s->reactions);
    tide__pool_destroy(&s->finallies);
    tide__pool_destroy(&s->listeners);
    tide__pool_destroy(&s->sleeps);
    tide__free(s);
    loop->slots[TIDE__SLOT_PROMISES].state = NULL;
    loop->drain_hook = NULL;
}

TIDE__NOINLINE tide__promises_t *tide__promises_create(tide_loop_t *loop)
{
    tide__promises_t *s = tide__calloc(1, sizeof *s);
    if (!s) return NULL;
    tide__pool_init(&s->promises, sizeof(tide_promise_t));
    tide__pool_init(&s->reactions, sizeof(tide__reaction_t));
    tide__pool_init(&s->finallies, 3 * sizeof(void *));
    tide__pool_init(&s->listeners, 4 * sizeof(void *));
    tide__pool_init(&s->sleeps, 8 * sizeof(void *));
    s->mode = TIDE_UNHANDLED_THROW;
    loop->slots[TIDE__SLOT_PROMISES].state = s;
    loop->slots[TIDE__SLOT_PROMISES].destroy = promises_destroy;
    return s;
}

/* ---- life and death ---------------------------------------------------- */

/* A pending promise with `refs` references. value is set when it
 * settles, tail only once head is set, keeper and value_free only with
 * their flags. */
static inline void promise_init(tide_promise_t *p, tide_loop_t *loop, uint32_t refs)
{
    p->refs = refs;
    p->state = TIDE__P_PENDING;
    p->flags = 0;
    p->spare = 0;
    p->loop = loop;
    p->head = NULL;
}

tide_promise_t *tide__promise_alloc(tide_loop_t *loop)
{
    tide__promises_t *s = tide__promises(loop);
    if (TIDE__UNLIKELY(!s)) return NULL;
    tide_promise_t *p = tide__pool_get(&s->promises);
    if (TIDE__UNLIKELY(!p)) return NULL;
    promise_init(p, loop, 1);
    return p;
}

/* Freeing a promise can free the derived promises of its dropped reactions,
 * and so on down a chain; a local work list (linked through `tail`) keeps
 * that iterative, so a long chain cannot overflow a fiber's stack. */
static void promise_free_all(tide_promise_t *first)
{
    tide_promise_t *doomed = first;
    first->tail = NULL;
#define TIDE__UNREF(q)                                                         \
    do {                                                                       \
        tide_promise_t *q_ = (q);                                              \
        if (q_ && --q_->refs == 0) {                                           \
            q_->tail = (tide__reaction_t *)doomed;                             \
            doomed = q_;                                                       \
        }                                                                      \
    } while (0)
    while (doomed) {
        tide_promise_t *p = doomed;
        doomed = (tide_promise_t *)p->tail;
        tide__promises_t *s = p->loop->slots[TIDE__SLOT_PROMISES].state;
        if (p->flags & TIDE__PF_RESOLVER) {
            TIDE__UNREF(p->target);
        } else if (p->state == TIDE__P_PENDING) {
            /* Nobody can settle it any more: its reactions never run. */
            tide__reaction_t *r = p->head;
            while (r) {
                tide__reaction_t *next = r->next;
                if (r->drop) r->drop(r->data);
                if (r->derived != TIDE__DERIVED_UNSEEN) TIDE__UNREF(r->derived);
                tide__pool_put(&s->reactions, r);
                r = next;
            }
        } else if (p->state == TIDE__P_REJECTED) {
            tide_error_release(p->error);
        } else if (p->flags & TIDE__PF_OWNS_VALUE) {
            p->value_free(p->value);
        }
        if ((p->flags & TIDE__PF_KEEPER) && p->keeper != p) TIDE__UNREF(p->keeper);
        tide__pool_put(&s->promises, p);
    }
#undef TIDE__UNREF
}

tide_promise_t *tide_promise_ref(tide_promise_t *p)
{
    if (p) p->refs++;
    return p;
}

/* Most promises die fulfilled, with no owned value and nothing chained:
 * straight back to the pool. */
static inline void promise_unref_in(tide__promises_t *s, tide_promise_t *p)
{
    if (--p->refs) return;
    if (TIDE__LIKELY(p->state == TIDE__P_FULFILLED && !(p->flags & TIDE__PF_FREE_WORK))) {
        tide__pool_put(&s->promises, p);
        return;
    }
    promise_free_all(p);
}

static inline void promise_unref(tide_promise_t *p)
{
    promise_unref_in(p->loop->slots[TIDE__SLOT_PROMISES].state, p);
}

void tide_promise_release(tide_promise_t *p)
{
    if (p) promise_unref(p);
}

void tide__result_drop(tide_result_t r)
{
    if (r.kind == TIDE_RESULT_ERROR) tide_error_release(r.ptr);
    else if (r.kind == TIDE_RESULT_PROMISE) tide_promise_release(r.ptr);
}

/* ---- settling ----------------------------------------------------------- */

static void reaction_job(tide_loop_t *loop, void *arg);

/* A job the microtask ring had no room for (its growth failed) waits on
 * the spill list; the end-of-drain hook runs it. */
static TIDE__NOINLINE void spill_job(tide_loop_t *loop, tide_fn fn, tide__reaction_t *r)
{
    tide__promises_t *s = tide__promises(loop);
    r->spill_job = fn;
    r->spill_next = NULL;
    if (s->spill_tail) s->spill_tail->spill_next = r;
    else s->spill_head = r;
    s->spill_tail = r;
    tide__promises_arm_hook(loop);
}

/* Run the spilled jobs, oldest first. The drain calls this once both
 * queues are empty, where running a job is what dequeuing it would do. */
void tide__promises_run_spilled(tide_loop_t *loop, tide__promises_t *s)
{
    void *saved = loop->context;
    s->running_spilled = 1;
    while (s->spill_head) {
        tide__reaction_t *r = s->spill_head;
        s->spill_head = r->spill_next;
        if (!s->spill_head) s->spill_tail = NULL;
        loop->context = r->context;
        r->spill_job(loop, r);
    }
    s->running_spilled = 0;
    loop->context = saved;
}

/* queue_job when the ring is full: grow it, or spill when that fails. */
static TIDE__NOINLINE void queue_job_grow(tide_loop_t *loop, tide_fn fn, tide__reaction_t *r)
{
    if (tide__ring_push_grow(&loop->microtasks, fn, r, r->context) != 0) spill_job(loop, fn, r);
}

/* The ring push, written out so that a full ring is a tail call and the
 * callers keep nothing across a call. */
static inline void queue_job(tide_loop_t *loop, tide_fn fn, tide__reaction_t *r)
{
    tide__ring_t *q = &loop->microtasks;
    uint32_t tail = q->tail;
    if (TIDE__UNLIKELY(tail - q->head == q->cap)) {
        queue_job_grow(loop, fn, r);
        return;
    }
    tide__call_t *c = &q->items[tail & q->mask];
    c->fn = fn;
    c->data = r;
    c->context = r->context;
    q->tail = tail + 1;
}

static inline void queue_reactions(tide_promise_t *p, tide__reaction_t *r)
{
    while (r) {
        tide__reaction_t *next = r->next;
        p->refs++;
        r->source = p;
        queue_job(p->loop, reaction_job, r);
        r = next;
    }
}

static TIDE__NOINLINE void set_keeper(tide_promise_t *p, tide_promise_t *keeper)
{
    p->keeper = tide_promise_ref(keeper);
    p->flags |= TIDE__PF_KEEPER;
}

static inline void fulfil(tide_promise_t *p, void *value, tide_promise_t *keeper)
{
    tide__reaction_t *r = p->head;
    p->head = NULL;
    p->state = TIDE__P_FULFILLED;
    p->value = value;
    if (keeper) set_keeper(p, keeper);
    queue_reactions(p, r);
}

static void reject(tide_promise_t *p, tide_error_t *error)
{
    tide__reaction_t *r = p->head;
    p->head = NULL;
    p->state = TIDE__P_REJECTED;
    p->error = error;
    if (!(p->flags & TIDE__PF_HANDLED)) tide__rejection_track(p);
    queue_reactions(p, r);
}

/* Attach a reaction: marks the promise handled, and queues the job at once
 * when the promise has settled. */
static inline void add_reaction(tide_promise_t *p, tide__reaction_t *r)
{
    if (TIDE__UNLIKELY(!(p->flags & TIDE__PF_HANDLED))) {
        p->flags |= TIDE__PF_HANDLED;
        if (p->state == TIDE__P_REJECTED) tide__rejection_handled(p);
    }
    if (p->state == TIDE__P_PENDING) {
        r->next = NULL;
        if (p->head) p->tail->next = r;
        else p->head = r;
        p->tail = r;
    } else {
        p->refs++;
        r->source = p;
        queue_job(p->loop, reaction_job, r);
    }
}

void tide__promise_mark_handled(tide_promise_t *p)
{
    if (!(p->flags & TIDE__PF_HANDLED)) {
        p->flags |= TIDE__PF_HANDLED;
        if (p->state == TIDE__P_REJECTED) tide__rejection_handled(p);
    }
}

static inline tide__reaction_t *reaction_new(tide_loop_t *loop)
{
    return tide__pool_get(&tide__promises(loop)->reactions);
}

static void resolve_steps(tide_promise_t *p, tide_result_t res, tide_promise_t *keeper);

/* NewPromiseResolveThenableJob for a native promise: x.then(resolveP,
 * rejectP) is a pass-through reaction on x whose derived promise is P. The
 * carrier reaction (derived = P, source = x) becomes that reaction. */
static void adopt_job(tide_loop_t *loop, void *arg)
{
    tide__reaction_t *r = arg;
    tide_promise_t *x = r->source;
    r->drop = NULL; /* the field held the job if it was spilled */
    add_reaction(x, r);
    promise_unref(x);
}

/* NewPromiseResolveThenableJob for a foreign thenable: call its then with a
 * resolver promise that forwards to P. */
static void thenable_job(tide_loop_t *loop, void *arg)
{
    tide__reaction_t *r = arg;
    tide_promise_t *p = r->derived;
    tide_thenable_t *t = r->data;
    tide__pool_put(&tide__promises(loop)->reactions, r);
    tide_promise_t *q = tide__promise_alloc(loop);
    if (!q) {
        resolve_steps(p, tide_fail(tide_error_new(-ENOMEM, NULL)), NULL);
        promise_unref(p);
        return;
    }
    q->flags = TIDE__PF_RESOLVER;
    q->target = p; /* takes the carrier's reference */
    q->refs = 2;   /* ours and the thenable's */
    int rc = t->then(loop, t, q);
    if (rc != 0 && !(q->flags & TIDE__PF_RESOLVED))
        tide_promise_reject(q, tide_error_new(rc < 0 ? rc : -EINVAL, "thenable's then failed"));
    promise_unref(q);
}

static void queue_carrier(tide_promise_t *p, tide_fn job, tide_promise_t *x, void *data)
{
    tide__reaction_t *r = reaction_new(p->loop);
    if (TIDE__UNLIKELY(!r)) {
        tide_promise_release(x);
        reject(p, tide_error_new(-ENOMEM, NULL));
        return;
    }
    p->refs++;
    r->derived = p;
    r->source = x;
    r->on_ok = NULL;
    r->on_err = NULL;
    r->data = data;
    r->context = p->loop->context;
    r->drop = NULL;
    queue_job(p->loop, job, r);
}

/* The resolve steps of P3. keeper: the promise whose memory holds a
 * value being passed on, kept alive as long as p hands the value out. */
static void resolve_steps(tide_promise_t *p, tide_result_t res, tide_promise_t *keeper)
{
    switch (res.kind) {
    case TIDE_RESULT_VALUE:
        fulfil(p, res.ptr, keeper);
        return;
    case TIDE_RESULT_ERROR:
        reject(p, res.ptr ? res.ptr : tide_error_new(-EINVAL, "rejected without an error"));
        return;
    case TIDE_RESULT_PROMISE: {
        tide_promise_t *x = res.ptr;
        if (!x) {
            reject(p, tide_error_new(-EINVAL, "resolved with a NULL promise"));
        } else if (x == p) {
            promise_unref(x);
            reject(p, tide_error_new(-EINVAL, "Chaining cycle detected for promise #<Promise>"));
        } else {
            queue_carrier(p, adopt_job, x, NULL);
        }
        return;
    }
    case TIDE_RESULT_THENABLE:
        if (!res.ptr || !((tide_thenable_t *)res.ptr)->then)
            reject(p, tide_error_new(-EINVAL, "resolved with a thenable without then"));
        else
            queue_carrier(p, thenable_job, NULL, res.ptr);
        return;
    default:
        reject(p, tide_error_new(-EINVAL, "unknown result kind %lu", (unsigned long)res.kind));
    }
}

/* What a reaction job does with its handler's result in general: make
 * the derived promise nobody took if the result needs it, run the resolve
 * steps, drop the references. */
static TIDE__NOINLINE void reaction_settle(tide_loop_t *loop, tide_promise_t *src,
                                           tide_promise_t *derived, tide_result_t res)
{
    tide__promises_t *s = loop->slots[TIDE__SLOT_PROMISES].state;
    if (derived == TIDE__DERIVED_UNSEEN) {
        /* Nobody holds the derived promise: fulfilled, it would be seen by
         * no one. Anything else (a rejection to report, a promise to
         * adopt) needs it, so it is made now. */
        if (res.kind != TIDE_RESULT_VALUE) derived = tide__promise_alloc(loop);
        if (!derived || derived == TIDE__DERIVED_UNSEEN) {
            if (res.kind != TIDE_RESULT_VALUE) {
                fprintf(stderr, "tide: out of memory: a rejection or adoption in a then() is lost\n");
                tide__result_drop(res);
            }
            promise_unref_in(s, src);
            return;
        }
    }
    if (derived) {
        derived->flags |= TIDE__PF_RESOLVED;
        resolve_steps(derived, res, NULL);
        promise_unref_in(s, derived);
    } else {
        tide__result_drop(res);
    }
    promise_unref_in(s, src);
}

/* Queue the reactions of p, which the caller has just settled, giving up
 * the caller's reference to p: the first job takes it over, so a promise
 * with one reaction (a chain's link) neither gains nor loses a reference. */
static TIDE__NOINLINE void queue_reactions_release(tide_promise_t *p, tide__reaction_t *r)
{
    for (;;) {
        tide__reaction_t *next = r->next;
        r->source = p;
        queue_job(p->loop, reaction_job, r);
        if (!next) return;
        p->refs++;
        r = next;
    }
}

/* One reaction job (PromiseReactionJob). The common outcome, a handler
 * (or the pass-through) that returns a value, is settled here; the rest
 * goes to reaction_settle.
 *
 * A job that the drain's microtask loop runs, and that settles a promise
 * with one reaction while the ring is empty, would queue a job that is the
 * very next one the drain pops: nothing runs in between. So that job runs
 * here at once, with its context and counted as the drain would; a chain
 * of thens runs as one loop, in the same order. Not while the spilled jobs
 * run: there the next spilled job comes first. */
static void reaction_job(tide_loop_t *loop, void *arg)
{
    tide__reaction_t *r = arg;
next_job:;
    tide_promise_t *src = r->source;
    tide_promise_t *derived = r->derived;
    void *data = r->data;
    tide__promises_t *s = loop->slots[TIDE__SLOT_PROMISES].state; /* exists: r came from it */
    tide_result_t res;
    if (TIDE__LIKELY(src->state == TIDE__P_FULFILLED)) {
        tide_on_fulfilled on_ok = r->on_ok;
        tide__pool_put(&s->reactions, r);
        res = on_ok ? on_ok(loop, data, src->value) : tide_ok(src->value);
        if (TIDE__LIKELY(res.kind == TIDE_RESULT_VALUE)) {
            s = loop->slots[TIDE__SLOT_PROMISES].state;
            if (derived == TIDE__DERIVED_UNSEEN || !derived) {
                promise_unref_in(s, src);
                return;
            }
            /* Fulfil derived; src goes first (unless derived's value lives
             * in its memory and keeps it), and then derived's reactions
             * are queued with the reference this job held. */
            tide__reaction_t *next = derived->head;
            derived->flags |= TIDE__PF_RESOLVED;
            derived->head = NULL;
            derived->state = TIDE__P_FULFILLED;
            derived->value = res.ptr;
            if (TIDE__UNLIKELY(src->flags & TIDE__PF_KEEPER) && res.ptr == src->value)
                set_keeper(derived, src->keeper);
            promise_unref_in(s, src);
            if (!next) {
                promise_unref_in(s, derived);
            } else if (TIDE__LIKELY(!next->next)) {
                next->source = derived;
                if (tide__ring_empty(&loop->microtasks) && !s->running_spilled) {
                    loop->context = next->context;
                    loop->callbacks++;
                    r = next;
                    goto next_job;
                }
                queue_job(loop, reaction_job, next);
            } else {
                queue_reactions_release(derived, next);
            }
            return;
        }
    } else {
        tide_on_rejected on_err = r->on_err;
        tide__pool_put(&s->reactions, r);
        res = on_err ? on_err(loop, data, src->error) : tide_rethrow(src->error);
    }
    reaction_settle(loop, src, derived, res);
}

/* ---- public: making and settling ----------------------------------------- */

int tide_promise_new(tide_loop_t *loop, tide_promise_t **out)
{
    if (!loop || !out) return -EINVAL;
    tide_promise_t *p = tide__promise_alloc(loop);
    if (!p) return -ENOMEM;
    *out = p;
    return 0;
}

int tide_promise_resolved(tide_loop_t *loop, void *value, tide_promise_t **out)
{
    if (!loop || !out) return -EINVAL;
    tide_promise_t *p = tide__promise_alloc(loop);
    if (!p) return -ENOMEM;
    p->flags = TIDE__PF_RESOLVED;
    p->state = TIDE__P_FULFILLED;
    p->value = value;
    *out = p;
    return 0;
}

int tide_promise_rejected(tide_loop_t *loop, tide_error_t *error, tide_promise_t **out)
{
    if (!loop || !out) {
        tide_error_release(error);
        return -EINVAL;
    }
    tide_promise_t *p = tide__promise_alloc(loop);
    if (!p) {
        tide_error_release(error);
        return -ENOMEM;
    }
    p->flags = TIDE__PF_RESOLVED;
    reject(p, error ? error : tide_error_new(-EINVAL, "rejected without an error"));
    *out = p;
    return 0;
}

int tide_promise_resolve(tide_promise_t *p, tide_result_t res)
{
    if (!p) {
        tide__result_drop(res);
        return -EINVAL;
    }
    if (p->flags & TIDE__PF_RESOLVED) {
        tide__result_drop(res);
        return -EALREADY;
    }
    p->flags |= TIDE__PF_RESOLVED;
    /* A resolver settles its target, whose own resolve was used up when it
     * was resolved with the thenable. */
    resolve_steps((p->flags & TIDE__PF_RESOLVER) ? p->target : p, res, NULL);
    return 0;
}

int tide_promise_fulfil(tide_promise_t *p, void *value) { return tide_promise_resolve(p, tide_ok(value)); }

int tide_promise_reject(tide_promise_t *p, tide_error_t *error)
{
    return tide_promise_resolve(p, tide_fail(error));
}

int tide_promise_fulfil_owned(tide_promise_t *p, void *value, void (*free_fn)(void *))
{
    if (!p || !free_fn) return -EINVAL;
    if (p->flags & (TIDE__PF_RESOLVED | TIDE__PF_RESOLVER)) return -EALREADY;
    p->flags |= TIDE__PF_RESOLVED | TIDE__PF_OWNS_VALUE;
    p->value_free = free_fn;
    p->keeper = p;
    p->flags |= TIDE__PF_KEEPER;
    fulfil(p, value, NULL);
    return 0;
}

/* ---- public: reactions ---------------------------------------------------- */

/* then(). When the caller does not take the derived promise (out ==
 * NULL), nobody can ever see it fulfilled, so it is only made if the
 * handler's result needs it (reaction_job). This is the general path; the
 * usual case takes then_with below. */
static TIDE__NOINLINE int then_general(tide_promise_t *p, tide_on_fulfilled on_ok, tide_on_rejected on_err,
                     void *data, void (*drop)(void *data), tide_promise_t **out)
{
    tide_loop_t *loop = p->loop;
    tide_promise_t *d = TIDE__DERIVED_UNSEEN;
    if (out) {
        d = tide__promise_alloc(loop);
        if (TIDE__UNLIKELY(!d)) return -ENOMEM;
    }
    tide__reaction_t *r = reaction_new(loop);
    if (TIDE__UNLIKELY(!r)) {
        if (out) promise_unref(d);
        return -ENOMEM;
    }
    r->derived = d;
    r->on_ok = on_ok;
    r->on_err = on_err;
    r->data = data;
    r->context = loop->context;
    r->drop = drop;
    if (out) {
        d->refs = 2; /* the caller's and the reaction's */
        *out = d;
    }
    add_reaction(p, r);
    return 0;
}

/* then() when both pools have a free object and attaching the handler
 * reports nothing (p is not a rejection still unhandled): two pops, the
 * stores and a link or ring push, with no call that would make the
 * compiler keep state across it, except when the ring must grow. */
static inline int then_with(tide_promise_t *p, tide_on_fulfilled on_ok, tide_on_rejected on_err,
                            void *data, void (*drop)(void *data), tide_promise_t **out)
{
    tide_loop_t *loop = p->loop;
    tide__promises_t *s = loop->slots[TIDE__SLOT_PROMISES].state; /* exists: p came from it */
    tide__reaction_t *r = s->reactions.free_list;
    tide_promise_t *d = s->promises.free_list;
    const uint8_t state = p->state, flags = p->flags;
    if (TIDE__UNLIKELY(!r || (out && !d) ||
                       (state == TIDE__P_REJECTED && !(flags & TIDE__PF_HANDLED))))
        return then_general(p, on_ok, on_err, data, drop, out);
    s->reactions.free_list = *(void **)r;
    if (out) {
        s->promises.free_list = *(void **)d;
        promise_init(d, loop, 2); /* the caller's and the reaction's */
        *out = d;
    } else {
        d = TIDE__DERIVED_UNSEEN;
    }
    r->derived = d;
    r->on_ok = on_ok;
    r->on_err = on_err;
    r->data = data;
    r->context = loop->context;
    r->drop = drop;
    p->flags = flags | TIDE__PF_HANDLED;
    if (state == TIDE__P_PENDING) {
        r->next = NULL;
        if (p->head) p->tail->next = r;
        else p->head = r;
        p->tail = r;
    } else {
        p->refs++;
        r->source = p;
        queue_job(loop, reaction_job, r);
    }
    return 0;
}

int tide_promise_then(tide_promise_t *p, tide_on_fulfilled on_ok, tide_on_rejected on_err,
                      void *data, tide_promise_t **out)
{
    if (!p || (p->flags & TIDE__PF_RESOLVER)) return -EINVAL;
    return then_with(p, on_ok, on_err, data, NULL, out);
}

int tide_promise_catch(tide_promise_t *p, tide_on_rejected on_err, void *data, tide_promise_t **out)
{
    return tide_promise_then(p, NULL, on_err, data, out);
}

int tide__promise_watch(tide_promise_t *p, tide_on_fulfilled on_ok, tide_on_rejected on_err,
                        void *data, void (*drop)(void *data))
{
    tide__reaction_t *r = reaction_new(p->loop);
    if (TIDE__UNLIKELY(!r)) return -ENOMEM;
    r->derived = NULL;
    r->on_ok = on_ok;
    r->on_err = on_err;
    r->data = data;
    r->context = p->loop->context;
    r->drop = drop;
    add_reaction(p, r);
    return 0;
}

/* ---- finally (P6) ----------------------------------------------------- */

typedef struct {
    tide_on_settled fn;
    void *data;
    tide_loop_t *loop;
} finally_t;

/* Drops: what a finally reaction owns, given back if its promise is freed
 * unsettled and the reaction never runs. */
static void finally_drop(void *rec)
{
    finally_t *f = rec;
    tide__pool_put(&tide__promises(f->loop)->finallies, f);
}

static void error_drop(void *error) { tide_error_release(error); }

static tide_result_t finally_value(tide_loop_t *loop, void *data, void *ignored)
{
    return tide_ok(data);
}

static tide_result_t finally_rethrow_ok(tide_loop_t *loop, void *data, void *ignored)
{
    return tide_fail(data); /* the original error; this reaction owned it */
}

static tide_result_t finally_rethrow_err(tide_loop_t *loop, void *data, tide_error_t *error)
{
    tide_error_release(data); /* the fn's own failure wins */
    return tide_rethrow(error);
}

/* PromiseResolve(f()).then(thunk): the thunk hands back the value or
 * rethrows the error once what fn returned has settled. */
static tide_result_t finally_run(tide_loop_t *loop, void *data, int fulfilled, void *value,
                                 tide_error_t *error)
{
    finally_t f = *(finally_t *)data;
    finally_drop(data);
    tide_result_t c = f.fn(loop, f.data);
    if (c.kind == TIDE_RESULT_ERROR) return c;
    tide_promise_t *cp;
    if (c.kind == TIDE_RESULT_PROMISE && c.ptr) {
        cp = c.ptr; /* PromiseResolve of a native promise is the promise */
    } else {
        cp = tide__promise_alloc(loop);
        if (!cp) {
            tide__result_drop(c);
            return tide_fail(tide_error_new(-ENOMEM, NULL));
        }
        cp->flags |= TIDE__PF_RESOLVED;
        resolve_steps(cp, c.kind == TIDE_RESULT_VALUE ? tide_ok(NULL) : c, NULL);
    }
    tide_promise_t *d2;
    int rc = fulfilled ? then_with(cp, finally_value, NULL, value, NULL, &d2)
                       : then_with(cp, finally_rethrow_ok, finally_rethrow_err, tide_error_ref(error),
                                   error_drop, &d2);
    promise_unref(cp);
    if (rc) {
        if (!fulfilled) tide_error_release(error);
        return tide_fail(tide_error_new(rc, NULL));
    }
    return tide_adopt(d2);
}

static tide_result_t finally_on_ok(tide_loop_t *loop, void *data, void *value)
{
    return finally_run(loop, data, 1, value, NULL);
}

static tide_result_t finally_on_err(tide_loop_t *loop, void *data, tide_error_t *error)
{
    return finally_run(loop, data, 0, NULL, error);
}

int tide_promise_finally(tide_promise_t *p, tide_on_settled fn, void *data, tide_promise_t **out)
{
    if (!p || (p->flags & TIDE__PF_RESOLVER)) return -EINVAL;
    if (!fn) return then_with(p, NULL, NULL, NULL, NULL, out);
    finally_t *f = tide__pool_get(&tide__promises(p->loop)->finallies);
    if (!f) return -ENOMEM;
    f->fn = fn;
    f->data = data;
    f->loop = p->loop;
    int rc = then_with(p, finally_on_ok, finally_on_err, f, finally_drop, out);
    if (rc) finally_drop(f);
    return rc;
}

/* ---- inspecting ------------------------------------------------------ */

tide_promise_state tide_promise_state_of(const tide_promise_t *p)
{
    if (!p) return TIDE_PROMISE_PENDING;
    return p->state == TIDE__P_FULFILLED  ? TIDE_PROMISE_FULFILLED
           : p->state == TIDE__P_REJECTED ? TIDE_PROMISE_REJECTED
                                           : TIDE_PROMISE_PENDING;
}

void *tide_promise_value(const tide_promise_t *p)
{
    return p && p->state == TIDE__P_FULFILLED ? p->value : NULL;
}

tide_error_t *tide_promise_error(const tide_promise_t *p)
{
    return p && p->state == TIDE__P_REJECTED ? p->error : NULL;
}

tide_loop_t *tide_promise_loop(const tide_promise_t *p) { return p ? p->loop : NULL; }
