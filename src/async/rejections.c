/* async/rejections.c - unhandled-rejection tracking (SEMANTICS.md P8):
 * promises rejected without a handler are recorded; once a drain has
 * emptied both queues, those still unhandled are reported, and reported
 * ones that got a handler since are announced as handled late. */
#include <stdio.h>
#include <stdlib.h>

#include "async/promise_internal.h"

static int push_ref(tide_promise_t ***arr, uint32_t *len, uint32_t *cap, tide_promise_t *p)
{
    if (*len == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 16;
        tide_promise_t **n = tide__realloc(*arr, ncap * sizeof *n);
        if (!n) return -ENOMEM;
        *arr = n;
        *cap = ncap;
    }
    (*arr)[(*len)++] = tide_promise_ref(p);
    return 0;
}

void tide__promises_arm_hook(tide_loop_t *loop) { loop->drain_hook = tide__promises_drain_hook; }

void tide__rejection_track(tide_promise_t *p)
{
    tide__promises_t *s = tide__promises(p->loop);
    if (s->mode == TIDE_UNHANDLED_NONE && !s->on_unhandled) return;
    /* Without memory to remember it, say so now rather than never. */
    if (push_ref(&s->unhandled, &s->unhandled_len, &s->unhandled_cap, p) != 0) {
        fprintf(stderr, "tide: unhandled promise rejection not tracked (out of memory): ");
        tide_error_print(p->error, stderr);
        return;
    }
    p->flags |= TIDE__PF_TRACKED;
    tide__promises_arm_hook(p->loop);
}

void tide__rejection_handled(tide_promise_t *p)
{
    if (!(p->flags & TIDE__PF_REPORTED)) return; /* the check will skip it */
    p->flags &= ~TIDE__PF_REPORTED;
    tide__promises_t *s = tide__promises(p->loop);
    if (!s->on_handled) return;
    if (push_ref(&s->handled_late, &s->handled_late_len, &s->handled_late_cap, p) == 0)
        tide__promises_arm_hook(p->loop);
}

static void report_unhandled(tide_loop_t *loop, tide__promises_t *s, tide_promise_t *p)
{
    p->flags |= TIDE__PF_REPORTED;
    if (s->on_unhandled) {
        s->on_unhandled(loop, p, p->error, s->on_unhandled_data);
        return;
    }
    if (s->mode == TIDE_UNHANDLED_NONE) return;
    fprintf(stderr, "tide: unhandled promise rejection: ");
    tide_error_print(p->error, stderr);
    if (s->mode == TIDE_UNHANDLED_THROW) {
        /* Node >= 15: an unhandled rejection is an uncaught exception. The
         * queues are empty here, as in Node when it exits. */
        fflush(stdout);
        exit(1);
    }
}

/* Runs at the end of a drain. Processes the records as they were when it
 * started; what the callbacks add is seen at the next check. */
int tide__promises_drain_hook(tide_loop_t *loop)
{
    tide__promises_t *s = loop->slots[TIDE__SLOT_PROMISES].state;
    loop->drain_hook = NULL;
    if (!s) return 0;
    if (s->spill_head) {
        tide__promises_run_spilled(loop, s);
        tide__promises_arm_hook(loop);
        return 1; /* what they queued runs before the rejection check */
    }

    uint32_t n = s->handled_late_len;
    if (n) {
        tide_promise_t **late = s->handled_late;
        s->handled_late = NULL;
        s->handled_late_len = s->handled_late_cap = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (s->on_handled) s->on_handled(loop, late[i], late[i]->error, s->on_handled_data);
            tide_promise_release(late[i]);
        }
        tide__free(late);
    }
    n = s->unhandled_len;
    if (n) {
        tide_promise_t **list = s->unhandled;
        s->unhandled = NULL;
        s->unhandled_len = s->unhandled_cap = 0;
        for (uint32_t i = 0; i < n; i++) {
            tide_promise_t *p = list[i];
            p->flags &= ~TIDE__PF_TRACKED;
            if (!(p->flags & TIDE__PF_HANDLED)) report_unhandled(loop, s, p);
            tide_promise_release(p);
        }
        tide__free(list);
    }
    return !tide__ring_empty(&loop->ticks) || !tide__ring_empty(&loop->microtasks);
}

int tide_on_unhandled_rejection(tide_loop_t *loop, tide_rejection_cb cb, void *data)
{
    if (!loop) return -EINVAL;
    tide__promises_t *s = tide__promises(loop);
    if (!s) return -ENOMEM;
    s->on_unhandled = cb;
    s->on_unhandled_data = data;
    return 0;
}

int tide_on_rejection_handled(tide_loop_t *loop, tide_rejection_cb cb, void *data)
{
    if (!loop) return -EINVAL;
    tide__promises_t *s = tide__promises(loop);
    if (!s) return -ENOMEM;
    s->on_handled = cb;
    s->on_handled_data = data;
    return 0;
}

int tide_set_unhandled_rejections(tide_loop_t *loop, tide_unhandled_mode mode)
{
    if (!loop || mode < TIDE_UNHANDLED_THROW || mode > TIDE_UNHANDLED_NONE) return -EINVAL;
    tide__promises_t *s = tide__promises(loop);
    if (!s) return -ENOMEM;
    s->mode = mode;
    return 0;
}
