/* async/abort.c - abort controllers and signals (Node's AbortController),
 * with the timeout and any() signals. Listeners run synchronously inside
 * tide_abort, in the order they were added. */
#include "async/abort_watch.h"
#include "async/promise_internal.h"

typedef struct listener listener_t;
struct listener {
    listener_t *next;
    int64_t id;
    tide_abort_cb cb; /* NULL once removed */
    void *data;
};

struct tide_abort_signal_s {
    uint32_t refs;
    int aborted;
    tide_loop_t *loop;
    tide_error_t *reason;
    listener_t *head, *tail;
    listener_t *dispatching; /* the list being run by an abort */
    int64_t next_id;
    tide_id_t timeout;       /* tide_abort_signal_timeout's timer, or 0 */
    /* tide_abort_signal_any: the inputs it listens to */
    tide_abort_signal_t **sources;
    int64_t *source_ids;
    size_t nsources;
};

struct tide_abort_controller_s {
    tide_abort_signal_t *signal;
};

static tide_abort_signal_t *signal_new(tide_loop_t *loop)
{
    tide_abort_signal_t *s = tide__calloc(1, sizeof *s);
    if (!s) return NULL;
    s->refs = 1;
    s->loop = loop;
    s->next_id = 1;
    return s;
}

/* Listener nodes come from the loop's pool: every await in a scope's task
 * adds and removes one. */
static tide__pool_t *listener_pool(tide_abort_signal_t *s) { return &tide__promises(s->loop)->listeners; }

static void free_listeners(tide_abort_signal_t *s, listener_t *l)
{
    while (l) {
        listener_t *next = l->next;
        tide__pool_put(listener_pool(s), l);
        l = next;
    }
}

tide_abort_signal_t *tide_abort_signal_ref(tide_abort_signal_t *s)
{
    if (s) s->refs++;
    return s;
}

void tide_abort_signal_release(tide_abort_signal_t *s)
{
    if (!s || --s->refs) return;
    if (s->timeout) tide_clear_timeout(s->loop, s->timeout);
    for (size_t i = 0; i < s->nsources; i++) {
        tide_abort_signal_off(s->sources[i], s->source_ids[i]);
        tide_abort_signal_release(s->sources[i]);
    }
    tide__free(s->sources);
    tide__free(s->source_ids);
    free_listeners(s, s->head);
    tide_error_release(s->reason);
    tide__free(s);
}

/* Abort s: record the reason, then run the listeners present now. */
static int signal_abort(tide_abort_signal_t *s, tide_error_t *reason)
{
    if (s->aborted) {
        tide_error_release(reason);
        return -EALREADY;
    }
    s->aborted = 1;
    s->reason = reason ? reason : tide_error_new(-ECANCELED, "aborted");
    s->refs++; /* a listener may drop the last outside reference */
    listener_t *list = s->head;
    s->head = s->tail = NULL;
    s->dispatching = list;
    for (listener_t *l = list; l; l = l->next)
        if (l->cb) l->cb(s, s->reason, l->data);
    s->dispatching = NULL;
    free_listeners(s, list);
    tide_abort_signal_release(s);
    return 0;
}

int tide_abort_controller_new(tide_loop_t *loop, tide_abort_controller_t **out)
{
    if (!loop || !out) return -EINVAL;
    tide_abort_controller_t *c = tide__malloc(sizeof *c);
    if (!c) return -ENOMEM;
    c->signal = signal_new(loop);
    if (!c->signal) {
        tide__free(c);
        return -ENOMEM;
    }
    *out = c;
    return 0;
}

tide_abort_signal_t *tide_abort_controller_signal(tide_abort_controller_t *c)
{
    return c ? c->signal : NULL;
}

int tide_abort(tide_abort_controller_t *c, tide_error_t *reason)
{
    if (!c) {
        tide_error_release(reason);
        return -EINVAL;
    }
    return signal_abort(c->signal, reason);
}

void tide_abort_controller_free(tide_abort_controller_t *c)
{
    if (!c) return;
    tide_abort_signal_release(c->signal);
    tide__free(c);
}

static void on_timeout(tide_loop_t *loop, void *data)
{
    tide_abort_signal_t *s = data;
    s->timeout = 0;
    signal_abort(s, tide_error_new(-ETIMEDOUT, "The operation was aborted due to timeout"));
}

int tide_abort_signal_timeout(tide_loop_t *loop, uint64_t ms, tide_abort_signal_t **out)
{
    if (!loop || !out) return -EINVAL;
    tide_abort_signal_t *s = signal_new(loop);
    if (!s) return -ENOMEM;
    tide_id_t id = tide_set_timeout(loop, on_timeout, s, ms);
    if (id < 0) {
        tide_abort_signal_release(s);
        return (int)id;
    }
    tide_timeout_unref(loop, id);
    s->timeout = id;
    *out = s;
    return 0;
}

static void on_source_abort(tide_abort_signal_t *source, tide_error_t *reason, void *data)
{
    signal_abort(data, tide_error_ref(reason));
}

int tide_abort_signal_any(tide_loop_t *loop, tide_abort_signal_t *const *signals, size_t n,
                          tide_abort_signal_t **out)
{
    if (!loop || !out || (n && !signals)) return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!signals[i]) return -EINVAL;
    tide_abort_signal_t *s = signal_new(loop);
    if (!s) return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (signals[i]->aborted) {
            signal_abort(s, tide_error_ref(signals[i]->reason));
            *out = s;
            return 0;
        }
    s->sources = tide__calloc(n ? n : 1, sizeof *s->sources);
    s->source_ids = tide__calloc(n ? n : 1, sizeof *s->source_ids);
    if (!s->sources || !s->source_ids) {
        tide_abort_signal_release(s);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t id = tide_abort_signal_on(signals[i], on_source_abort, s);
        if (id < 0) {
            tide_abort_signal_release(s);
            return (int)id;
        }
        s->sources[i] = tide_abort_signal_ref(signals[i]);
        s->source_ids[i] = id;
        s->nsources++;
    }
    *out = s;
    return 0;
}

int tide_abort_signal_aborted(const tide_abort_signal_t *s) { return s && s->aborted; }

tide_error_t *tide_abort_signal_reason(const tide_abort_signal_t *s)
{
    return s && s->aborted ? s->reason : NULL;
}

int64_t tide_abort_signal_on(tide_abort_signal_t *s, tide_abort_cb cb, void *data)
{
    if (!s || !cb) return -EINVAL;
    tide__promises_t *ps = tide__promises(s->loop);
    listener_t *l = ps ? tide__pool_get(&ps->listeners) : NULL;
    if (!l) return -ENOMEM;
    l->next = NULL;
    l->id = s->next_id++;
    l->cb = cb;
    l->data = data;
    /* After the abort nothing more is dispatched; keep the node so off()
     * still finds the id. */
    if (s->tail) s->tail->next = l;
    else s->head = l;
    s->tail = l;
    return l->id;
}

int tide_abort_signal_off(tide_abort_signal_t *s, int64_t id)
{
    if (!s) return -EINVAL;
    for (listener_t *l = s->dispatching; l; l = l->next)
        if (l->id == id && l->cb) {
            l->cb = NULL; /* freed when the dispatch ends */
            return 0;
        }
    listener_t **link = &s->head, *prev = NULL;
    for (listener_t *l = s->head; l; prev = l, l = l->next) {
        if (l->id != id) {
            link = &l->next;
            continue;
        }
        *link = l->next;
        if (s->tail == l) s->tail = prev;
        tide__pool_put(listener_pool(s), l);
        return 0;
    }
    return -ENOENT;
}

/* ---- watches (abort_watch.h) ----------------------------------------------- */

int tide__abort_watch(tide__abort_watch_t *w, tide_abort_signal_t *signal, tide_abort_cb cb,
                      void *data)
{
    w->signal = NULL;
    w->id = 0;
    if (!signal) return 0;
    int64_t id = tide_abort_signal_on(signal, cb, data);
    if (id < 0) return (int)id;
    w->signal = tide_abort_signal_ref(signal);
    w->id = id;
    return 0;
}

void tide__abort_unwatch(tide__abort_watch_t *w)
{
    if (!w->signal) return;
    tide_abort_signal_off(w->signal, w->id);
    tide_abort_signal_release(w->signal);
    w->signal = NULL;
}
