/* tests/core/test_wakeup.c - cross-thread wakeup (tide/wakeup.h): sends from
 * any thread (or a signal handler) coalesce into one callback on the loop's
 * thread, no send is lost (a callback always follows the last one), an
 * unref'd handle does not hold the loop, and close ends the callbacks. */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

#include "test_fd.h"

typedef struct {
    int calls;
    tide_wakeup_t *handle;
    pthread_t loop_thread;
} counter_t;

static void on_count(tide_wakeup_t *w, void *data)
{
    counter_t *c = data;
    c->calls++;
    ASSERT(c->handle == NULL || c->handle == w);
    ASSERT(pthread_equal(pthread_self(), c->loop_thread)); /* the loop's thread */
}

typedef struct {
    tide_wakeup_t *w;
    int sends;
} burst_t;

static void *send_burst(void *arg)
{
    burst_t *b = arg;
    for (int i = 0; i < b->sends; i++) ASSERT_OK(tide_wakeup_send(b->w));
    return NULL;
}

/* Sends made before the loop gets to the handle cost one callback, from
 * whichever threads they came; a handle nobody sent to stays silent. */
static void test_coalesce_before_run(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    counter_t ca = {.loop_thread = pthread_self()}, cb = {.loop_thread = pthread_self()};
    tide_wakeup_t *a, *b;
    ASSERT_OK(tide_wakeup_new(loop, on_count, &ca, &a));
    ASSERT_OK(tide_wakeup_new(loop, on_count, &cb, &b));
    ca.handle = a;
    cb.handle = b;
    ASSERT(tide_is_active(TIDE_HANDLE(a)));
    ASSERT_EQ(tide_handle_get_type(TIDE_HANDLE(a)), TIDE_HANDLE_WAKEUP);

    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(ca.calls, 0); /* nothing sent yet */

    for (int i = 0; i < 1000; i++) ASSERT_OK(tide_wakeup_send(a));
    ASSERT_EQ(ca.calls, 0); /* never from inside the send */
    enum { NTHREADS = 4 };
    pthread_t th[NTHREADS];
    burst_t burst = {a, 1000};
    for (int i = 0; i < NTHREADS; i++) ASSERT_OK(pthread_create(&th[i], NULL, send_burst, &burst));
    for (int i = 0; i < NTHREADS; i++) ASSERT_OK(pthread_join(th[i], NULL));

    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(ca.calls, 1);
    ASSERT_EQ(cb.calls, 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(ca.calls, 1); /* consumed: no echo in the next iteration */

    /* A send after the callback is a new wakeup. */
    ASSERT_OK(tide_wakeup_send(a));
    ASSERT_OK(tide_wakeup_send(b));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(ca.calls, 2);
    ASSERT_EQ(cb.calls, 1);

    ASSERT_OK(tide_close(TIDE_HANDLE(a), NULL));
    ASSERT_OK(tide_close(TIDE_HANDLE(b), NULL));
    TEST_CLOSE_LOOP(loop);
}

/* Each sender publishes its progress, then sends. The loop stops only when
 * one callback sees every sender's final progress: if the wakeup after the
 * last send were lost, the loop would sit in poll and the watchdog fires. */
enum { SENDERS = 4, SENDS_EACH = 20000 };

typedef struct {
    tide_loop_t *loop;
    tide_wakeup_t *w;
    atomic_int progress[SENDERS];
    pthread_t th[SENDERS];
    int index[SENDERS];
    int calls;
    int saw_all;
} race_t;

static race_t race;

static void *send_with_progress(void *arg)
{
    int me = *(int *)arg;
    for (int i = 1; i <= SENDS_EACH; i++) {
        atomic_store_explicit(&race.progress[me], i, memory_order_release);
        ASSERT_OK(tide_wakeup_send(race.w));
    }
    return NULL;
}

static void on_race(tide_wakeup_t *w, void *data)
{
    race.calls++;
    for (int i = 0; i < SENDERS; i++)
        if (atomic_load_explicit(&race.progress[i], memory_order_acquire) != SENDS_EACH) return;
    race.saw_all = 1;
    /* Stop rather than close: the senders may still be inside their last
     * send, and a closed handle must not be sent to. */
    tide_stop(tide_handle_loop(TIDE_HANDLE(w)));
}

static void on_watchdog(tide_timer_t *t, void *data) { TEST_FAIL("%s", (const char *)data); }

static void test_senders_while_running(void)
{
    ASSERT_OK(tide_loop_new(&race.loop));
    ASSERT_OK(tide_wakeup_new(race.loop, on_race, NULL, &race.w));
    tide_timer_t *watchdog;
    ASSERT_OK(tide_timer_new(race.loop, &watchdog));
    ASSERT_OK(tide_timer_start(watchdog, on_watchdog, 30000, 0, "a wakeup was lost"));
    tide_unref(TIDE_HANDLE(watchdog));
    for (int i = 0; i < SENDERS; i++) {
        race.index[i] = i;
        ASSERT_OK(pthread_create(&race.th[i], NULL, send_with_progress, &race.index[i]));
    }
    ASSERT_EQ(tide_run(race.loop, TIDE_RUN_DEFAULT), 1); /* ended by tide_stop */
    for (int i = 0; i < SENDERS; i++) ASSERT_OK(pthread_join(race.th[i], NULL));
    ASSERT_EQ(race.saw_all, 1);
    ASSERT_GE(race.calls, 1);
    ASSERT_LE(race.calls, SENDERS * SENDS_EACH); /* coalesced, never more */

    ASSERT_OK(tide_close(TIDE_HANDLE(race.w), NULL));
    ASSERT_OK(tide_close(TIDE_HANDLE(watchdog), NULL));
    TEST_CLOSE_LOOP(race.loop);
}

/* An unref'd wakeup does not keep the loop alive, but still wakes it and
 * gets its callback while something else does. */
typedef struct {
    tide_wakeup_t *quiet; /* unref'd */
    tide_wakeup_t *keeper;
    int calls;
} unref_t;

static void on_quiet(tide_wakeup_t *w, void *data)
{
    unref_t *u = data;
    u->calls++;
    ASSERT_OK(tide_close(TIDE_HANDLE(u->keeper), NULL));
}

static void on_keeper(tide_wakeup_t *w, void *data) { TEST_FAIL("nobody sent to the keeper"); }

static void *send_once(void *arg)
{
    ASSERT_OK(tide_wakeup_send(arg));
    return NULL;
}

static void test_unref(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    unref_t u = {0};
    ASSERT_OK(tide_wakeup_new(loop, on_quiet, &u, &u.quiet));
    tide_unref(TIDE_HANDLE(u.quiet));
    ASSERT_EQ(tide_has_ref(TIDE_HANDLE(u.quiet)), 0);
    ASSERT_EQ(tide_loop_alive(loop), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0); /* returns, no blocking */

    /* With a referenced handle holding the loop in poll, a send from another
     * thread to the unref'd one wakes it; that callback lets the loop go. */
    ASSERT_OK(tide_wakeup_new(loop, on_keeper, &u, &u.keeper));
    pthread_t th;
    ASSERT_OK(pthread_create(&th, NULL, send_once, u.quiet));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_OK(pthread_join(th, NULL));
    ASSERT_EQ(u.calls, 1);

    tide_ref(TIDE_HANDLE(u.quiet));
    ASSERT_EQ(tide_loop_alive(loop), 1);
    ASSERT_OK(tide_close(TIDE_HANDLE(u.quiet), NULL));
    TEST_CLOSE_LOOP(loop);
}

static void on_close_self(tide_wakeup_t *w, void *data)
{
    counter_t *c = data;
    c->calls++;
    ASSERT_OK(tide_close(TIDE_HANDLE(w), NULL));
    ASSERT_EQ(tide_close(TIDE_HANDLE(w), NULL), -EALREADY);
}

static void on_never(tide_wakeup_t *w, void *data) { TEST_FAIL("callback after close"); }

static void on_closed(tide_handle_t *h, void *data) { (*(int *)data)++; }

/* Closing: from the handle's own callback, and with a send still pending
 * (the callback must not run after close). The loop's eventfd goes with
 * the loop: no descriptor is left behind. */
static void test_close(void)
{
    int fds_before = count_fds();
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    counter_t c = {.loop_thread = pthread_self()};
    tide_wakeup_t *w;
    ASSERT_OK(tide_wakeup_new(loop, on_close_self, &c, &w));
    ASSERT_OK(tide_wakeup_send(w));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(c.calls, 1);

    int closed = 0;
    ASSERT_OK(tide_wakeup_new(loop, on_never, &closed, &w)); /* close_cb gets the data */
    ASSERT_OK(tide_wakeup_send(w));
    ASSERT_OK(tide_close(TIDE_HANDLE(w), on_closed));
    ASSERT(tide_is_closing(TIDE_HANDLE(w)));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(closed, 1);

    /* A handle made after the others closed works on the same loop. */
    c.calls = 0;
    ASSERT_OK(tide_wakeup_new(loop, on_close_self, &c, &w));
    ASSERT_OK(tide_wakeup_send(w));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(c.calls, 1);

    ASSERT_EQ(tide_wakeup_new(loop, NULL, NULL, &w), -EINVAL);
    ASSERT_EQ(tide_loop_close(loop), 0);
    ASSERT_EQ(count_fds(), fds_before);
}

/* tide_wakeup_send is async-signal-safe: a signal handler may call it. */
static tide_wakeup_t *from_handler;

static void send_from_handler(int signum) { tide_wakeup_send(from_handler); }

static void test_send_from_signal_handler(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    counter_t c = {.loop_thread = pthread_self()};
    ASSERT_OK(tide_wakeup_new(loop, on_close_self, &c, &from_handler));
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = send_from_handler;
    ASSERT_OK(sigaction(SIGUSR1, &sa, &old));
    ASSERT_OK(raise(SIGUSR1));
    ASSERT_OK(sigaction(SIGUSR1, &old, NULL));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(c.calls, 1);
    ASSERT_EQ(tide_loop_close(loop), 0);
}

int main(void)
{
    test_coalesce_before_run();
    test_senders_while_running();
    test_unref();
    test_close();
    test_send_from_signal_handler();
    return 0;
}
