/* io/listeners.c - adding and removing a stream's listeners with the side
 * effects Node's Readable gives on/removeListener: a 'data' listener
 * starts the flow, a 'readable' listener switches to paused reading, and
 * removing them updates the mode. A once-listener of those two events goes
 * through a small record, because its removal when it fires must have the
 * same side effects (Node's once removes through the overridden call). */
#include "io/stream_internal.h"

typedef struct {
    tide__attached_t att;
    tide_stream_t *stream;
    tide_event_t event;
    tide_listener_fn fn;
    void *data;
} once_rec_t;

_Static_assert(sizeof(once_rec_t) <= TIDE__RECORD_SIZE, "once_rec_t outgrew its pool");

static void once_free(tide__attached_t *a)
{
    once_rec_t *o = (once_rec_t *)a;
    tide__record_put(tide__sloop(o->stream), o);
}

static int once_fire(tide_emitter_t *em, tide_event_t event, void *arg, void *data)
{
    once_rec_t *o = data;
    tide_stream_t *s = o->stream;
    tide_listener_fn fn = o->fn;
    void *fn_data = o->data;
    tide__queue_remove(&o->att.node);
    once_free(&o->att);
    tide__readable_on_removed(s, event);
    return fn(em, event, arg, fn_data);
}

static int needs_side_effects(const tide_stream_t *s, tide_event_t event)
{
    return (s->kind & TIDE__HAS_READABLE) &&
           (event == TIDE_EVENT_DATA || event == TIDE_EVENT_READABLE);
}

int tide__stream_listen(tide_stream_t *s, tide_event_t event, tide_listener_fn fn, void *data,
                        int how)
{
    int rc;
    if (how == TIDE__LISTEN_PREPEND) {
        /* prependListener bypasses Readable.prototype.on in Node. */
        return tide_prepend(&s->em, event, fn, data);
    }
    if (how == TIDE__LISTEN_ONCE && needs_side_effects(s, event)) {
        if (!tide__sext(s)) return -ENOMEM;
        once_rec_t *o = tide__record_get(tide__sloop(s));
        if (!o) return -ENOMEM;
        o->att.free = once_free;
        o->stream = s;
        o->event = event;
        o->fn = fn;
        o->data = data;
        rc = tide_once(&s->em, event, once_fire, o);
        if (rc) {
            tide__record_put(tide__sloop(s), o);
            return rc;
        }
        tide__attach(s, &o->att);
    } else {
        rc = how == TIDE__LISTEN_ONCE ? tide_once(&s->em, event, fn, data)
                                      : tide_on(&s->em, event, fn, data);
        if (rc) return rc;
    }
    if (needs_side_effects(s, event)) tide__readable_on_added(s, event);
    return 0;
}

/* The once record of fn+data for event, the most recently added first. */
static once_rec_t *find_once(tide_stream_t *s, tide_event_t event, tide_listener_fn fn, void *data)
{
    if (!s->ext) return NULL;
    for (tide__queue_t *q = s->ext->attached.prev; q != &s->ext->attached; q = q->prev) {
        tide__attached_t *a = tide__container_of(q, tide__attached_t, node);
        if (a->free != once_free) continue;
        once_rec_t *o = (once_rec_t *)a;
        if (o->event == event && o->fn == fn && o->data == data) return o;
    }
    return NULL;
}

int tide__stream_unlisten(tide_stream_t *s, tide_event_t event, tide_listener_fn fn, void *data)
{
    int rc = tide_off(&s->em, event, fn, data);
    if (rc == -ENOENT && needs_side_effects(s, event)) {
        once_rec_t *o = find_once(s, event, fn, data);
        if (o && (rc = tide_off(&s->em, event, once_fire, o)) != -ENOENT) {
            tide__queue_remove(&o->att.node);
            once_free(&o->att);
        }
    }
    /* Node's removeListener override runs whether or not it found one. */
    if (s->kind & TIDE__HAS_READABLE) tide__readable_on_removed(s, event);
    return rc;
}

static int enter(tide_stream_t *s, tide_event_t event, tide_listener_fn fn)
{
    if (!s || !event || !fn) return -EINVAL;
    if (tide__ticks_reserve(tide__sloop(s)) != 0) return -ENOMEM;
    tide__hold(s);
    return 0;
}

int tide_stream_on(tide_stream_t *s, tide_event_t event, tide_listener_fn fn, void *data)
{
    int rc = enter(s, event, fn);
    if (rc) return rc;
    rc = tide__stream_listen(s, event, fn, data, TIDE__LISTEN_ON);
    tide__unhold(s);
    return rc;
}

int tide_stream_once(tide_stream_t *s, tide_event_t event, tide_listener_fn fn, void *data)
{
    int rc = enter(s, event, fn);
    if (rc) return rc;
    rc = tide__stream_listen(s, event, fn, data, TIDE__LISTEN_ONCE);
    tide__unhold(s);
    return rc;
}

int tide_stream_off(tide_stream_t *s, tide_event_t event, tide_listener_fn fn, void *data)
{
    int rc = enter(s, event, fn);
    if (rc) return rc;
    rc = tide__stream_unlisten(s, event, fn, data);
    tide__unhold(s);
    return rc;
}

int tide_stream_remove_all(tide_stream_t *s, tide_event_t event)
{
    if (!s) return -EINVAL;
    if (tide__ticks_reserve(tide__sloop(s)) != 0) return -ENOMEM;
    tide__hold(s);
    int rc = tide_remove_all(&s->em, event);
    /* Readable.prototype.removeAllListeners re-reads the mode later. */
    if ((s->kind & TIDE__HAS_READABLE) &&
        (event == TIDE_EVENT_READABLE || event == TIDE_EVENT_NONE))
        tide__readable_on_removed(s, TIDE_EVENT_READABLE);
    tide__unhold(s);
    return rc;
}
