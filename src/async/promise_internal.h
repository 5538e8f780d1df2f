/* async/promise_internal.h - the layout of promises and reactions and the
 * calls the promise files (promise.c, combinators.c, rejections.c) and the
 * await machinery share. */
#ifndef TIDE_ASYNC_PROMISE_INTERNAL_H
#define TIDE_ASYNC_PROMISE_INTERNAL_H

#include "core/internal.h"

enum { TIDE__P_PENDING, TIDE__P_FULFILLED, TIDE__P_REJECTED };

enum {
    TIDE__PF_RESOLVED = 1,   /* its resolve/reject were used: later calls are ignored */
    TIDE__PF_HANDLED = 2,    /* a reaction was attached at some point */
    TIDE__PF_TRACKED = 4,    /* rejected unhandled, waiting for the next check */
    TIDE__PF_REPORTED = 8,   /* reported unhandled; a late handler is announced */
    TIDE__PF_RESOLVER = 16,  /* settles `target` instead of itself (thenables) */
    TIDE__PF_OWNS_VALUE = 32, /* value_free(value) runs when it is freed */
    TIDE__PF_KEEPER = 64      /* keeper is set (and held unless it is the promise itself) */
};

/* A settled promise with none of these is freed by a pool put alone. */
#define TIDE__PF_FREE_WORK (TIDE__PF_RESOLVER | TIDE__PF_OWNS_VALUE | TIDE__PF_KEEPER)

typedef struct tide__reaction tide__reaction_t;

/* One registered then(). While the promise is pending it sits in the
 * promise's list (next); once queued as a job it points at the settled
 * promise it reads (source, one reference). */
/* The derived promise of a then() whose caller did not take it: made only
 * when the handler's result needs one (promise.c, then_with). */
#define TIDE__DERIVED_UNSEEN ((tide_promise_t *)(uintptr_t)1)

struct tide__reaction {
    union {
        tide__reaction_t *next;
        tide_promise_t *source;
    };
    tide_promise_t *derived; /* resolved with the handler's result; may be NULL */
    tide_on_fulfilled on_ok;
    tide_on_rejected on_err;
    void *data;
    void *context;           /* async context when then() was called */
    /* Only when the microtask ring could not grow: the job waits on the
     * spill list and runs at the end of the drain. */
    tide__reaction_t *spill_next;
    union {
        tide_fn spill_job;
        /* cleanup of data if the promise is freed unsettled and the
         * reaction never runs (NULL: nothing to clean) */
        void (*drop)(void *data);
    };
};

struct tide_promise_s {
    uint32_t refs;
    uint8_t state;
    uint8_t flags;
    uint16_t spare; /* zeroed with the three above, so that is one store */
    tide_loop_t *loop;
    union {
        void *value;
        tide_error_t *error;
        tide_promise_t *target; /* TIDE__PF_RESOLVER */
    };
    tide__reaction_t *head; /* pending reactions, in registration order */
    tide__reaction_t *tail; /* the last of them; meaningless while head is NULL */
    tide_promise_t *keeper;  /* with TIDE__PF_KEEPER: the promise whose memory
                                this value lives in */
    void (*value_free)(void *);
};

/* Per-loop state of the promise layer (loop slot TIDE__SLOT_PROMISES). */
typedef struct {
    tide__pool_t promises;
    tide__pool_t reactions;
    tide__pool_t finallies;
    tide__pool_t listeners;   /* abort-signal listeners (abort.c) */
    tide__pool_t sleeps;      /* tide_sleep and tide_immediate records (sleep.c) */
    /* rejections seen in this drain without a handler, in order */
    tide_promise_t **unhandled;
    uint32_t unhandled_len, unhandled_cap;
    /* reported promises that got a handler since: 'rejectionHandled' */
    tide_promise_t **handled_late;
    uint32_t handled_late_len, handled_late_cap;
    /* jobs that could not be queued for lack of memory, run at the end
     * of the drain */
    tide__reaction_t *spill_head, *spill_tail;
    int running_spilled;      /* tide__promises_run_spilled is running jobs */
    tide_rejection_cb on_unhandled, on_handled;
    void *on_unhandled_data, *on_handled_data;
    tide_unhandled_mode mode;
} tide__promises_t;

tide__promises_t *tide__promises_create(tide_loop_t *loop);

/* The loop's promise state, made on first use. */
static inline tide__promises_t *tide__promises(tide_loop_t *loop)
{
    tide__promises_t *s = loop->slots[TIDE__SLOT_PROMISES].state;
    return TIDE__LIKELY(s != NULL) ? s : tide__promises_create(loop);
}

/* A pending promise with one reference, or NULL when memory ran out. */
tide_promise_t *tide__promise_alloc(tide_loop_t *loop);

/* then() without a derived promise: handlers run as a job, their result is
 * dropped. Used by await and the combinators. drop (may be NULL) cleans up
 * data if p is freed unsettled. -ENOMEM on exhaustion. */
int tide__promise_watch(tide_promise_t *p, tide_on_fulfilled on_ok, tide_on_rejected on_err,
                        void *data, void (*drop)(void *data));

/* What attaching a reaction does to the rejection bookkeeping, for callers
 * that act on a settled promise without one (await's fast path). */
void tide__promise_mark_handled(tide_promise_t *p);

/* Drop what a result carries (an error or promise reference). */
void tide__result_drop(tide_result_t r);

/* Unhandled-rejection bookkeeping (rejections.c). */
void tide__rejection_track(tide_promise_t *p);
void tide__rejection_handled(tide_promise_t *p);
int tide__promises_drain_hook(tide_loop_t *loop);
void tide__promises_arm_hook(tide_loop_t *loop);
/* Run the jobs that found no room in the microtask ring. */
void tide__promises_run_spilled(tide_loop_t *loop, tide__promises_t *s);

#endif /* TIDE_ASYNC_PROMISE_INTERNAL_H */
