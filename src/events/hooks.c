/* events/hooks.c - the loop's two process-level hooks: where an error that
 * nobody handled goes, and where warnings go. The defaults do what Node
 * does: an uncaught error prints and ends the process with status 1; a
 * warning prints one line to stderr. Warnings reach their hook from a
 * nextTick, after the code that caused them, like Node's 'warning' event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"
#include "events/events_internal.h"
#include "tide/tick.h"

typedef struct {
    tide_uncaught_fn uncaught;
    void *uncaught_data;
    tide_warning_fn warning;
    void *warning_data;
} hooks_t;

/* A warning on its way to the hook: the strings are copied in, since the
 * emitter may be gone by the time the tick runs. */
typedef struct {
    tide_warning_t warning;
    char event_name[48];
    char message[256];
} pending_warning_t;

static void hooks_destroy(tide_loop_t *loop, void *state)
{
    tide__free(state);
    loop->slots[TIDE__SLOT_EVENTS].state = NULL;
    loop->slots[TIDE__SLOT_EVENTS].destroy = NULL;
}

/* The loop's hooks, made on first use; NULL when memory runs out (then the
 * defaults apply). */
static hooks_t *hooks_of(tide_loop_t *loop, int create)
{
    tide__slot_t *slot = &loop->slots[TIDE__SLOT_EVENTS];
    if (slot->state || !create) return slot->state;
    hooks_t *h = tide__calloc(1, sizeof *h);
    if (!h) return NULL;
    slot->state = h;
    slot->destroy = hooks_destroy;
    return h;
}

int tide_on_uncaught_error(tide_loop_t *loop, tide_uncaught_fn hook, void *data)
{
    if (!loop) return -EINVAL;
    hooks_t *h = hooks_of(loop, 1);
    if (!h) return -ENOMEM;
    h->uncaught = hook;
    h->uncaught_data = hook ? data : NULL;
    return 0;
}

int tide_on_warning(tide_loop_t *loop, tide_warning_fn hook, void *data)
{
    if (!loop) return -EINVAL;
    hooks_t *h = hooks_of(loop, 1);
    if (!h) return -ENOMEM;
    h->warning = hook;
    h->warning_data = hook ? data : NULL;
    return 0;
}

void tide_report_uncaught(tide_loop_t *loop, tide_error_t *err)
{
    if (!loop || !err) return;
    hooks_t *h = hooks_of(loop, 0);
    if (h && h->uncaught) {
        h->uncaught(loop, tide_error_ref(err), h->uncaught_data);
        return;
    }
    /* Node: an uncaught exception prints and exits with status 1. What the
     * program printed so far goes out first. */
    fflush(stdout);
    fprintf(stderr, "tide: uncaught error: ");
    tide_error_print(err, stderr);
    exit(1);
}

static void deliver_warning(tide_loop_t *loop, void *data)
{
    pending_warning_t *w = data;
    hooks_t *h = hooks_of(loop, 0);
    if (h && h->warning)
        h->warning(loop, &w->warning, h->warning_data);
    else
        fprintf(stderr, "(tide:%ld) %s: %s\n", (long)getpid(), w->warning.name, w->warning.message);
    tide__free(w);
}

/* How a warning names an event: its name, or "#42" for an integer event. */
static void describe_event(tide_event_t event, char *buf, size_t size)
{
    const char *name = tide_event_name(event);
    if (name)
        snprintf(buf, size, "%s", name);
    else
        snprintf(buf, size, "#%u", (unsigned)event);
}

void tide__warn_max_listeners(tide_loop_t *loop, const tide_emitter_t *em, tide_event_t event,
                              size_t count, unsigned max)
{
    /* A warning lost to memory pressure is only a warning; there is nobody
     * to return an error to (the listener was added). */
    pending_warning_t *w = tide__malloc(sizeof *w);
    if (!w) return;
    describe_event(event, w->event_name, sizeof w->event_name);
    snprintf(w->message, sizeof w->message,
             "Possible EventEmitter memory leak detected. %zu %s listeners added to [emitter]. "
             "MaxListeners is %u. Use tide_emitter_set_max_listeners() to increase limit",
             count, w->event_name, max);
    w->warning.name = "MaxListenersExceededWarning";
    w->warning.message = w->message;
    w->warning.emitter = em;
    w->warning.event = event;
    w->warning.count = count;
    if (tide_next_tick(loop, deliver_warning, w) != 0) tide__free(w);
}
