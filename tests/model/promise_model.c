/* tests/model/promise_model.c - random promise programs, the tide side of
 * the differential test against Node (promise_model.js draws the same
 * numbers and builds the same program). Usage: promise_model FIRST COUNT;
 * prints every event, seed by seed. Handlers return values, fail, or
 * adopt another promise of the program; finally handlers fail or not;
 * combinators mix the program's promises; roots are pending (settled by
 * 0 ms timers), fulfilled or rejected; async functions await one of them
 * and return or fail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tide.h>

#include "model.h"

static void code_of(const tide_error_t *e, char *buf, size_t size)
{
    if (e->code == TIDE_EAGGREGATE) snprintf(buf, size, "AGG%zu", e->nerrors);
    else snprintf(buf, size, "%d", e->code);
}

enum { MAX = 64 };
static tide_promise_t *P[MAX];
static int np;

typedef struct {
    int id, how, on_error;
    tide_promise_t *target;
} handler_t;
static handler_t handlers[MAX];
static int nh;

static tide_error_t *fail(int code) { return tide_error_new(code, "e"); }

static tide_result_t run_handler(handler_t *h, intptr_t x, const tide_error_t *e)
{
    char c[32];
    if (e) {
        code_of(e, c, sizeof c);
        printf("h%d err %s\n", h->id, c);
    } else {
        printf("h%d ok %ld\n", h->id, (long)x);
    }
    if (h->how == 1) return tide_fail(fail(-(100 + h->id)));
    if (h->how == 2) return tide_adopt(tide_promise_ref(h->target));
    return tide_ok((void *)(e ? (intptr_t)h->id * 100 : x + 1));
}

static tide_result_t on_ok(tide_loop_t *loop, void *data, void *value)
{
    return run_handler(data, (intptr_t)value, NULL);
}

static tide_result_t on_err(tide_loop_t *loop, void *data, tide_error_t *error)
{
    return run_handler(data, 0, error);
}

static tide_result_t on_finally(tide_loop_t *loop, void *data)
{
    handler_t *h = data;
    printf("f%d\n", h->id);
    return h->how ? tide_fail(fail(-(100 + h->id))) : tide_ok(NULL);
}

typedef struct {
    handler_t *ok, *err;
} pair_t;
static pair_t pairs[MAX];

static tide_result_t pair_ok(tide_loop_t *loop, void *data, void *value)
{
    return on_ok(loop, ((pair_t *)data)->ok, value);
}

static tide_result_t pair_err(tide_loop_t *loop, void *data, tide_error_t *error)
{
    return on_err(loop, ((pair_t *)data)->err, error);
}

/* An async function: await the promise, log what came back, then return
 * or fail. */
static tide_result_t awaiter(tide_loop_t *loop, void *arg)
{
    handler_t *h = arg;
    void *v;
    tide_error_t *e = NULL;
    char c[32];
    if (tide_await(h->target, &v, &e) == 0) {
        printf("a%d ok %ld\n", h->id, (long)(intptr_t)v);
    } else {
        code_of(e, c, sizeof c);
        printf("a%d err %s\n", h->id, c);
        tide_error_release(e);
    }
    if (h->how) return tide_fail(fail(-(100 + h->id)));
    return tide_ok((void *)((intptr_t)h->id * 1000));
}

static handler_t *handler(int on_error)
{
    handler_t *h = &handlers[nh];
    h->id = nh++;
    h->how = (int)rnd(3);
    h->target = P[rnd((uint32_t)np)];
    h->on_error = on_error;
    return h;
}

static handler_t *finally_handler(void)
{
    handler_t *h = &handlers[nh];
    h->id = nh++;
    h->how = (int)rnd(2);
    return h;
}

typedef struct {
    int which;
    size_t n;
} combo_t;
static combo_t combos[MAX];
static const char *names[] = {"all", "allSettled", "race", "any"};

static tide_result_t combo_ok(tide_loop_t *loop, void *data, void *value)
{
    combo_t *c = data;
    if (c->which == 0) {
        printf("all ");
        for (size_t i = 0; i < c->n; i++) printf("%s%ld", i ? "," : "", (long)(intptr_t)((void **)value)[i]);
        printf("\n");
    } else if (c->which == 1) {
        printf("allSettled ");
        for (size_t i = 0; i < c->n; i++) printf("%c", ((tide_settled_t *)value)[i].fulfilled ? 'f' : 'r');
        printf("\n");
    } else {
        printf("%s %ld\n", names[c->which], (long)(intptr_t)value);
    }
    return tide_ok((void *)7);
}

static tide_result_t combo_err(tide_loop_t *loop, void *data, tide_error_t *e)
{
    char c[32];
    code_of(e, c, sizeof c);
    printf("%s err %s\n", names[((combo_t *)data)->which], c);
    return tide_ok((void *)8);
}

typedef struct {
    int k, reject;
    tide_promise_t *p;
} root_t;
static root_t roots[4];

static void settle(tide_loop_t *loop, void *data)
{
    root_t *r = data;
    printf("settle %d\n", r->k);
    if (r->reject) must(tide_promise_reject(r->p, fail(-(10 + r->k))), "reject");
    else must(tide_promise_fulfil(r->p, (void *)(intptr_t)(r->k * 10)), "fulfil");
}

static void on_unhandled(tide_loop_t *loop, tide_promise_t *p, tide_error_t *e, void *data)
{
    char c[32];
    code_of(e, c, sizeof c);
    printf("unhandled %s\n", c);
}

typedef int (*combinator)(tide_loop_t *, tide_promise_t *const *, size_t, tide_promise_t **);

static void build(tide_loop_t *loop, uint32_t seed)
{
    seed_rnd(seed);
    np = nh = 0;
    int nroots = 1 + (int)rnd(3);
    for (int k = 0; k < nroots; k++) {
        int kind = (int)rnd(3);
        if (kind == 0) {
            must(tide_promise_new(loop, &P[np]), "new");
            roots[k].k = k;
            roots[k].p = P[np++];
            roots[k].reject = (int)rnd(2);
            must((int)tide_set_timeout(loop, settle, &roots[k], 0), "timeout");
        } else if (kind == 1) {
            must(tide_promise_resolved(loop, (void *)(intptr_t)(k * 10), &P[np++]), "resolved");
        } else {
            must(tide_promise_rejected(loop, fail(-(10 + k)), &P[np++]), "rejected");
        }
    }
    int ops = 3 + (int)rnd(8);
    for (int i = 0; i < ops; i++) {
        int kind = (int)rnd(6);
        tide_promise_t *src = P[rnd((uint32_t)np)];
        tide_promise_t *d;
        if (kind == 0) {
            must(tide_promise_then(src, on_ok, NULL, handler(0), &d), "then");
        } else if (kind == 1) {
            /* both handlers share one data pointer: a pair of them */
            pair_t *pair = &pairs[i];
            pair->ok = handler(0);
            pair->err = handler(1);
            must(tide_promise_then(src, pair_ok, pair_err, pair, &d), "then");
        } else if (kind == 2) {
            must(tide_promise_catch(src, on_err, handler(1), &d), "catch");
        } else if (kind == 3) {
            must(tide_promise_finally(src, on_finally, finally_handler(), &d), "finally");
        } else if (kind == 4) {
            handler_t *h = &handlers[nh];
            h->id = nh++;
            h->how = (int)rnd(2);
            h->target = src;
            must(tide_async(loop, awaiter, h, &d), "async");
        } else {
            combo_t *c = &combos[i];
            c->which = (int)rnd(4);
            c->n = 1 + rnd(3);
            tide_promise_t *in[3];
            for (size_t j = 0; j < c->n; j++) in[j] = P[rnd((uint32_t)np)];
            static const combinator fns[] = {tide_promise_all, tide_promise_all_settled,
                                             tide_promise_race, tide_promise_any};
            tide_promise_t *r;
            must(fns[c->which](loop, in, c->n, &r), "combinator");
            must(tide_promise_then(r, combo_ok, combo_err, c, &d), "then");
            tide_promise_release(r);
        }
        P[np++] = d;
    }
}

int main(int argc, char **argv)
{
    uint32_t first = argc > 1 ? (uint32_t)atoi(argv[1]) : 1;
    uint32_t count = argc > 2 ? (uint32_t)atoi(argv[2]) : 100;
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    for (uint32_t seed = first; seed < first + count; seed++) {
        tide_loop_t *loop;
        must(tide_loop_new(&loop), "loop");
        must(tide_on_unhandled_rejection(loop, on_unhandled, NULL), "hook");
        printf("seed %u\n", seed);
        build(loop, seed);
        must(tide_run(loop, TIDE_RUN_DEFAULT), "run");
        for (int i = 0; i < np; i++) tide_promise_release(P[i]);
        must(tide_run(loop, TIDE_RUN_DEFAULT), "run");
        must(tide_loop_close(loop), "close");
    }
    return 0;
}
