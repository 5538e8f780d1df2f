/* io/udp_events.c - the EventEmitter face of a UDP socket, as Node's
 * dgram.Socket: 'message', 'error', 'listening', 'connect' and 'close'.
 * The callback path never comes here, so it stays allocation-free. */
#include <stdatomic.h>

#include "io/udp_internal.h"

/* Interned once per process; tide_event returns the same id every time. */
static tide_event_t cached_event(_Atomic tide_event_t *slot, const char *name)
{
    tide_event_t id = atomic_load_explicit(slot, memory_order_relaxed);
    if (!id) {
        id = tide_event(name);
        atomic_store_explicit(slot, id, memory_order_relaxed);
    }
    return id;
}

tide_event_t tide_udp_event_message(void)
{
    static _Atomic tide_event_t id;
    return cached_event(&id, "message");
}

tide_event_t tide_udp_event_listening(void)
{
    static _Atomic tide_event_t id;
    return cached_event(&id, "listening");
}

tide_event_t tide_udp_event_connect(void)
{
    static _Atomic tide_event_t id;
    return cached_event(&id, "connect");
}

/* An error nobody's callback takes: 'error', fatal without a listener, as
 * an unhandled 'error' is in Node. */
void tide__udp_emit_error(tide_udp_t *u, int status)
{
    if (tide__udp_closing(u)) return;
    tide_error_t *e = tide_error_new(status, NULL);
    if (!e) return;
    TIDE__CALLBACK(u->h.loop, u->h.context, tide_emit(&u->em, TIDE_EVENT_ERROR, e));
    tide_error_release(e);
}

/* 'listening' and 'connect' come from a tick after the call, as Node emits
 * them. The tick always runs before the close phase that could hand the
 * socket back, so the pointer it carries is still valid. */
static void emit_tick(tide_loop_t *loop, void *data, tide_event_t event)
{
    tide_udp_t *u = data;
    if (!tide__udp_closing(u)) tide_emit(&u->em, event, NULL);
}

/* 'close' comes from a tick queued by tide_close, as Node's socketCloseNT:
 * before the close phase, where the send callbacks and the close callback
 * run. */
static void close_tick(tide_loop_t *loop, void *data)
{
    tide_udp_t *u = data;
    u->close_emitted = 1;
    tide_emit(&u->em, TIDE_EVENT_CLOSE, NULL);
}

static void listening_tick(tide_loop_t *loop, void *data)
{
    emit_tick(loop, data, tide_udp_event_listening());
}

static void connect_tick(tide_loop_t *loop, void *data)
{
    emit_tick(loop, data, tide_udp_event_connect());
}

/* Node looks the peer's address up on one tick and emits 'connect' on the
 * next: two turns, as for an addressed send. */
static void connect_lookup_tick(tide_loop_t *loop, void *data)
{
    if (tide_next_tick(loop, connect_tick, data) != 0) connect_tick(loop, data);
}

void tide__udp_emit_later(tide_udp_t *u, tide_event_t event)
{
    /* Queued even with no listener yet: Node's listeners added right after
     * bind() still hear it. A full tick ring that cannot grow loses only
     * this notice. */
    tide_fn fn = event == TIDE_EVENT_CLOSE           ? close_tick
                 : event == tide_udp_event_connect() ? connect_lookup_tick
                                                     : listening_tick;
    tide_next_tick(u->h.loop, fn, u);
}
