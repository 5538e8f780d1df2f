/* core/immediate.c - setImmediate and the check phase's immediate queue.
 *
 * Immediates live in one growable array and link to each other by index,
 * so queueing one is a free-list pop and a store, and ids stay valid when
 * the array moves. A cleared immediate stays linked with its function
 * cleared and is skipped; its slot is recycled when the phase passes it. */
#include "core/internal.h"

static int grow(tide_loop_t *loop)
{
    uint32_t old = loop->imm_cap;
    uint32_t cap = old ? old * 2 : 64;
    if (cap > (UINT32_MAX >> 1)) return -ENOMEM;
    tide__immediate_t *a = tide__realloc(loop->imm, sizeof *a * cap);
    if (!a) return -ENOMEM;
    for (uint32_t i = old; i < cap; i++) {
        a[i].fn = NULL;
        a[i].gen = 1;
        a[i].next = i + 1 < cap ? i + 2 : loop->imm_free;
    }
    loop->imm = a;
    loop->imm_cap = cap;
    loop->imm_free = old + 1;
    return 0;
}

tide_id_t tide_set_immediate(tide_loop_t *loop, tide_fn cb, void *data)
{
    if (!loop || !cb) return -EINVAL;
    if (TIDE__UNLIKELY(!loop->imm_free)) {
        int err = grow(loop);
        if (err) return err;
    }
    uint32_t slot = loop->imm_free;
    tide__immediate_t *e = &loop->imm[slot - 1];
    loop->imm_free = e->next;
    e->fn = cb;
    e->data = data;
    e->context = loop->context;
    e->next = 0;
    if (loop->imm_tail)
        loop->imm[loop->imm_tail - 1].next = slot;
    else
        loop->imm_head = slot;
    loop->imm_tail = slot;
    loop->immediate_count++;
    return ((int64_t)e->gen << 32) | slot;
}

int tide_clear_immediate(tide_loop_t *loop, tide_id_t id)
{
    if (!loop || id <= 0) return 0;
    uint32_t slot = (uint32_t)(id & 0xffffffff);
    uint32_t gen = (uint32_t)(id >> 32);
    if (slot == 0 || slot > loop->imm_cap) return 0;
    tide__immediate_t *e = &loop->imm[slot - 1];
    if (e->gen != gen || !e->fn) return 0;
    e->fn = NULL;
    loop->immediate_count--;
    return 1;
}

/* Run the immediates queued before this phase began; ones queued meanwhile
 * form a new queue for the next iteration (I1). */
void tide__run_immediates(tide_loop_t *loop)
{
    uint32_t slot = loop->imm_head;
    if (!slot) return;
    loop->imm_head = loop->imm_tail = 0;
    while (slot) {
        tide__immediate_t *e = &loop->imm[slot - 1];
        uint32_t next = e->next;
        tide_fn fn = e->fn;
        void *data = e->data;
        void *context = e->context;
        /* Recycle the slot before the call: its id is stale from now on. */
        e->fn = NULL;
        e->gen = (e->gen + 1) & 0x7fffffff;
        if (!e->gen) e->gen = 1;
        e->next = loop->imm_free;
        loop->imm_free = slot;
        if (fn) {
            loop->immediate_count--;
            TIDE__CALLBACK(loop, context, fn(loop, data));
        }
        slot = next;
    }
}

void tide__immediates_destroy(tide_loop_t *loop)
{
    tide__free(loop->imm);
    loop->imm = NULL;
    loop->imm_cap = loop->imm_free = loop->imm_head = loop->imm_tail = 0;
    loop->immediate_count = 0;
}
