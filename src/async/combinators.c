/* async/combinators.c - all, allSettled, race and any (SEMANTICS.md P7).
 *
 * Each input gets one watching reaction, as Promise.resolve(x).then(...)
 * does, and the result settles inside the job of the deciding input, so
 * for settled inputs a then() on the result runs at turn 2, as in Node.
 * Every input is watched even after the result is decided, which marks
 * later rejections as handled. */
#include <string.h>

#include "async/promise_internal.h"

typedef enum { COMBO_ALL, COMBO_ALL_SETTLED, COMBO_RACE, COMBO_ANY } combo_kind;

typedef struct combo combo_t;
typedef struct {
    combo_t *combo;
    size_t index;
} combo_elem_t;

struct combo {
    combo_kind kind;
    size_t n;
    size_t remaining;  /* inputs not settled yet (all, allSettled, any) */
    size_t watching;   /* reactions that have not run or been dropped */
    tide_promise_t *result;
    void *items;       /* values, settled entries or errors, by kind */
    combo_elem_t elems[];
};

/* Arrays handed out as values carry their length in front. */
typedef struct {
    size_t n;
    max_align_t items[];
} sized_array_t;

static void *sized_alloc(size_t n, size_t item)
{
    sized_array_t *a = tide__calloc(1, sizeof *a + (n ? n : 1) * item);
    if (!a) return NULL;
    a->n = n;
    return a->items;
}

static sized_array_t *sized_of(void *items)
{
    return (sized_array_t *)((char *)items - offsetof(sized_array_t, items));
}

static void free_values(void *items) { tide__free(sized_of(items)); }

static void free_settled(void *items)
{
    tide_settled_t *e = items;
    for (size_t i = 0; i < sized_of(items)->n; i++) tide_error_release(e[i].error);
    tide__free(sized_of(items));
}

static void free_errors(void *items)
{
    tide_error_t **e = items;
    for (size_t i = 0; i < sized_of(items)->n; i++) tide_error_release(e[i]);
    tide__free(sized_of(items));
}

static void combo_unwatch(combo_t *c)
{
    if (--c->watching) return;
    if (c->items) {
        if (c->kind == COMBO_ALL) free_values(c->items);
        else if (c->kind == COMBO_ALL_SETTLED) free_settled(c->items);
        else if (c->kind == COMBO_ANY) free_errors(c->items);
    }
    tide_promise_release(c->result);
    tide__free(c);
}

static void combo_drop(void *data) { combo_unwatch(((combo_elem_t *)data)->combo); }

static int decided(const combo_t *c) { return c->result->flags & TIDE__PF_RESOLVED; }

/* The result takes the array: the combo no longer frees it. */
static void hand_over(combo_t *c, void (*free_fn)(void *))
{
    void *items = c->items;
    c->items = NULL;
    tide_promise_fulfil_owned(c->result, items, free_fn);
}

static tide_result_t on_ok(tide_loop_t *loop, void *data, void *value)
{
    combo_elem_t *e = data;
    combo_t *c = e->combo;
    switch (c->kind) {
    case COMBO_ALL:
        if (!decided(c)) {
            ((void **)c->items)[e->index] = value;
            if (--c->remaining == 0) hand_over(c, free_values);
        }
        break;
    case COMBO_ALL_SETTLED: {
        tide_settled_t *s = &((tide_settled_t *)c->items)[e->index];
        s->fulfilled = 1;
        s->value = value;
        if (--c->remaining == 0) hand_over(c, free_settled);
        break;
    }
    case COMBO_RACE:
    case COMBO_ANY:
        if (!decided(c)) tide_promise_fulfil(c->result, value);
        break;
    }
    combo_unwatch(c);
    return tide_ok(NULL);
}

static tide_result_t on_err(tide_loop_t *loop, void *data, tide_error_t *error)
{
    combo_elem_t *e = data;
    combo_t *c = e->combo;
    switch (c->kind) {
    case COMBO_ALL:
    case COMBO_RACE:
        if (!decided(c)) tide_promise_reject(c->result, tide_error_ref(error));
        break;
    case COMBO_ALL_SETTLED: {
        tide_settled_t *s = &((tide_settled_t *)c->items)[e->index];
        s->fulfilled = 0;
        s->error = tide_error_ref(error);
        if (--c->remaining == 0) hand_over(c, free_settled);
        break;
    }
    case COMBO_ANY:
        if (!decided(c)) {
            tide_error_t **errs = c->items;
            errs[e->index] = tide_error_ref(error);
            if (--c->remaining == 0)
                tide_promise_reject(c->result, tide_error_aggregate("All promises were rejected",
                                                                    errs, c->n));
        }
        break;
    }
    combo_unwatch(c);
    return tide_ok(NULL);
}

static int combine(tide_loop_t *loop, combo_kind kind, tide_promise_t *const *inputs, size_t n,
                   tide_promise_t **out)
{
    if (!loop || !out || (n && !inputs)) return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!inputs[i] || inputs[i]->loop != loop || (inputs[i]->flags & TIDE__PF_RESOLVER))
            return -EINVAL;
    tide_promise_t *result = tide__promise_alloc(loop);
    if (!result) return -ENOMEM;
    combo_t *c = tide__calloc(1, sizeof *c + n * sizeof c->elems[0]);
    static const size_t item_size[] = {sizeof(void *), sizeof(tide_settled_t), 0, sizeof(void *)};
    if (c && item_size[kind]) c->items = sized_alloc(n, item_size[kind]);
    if (!c || (item_size[kind] && !c->items)) {
        tide__free(c);
        tide_promise_release(result);
        return -ENOMEM;
    }
    c->kind = kind;
    c->n = n;
    c->remaining = n;
    c->result = tide_promise_ref(result);
    c->watching = 1; /* held by this call until the loop below is done */
    for (size_t i = 0; i < n; i++) {
        c->elems[i].combo = c;
        c->elems[i].index = i;
        c->watching++;
        if (tide__promise_watch(inputs[i], on_ok, on_err, &c->elems[i], combo_drop) != 0) {
            c->watching--;
            if (!decided(c)) tide_promise_reject(result, tide_error_new(-ENOMEM, NULL));
        }
    }
    /* Empty inputs decide at once: all and allSettled with [], any rejects. */
    if (n == 0) {
        if (kind == COMBO_ALL) hand_over(c, free_values);
        else if (kind == COMBO_ALL_SETTLED) hand_over(c, free_settled);
        else if (kind == COMBO_ANY)
            tide_promise_reject(result, tide_error_aggregate("All promises were rejected", NULL, 0));
    }
    combo_unwatch(c);
    *out = result;
    return 0;
}

int tide_promise_all(tide_loop_t *loop, tide_promise_t *const *inputs, size_t n, tide_promise_t **out)
{
    return combine(loop, COMBO_ALL, inputs, n, out);
}

int tide_promise_all_settled(tide_loop_t *loop, tide_promise_t *const *inputs, size_t n,
                             tide_promise_t **out)
{
    return combine(loop, COMBO_ALL_SETTLED, inputs, n, out);
}

int tide_promise_race(tide_loop_t *loop, tide_promise_t *const *inputs, size_t n, tide_promise_t **out)
{
    return combine(loop, COMBO_RACE, inputs, n, out);
}

int tide_promise_any(tide_loop_t *loop, tide_promise_t *const *inputs, size_t n, tide_promise_t **out)
{
    return combine(loop, COMBO_ANY, inputs, n, out);
}
