/* tests/core/test_loop.c - the loop: close (-EBUSY while a handle is open),
 * run modes and their results, stop, liveness, ref/unref and the state
 * queries, close callbacks (close phase, -EALREADY twice), phase order. */
#include <fcntl.h>
#include <unistd.h>

#include "test.h"

static void close_say(tide_handle_t *h, void *data) { test_log(&log_, "close"); }

/* ---- creation and close ---------------------------------------------- */

static int nested_checked;

static void try_nested(tide_loop_t *loop, void *data)
{
    /* Nested runs and closing a running loop are refused, not crashed. */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), -EBUSY);
    ASSERT_EQ(tide_loop_close(loop), -EBUSY);
    nested_checked = 1;
}

static void test_new_and_close(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    ASSERT(tide_loop_backend(loop) != NULL);
    ASSERT(tide_loop_backend(loop)[0] != '\0');
    int token;
    ASSERT(tide_loop_data(loop) == NULL);
    tide_loop_set_data(loop, &token);
    ASSERT(tide_loop_data(loop) == &token);
    ASSERT_EQ(tide_loop_alive(loop), 0);
    ASSERT_EQ(tide_loop_close(loop), 0);

    /* A handle that was only created, never started, still has to be
     * closed before the loop can go: the loop owns its memory. */
    ASSERT_OK(tide_loop_new(&loop));
    tide_idle_t *idle;
    ASSERT_OK(tide_idle_new(loop, &idle));
    ASSERT_EQ(tide_loop_close(loop), -EBUSY);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0); /* loop still usable */
    log_reset();
    ASSERT_OK(tide_close(TIDE_HANDLE(idle), close_say));
    /* Closing, but its close callback has not run yet: still busy. */
    ASSERT_EQ(tide_loop_close(loop), -EBUSY);
    ASSERT_STR_EQ(log_.buf, "");
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "close");
    ASSERT_EQ(tide_loop_close(loop), 0);

    ASSERT_OK(tide_loop_new(&loop));
    ASSERT(tide_set_immediate(loop, try_nested, NULL) > 0);
    TEST_CLOSE_LOOP(loop);
    ASSERT(nested_checked);
}

/* ---- run modes ------------------------------------------------------- */

static int chain_left;

static void chain(tide_loop_t *loop, void *data)
{
    test_log(&log_, "imm");
    if (--chain_left > 0) ASSERT(tide_set_immediate(loop, chain, NULL) > 0);
}

static void on_timer_say(tide_timer_t *t, void *text) { test_log(&log_, text); }

static void test_run_modes(void)
{
    tide_loop_t *loop = new_virtual_loop();
    /* Nothing to do: every mode returns "not alive" at once. */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 0);

    /* ONCE runs exactly one iteration: an immediate queued by an immediate
     * needs another run, and the return value says whether one is needed. */
    log_reset();
    chain_left = 3;
    ASSERT(tide_set_immediate(loop, chain, NULL) > 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_STR_EQ(log_.buf, "imm");
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_STR_EQ(log_.buf, "imm imm");
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 0);
    ASSERT_STR_EQ(log_.buf, "imm imm imm");

    /* NOWAIT never blocks: a timer 1 s away keeps the loop alive, but the
     * (virtual) clock does not move and the timer does not fire. */
    log_reset();
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    ASSERT_OK(tide_timer_start(t, on_timer_say, 1000, 0, "timer"));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(tide_now(loop), 0);
    ASSERT_STR_EQ(log_.buf, "");
    /* ONCE may block: it waits for the timer (the virtual clock jumps) and
     * runs it in the same call, so ONCE always makes progress. */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 0);
    ASSERT_STR_EQ(log_.buf, "timer");
    ASSERT_EQ(tide_now(loop), 1000);

    /* DEFAULT runs until nothing is left, waiting when it has to. */
    log_reset();
    chain_left = 2;
    ASSERT(tide_set_immediate(loop, chain, NULL) > 0);
    ASSERT_OK(tide_timer_start(t, on_timer_say, 10, 0, "timer"));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "imm imm timer");
    ASSERT_EQ(tide_loop_alive(loop), 0);

    tide_close(TIDE_HANDLE(t), NULL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- stop -------------------------------------------------------------- */

static int idle_calls;
static tide_idle_t *spare;

static void on_idle_stopper(tide_idle_t *h, void *data)
{
    tide_loop_t *loop = data;
    idle_calls++;
    char buf[16];
    snprintf(buf, sizeof buf, "idle%d", idle_calls);
    test_log(&log_, buf);
    if (idle_calls == 3) {
        /* The rest of this iteration still runs: its check phase and its
         * close phase. */
        tide_stop(loop);
        ASSERT(tide_set_immediate(loop, say, "imm") > 0);
        ASSERT_OK(tide_close(TIDE_HANDLE(spare), close_say));
    }
    if (idle_calls == 5) ASSERT_OK(tide_close(TIDE_HANDLE(h), NULL));
}

static void test_stop(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    idle_calls = 0;
    tide_idle_t *idle;
    ASSERT_OK(tide_idle_new(loop, &idle));
    ASSERT_OK(tide_idle_new(loop, &spare));
    ASSERT_OK(tide_idle_start(idle, on_idle_stopper, loop));
    /* Stopped with work left: the return value says the loop is alive. */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 1);
    ASSERT_STR_EQ(log_.buf, "idle1 idle2 idle3 imm close");
    ASSERT_EQ(tide_loop_alive(loop), 1);
    /* The stop request was consumed: the next run goes on from there. */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "idle1 idle2 idle3 imm close idle4 idle5");
    ASSERT_EQ(tide_loop_close(loop), 0);
}

/* ---- liveness ---------------------------------------------------------- */

static void test_alive(void)
{
    tide_loop_t *loop = new_virtual_loop();
    ASSERT_EQ(tide_loop_alive(loop), 0);

    /* Active and referenced handles keep it alive; unref'd ones do not. */
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    ASSERT_EQ(tide_loop_alive(loop), 0); /* open but not active */
    ASSERT_OK(tide_timer_start(t, on_timer_say, 100, 0, "timer"));
    ASSERT_EQ(tide_loop_alive(loop), 1);
    tide_unref(TIDE_HANDLE(t));
    ASSERT_EQ(tide_loop_alive(loop), 0);
    tide_ref(TIDE_HANDLE(t));
    ASSERT_EQ(tide_loop_alive(loop), 1);
    ASSERT_OK(tide_timer_stop(t));
    ASSERT_EQ(tide_loop_alive(loop), 0);

    /* Queued immediates keep it alive until they run or are cleared. */
    tide_id_t id = tide_set_immediate(loop, say, "imm");
    ASSERT(id > 0);
    ASSERT_EQ(tide_loop_alive(loop), 1);
    ASSERT_EQ(tide_clear_immediate(loop, id), 1);
    ASSERT_EQ(tide_loop_alive(loop), 0);

    /* Pending ticks and microtasks are not liveness: tide_run drains them
     * and returns 0 (as Node exits with a pending promise). */
    ASSERT_OK(tide_next_tick(loop, say, "tick"));
    ASSERT_EQ(tide_loop_alive(loop), 0);

    /* A closing handle keeps it alive until its close callback has run,
     * even an inactive, unref'd one. */
    tide_unref(TIDE_HANDLE(t));
    log_reset();
    ASSERT_OK(tide_close(TIDE_HANDLE(t), close_say));
    ASSERT_EQ(tide_loop_alive(loop), 1);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "tick close");
    ASSERT_EQ(tide_loop_alive(loop), 0);
    ASSERT_EQ(tide_loop_close(loop), 0);
}

/* ---- ref/unref and the state queries --------------------------------- */

static int unref_idle_calls;
static void on_unref_idle(tide_idle_t *h, void *data) { unref_idle_calls++; }

static void test_ref_unref(void)
{
    tide_loop_t *loop = new_virtual_loop();
    tide_idle_t *idle;
    ASSERT_OK(tide_idle_new(loop, &idle));
    tide_handle_t *h = TIDE_HANDLE(idle);
    ASSERT_EQ(tide_handle_get_type(h), TIDE_HANDLE_IDLE);
    ASSERT(tide_handle_loop(h) == loop);
    int token;
    tide_handle_set_data(h, &token);
    ASSERT(tide_handle_data(h) == &token);

    /* Handles start referenced and inactive. */
    ASSERT_EQ(tide_has_ref(h), 1);
    ASSERT_EQ(tide_is_active(h), 0);
    ASSERT_EQ(tide_is_closing(h), 0);
    ASSERT_OK(tide_idle_start(idle, on_unref_idle, &token));
    ASSERT(tide_handle_data(h) == &token);
    ASSERT_EQ(tide_is_active(h), 1);
    ASSERT_EQ(tide_loop_alive(loop), 1);

    /* Both are idempotent: two unrefs and one ref leave it referenced
     * (not a counter, unlike libuv's internal refcount on the loop). */
    tide_unref(h);
    tide_unref(h);
    ASSERT_EQ(tide_has_ref(h), 0);
    ASSERT_EQ(tide_loop_alive(loop), 0);
    tide_ref(h);
    ASSERT_EQ(tide_has_ref(h), 1);
    ASSERT_EQ(tide_loop_alive(loop), 1);
    tide_ref(h);
    tide_unref(h);
    ASSERT_EQ(tide_has_ref(h), 0);
    ASSERT_EQ(tide_loop_alive(loop), 0);

    /* An unref'd active handle does not make the loop run at all... */
    unref_idle_calls = 0;
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(unref_idle_calls, 0);
    /* ...but while something else keeps it alive, it runs as usual. */
    ASSERT(tide_set_immediate(loop, say, "imm") > 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(unref_idle_calls, 1);

    /* Ref state survives stop and start; a ref on an inactive handle does
     * not make the loop alive. */
    ASSERT_OK(tide_idle_stop(idle));
    ASSERT_EQ(tide_is_active(h), 0);
    tide_ref(h);
    ASSERT_EQ(tide_loop_alive(loop), 0);
    ASSERT_OK(tide_idle_start(idle, on_unref_idle, NULL));
    ASSERT_EQ(tide_loop_alive(loop), 1);

    ASSERT_OK(tide_close(h, NULL));
    ASSERT_EQ(tide_is_closing(h), 1);
    ASSERT_EQ(tide_is_active(h), 0);
    TEST_CLOSE_LOOP(loop);
    ASSERT_EQ(unref_idle_calls, 1); /* closed before it could run again */
}

/* ---- close ------------------------------------------------------------- */

static int close_cb_checked;

static void close_check(tide_handle_t *h, void *data)
{
    test_log(&log_, data);
    /* The handle is still readable in its close callback, reports that it
     * is closing, and a second close is an error, not a crash. */
    ASSERT_EQ(tide_is_closing(h), 1);
    ASSERT_EQ(tide_is_active(h), 0);
    ASSERT(tide_handle_data(h) == data);
    ASSERT_EQ(tide_close(h, close_check), -EALREADY);
    close_cb_checked++;
}

static void on_self_closing_timer(tide_timer_t *t, void *data)
{
    test_log(&log_, "timer");
    /* Closing inside its own callback is legal, and it is also legal for
     * another callback of the same phase to run after it. */
    ASSERT_OK(tide_close(TIDE_HANDLE(t), close_check));
    ASSERT_EQ(tide_close(TIDE_HANDLE(t), close_check), -EALREADY);
    ASSERT_EQ(tide_timer_start(t, on_self_closing_timer, 1, 0, data), -EALREADY);
    ASSERT(tide_set_immediate(tide_handle_loop(TIDE_HANDLE(t)), say, "imm") > 0);
    ASSERT_OK(tide_next_tick(tide_handle_loop(TIDE_HANDLE(t)), say, "tick"));
}

static void on_never(tide_idle_t *h, void *data) { TEST_FAIL("a closed handle's callback ran"); }

static tide_idle_t *victim;

static void on_closer(tide_idle_t *h, void *data)
{
    test_log(&log_, "closer");
    /* Closing a handle that would run later in this same phase: it must
     * not run (its close callback is its last). */
    ASSERT_OK(tide_close(TIDE_HANDLE(victim), close_check));
    ASSERT_OK(tide_close(TIDE_HANDLE(h), close_check));
}

static void close_chain(tide_handle_t *h, void *data)
{
    test_log(&log_, "close1");
    /* A close callback may close another handle; that one's callback runs
     * in a later close phase, and the loop stays alive for it. */
    ASSERT_OK(tide_close(TIDE_HANDLE(data), close_check));
}

static void test_close(void)
{
    tide_loop_t *loop = new_virtual_loop();

    /* The close callback runs in the close phase, after the check phase
     * (and the ticks of the callback that closed it come first). */
    log_reset();
    close_cb_checked = 0;
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    ASSERT_OK(tide_timer_start(t, on_self_closing_timer, 5, 0, "tclose"));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "timer tick imm tclose");
    ASSERT_EQ(close_cb_checked, 1);

    /* A closed handle's callback never runs again, even if it was due
     * later in the same phase; NULL close callbacks are fine. */
    log_reset();
    tide_idle_t *closer;
    ASSERT_OK(tide_idle_new(loop, &closer));
    ASSERT_OK(tide_idle_new(loop, &victim));
    ASSERT_OK(tide_idle_start(closer, on_closer, "c1"));
    ASSERT_OK(tide_idle_start(victim, on_never, "c2"));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    /* Close callbacks run in the order the handles were closed. */
    ASSERT_STR_EQ(log_.buf, "closer c2 c1");
    ASSERT_EQ(close_cb_checked, 3);

    /* Closing an active handle from the main program: its callback never
     * runs, its close callback does. */
    log_reset();
    tide_idle_t *idle;
    ASSERT_OK(tide_idle_new(loop, &idle));
    ASSERT_OK(tide_idle_start(idle, on_never, NULL));
    ASSERT_OK(tide_close(TIDE_HANDLE(idle), close_say));
    ASSERT_EQ(tide_close(TIDE_HANDLE(idle), close_say), -EALREADY);
    ASSERT_EQ(tide_idle_start(idle, on_never, NULL), -EALREADY);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "close");

    /* A close callback closing another handle. */
    log_reset();
    tide_idle_t *a, *b;
    ASSERT_OK(tide_idle_new(loop, &a));
    ASSERT_OK(tide_idle_new(loop, &b));
    tide_handle_set_data(TIDE_HANDLE(a), b);
    tide_handle_set_data(TIDE_HANDLE(b), "close2");
    ASSERT_OK(tide_close(TIDE_HANDLE(a), close_chain));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1); /* b is closing now */
    ASSERT_STR_EQ(log_.buf, "close1");
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "close1 close2");

    ASSERT_EQ(tide_close(NULL, NULL), -EINVAL);
    TEST_CLOSE_LOOP(loop);
}

/* ---- phase order ------------------------------------------------------- */

/* Every handle logs once, the first iteration, and then stops, so one
 * iteration's log shows the order of the phases. */
static int rfd = -1, wfd = -1;

static void on_phase_timer(tide_timer_t *t, void *data)
{
    test_log(&log_, "timers");
    ASSERT_OK(tide_close(TIDE_HANDLE(t), close_say));
}

static void on_phase_idle(tide_idle_t *h, void *data)
{
    test_log(&log_, data);
    ASSERT_OK(tide_idle_stop(h));
}

static void on_phase_poll(tide_poll_t *w, int status, int events, void *data)
{
    test_log(&log_, "poll");
    ASSERT_EQ(status, 0);
    ASSERT(events & TIDE_READABLE);
    char c;
    ASSERT_EQ(read(rfd, &c, 1), 1);
    ASSERT_OK(tide_poll_stop(w));
}

static void test_phase_order(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    int fds[2];
    ASSERT_OK(pipe2(fds, O_CLOEXEC | O_NONBLOCK));
    rfd = fds[0];
    wfd = fds[1];
    ASSERT_EQ(write(wfd, "x", 1), 1);

    /* Started in reverse phase order, so start order cannot explain the
     * log: only the phases can. */
    tide_id_t imm = tide_set_immediate(loop, say, "immediate");
    ASSERT(imm > 0);
    tide_check_t *check;
    ASSERT_OK(tide_check_new(loop, &check));
    ASSERT_OK(tide_check_start(check, on_phase_idle, "check"));
    tide_poll_t *w;
    ASSERT_OK(tide_poll_new(loop, rfd, &w));
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_phase_poll, NULL));
    tide_prepare_t *prep;
    ASSERT_OK(tide_prepare_new(loop, &prep));
    ASSERT_OK(tide_prepare_start(prep, on_phase_idle, "prepare"));
    tide_idle_t *idle;
    ASSERT_OK(tide_idle_new(loop, &idle));
    ASSERT_OK(tide_idle_start(idle, on_phase_idle, "idle"));
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    ASSERT_OK(tide_timer_start(t, on_phase_timer, 0, 0, NULL));

    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 0);
    ASSERT_STR_EQ(log_.buf, "timers idle prepare poll check immediate close");

    tide_close(TIDE_HANDLE(check), NULL);
    tide_close(TIDE_HANDLE(w), NULL);
    tide_close(TIDE_HANDLE(prep), NULL);
    tide_close(TIDE_HANDLE(idle), NULL);
    TEST_CLOSE_LOOP(loop);
    close(rfd);
    close(wfd);
}

/* ---- tide_run starts with the drain ------------------------------------ */

static void test_run_drains_first(void)
{
    tide_loop_t *loop = new_virtual_loop();
    log_reset();
    /* With nothing alive, tide_run still runs what the program queued. */
    ASSERT_OK(tide_queue_microtask(loop, say, "micro"));
    ASSERT_OK(tide_next_tick(loop, say, "tick"));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 0);
    ASSERT_STR_EQ(log_.buf, "tick micro");

    /* And before the first phase: a due timer and an immediate wait for
     * the main program's ticks and microtasks (Node's L1). */
    log_reset();
    tide_timer_t *t;
    ASSERT_OK(tide_timer_new(loop, &t));
    ASSERT_OK(tide_timer_start(t, on_timer_say, 0, 0, "timer"));
    ASSERT(tide_set_immediate(loop, say, "imm") > 0);
    ASSERT_OK(tide_queue_microtask(loop, say, "micro"));
    ASSERT_OK(tide_next_tick(loop, say, "tick"));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "tick micro timer imm");
    tide_close(TIDE_HANDLE(t), NULL);
    TEST_CLOSE_LOOP(loop);
}

int main(void)
{
    test_new_and_close();
    test_run_modes();
    test_stop();
    test_alive();
    test_ref_unref();
    test_close();
    test_phase_order();
    test_run_drains_first();
    return 0;
}
