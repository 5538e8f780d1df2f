/* tests/events/test_emitter.c - the emitter's rules (SEMANTICS.md E1-E9)
 * beyond the orders the conformance cases compare with Node: snapshots
 * under every kind of change, once under nesting, the meta-events, 'error'
 * and the uncaught hook, failing listeners, warnings, events.once, destroy
 * from inside a listener, interning, and out-of-memory paths. */
#include "test.h"
#include "test_alloc.h"

static tide_event_t EV_A, EV_B;

/* Logs its data (a string). */
static int say_l(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    test_log(&log_, data);
    return 0;
}

/* Logs the event's argument, a string. */
static int say_arg(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    test_log(&log_, arg ? arg : "(null)");
    return 0;
}

static tide_loop_t *loop;

static int mutate(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
static int count_up(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);
static int off_during(tide_emitter_t *em, tide_event_t ev, void *arg, void *data);

static void new_emitter(tide_emitter_t *em)
{
    tide_emitter_init(em, loop);
    log_reset();
}

static void test_names(void)
{
    ASSERT_EQ(tide_event("data"), TIDE_EVENT_DATA);
    ASSERT_EQ(tide_event("error"), TIDE_EVENT_ERROR);
    ASSERT_EQ(tide_event("unpipe"), TIDE_EVENT_UNPIPE);
    ASSERT_STR_EQ(tide_event_name(TIDE_EVENT_REMOVE_LISTENER), "removeListener");
    tide_event_t a = tide_event("connection"), b = tide_event("request");
    ASSERT_GT(a, TIDE_EVENT_USER_MAX);
    ASSERT_NE(a, b);
    ASSERT_EQ(tide_event("connection"), a);
    ASSERT_STR_EQ(tide_event_name(a), "connection");
    ASSERT(tide_event_name(42) == NULL);
    ASSERT(tide_event_name(0xfffffff0u) == NULL);
    ASSERT_EQ(tide_event(""), TIDE_EVENT_NONE);
    ASSERT_EQ(tide_event(NULL), TIDE_EVENT_NONE);
    /* Many names: the table grows and keeps every id. */
    char name[32];
    tide_event_t first = 0;
    for (int i = 0; i < 500; i++) {
        snprintf(name, sizeof name, "name-%d", i);
        tide_event_t id = tide_event(name);
        ASSERT_NE(id, TIDE_EVENT_NONE);
        if (i == 0) first = id;
    }
    ASSERT_EQ(tide_event("name-0"), first);
    ASSERT_STR_EQ(tide_event_name(first + 499), "name-499");
}

static void test_order_and_prepend(void)
{
    tide_emitter_t em;
    new_emitter(&em);
    ASSERT_EQ(tide_emit(&em, EV_A, NULL), 0);
    ASSERT_OK(tide_on(&em, EV_A, say_l, "b"));
    ASSERT_OK(tide_on(&em, EV_A, say_l, "c"));
    ASSERT_OK(tide_prepend(&em, EV_A, say_l, "a"));
    ASSERT_OK(tide_on(&em, EV_A, say_l, "b")); /* same pair twice: both run */
    ASSERT_EQ(tide_emit(&em, EV_A, NULL), 1);
    ASSERT_STR_EQ(log_.buf, "a b c b");
    ASSERT_EQ(tide_listener_count(&em, EV_A), 4);
    /* off removes the most recent matching registration */
    ASSERT_OK(tide_off(&em, EV_A, say_l, "b"));
    ASSERT_EQ(tide_off(&em, EV_A, say_l, "zz"), -ENOENT);
    ASSERT_EQ(tide_off(&em, EV_B, say_l, "b"), -ENOENT);
    log_reset();
    tide_emit(&em, EV_A, NULL);
    ASSERT_STR_EQ(log_.buf, "a b c");
    tide_listener_info_t info[8];
    ASSERT_EQ(tide_listeners(&em, EV_A, info, 8), 3);
    ASSERT_STR_EQ(info[0].data, "a");
    ASSERT_STR_EQ(info[2].data, "c");
    ASSERT_EQ(tide_listeners(&em, EV_A, info, 1), 3); /* count, copies one */
    tide_emitter_destroy(&em);
}

static void test_snapshot(void)
{
    tide_emitter_t em;
    new_emitter(&em);
    /* a listener that removes a later one and adds another: the removed
     * one still runs in this emit, the added one does not. */
    ASSERT_OK(tide_on(&em, EV_A, mutate, "1"));
    ASSERT_OK(tide_on(&em, EV_A, say_l, "2"));
    tide_emit(&em, EV_A, NULL);
    ASSERT_STR_EQ(log_.buf, "1 2");
    log_reset();
    tide_emit(&em, EV_A, NULL);
    ASSERT_STR_EQ(log_.buf, "1 3");
    ASSERT_EQ(tide_listener_count(&em, EV_A), 2);
    tide_emitter_destroy(&em);
}

static int mutate(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    test_log(&log_, data);
    if (tide_off(em, ev, say_l, "2") == 0) ASSERT_OK(tide_on(em, ev, say_l, "3"));
    return 0;
}

static int reenter_depth;

static int reenter(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    test_log(&log_, reenter_depth ? "outer1" : "outer0");
    if (reenter_depth++ < 1) tide_emit(em, ev, NULL);
    return 0;
}

static int off_once(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    test_log(&log_, "first");
    ASSERT_OK(tide_off(em, ev, say_l, "o"));
    return 0;
}

static void test_once(void)
{
    tide_emitter_t em;
    new_emitter(&em);
    ASSERT_OK(tide_once(&em, EV_A, say_l, "x"));
    ASSERT_OK(tide_prepend_once(&em, EV_A, say_l, "w"));
    ASSERT_OK(tide_on(&em, EV_A, say_l, "y"));
    tide_emit(&em, EV_A, NULL);
    tide_emit(&em, EV_A, NULL);
    ASSERT_STR_EQ(log_.buf, "w x y y");
    tide_emitter_destroy(&em);

    /* A nested emit fires the once registration; the outer snapshot must
     * not fire it again. */
    new_emitter(&em);
    reenter_depth = 0;
    ASSERT_OK(tide_on(&em, EV_A, reenter, NULL));
    ASSERT_OK(tide_once(&em, EV_A, say_l, "once"));
    tide_emit(&em, EV_A, NULL);
    ASSERT_STR_EQ(log_.buf, "outer0 outer1 once");
    ASSERT_EQ(tide_listener_count(&em, EV_A), 1);
    tide_emitter_destroy(&em);

    /* Removed unfired by off, a once registration still runs in the
     * snapshot that holds it (Node's wrapper has not fired). */
    new_emitter(&em);
    ASSERT_OK(tide_on(&em, EV_A, off_once, NULL));
    ASSERT_OK(tide_once(&em, EV_A, say_l, "o"));
    tide_emit(&em, EV_A, NULL);
    ASSERT_STR_EQ(log_.buf, "first o");
    ASSERT_EQ(tide_listener_count(&em, EV_A), 1);
    tide_emitter_destroy(&em);

    /* Many once listeners fired in one emit: one copy each at most, none
     * left, nothing leaked (ASan and Valgrind check). */
    new_emitter(&em);
    ASSERT_OK(tide_emitter_set_max_listeners(&em, 0));
    static int counter;
    counter = 0;
    for (int i = 0; i < 1000; i++) ASSERT_OK(tide_once(&em, EV_B, count_up, &counter));
    ASSERT_EQ(tide_emit(&em, EV_B, NULL), 1);
    ASSERT_EQ(counter, 1000);
    ASSERT_EQ(tide_listener_count(&em, EV_B), 0);
    ASSERT_EQ(tide_event_names(&em, NULL, 0), 0);
    tide_emitter_destroy(&em);
}

static int count_up(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    (*(int *)data)++;
    return 0;
}

static int log_meta(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    const tide_listener_info_t *info = arg;
    char buf[96];
    snprintf(buf, sizeof buf, "%s:%s:%s:%zu", ev == TIDE_EVENT_NEW_LISTENER ? "new" : "rm",
             tide_event_name(info->event) ? tide_event_name(info->event) : "?",
             info->data ? (const char *)info->data : "-", tide_listener_count(em, info->event));
    test_log(&log_, buf);
    return 0;
}

/* newListener: a listener added from inside it ends up first (E5). */
static int add_inside_new(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    const tide_listener_info_t *info = arg;
    if (info->event == EV_A && info->data && strcmp(info->data, "a") == 0)
        ASSERT_OK(tide_on(em, EV_A, say_l, "inner"));
    return 0;
}

/* A removeListener listener that adds a listener of EV_B, the first time. */
static int added_b;
static int add_b_on_remove(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    if (!added_b++) {
        test_log(&log_, "added");
        ASSERT_OK(tide_on(em, EV_B, say_l, "b"));
    }
    return 0;
}

static void test_meta_events(void)
{
    tide_emitter_t em;
    new_emitter(&em);
    ASSERT_OK(tide_on(&em, TIDE_EVENT_NEW_LISTENER, log_meta, NULL));
    ASSERT_OK(tide_on(&em, TIDE_EVENT_NEW_LISTENER, add_inside_new, NULL));
    ASSERT_OK(tide_on(&em, EV_A, say_l, "a"));
    tide_emit(&em, EV_A, NULL);
    /* the newListener listener added second did not see itself being added */
    ASSERT_STR_EQ(log_.buf, "new:newListener:-:1 new:a:a:0 new:a:inner:0 inner a");
    tide_emitter_destroy(&em);

    new_emitter(&em);
    ASSERT_OK(tide_on(&em, TIDE_EVENT_REMOVE_LISTENER, log_meta, NULL));
    ASSERT_OK(tide_on(&em, EV_A, say_l, "a1"));
    ASSERT_OK(tide_on(&em, EV_A, say_l, "a2"));
    ASSERT_OK(tide_once(&em, EV_B, say_l, "b1"));
    ASSERT_OK(tide_off(&em, EV_A, say_l, "a1"));
    tide_emit(&em, EV_B, NULL); /* the once removal is announced before the call */
    ASSERT_STR_EQ(log_.buf, "rm:a:a1:1 rm:b:b1:0 b1");
    log_reset();
    ASSERT_OK(tide_on(&em, EV_B, say_l, "b2"));
    ASSERT_OK(tide_on(&em, EV_B, say_l, "b3"));
    tide_event_t names[8];
    ASSERT_EQ(tide_event_names(&em, names, 8), 3);
    ASSERT_EQ(names[0], TIDE_EVENT_REMOVE_LISTENER);
    ASSERT_EQ(names[1], EV_A);
    ASSERT_EQ(names[2], EV_B); /* EV_B emptied and came back: at the end */
    ASSERT_OK(tide_remove_all(&em, TIDE_EVENT_NONE));
    /* per event last first, removeListener's own listener last */
    ASSERT_STR_EQ(log_.buf, "rm:a:a2:0 rm:b:b3:1 rm:b:b2:0"); /* the last one goes unannounced */
    ASSERT_EQ(tide_event_names(&em, names, 8), 0);
    tide_emitter_destroy(&em);

    /* remove_all of every event ends with no events at all: a listener
     * that a removeListener listener added meanwhile goes too, unannounced */
    new_emitter(&em);
    added_b = 0;
    ASSERT_OK(tide_on(&em, EV_A, say_l, "a"));
    ASSERT_OK(tide_on(&em, TIDE_EVENT_REMOVE_LISTENER, add_b_on_remove, NULL));
    ASSERT_OK(tide_remove_all(&em, TIDE_EVENT_NONE));
    ASSERT_EQ(tide_event_names(&em, NULL, 0), 0);
    ASSERT_STR_EQ(log_.buf, "added");
    tide_emitter_destroy(&em);

    /* errorMonitor is a symbol in Node, listed after the names: it comes
     * last in tide_event_names and in remove_all of every event */
    new_emitter(&em);
    ASSERT_OK(tide_on(&em, TIDE_EVENT_ERROR_MONITOR, say_l, "m"));
    ASSERT_OK(tide_on(&em, EV_A, say_l, "a"));
    ASSERT_OK(tide_on(&em, TIDE_EVENT_REMOVE_LISTENER, log_meta, NULL));
    ASSERT_OK(tide_on(&em, TIDE_EVENT_ERROR, say_l, "e"));
    ASSERT_EQ(tide_event_names(&em, names, 8), 4);
    ASSERT_EQ(names[0], EV_A);
    ASSERT_EQ(names[1], TIDE_EVENT_REMOVE_LISTENER);
    ASSERT_EQ(names[2], TIDE_EVENT_ERROR);
    ASSERT_EQ(names[3], TIDE_EVENT_ERROR_MONITOR);
    ASSERT_OK(tide_remove_all(&em, TIDE_EVENT_NONE));
    ASSERT_STR_EQ(log_.buf, "rm:a:a:0 rm:error:e:0 rm:errorMonitor:m:0");
    tide_emitter_destroy(&em);

    /* remove_all of one event, and without removeListener listeners */
    new_emitter(&em);
    ASSERT_OK(tide_on(&em, EV_A, say_l, "a"));
    ASSERT_OK(tide_on(&em, EV_B, say_l, "b"));
    ASSERT_OK(tide_remove_all(&em, EV_A));
    ASSERT_EQ(tide_listener_count(&em, EV_A), 0);
    ASSERT_EQ(tide_listener_count(&em, EV_B), 1);
    ASSERT_OK(tide_remove_all(&em, TIDE_EVENT_NONE));
    ASSERT_EQ(tide_event_names(&em, NULL, 0), 0);
    tide_emitter_destroy(&em);
}

static int fail_with(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    test_log(&log_, "fail");
    return (int)(intptr_t)data;
}

static int veto_new(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    return -EPERM;
}

static void test_failing_listeners(void)
{
    tide_emitter_t em;
    new_emitter(&em);
    ASSERT_OK(tide_on(&em, EV_A, say_l, "1"));
    ASSERT_OK(tide_on(&em, EV_A, fail_with, (void *)(intptr_t)-EIO));
    ASSERT_OK(tide_on(&em, EV_A, say_l, "3"));
    ASSERT_EQ(tide_emit(&em, EV_A, NULL), -EIO);
    ASSERT_STR_EQ(log_.buf, "1 fail"); /* later listeners skipped (E7) */
    ASSERT_EQ(tide_listener_count(&em, EV_A), 3);
    /* a failing newListener listener vetoes the registration */
    ASSERT_OK(tide_on(&em, TIDE_EVENT_NEW_LISTENER, veto_new, NULL));
    ASSERT_EQ(tide_on(&em, EV_B, say_l, "b"), -EPERM);
    ASSERT_EQ(tide_listener_count(&em, EV_B), 0);
    tide_emitter_destroy(&em);

    /* A once registration whose removeListener listener failed has not
     * fired (Node's wrapper marks itself after removeListener returns): the
     * nested emit that claimed it fails without calling it, and the outer
     * snapshot calls it, unannounced since it is gone already. */
    new_emitter(&em);
    reenter_depth = 0;
    ASSERT_OK(tide_on(&em, TIDE_EVENT_REMOVE_LISTENER, fail_with, (void *)(intptr_t)-EIO));
    ASSERT_OK(tide_on(&em, EV_A, reenter, NULL));
    ASSERT_OK(tide_once(&em, EV_A, say_l, "once"));
    ASSERT_EQ(tide_emit(&em, EV_A, NULL), 1);
    ASSERT_STR_EQ(log_.buf, "outer0 outer1 fail once");
    ASSERT_EQ(tide_listener_count(&em, EV_A), 1);
    tide_emitter_destroy(&em);
}

typedef struct {
    int calls;
    int code;
    char text[160];
} uncaught_t;

static void on_uncaught(tide_loop_t *l, tide_error_t *err, void *data)
{
    uncaught_t *u = data;
    u->calls++;
    u->code = err->code;
    snprintf(u->text, sizeof u->text, "%s", err->message);
    tide_error_release(err);
}

static int monitor(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    tide_error_t *err = arg;
    test_log(&log_, err ? err->message : "monitor-null");
    return 0;
}

static void test_error_event(void)
{
    uncaught_t u = {0};
    ASSERT_OK(tide_on_uncaught_error(loop, on_uncaught, &u));
    tide_emitter_t em;
    new_emitter(&em);
    tide_error_t *boom = tide_error_new(-EIO, "boom");
    ASSERT_OK(tide_on(&em, TIDE_EVENT_ERROR_MONITOR, monitor, NULL));
    ASSERT_EQ(tide_emit(&em, TIDE_EVENT_ERROR, boom), -EIO);
    ASSERT_EQ(u.calls, 1);
    ASSERT_EQ(u.code, -EIO);
    ASSERT_STR_EQ(u.text, "boom");
    ASSERT_STR_EQ(log_.buf, "boom");
    ASSERT_EQ(tide_emit(&em, TIDE_EVENT_ERROR, NULL), TIDE_EUNHANDLED);
    ASSERT_EQ(u.calls, 2);
    ASSERT_STR_EQ(u.text, "Unhandled error. (undefined)");
    /* with a listener: monitor first, then the listener, returns 1 */
    log_reset();
    ASSERT_OK(tide_on(&em, TIDE_EVENT_ERROR, say_l, "handled"));
    ASSERT_EQ(tide_emit(&em, TIDE_EVENT_ERROR, boom), 1);
    ASSERT_STR_EQ(log_.buf, "boom handled");
    ASSERT_EQ(u.calls, 2);
    tide_error_release(boom);
    tide_emitter_destroy(&em);
    ASSERT_OK(tide_on_uncaught_error(loop, NULL, NULL));
}

typedef struct {
    int calls;
    size_t count;
    tide_event_t event;
    char message[256];
} warned_t;

static void on_warning(tide_loop_t *l, const tide_warning_t *w, void *data)
{
    warned_t *out = data;
    out->calls++;
    out->count = w->count;
    out->event = w->event;
    snprintf(out->message, sizeof out->message, "%s: %s", w->name, w->message);
}

static void test_max_listeners_warning(void)
{
    warned_t w = {0};
    ASSERT_OK(tide_on_warning(loop, on_warning, &w));
    tide_emitter_t em;
    new_emitter(&em);
    ASSERT_EQ(tide_emitter_max_listeners(&em), 10);
    for (int i = 0; i < 12; i++) ASSERT_OK(tide_on(&em, TIDE_EVENT_DATA, say_l, "d"));
    ASSERT_EQ(w.calls, 0); /* delivered from a tick, not synchronously */
    ASSERT_OK(tide_run(loop, TIDE_RUN_NOWAIT));
    ASSERT_EQ(w.calls, 1); /* once per event */
    ASSERT_EQ(w.count, 11);
    ASSERT_EQ(w.event, TIDE_EVENT_DATA);
    ASSERT_STR_EQ(w.message, "MaxListenersExceededWarning: Possible EventEmitter memory leak "
                             "detected. 11 data listeners added to [emitter]. MaxListeners is "
                             "10. Use tide_emitter_set_max_listeners() to increase limit");
    ASSERT_OK(tide_emitter_set_max_listeners(&em, 1));
    ASSERT_OK(tide_on(&em, 7, say_l, "x"));
    ASSERT_OK(tide_on(&em, 7, say_l, "x"));
    ASSERT_OK(tide_run(loop, TIDE_RUN_NOWAIT));
    ASSERT_EQ(w.calls, 2);
    ASSERT(strstr(w.message, "2 #7 listeners") != NULL);
    /* Node keeps the mark on its listener array, which goes when one
     * listener is left: going over again warns again */
    ASSERT_OK(tide_on(&em, 7, say_l, "x"));
    ASSERT_OK(tide_off(&em, 7, say_l, "x"));
    ASSERT_OK(tide_on(&em, 7, say_l, "x"));
    ASSERT_OK(tide_run(loop, TIDE_RUN_NOWAIT));
    ASSERT_EQ(w.calls, 2); /* never down to one */
    ASSERT_OK(tide_off(&em, 7, say_l, "x"));
    ASSERT_OK(tide_off(&em, 7, say_l, "x"));
    ASSERT_OK(tide_on(&em, 7, say_l, "x"));
    ASSERT_OK(tide_run(loop, TIDE_RUN_NOWAIT));
    ASSERT_EQ(w.calls, 3);
    ASSERT_EQ(w.count, 2);
    ASSERT_OK(tide_emitter_set_max_listeners(&em, 0)); /* off */
    for (int i = 0; i < 20; i++) ASSERT_OK(tide_on(&em, 8, say_l, "x"));
    ASSERT_OK(tide_run(loop, TIDE_RUN_NOWAIT));
    ASSERT_EQ(w.calls, 3);
    /* the warning outlives the emitter */
    ASSERT_OK(tide_emitter_set_max_listeners(&em, 1));
    ASSERT_OK(tide_on(&em, 9, say_l, "x"));
    ASSERT_OK(tide_on(&em, 9, say_l, "x"));
    tide_emitter_destroy(&em);
    ASSERT_OK(tide_run(loop, TIDE_RUN_NOWAIT));
    ASSERT_EQ(w.calls, 4);
    ASSERT_OK(tide_on_warning(loop, NULL, NULL));
}

typedef struct {
    int settled;
    void *value;
    int code;
} outcome_t;

static tide_result_t got_value(tide_loop_t *l, void *data, void *value)
{
    outcome_t *o = data;
    o->settled = 1;
    o->value = value;
    return tide_ok(NULL);
}

static tide_result_t got_error(tide_loop_t *l, void *data, tide_error_t *err)
{
    outcome_t *o = data;
    o->settled = 1;
    o->code = err->code;
    return tide_ok(NULL);
}

static void watch(tide_promise_t *p, outcome_t *o)
{
    ASSERT_OK(tide_promise_then(p, got_value, got_error, o, NULL));
    tide_promise_release(p);
}

static void test_event_once_promise(void)
{
    tide_emitter_t em;
    new_emitter(&em);
    outcome_t a = {0}, b = {0}, c = {0};
    tide_promise_t *p;
    ASSERT_OK(tide_event_once(&em, EV_A, NULL, &p));
    watch(p, &a);
    ASSERT_EQ(tide_listener_count(&em, EV_A), 1);
    ASSERT_EQ(tide_listener_count(&em, TIDE_EVENT_ERROR), 1);
    ASSERT_EQ(tide_emit(&em, EV_A, "value"), 1);
    /* both listeners gone when emit returns; the promise settles later */
    ASSERT_EQ(tide_listener_count(&em, EV_A), 0);
    ASSERT_EQ(tide_listener_count(&em, TIDE_EVENT_ERROR), 0);
    ASSERT_EQ(a.settled, 0);
    ASSERT_OK(tide_run(loop, TIDE_RUN_NOWAIT));
    ASSERT_EQ(a.settled, 1);
    ASSERT_STR_EQ(a.value, "value");

    ASSERT_OK(tide_event_once(&em, EV_A, NULL, &p));
    watch(p, &b);
    tide_error_t *err = tide_error_new(-EPIPE, "broken");
    ASSERT_EQ(tide_emit(&em, TIDE_EVENT_ERROR, err), 1);
    tide_error_release(err);
    ASSERT_EQ(tide_listener_count(&em, EV_A), 0);
    ASSERT_OK(tide_run(loop, TIDE_RUN_NOWAIT));
    ASSERT_EQ(b.code, -EPIPE);

    ASSERT_OK(tide_event_once(&em, EV_A, NULL, &p));
    watch(p, &c);
    tide_emitter_destroy(&em);
    ASSERT_OK(tide_run(loop, TIDE_RUN_NOWAIT));
    ASSERT_EQ(c.code, -ECANCELED);
    ASSERT_EQ(tide_event_once(NULL, EV_A, NULL, &p), -EINVAL);

    /* With a signal: aborting removes both listeners and rejects with the
     * reason; an event first leaves nothing on the signal. */
    tide_emitter_init(&em, loop);
    tide_abort_controller_t *ctrl;
    ASSERT_OK(tide_abort_controller_new(loop, &ctrl));
    tide_abort_signal_t *signal = tide_abort_controller_signal(ctrl);
    outcome_t d = {0}, f = {0}, g = {0};
    ASSERT_OK(tide_event_once(&em, EV_A, signal, &p));
    watch(p, &d);
    ASSERT_OK(tide_event_once(&em, EV_B, signal, &p));
    watch(p, &f);
    ASSERT_EQ(tide_emit(&em, EV_B, "b"), 1);
    ASSERT_EQ(tide_listener_count(&em, EV_A), 1);
    ASSERT_OK(tide_abort(ctrl, NULL));
    ASSERT_EQ(tide_listener_count(&em, EV_A), 0);
    ASSERT_EQ(tide_listener_count(&em, TIDE_EVENT_ERROR), 0);
    ASSERT_OK(tide_event_once(&em, EV_A, signal, &p)); /* aborted already */
    watch(p, &g);
    ASSERT_EQ(tide_listener_count(&em, EV_A), 0);
    ASSERT_OK(tide_run(loop, TIDE_RUN_NOWAIT));
    ASSERT_EQ(d.code, -ECANCELED);
    ASSERT_STR_EQ(f.value, "b");
    ASSERT_EQ(g.code, -ECANCELED);
    tide_abort_controller_free(ctrl);

    /* a timeout signal as the deadline of the wait, its last reference
     * held by the waiter */
    outcome_t h = {0};
    tide_abort_signal_t *timeout;
    ASSERT_OK(tide_abort_signal_timeout(loop, 50, &timeout));
    ASSERT_OK(tide_event_once(&em, EV_A, timeout, &p));
    tide_abort_signal_release(timeout);
    watch(p, &h);
    ASSERT_OK(tide_clock_advance(loop, 50 * 1000000ull));
    ASSERT_EQ(h.code, -ETIMEDOUT);
    ASSERT_EQ(tide_listener_count(&em, EV_A), 0);
    tide_emitter_destroy(&em);
}

static tide_emitter_t *doomed;

static int destroy_it(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    test_log(&log_, "destroy");
    tide_emitter_destroy(em);
    free(doomed);
    return 0;
}

static void test_destroy_inside_listener(void)
{
    doomed = malloc(sizeof *doomed);
    tide_emitter_init(doomed, loop);
    log_reset();
    ASSERT_OK(tide_on(doomed, EV_A, say_l, "1"));
    ASSERT_OK(tide_on(doomed, EV_A, destroy_it, NULL));
    ASSERT_OK(tide_on(doomed, EV_A, say_l, "never"));
    ASSERT_OK(tide_once(doomed, EV_A, say_l, "never-once"));
    ASSERT_EQ(tide_emit(doomed, EV_A, NULL), 1);
    ASSERT_STR_EQ(log_.buf, "1 destroy");
}

static void test_bad_arguments(void)
{
    tide_emitter_t em;
    new_emitter(&em);
    ASSERT_EQ(tide_on(NULL, EV_A, say_l, NULL), -EINVAL);
    ASSERT_EQ(tide_on(&em, TIDE_EVENT_NONE, say_l, NULL), -EINVAL);
    ASSERT_EQ(tide_on(&em, EV_A, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_off(&em, EV_A, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_emit(NULL, EV_A, NULL), -EINVAL);
    ASSERT_EQ(tide_remove_all(NULL, EV_A), -EINVAL);
    ASSERT_EQ(tide_listener_count(NULL, EV_A), 0);
    ASSERT_EQ(tide_emitter_set_max_listeners(NULL, 3), -EINVAL);
    tide_emitter_t blank;
    tide_emitter_init(&blank, NULL);
    ASSERT_EQ(tide_on(&blank, EV_A, say_l, NULL), -EINVAL); /* no loop */
    tide_emitter_destroy(&blank);
    tide_emitter_destroy(&em);
    tide_emitter_destroy(NULL);
}

/* Every allocation of a registration failing in turn: the call returns
 * -ENOMEM and the emitter is as before. */
static void test_out_of_memory(void)
{
    tide_emitter_t em;
    new_emitter(&em);
    for (int i = 0; i < 4; i++) ASSERT_OK(tide_on(&em, EV_A, say_l, "a"));
    for (long budget = 0; budget < 3; budget++) {
        alloc_budget = budget;
        int r = tide_on(&em, EV_B, say_l, "b");
        alloc_budget = -1;
        if (r == 0) break;
        ASSERT_EQ(r, -ENOMEM);
        ASSERT_EQ(tide_listener_count(&em, EV_B), 0);
        ASSERT_EQ(tide_event_names(&em, NULL, 0), 1);
    }
    alloc_budget = 0; /* a full array must grow */
    ASSERT_EQ(tide_on(&em, EV_A, say_l, "a"), -ENOMEM);
    alloc_budget = -1;
    ASSERT_EQ(tide_listener_count(&em, EV_A), 4);
    /* a change during an emit needs a copy; without memory it fails and
     * the emit goes on */
    ASSERT_OK(tide_prepend(&em, EV_A, off_during, NULL));
    log_reset();
    ASSERT_EQ(tide_emit(&em, EV_A, NULL), 1);
    ASSERT_STR_EQ(log_.buf, "nomem a a a a");
    tide_emitter_destroy(&em);
}

static int off_during(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    alloc_budget = 0;
    int r = tide_off(em, ev, say_l, "a");
    alloc_budget = -1;
    test_log(&log_, r == -ENOMEM ? "nomem" : "changed");
    return 0;
}

/* An emit that changes nothing allocates nothing. */
static void test_emit_allocates_nothing(void)
{
    tide_emitter_t em;
    new_emitter(&em);
    static int counter;
    ASSERT_OK(tide_on(&em, EV_A, count_up, &counter));
    ASSERT_OK(tide_on(&em, EV_A, count_up, &counter));
    ASSERT_OK(tide_on(&em, EV_B, say_arg, NULL));
    long before = alloc_calls;
    for (int i = 0; i < 1000; i++) ASSERT_EQ(tide_emit(&em, EV_A, NULL), 1);
    ASSERT_EQ(alloc_calls, before);
    ASSERT_EQ(counter, 2000);
    tide_emit(&em, EV_B, "arg");
    ASSERT_STR_EQ(log_.buf, "arg");
    tide_emitter_destroy(&em);
}

/* ---- the small record: two events with one plain listener each --------- */

static tide_event_t EV_C;

/* Adds a say_l listener for its own event while emitted. */
static int add_during(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    test_log(&log_, "add");
    return tide_on(em, ev, say_l, data);
}

/* Takes itself off while emitted. */
static int off_self(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    test_log(&log_, "off");
    return tide_off(em, ev, off_self, data);
}

static void names_are(tide_emitter_t *em, size_t n, tide_event_t a, tide_event_t b,
                      tide_event_t c)
{
    tide_event_t got[4] = {0};
    ASSERT_EQ(tide_event_names(em, got, 4), n);
    if (n > 0) ASSERT_EQ(got[0], a);
    if (n > 1) ASSERT_EQ(got[1], b);
    if (n > 2) ASSERT_EQ(got[2], c);
}

/* Two events with one plain listener each cost one allocation, and every
 * query and change works on them as on the full state. */
static void test_small_two_events(void)
{
    tide_emitter_t em;
    new_emitter(&em);
    long calls = alloc_calls, live = alloc_live;
    ASSERT_OK(tide_on(&em, EV_A, say_l, "a"));
    ASSERT_OK(tide_on(&em, EV_B, say_arg, NULL));
    ASSERT_EQ(alloc_calls - calls, 1);
    ASSERT_EQ(alloc_live - live, 1);
    names_are(&em, 2, EV_A, EV_B, 0);
    ASSERT_EQ(tide_listener_count(&em, EV_A), 1);
    ASSERT_EQ(tide_listener_count(&em, EV_C), 0);
    tide_listener_info_t info[2];
    ASSERT_EQ(tide_listeners(&em, EV_B, info, 2), 1);
    ASSERT(info[0].fn == say_arg && info[0].data == NULL && !info[0].once);
    ASSERT_EQ(tide_listeners(&em, EV_C, info, 2), 0);
    ASSERT_EQ(tide_emitter_max_listeners(&em), 10);
    ASSERT_EQ(tide_emit(&em, EV_A, NULL), 1);
    ASSERT_EQ(tide_emit(&em, EV_B, "b"), 1);
    ASSERT_EQ(tide_emit(&em, EV_C, "c"), 0);
    ASSERT_EQ(tide_emit(&em, TIDE_EVENT_NONE, "none"), 0);
    ASSERT_STR_EQ(log_.buf, "a b");
    /* off: only the same function and data, and the order stays */
    ASSERT_EQ(tide_off(&em, EV_A, say_l, "other"), -ENOENT);
    ASSERT_EQ(tide_off(&em, EV_A, say_arg, "a"), -ENOENT);
    ASSERT_EQ(tide_off(&em, EV_C, say_l, "a"), -ENOENT);
    ASSERT_OK(tide_off(&em, EV_A, say_l, "a"));
    names_are(&em, 1, EV_B, 0, 0);
    ASSERT_OK(tide_on(&em, EV_A, say_l, "a2"));
    names_are(&em, 2, EV_B, EV_A, 0);
    ASSERT_OK(tide_remove_all(&em, EV_B));
    names_are(&em, 1, EV_A, 0, 0);
    ASSERT_OK(tide_remove_all(&em, EV_C));
    ASSERT_OK(tide_on(&em, EV_C, say_l, "c"));
    ASSERT_OK(tide_remove_all(&em, TIDE_EVENT_NONE));
    names_are(&em, 0, 0, 0, 0);
    ASSERT_EQ(alloc_live, live); /* the record goes with its last listener */
    ASSERT_OK(tide_on(&em, EV_A, say_l, "a"));
    ASSERT_OK(tide_off(&em, EV_A, say_l, "a"));
    ASSERT_EQ(alloc_live, live);
    ASSERT_OK(tide_on(&em, EV_A, say_l, "a"));
    tide_emitter_destroy(&em);
    ASSERT_EQ(alloc_live, live);
}

/* What does not fit moves every listener to the full state, in order. */
static void test_small_moves_out(void)
{
    tide_emitter_t em;
    /* a third event */
    new_emitter(&em);
    ASSERT_OK(tide_on(&em, EV_A, say_l, "a"));
    ASSERT_OK(tide_on(&em, EV_B, say_l, "b"));
    ASSERT_OK(tide_on(&em, EV_C, say_l, "c"));
    names_are(&em, 3, EV_A, EV_B, EV_C);
    tide_emit(&em, EV_A, NULL), tide_emit(&em, EV_B, NULL), tide_emit(&em, EV_C, NULL);
    ASSERT_STR_EQ(log_.buf, "a b c");
    tide_emitter_destroy(&em);
    /* a second listener of an event, also prepended */
    new_emitter(&em);
    ASSERT_OK(tide_on(&em, EV_B, say_l, "b"));
    ASSERT_OK(tide_on(&em, EV_A, say_l, "a1"));
    ASSERT_OK(tide_prepend(&em, EV_A, say_l, "a0"));
    names_are(&em, 2, EV_B, EV_A, 0);
    ASSERT_EQ(tide_emit(&em, EV_A, NULL), 1);
    ASSERT_STR_EQ(log_.buf, "a0 a1");
    tide_emitter_destroy(&em);
    /* once */
    new_emitter(&em);
    ASSERT_OK(tide_on(&em, EV_A, say_l, "a"));
    ASSERT_OK(tide_once(&em, EV_B, say_l, "b-once"));
    tide_emit(&em, EV_B, NULL), tide_emit(&em, EV_B, NULL), tide_emit(&em, EV_A, NULL);
    ASSERT_STR_EQ(log_.buf, "b-once a");
    names_are(&em, 1, EV_A, 0, 0);
    tide_emitter_destroy(&em);
    /* errorMonitor stays last; 'error' goes to the monitor first */
    new_emitter(&em);
    ASSERT_OK(tide_on(&em, TIDE_EVENT_ERROR_MONITOR, say_l, "monitor"));
    ASSERT_OK(tide_on(&em, TIDE_EVENT_ERROR, say_l, "error"));
    names_are(&em, 2, TIDE_EVENT_ERROR, TIDE_EVENT_ERROR_MONITOR, 0);
    ASSERT_EQ(tide_emit(&em, TIDE_EVENT_ERROR, NULL), 1);
    ASSERT_STR_EQ(log_.buf, "monitor error");
    tide_emitter_destroy(&em);
    /* a newListener listener hears what comes after it */
    new_emitter(&em);
    ASSERT_OK(tide_on(&em, EV_A, say_l, "a"));
    ASSERT_OK(tide_on(&em, TIDE_EVENT_NEW_LISTENER, say_l, "new"));
    ASSERT_OK(tide_on(&em, EV_B, say_l, "b"));
    ASSERT_STR_EQ(log_.buf, "new");
    names_are(&em, 3, EV_A, TIDE_EVENT_NEW_LISTENER, EV_B);
    tide_emitter_destroy(&em);
    /* a max-listeners change keeps the listeners */
    new_emitter(&em);
    ASSERT_OK(tide_on(&em, EV_A, say_l, "a"));
    ASSERT_OK(tide_emitter_set_max_listeners(&em, 1));
    ASSERT_EQ(tide_emitter_max_listeners(&em), 1);
    ASSERT_EQ(tide_emit(&em, EV_A, NULL), 1);
    ASSERT_STR_EQ(log_.buf, "a");
    tide_emitter_destroy(&em);
}

/* Changes from inside a small record's listener: the emit under way reads
 * nothing of the record after the call. */
static void test_small_changes_during_emit(void)
{
    tide_emitter_t em;
    new_emitter(&em);
    ASSERT_OK(tide_on(&em, EV_A, add_during, "added"));
    ASSERT_EQ(tide_emit(&em, EV_A, NULL), 1); /* the state is made inside */
    ASSERT_STR_EQ(log_.buf, "add");
    ASSERT_EQ(tide_emit(&em, EV_A, NULL), 1);
    ASSERT_STR_EQ(log_.buf, "add add added");
    tide_emitter_destroy(&em);
    new_emitter(&em);
    ASSERT_OK(tide_on(&em, EV_B, say_l, "b"));
    ASSERT_OK(tide_on(&em, EV_A, off_self, NULL));
    ASSERT_EQ(tide_emit(&em, EV_A, NULL), 1);
    ASSERT_EQ(tide_emit(&em, EV_A, NULL), 0);
    names_are(&em, 1, EV_B, 0, 0);
    tide_emitter_destroy(&em);
    /* destroyed by its only listener, the record freed inside the emit */
    doomed = malloc(sizeof *doomed);
    tide_emitter_init(doomed, loop);
    log_reset();
    ASSERT_OK(tide_on(doomed, EV_A, destroy_it, NULL));
    ASSERT_EQ(tide_emit(doomed, EV_A, NULL), 1);
    ASSERT_STR_EQ(log_.buf, "destroy");
}

/* Out of memory: the record is not made, or the full state is not, or
 * the third event's array is not (the state stays made then), and the
 * emitter's listeners stay as they were; nothing leaks. */
static void test_small_out_of_memory(void)
{
    tide_emitter_t em;
    long live = alloc_live;
    new_emitter(&em);
    alloc_budget = 0;
    ASSERT_EQ(tide_on(&em, EV_A, say_l, "a"), -ENOMEM);
    alloc_budget = -1;
    names_are(&em, 0, 0, 0, 0);
    ASSERT_OK(tide_on(&em, EV_A, say_l, "a"));
    ASSERT_OK(tide_on(&em, EV_B, say_l, "b"));
    for (long budget = 0;; budget++) {
        alloc_budget = budget;
        int r = tide_on(&em, EV_C, say_l, "c");
        alloc_budget = -1;
        if (r == 0) break;
        ASSERT_EQ(r, -ENOMEM);
        names_are(&em, 2, EV_A, EV_B, 0);
        log_reset();
        ASSERT_EQ(tide_emit(&em, EV_B, NULL), 1);
        ASSERT_STR_EQ(log_.buf, "b");
    }
    names_are(&em, 3, EV_A, EV_B, EV_C);
    tide_emitter_destroy(&em);
    new_emitter(&em);
    ASSERT_OK(tide_on(&em, EV_A, say_l, "a"));
    alloc_budget = 0;
    ASSERT_EQ(tide_emitter_set_max_listeners(&em, 3), -ENOMEM);
    alloc_budget = -1;
    ASSERT_EQ(tide_emitter_max_listeners(&em), 10);
    ASSERT_EQ(tide_listener_count(&em, EV_A), 1);
    tide_emitter_destroy(&em);
    ASSERT_EQ(alloc_live, live);
}

int main(void)
{
    counting_alloc_install();
    loop = new_virtual_loop();
    EV_A = tide_event("a");
    EV_B = tide_event("b");
    EV_C = tide_event("c");
    test_names();
    test_order_and_prepend();
    test_snapshot();
    test_once();
    test_meta_events();
    test_failing_listeners();
    test_error_event();
    test_max_listeners_warning();
    test_event_once_promise();
    test_destroy_inside_listener();
    test_bad_arguments();
    test_out_of_memory();
    test_emit_allocates_nothing();
    test_small_two_events();
    test_small_moves_out();
    test_small_changes_during_emit();
    test_small_out_of_memory();
    TEST_CLOSE_LOOP(loop);
    printf("emitter tests passed\n");
    return 0;
}
