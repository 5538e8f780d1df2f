/* core/timeout.c - Node's setTimeout/setInterval family on top of timer
 * handles: the loop owns the timer, the program holds a generation-checked
 * id, and the timer goes back to the pool when it can never fire again. */
#include <string.h>

#include "core/internal.h"

/* Node coerces a delay below 1 ms (0, negative, NaN) or above TIMEOUT_MAX
 * to 1 ms (T1). */
static uint64_t coerce_delay(uint64_t ms) { return ms < 1 || ms > TIDE_TIMEOUT_MAX ? 1 : ms; }

static void timeout_release(tide__timeout_t *to)
{
    tide_loop_t *loop = to->timer.h.loop;
    tide__timer_close(&to->timer);
    tide__ids_free(&loop->timeout_ids, to->id);
    to->timer.h.flags = TIDE__CLOSED;
    tide__pool_put(&loop->timeout_pool, to);
}

/* While the callback runs the timeout is marked firing, so a clear from
 * inside it only marks it; it is released once the callback returns, unless
 * the callback re-armed it (refresh) or it is an interval still armed. */
static void timeout_fire(tide_timer_t *timer, void *unused)
{
    tide__timeout_t *to = (tide__timeout_t *)timer;
    to->firing = 1;
    to->fn(timer->h.loop, to->arg);
    to->firing = 0;
    if (to->cleared || !(timer->h.flags & TIDE__ACTIVE)) timeout_release(to);
}

static tide_id_t schedule(tide_loop_t *loop, tide_fn cb, void *data, uint64_t ms, int repeat)
{
    if (!loop || !cb) return -EINVAL;
    tide__timeout_t *to = tide__pool_get(&loop->timeout_pool);
    if (!to) return -ENOMEM;
    memset(to, 0, sizeof *to);
    tide__handle_init(loop, &to->timer.h, TIDE_HANDLE_TIMER);
    /* Loop-owned: not an open handle that tide_loop_close waits for. */
    to->timer.h.flags |= TIDE__INTERNAL;
    loop->open_handles--;
    to->fn = cb;
    to->arg = data;
    int64_t id = tide__ids_alloc(&loop->timeout_ids, to);
    if (id < 0) {
        tide__pool_put(&loop->timeout_pool, to);
        return id;
    }
    to->id = id;
    uint64_t ns = coerce_delay(ms) * TIDE__NS_PER_MS;
    int err = tide_timer_start_ns(&to->timer, timeout_fire, ns, repeat ? ns : 0, NULL);
    if (err) {
        timeout_release(to);
        return err;
    }
    return id;
}

tide_id_t tide_set_timeout(tide_loop_t *loop, tide_fn cb, void *data, uint64_t delay_ms)
{
    return schedule(loop, cb, data, delay_ms, 0);
}

tide_id_t tide_set_interval(tide_loop_t *loop, tide_fn cb, void *data, uint64_t delay_ms)
{
    return schedule(loop, cb, data, delay_ms, 1);
}

int tide_clear_timeout(tide_loop_t *loop, tide_id_t id)
{
    if (!loop) return 0;
    tide__timeout_t *to = tide__ids_get(&loop->timeout_ids, id);
    if (!to || to->cleared) return 0;
    if (to->firing) {
        /* Released by timeout_fire when the callback returns. */
        to->cleared = 1;
        tide__timer_close(&to->timer);
        return 1;
    }
    int was_pending = (to->timer.h.flags & TIDE__ACTIVE) != 0;
    timeout_release(to);
    return was_pending;
}

int tide_clear_interval(tide_loop_t *loop, tide_id_t id) { return tide_clear_timeout(loop, id); }

static tide__timeout_t *lookup(tide_loop_t *loop, tide_id_t id)
{
    tide__timeout_t *to = loop ? tide__ids_get(&loop->timeout_ids, id) : NULL;
    return to && !to->cleared ? to : NULL;
}

int tide_timeout_refresh(tide_loop_t *loop, tide_id_t id)
{
    tide__timeout_t *to = lookup(loop, id);
    if (!to) return -ENOENT;
    return tide_timer_refresh(&to->timer);
}

int tide_timeout_ref(tide_loop_t *loop, tide_id_t id)
{
    tide__timeout_t *to = lookup(loop, id);
    if (!to) return -ENOENT;
    tide_ref(&to->timer.h);
    return 0;
}

int tide_timeout_unref(tide_loop_t *loop, tide_id_t id)
{
    tide__timeout_t *to = lookup(loop, id);
    if (!to) return -ENOENT;
    tide_unref(&to->timer.h);
    return 0;
}

int tide_timeout_has_ref(tide_loop_t *loop, tide_id_t id)
{
    tide__timeout_t *to = lookup(loop, id);
    if (!to) return -ENOENT;
    return tide_has_ref(&to->timer.h);
}

/* Release every timeout still owned by the loop (at loop close). */
void tide__timeouts_destroy(tide_loop_t *loop)
{
    for (uint32_t i = 0; i < loop->timeout_ids.count; i++) {
        tide__timeout_t *to = loop->timeout_ids.slots[i].ptr;
        if (to) timeout_release(to);
    }
    tide__ids_destroy(&loop->timeout_ids);
    tide__pool_destroy(&loop->timeout_pool);
}
