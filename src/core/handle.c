/* core/handle.c - what all handles share: ref/unref, accessors, and close,
 * whose callback runs in the close phase and hands the handle back to its
 * pool, after which the handle gets no more callbacks. */
#include "core/internal.h"

void tide__handle_init(tide_loop_t *loop, tide_handle_t *h, int type)
{
    h->loop = loop;
    h->type = (uint16_t)type;
    h->flags = TIDE__REF;
    h->context = loop->context;
    loop->open_handles++;
}

int tide_close(tide_handle_t *h, tide_close_cb close_cb)
{
    if (!h) return -EINVAL;
    if (h->flags & (TIDE__CLOSING | TIDE__CLOSED)) return -EALREADY;
    if (h->flags & TIDE__INTERNAL) return -EINVAL;
    switch (h->type) {
    case TIDE_HANDLE_TIMER: tide__timer_close((tide_timer_t *)h); break;
    case TIDE_HANDLE_IDLE:
    case TIDE_HANDLE_PREPARE:
    case TIDE_HANDLE_CHECK: tide__idle_close((tide_idle_t *)h); break;
    case TIDE_HANDLE_POLL: tide__poll_close((tide_poll_t *)h); break;
    case TIDE_HANDLE_WAKEUP: tide__wakeup_close((tide_wakeup_t *)h); break;
    case TIDE_HANDLE_SIGNAL: tide__signal_close((tide_signal_t *)h); break;
    default:
        if (h->type >= TIDE__HANDLE_TYPES || !h->loop->handle_hooks[h->type].close)
            return -EINVAL;
        h->loop->handle_hooks[h->type].close(h);
        break;
    }
    tide__handle_stop(h);
    h->flags |= TIDE__CLOSING;
    h->close_cb = close_cb;
    h->context = h->loop->context;
    h->next_closing = NULL;
    tide_loop_t *loop = h->loop;
    if (loop->closing_tail)
        loop->closing_tail->next_closing = h;
    else
        loop->closing_head = h;
    loop->closing_tail = h;
    return 0;
}

static void (*type_finish(tide_loop_t *loop, unsigned type))(tide_handle_t *)
{
    return type < TIDE__HANDLE_TYPES ? loop->handle_hooks[type].finish : NULL;
}

/* Close phase: the handles closed before it began, in close order. */
void tide__run_closing(tide_loop_t *loop)
{
    tide_handle_t *h = loop->closing_head;
    loop->closing_head = loop->closing_tail = NULL;
    while (h) {
        tide_handle_t *next = h->next_closing;
        if (type_finish(loop, h->type)) type_finish(loop, h->type)(h);
        tide_close_cb cb = h->close_cb;
        void *data = h->data;
        void *context = h->context;
        int type = h->type;
        h->flags = TIDE__CLOSED;
        loop->open_handles--;
        if (cb) {
            TIDE__CALLBACK(loop, context, cb(h, data));
        }
        /* The callback may still read the handle; it goes back only now. */
        h->flags = TIDE__CLOSED;
        tide__pool_put(&loop->handle_pools[type], h);
        h = next;
    }
}

void tide_ref(tide_handle_t *h)
{
    if (!h || (h->flags & TIDE__REF)) return;
    h->flags |= TIDE__REF;
    if (h->flags & TIDE__ACTIVE) h->loop->active_refs++;
}

void tide_unref(tide_handle_t *h)
{
    if (!h || !(h->flags & TIDE__REF)) return;
    h->flags &= ~TIDE__REF;
    if (h->flags & TIDE__ACTIVE) h->loop->active_refs--;
}

int tide_has_ref(const tide_handle_t *h) { return h && (h->flags & TIDE__REF) != 0; }
int tide_is_active(const tide_handle_t *h) { return h && (h->flags & TIDE__ACTIVE) != 0; }

int tide_is_closing(const tide_handle_t *h)
{
    return h && (h->flags & (TIDE__CLOSING | TIDE__CLOSED)) != 0;
}

tide_handle_type tide_handle_get_type(const tide_handle_t *h) { return (tide_handle_type)h->type; }
tide_loop_t *tide_handle_loop(const tide_handle_t *h) { return h->loop; }
void *tide_handle_data(const tide_handle_t *h) { return h->data; }
void tide_handle_set_data(tide_handle_t *h, void *data) { h->data = data; }
