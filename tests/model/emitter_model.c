/* tests/model/emitter_model.c - random emitter programs, the tide side of
 * the differential test against Node (emitter_model.js draws the same
 * numbers and builds the same program). Usage: emitter_model FIRST COUNT;
 * prints everything a program can observe, seed by seed.
 *
 * A program works on three emitters, the events a, b, c, error and
 * errorMonitor and the meta-events newListener and removeListener, with
 * ten listener identities: L0-L5 for the ordinary events, N0-N1 for
 * newListener, R0-R1 for removeListener. An identity is a (fn, data) pair,
 * and the pairs share their functions and their data pointers crosswise
 * (L0 and L1 have the same data, L0 and L2 the same function), so off must
 * match both halves. Registering an identity draws the action its body
 * performs from then on: nothing, a nested emit, off, adding a listener,
 * remove_all, failing, or printing a count or the event names; an action
 * works on the emitter and event of the call or on drawn ones, and may
 * catch a failure. Nesting depth and the work one top-level operation may
 * cause are bounded. Emitters have small max-listeners limits, and the
 * warnings are printed after the program, when the loop runs. Where Node
 * hands removeListener listeners a once wrapper, the Node side prints the
 * function inside it, which is what tide gives. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "model.h"

enum { EV_A, EV_B, EV_C, EV_ERROR, EV_MONITOR, EV_NEW, EV_REMOVE, NEV };
static const char *ev_names[NEV] = {"a",           "b",           "c",             "error",
                                    "errorMonitor", "newListener", "removeListener"};
static tide_event_t ev_ids[NEV];

/* emitters, identities for ordinary events, all identities, how deep
 * listeners act, what one top-level operation may make them do, how many
 * listeners they may add in a program, and room for an event's listeners
 * (at most ADDS plus one per top-level operation) */
enum { NE = 3, NL = 6, NID = NL + 4, MAX_DEPTH = 4, WORK = 24, ADDS = 40, ROOM = 128 };
enum { ACT_NONE, ACT_EMIT, ACT_OFF, ACT_ADD, ACT_REMOVE_ALL, ACT_FAIL, ACT_COUNT, ACT_NAMES };

/* What an identity's body does. em and ev are -1 for the emitter and the
 * event of the call (for N and R, the event being added to or removed
 * from); who picks an identity in the pool of the event. */
typedef struct {
    int kind, em, ev, who, mode, value, catch_;
} action_t;

static const char *id_names[NID] = {"L0", "L1", "L2", "L3", "L4", "L5", "N0", "N1", "R0", "R1"};
static char slots[NID / 2];
static action_t acts[NID];
static tide_emitter_t E[NE];
static int depth, work, adds;

static int listener_a(tide_emitter_t *em, tide_event_t event, void *arg, void *data);
static int listener_b(tide_emitter_t *em, tide_event_t event, void *arg, void *data);

static tide_listener_fn fn_of(int k) { return k & 1 ? listener_b : listener_a; }
static void *data_of(int k) { return &slots[k >> 1]; }

static const char *name_of(tide_listener_fn fn, void *data)
{
    for (int k = 0; k < NID; k++)
        if (fn_of(k) == fn && data_of(k) == data) return id_names[k];
    return "?";
}

static int ev_index(tide_event_t id)
{
    for (int i = 0; i < NEV; i++)
        if (ev_ids[i] == id) return i;
    fprintf(stderr, "unknown event %u\n", (unsigned)id);
    exit(2);
}

static int em_index(const tide_emitter_t *em) { return (int)(em - E); }

/* The identity registered for event ev by pool index who. */
static int identity(int ev, int who)
{
    if (ev == EV_NEW) return NL + who % 2;
    if (ev == EV_REMOVE) return NL + 2 + who % 2;
    return who % NL;
}

/* Events that may be emitted: a, b, c and error. */
static int emittable(int ev) { return ev > EV_ERROR ? ev - EV_MONITOR : ev; }

static void draw_action(action_t *a)
{
    /* 0-2 nothing, 3-4 emit, 5 off, 6 add, 7 remove_all, 8 fail, 9 count, 10 names */
    static const int kinds[] = {ACT_NONE, ACT_NONE,       ACT_NONE, ACT_EMIT,  ACT_EMIT, ACT_OFF,
                                ACT_ADD,  ACT_REMOVE_ALL, ACT_FAIL, ACT_COUNT, ACT_NAMES};
    a->kind = kinds[rnd(11)];
    a->em = rnd(2) ? -1 : (int)rnd(NE);
    a->ev = rnd(2) ? -1 : (int)rnd(NEV);
    a->who = (int)rnd(NL);
    a->mode = (int)rnd(4);
    a->value = (int)rnd(10);
    a->catch_ = (int)rnd(2);
}

static const char *mode_names[4] = {"on", "once", "prepend", "prependOnce"};

/* ---- what the programs leave alone ------------------------------------------
 *
 * Two things Node does that tide does not, kept out of the programs so that
 * everything else can be compared (docs/EVENTS.md, "Where tide differs"):
 *
 * 1. removeAllListeners(event) walks the live listener array of the event
 *    by index, from the end, so a change to that event's listeners while it
 *    runs (from a removeListener listener, or a once removeListener
 *    listener firing while removeListener itself is cleared) makes it skip
 *    or repeat registrations, or throw a TypeError; tide walks a snapshot.
 *    So the removeListener listeners a remove_all calls, and everything
 *    they cause, leave the event being cleared alone: no change, and no
 *    emit of it (of error while errorMonitor is cleared, of anything that
 *    adds a listener while newListener is); no once listener is added to
 *    removeListener while a remove_all of its emitter runs; and
 *    removeListener is not cleared while it has once listeners. clearing
 *    is the innermost call when that call is a remove_all (its emitter and
 *    event, -1 for every event, in which case the removeListener listener
 *    called is told which one it is at); guarded holds the (emitter,
 *    event) pairs being cleared.
 *
 * 2. emit('error') reads the listener table before its errorMonitor
 *    listeners run and looks 'error' up in it after them. Removals change
 *    that table in place, except those that leave the emitter with no
 *    events (removeAllListeners(), or the last listener of the last event
 *    going): they give the emitter a new table, and the emit still calls
 *    the 'error' listeners of the old one; tide looks at the emitter as it
 *    is. So while 'error' is emitted on an emitter, listeners remove no
 *    'error' listener of it (off, remove_all of error or of every event)
 *    and do not emit 'error' on it again (a once listener firing): its
 *    'error' listeners stay, so the table stays. */
typedef struct {
    int em, ev;
} pair_t;
static pair_t clearing = {-1, -1};
static pair_t guarded[64]; /* at most one per listener call under way */
static int nguarded;
static int erroring[64], nerroring;

/* ev -1: any event */
static int is_guarded(int t, int ev)
{
    for (int i = 0; i < nguarded; i++)
        if (guarded[i].em == t && (ev < 0 || guarded[i].ev == ev)) return 1;
    return 0;
}

static int is_erroring(int t)
{
    for (int i = 0; i < nerroring; i++)
        if (erroring[i] == t) return 1;
    return 0;
}

static int once_remove_listeners(int t)
{
    tide_listener_info_t info[ROOM];
    size_t n = tide_listeners(&E[t], TIDE_EVENT_REMOVE_LISTENER, info, ROOM);
    for (size_t i = 0; i < n && i < ROOM; i++)
        if (info[i].once) return 1;
    return 0;
}

static int may_emit(int t, int ev)
{
    return !is_guarded(t, ev) &&
           !(ev == EV_ERROR && (is_guarded(t, EV_MONITOR) || is_erroring(t)));
}

static int may_off(int t, int ev) { return !is_guarded(t, ev) && !(ev == EV_ERROR && is_erroring(t)); }

static int may_add(int t, int ev, int mode)
{
    return !is_guarded(t, ev) && !is_guarded(t, EV_NEW) &&
           !(ev == EV_REMOVE && (mode & 1) && is_guarded(t, -1));
}

/* ev -1: every event */
static int may_clear(int t, int ev)
{
    if ((ev < 0 || ev == EV_REMOVE) && once_remove_listeners(t)) return 0;
    if (ev < 0) return !is_guarded(t, -1) && !is_erroring(t);
    return may_off(t, ev);
}

/* The calls the program makes. Each sets clearing for what it calls. */
static int add(int mode, int t, int ev, int k)
{
    static int (*const fns[4])(tide_emitter_t *, tide_event_t, tide_listener_fn, void *) = {
        tide_on, tide_once, tide_prepend, tide_prepend_once};
    pair_t saved = clearing;
    clearing.em = -1;
    int rc = fns[mode](&E[t], ev_ids[ev], fn_of(k), data_of(k));
    clearing = saved;
    return rc;
}

static int off(int t, int ev, int k)
{
    pair_t saved = clearing;
    clearing.em = -1;
    int rc = tide_off(&E[t], ev_ids[ev], fn_of(k), data_of(k));
    clearing = saved;
    return rc == -ENOENT ? 0 : rc; /* Node says nothing of an unknown listener */
}

/* ev -1: every event */
static int remove_all(int t, int ev)
{
    pair_t saved = clearing;
    clearing.em = t;
    clearing.ev = ev;
    int rc = tide_remove_all(&E[t], ev < 0 ? TIDE_EVENT_NONE : ev_ids[ev]);
    clearing = saved;
    return rc;
}

/* error carries a tide_error_t whose code gives the value back. */
static int emit_value(int t, int ev, int value)
{
    pair_t saved = clearing;
    int rc;
    clearing.em = -1;
    if (ev != EV_ERROR) {
        rc = tide_emit(&E[t], ev_ids[ev], (void *)(intptr_t)value);
    } else {
        tide_error_t *err = tide_error_new(-(1000 + value), "e");
        if (!err) must(-ENOMEM, "error");
        erroring[nerroring++] = t;
        rc = tide_emit(&E[t], TIDE_EVENT_ERROR, err);
        nerroring--;
        tide_error_release(err);
    }
    clearing = saved;
    return rc;
}

static void print_names(int t)
{
    tide_event_t ids[NEV];
    size_t n = tide_event_names(&E[t], ids, NEV);
    for (size_t i = 0; i < n && i < NEV; i++) printf("%s%s", i ? "," : "", ev_names[ev_index(ids[i])]);
    printf("\n");
}

static void print_listeners(int t, int ev)
{
    tide_listener_info_t info[ROOM];
    size_t n = tide_listeners(&E[t], ev_ids[ev], info, ROOM);
    for (size_t i = 0; i < n && i < ROOM; i++) printf("%s%s", i ? "," : "", name_of(info[i].fn, info[i].data));
    printf("\n");
}

/* Identity k's action, called on emitter e for event cur. Returns 0 or
 * the failure it passes on. */
static int act(int k, int e, int cur)
{
    const action_t *a = &acts[k];
    const char *me = id_names[k];
    int t = a->em < 0 ? e : a->em;
    int ev = a->ev < 0 ? cur : a->ev;
    int rc = 0;
    switch (a->kind) {
    case ACT_NONE:
        return 0;
    case ACT_FAIL:
        printf("%s fails\n", me);
        return -(100 + k);
    case ACT_COUNT:
        printf("%s count e%d %s %zu\n", me, t, ev_names[ev], tide_listener_count(&E[t], ev_ids[ev]));
        return 0;
    case ACT_NAMES:
        printf("%s names e%d ", me, t);
        print_names(t);
        return 0;
    }
    if (depth > MAX_DEPTH || work == 0) return 0;
    work--;
    int w = identity(ev, a->who);
    switch (a->kind) {
    case ACT_EMIT:
        ev = emittable(ev);
        if (ev == EV_ERROR && tide_listener_count(&E[t], TIDE_EVENT_ERROR) == 0) return 0;
        if (!may_emit(t, ev)) return 0;
        printf("%s emit e%d %s %d\n", me, t, ev_names[ev], a->value);
        rc = emit_value(t, ev, a->value);
        if (rc >= 0) printf("%s = %d\n", me, rc);
        break;
    case ACT_OFF:
        if (!may_off(t, ev)) return 0;
        printf("%s off e%d %s %s\n", me, t, ev_names[ev], id_names[w]);
        rc = off(t, ev, w);
        break;
    case ACT_ADD:
        if (adds == 0 || !may_add(t, ev, a->mode)) return 0;
        adds--;
        printf("%s %s e%d %s %s\n", me, mode_names[a->mode], t, ev_names[ev], id_names[w]);
        rc = add(a->mode, t, ev, w);
        break;
    case ACT_REMOVE_ALL:
        if (a->mode & 1) ev = -1;
        if (!may_clear(t, ev)) return 0;
        if (ev < 0) printf("%s removeAll e%d\n", me, t);
        else printf("%s removeAll e%d %s\n", me, t, ev_names[ev]);
        rc = remove_all(t, ev);
        break;
    }
    if (rc < 0 && a->catch_) {
        printf("%s caught %d\n", me, rc);
        rc = 0;
    }
    return rc < 0 ? rc : 0;
}

/* Every identity's body: print the call, then act. A listener of error or
 * errorMonitor says "error" (Node passes both the same arguments). */
static int body(int k, tide_emitter_t *em, tide_event_t event, void *arg)
{
    int e = em_index(em), cur;
    if (k >= NL) {
        const tide_listener_info_t *info = arg;
        cur = ev_index(info->event);
        printf("%s e%d %s %s %zu\n", id_names[k], e, ev_names[cur], name_of(info->fn, info->data),
               tide_listener_count(em, info->event));
    } else if (event == TIDE_EVENT_ERROR || event == TIDE_EVENT_ERROR_MONITOR) {
        cur = EV_ERROR;
        printf("%s e%d error %d\n", id_names[k], e, -((const tide_error_t *)arg)->code - 1000);
    } else {
        cur = ev_index(event);
        printf("%s e%d %s %d\n", id_names[k], e, ev_names[cur], (int)(intptr_t)arg);
    }
    int guard = k >= NL + 2 && clearing.em == e;
    if (guard) {
        guarded[nguarded].em = e;
        guarded[nguarded++].ev = clearing.ev < 0 ? cur : clearing.ev;
    }
    depth++;
    int rc = act(k, e, cur);
    depth--;
    nguarded -= guard;
    return rc;
}

static int listener_a(tide_emitter_t *em, tide_event_t event, void *arg, void *data)
{
    return body((int)((char *)data - slots) * 2, em, event, arg);
}

static int listener_b(tide_emitter_t *em, tide_event_t event, void *arg, void *data)
{
    return body((int)((char *)data - slots) * 2 + 1, em, event, arg);
}

static void on_uncaught(tide_loop_t *loop, tide_error_t *err, void *data)
{
    /* Node throws the error out of emit; emit returns its code here. */
    tide_error_release(err);
}

static void on_warning(tide_loop_t *loop, const tide_warning_t *w, void *data)
{
    printf("warning e%d %s %zu\n", em_index(w->emitter), ev_names[ev_index(w->event)], w->count);
}

static void run(uint32_t seed)
{
    seed_rnd(seed);
    for (int k = 0; k < NID; k++) draw_action(&acts[k]);
    static const unsigned limits[5] = {0, 1, 2, 3, 10};
    for (int i = 0; i < NE; i++) must(tide_emitter_set_max_listeners(&E[i], limits[rnd(5)]), "max");
    adds = ADDS;
    int ops = 5 + (int)rnd(30);
    for (int i = 0; i < ops; i++) {
        int kind = (int)rnd(16);
        int t = (int)rnd(NE);
        int ev = (int)rnd(NEV);
        int k = identity(ev, (int)rnd(NL));
        int value = (int)rnd(10), rc = 0;
        work = WORK;
        if (kind < 6) {
            /* 0-2 on, 3 once, 4 prepend, 5 prependOnce */
            int mode = kind < 3 ? 0 : kind - 2;
            draw_action(&acts[k]);
            printf("e%d %s %s %s\n", t, mode_names[mode], ev_names[ev], id_names[k]);
            rc = add(mode, t, ev, k);
        } else if (kind < 8) {
            printf("e%d off %s %s\n", t, ev_names[ev], id_names[k]);
            rc = off(t, ev, k);
        } else if (kind < 10) {
            if (kind == 9) ev = -1;
            if (!may_clear(t, ev)) continue;
            if (ev < 0) printf("e%d removeAll\n", t);
            else printf("e%d removeAll %s\n", t, ev_names[ev]);
            rc = remove_all(t, ev);
        } else if (kind < 14) {
            ev = emittable(ev);
            if (ev == EV_ERROR && tide_listener_count(&E[t], TIDE_EVENT_ERROR) == 0) ev = EV_A;
            printf("e%d emit %s %d\n", t, ev_names[ev], value);
            rc = emit_value(t, ev, value);
            if (rc >= 0) printf("= %d\n", rc);
        } else if (kind == 14) {
            printf("e%d count %s %zu\n", t, ev_names[ev], tide_listener_count(&E[t], ev_ids[ev]));
            printf("e%d listeners %s ", t, ev_names[ev]);
            print_listeners(t, ev);
        } else {
            printf("e%d names ", t);
            print_names(t);
        }
        if (rc < 0) printf("threw %d\n", rc);
    }
}

int main(int argc, char **argv)
{
    uint32_t first = argc > 1 ? (uint32_t)atoi(argv[1]) : 1;
    uint32_t count = argc > 2 ? (uint32_t)atoi(argv[2]) : 100;
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    for (int i = 0; i < EV_ERROR; i++) ev_ids[i] = tide_event(ev_names[i]);
    ev_ids[EV_ERROR] = TIDE_EVENT_ERROR;
    ev_ids[EV_MONITOR] = TIDE_EVENT_ERROR_MONITOR;
    ev_ids[EV_NEW] = TIDE_EVENT_NEW_LISTENER;
    ev_ids[EV_REMOVE] = TIDE_EVENT_REMOVE_LISTENER;
    for (uint32_t seed = first; seed < first + count; seed++) {
        tide_loop_t *loop;
        must(tide_loop_new(&loop), "loop");
        must(tide_on_uncaught_error(loop, on_uncaught, NULL), "hook");
        must(tide_on_warning(loop, on_warning, NULL), "hook");
        for (int i = 0; i < NE; i++) tide_emitter_init(&E[i], loop);
        printf("seed %u\n", seed);
        run(seed);
        /* the warnings come from nextTicks */
        must(tide_run(loop, TIDE_RUN_DEFAULT), "run");
        for (int i = 0; i < NE; i++) tide_emitter_destroy(&E[i]);
        must(tide_run(loop, TIDE_RUN_DEFAULT), "run");
        must(tide_loop_close(loop), "close");
    }
    return 0;
}
