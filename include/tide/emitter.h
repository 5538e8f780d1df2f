/* tide/emitter.h - Node's EventEmitter for C: named events, listeners run
 * synchronously in registration order, once/prepend/off, the newListener and
 * removeListener meta-events, the fatal 'error' event and the
 * max-listeners warning (SEMANTICS.md E1-E9).
 *
 * Events are small integers. A name is interned once with tide_event() and
 * the id is used from then on, so emit compares integers, never strings.
 * The events tide itself emits (error, data, end, ...) have fixed ids. A
 * program may also use its own integer ids, 1 to TIDE_EVENT_USER_MAX.
 *
 * A tide_emitter_t is embedded in the object that emits (a stream, a
 * server, your struct); its storage is private and its size is all the ABI
 * fixes. A listener is a function and a data pointer, and that pair is what
 * identifies it for tide_off. It receives the emitter, the event and the
 * one argument given to emit (point it at a struct to pass several).
 *
 * Throwing in C: a listener that returns a negative code is a listener that
 * threw. emit stops at once (later listeners of that emit are skipped, no
 * registration changes) and returns the code, as a throw would leave
 * Node's emit, so the code that emitted decides what the failure means. */
#ifndef TIDE_EMITTER_H
#define TIDE_EMITTER_H

#include "tide/abort.h"
#include "tide/common.h"
#include "tide/error.h"
#include "tide/promise.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t tide_event_t;

/* Program-chosen integer events are 1 .. TIDE_EVENT_USER_MAX; interned
 * names get ids above it. 0 names no event. */
#define TIDE_EVENT_USER_MAX UINT32_C(0x7fffffff)

/* The events tide emits, interned under these ids before anything else:
 * tide_event("data") == TIDE_EVENT_DATA. */
enum {
    TIDE_EVENT_NONE = 0,
    TIDE_EVENT_ERROR = 0x80000001u,  /* "error", argument: tide_error_t * */
    TIDE_EVENT_ERROR_MONITOR,        /* "errorMonitor": sees errors first */
    TIDE_EVENT_NEW_LISTENER,         /* "newListener", argument: tide_listener_info_t * */
    TIDE_EVENT_REMOVE_LISTENER,      /* "removeListener", same argument */
    TIDE_EVENT_DATA,                 /* "data" */
    TIDE_EVENT_END,                  /* "end" */
    TIDE_EVENT_FINISH,               /* "finish" */
    TIDE_EVENT_PREFINISH,            /* "prefinish" */
    TIDE_EVENT_CLOSE,                /* "close" */
    TIDE_EVENT_DRAIN,                /* "drain" */
    TIDE_EVENT_READABLE,             /* "readable" */
    TIDE_EVENT_PAUSE,                /* "pause" */
    TIDE_EVENT_RESUME,               /* "resume" */
    TIDE_EVENT_PIPE,                 /* "pipe" */
    TIDE_EVENT_UNPIPE                /* "unpipe" */
};

/* The id of an event name, the same for the same name everywhere in the
 * process (the table is shared by every loop and thread and lives as long
 * as the process, like Symbol.for). Returns TIDE_EVENT_NONE when name is
 * NULL or empty, or when memory runs out. */
TIDE_API tide_event_t tide_event(const char *name);
/* The name of an interned event, or NULL for a program's integer event. */
TIDE_API const char *tide_event_name(tide_event_t event);

typedef struct tide_emitter_s tide_emitter_t;
struct tide_emitter_s {
    void *tide_private_[2];
};

/* A listener: return 0, or a negative code to "throw" (see the top). */
typedef int (*tide_listener_fn)(tide_emitter_t *emitter, tide_event_t event, void *arg,
                                void *data);

/* What newListener and removeListener listeners get as their argument,
 * and what tide_listeners() lists. */
typedef struct {
    tide_event_t event;
    tide_listener_fn fn;
    void *data;
    int once; /* registered with once or prepend_once */
} tide_listener_info_t;

/* Make em an emitter on loop (warnings and uncaught errors go to the
 * loop's hooks, below). Allocates nothing until the first listener. */
TIDE_API void tide_emitter_init(tide_emitter_t *em, tide_loop_t *loop);
/* Drop every listener without emitting anything and free the storage;
 * pending tide_event_once promises reject with -ECANCELED. Legal from inside
 * one of em's own listeners: the emits under way call no further listener,
 * and em may be reused or freed as soon as this returns. */
TIDE_API void tide_emitter_destroy(tide_emitter_t *em);
TIDE_API tide_loop_t *tide_emitter_loop(const tide_emitter_t *em);

/* Register fn+data for event: on appends, prepend inserts first; the once
 * forms remove the registration just before its one call. The same pair may
 * be registered several times, and each registration runs. newListener is
 * emitted first when it has listeners; if one of them fails, nothing is
 * added and its code is returned. Returns 0, -EINVAL (no em, event or fn)
 * or -ENOMEM. */
TIDE_API int tide_on(tide_emitter_t *em, tide_event_t event, tide_listener_fn fn, void *data);
TIDE_API int tide_once(tide_emitter_t *em, tide_event_t event, tide_listener_fn fn, void *data);
TIDE_API int tide_prepend(tide_emitter_t *em, tide_event_t event, tide_listener_fn fn,
                          void *data);
TIDE_API int tide_prepend_once(tide_emitter_t *em, tide_event_t event, tide_listener_fn fn,
                               void *data);

/* Remove one registration of fn+data, the most recently added one, and emit
 * removeListener if it has listeners. Returns 0, or -ENOENT when there is
 * none (nothing changes), or the code of a failing removeListener listener
 * (the registration is gone by then). */
TIDE_API int tide_off(tide_emitter_t *em, tide_event_t event, tide_listener_fn fn, void *data);
/* Remove every listener of event, or of every event when event is
 * TIDE_EVENT_NONE, last registered first, emitting removeListener for each
 * as Node does (removeListener's own listeners go last). Returns 0 or the
 * code of a failing removeListener listener, which stops the removal. */
TIDE_API int tide_remove_all(tide_emitter_t *em, tide_event_t event);

/* Emit event with arg to a snapshot of its listeners: listeners removed
 * during the emit still run in it, ones added during it do not. Returns 1
 * when there were listeners, 0 when there were none, or the negative code
 * of the listener that failed. 'error' with no listener is never silent:
 * errorMonitor listeners run, then the loop's uncaught-error hook gets the
 * error (arg, a tide_error_t *, or an "unhandled error" one when arg is
 * NULL), and emit returns its code. */
TIDE_API int tide_emit(tide_emitter_t *em, tide_event_t event, void *arg);

/* Listeners of event (0 for an unknown one). */
TIDE_API size_t tide_listener_count(const tide_emitter_t *em, tide_event_t event);
/* Copy up to cap listeners of event, in call order, into out; returns how
 * many there are. */
TIDE_API size_t tide_listeners(const tide_emitter_t *em, tide_event_t event,
                               tide_listener_info_t *out, size_t cap);
/* Copy up to cap event ids with listeners, in order of first registration
 * (an event whose last listener went starts over at the end), except that
 * errorMonitor comes last, as Node lists its symbol after the names;
 * returns how many there are. */
TIDE_API size_t tide_event_names(const tide_emitter_t *em, tide_event_t *out, size_t cap);

/* Warn once per event when it has more than n listeners (once more after
 * it went down to one listener, as Node does); 0 turns the warning off.
 * The default is 10. Returns 0, -EINVAL or -ENOMEM. */
TIDE_API int tide_emitter_set_max_listeners(tide_emitter_t *em, unsigned n);
TIDE_API unsigned tide_emitter_max_listeners(const tide_emitter_t *em);

/* Node's events.once(): a promise fulfilled with the argument of the next
 * emit of event (its listener is already gone when that emit returns), or
 * rejected with the error if 'error' is emitted first. With a signal
 * (NULL for none), aborting removes the listeners and rejects with the
 * signal's reason; a signal that has aborted already gives a rejected
 * promise. Returns 0, -EINVAL or -ENOMEM; *out gets one reference. Await
 * it in a fiber to wait for an event (tide_abort_signal_timeout bounds the
 * wait). The promise stays pending if the event never comes: destroying
 * the emitter rejects it with -ECANCELED. */
TIDE_API int tide_event_once(tide_emitter_t *em, tide_event_t event, tide_abort_signal_t *signal,
                             tide_promise_t **out);

/* ---- the loop's hooks -------------------------------------------------- */

/* An error that nobody handled: 'error' emitted with no listener. The hook
 * gets its own reference to err. The default prints "Uncaught <error>" to
 * stderr and exits with status 1, as Node does. */
typedef void (*tide_uncaught_fn)(tide_loop_t *loop, tide_error_t *err, void *data);
/* Install a hook; NULL restores the default. Returns 0, -EINVAL or
 * -ENOMEM. */
TIDE_API int tide_on_uncaught_error(tide_loop_t *loop, tide_uncaught_fn hook, void *data);
/* Report err as uncaught (for code that catches failures it cannot pass
 * on); borrows err. */
TIDE_API void tide_report_uncaught(tide_loop_t *loop, tide_error_t *err);

/* A process warning, delivered from a nextTick after the code that caused
 * it, as Node's 'warning' event is. The strings live until the hook
 * returns; emitter is for identification only and may be gone by then. */
typedef struct {
    const char *name;    /* "MaxListenersExceededWarning" */
    const char *message; /* "Possible EventEmitter memory leak detected. ..." */
    const tide_emitter_t *emitter;
    tide_event_t event;
    size_t count;
} tide_warning_t;
typedef void (*tide_warning_fn)(tide_loop_t *loop, const tide_warning_t *warning, void *data);
/* Install a hook; NULL restores the default, which prints
 * "(tide:PID) <name>: <message>" to stderr. Returns 0, -EINVAL or -ENOMEM. */
TIDE_API int tide_on_warning(tide_loop_t *loop, tide_warning_fn hook, void *data);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_EMITTER_H */
