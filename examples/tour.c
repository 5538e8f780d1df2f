/* examples/tour.c - the flagship example (`make run`): a short tour of the
 * tide loop. It replays the classic ordering puzzle (sync code, nextTick,
 * microtasks, a 0 ms timeout and an immediate), then runs a small "service"
 * for three seconds: a heartbeat interval, an idle timeout that every
 * heartbeat pushes back with refresh, a worker thread waking the loop, and
 * Ctrl-C handled as a loop callback. It prints the loop's own accounting
 * (how long it was busy and how long it slept), then ends with async
 * functions: two tasks awaited together, and a wait cut short by a timeout
 * signal, and events: an emitter whose listeners run inside emit, and an
 * async function awaiting one of its events. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <tide.h>

typedef struct {
    tide_loop_t *loop;
    uint64_t started; /* ms */
    tide_id_t heartbeat;
    tide_timer_t *idle_timeout;
    tide_timer_t *deadline;
    tide_signal_t *sigint;
    tide_wakeup_t *wakeup;
    pthread_t worker;
    int beats;
    int worker_results;
} service_t;

/* ---- part 1: the ordering puzzle -------------------------------------- */

static void say(tide_loop_t *loop, void *text) { printf("  %s\n", (const char *)text); }

static tide_result_t say_then(tide_loop_t *loop, void *text, void *value)
{
    printf("  %s\n", (const char *)text);
    return tide_ok(value);
}

/* Run from inside a timer callback, so the order is deterministic: there
 * the immediate (check phase, same iteration) beats the 0 ms timeout (timers
 * phase, next iteration), exactly as in Node. */
static void puzzle(tide_loop_t *loop, void *unused)
{
    printf("1. ordering puzzle, inside a timer callback (Node prints the same lines)\n");
    printf("  start (sync)\n");
    tide_set_timeout(loop, say, "timeout (timers phase, next iteration)", 0);
    tide_set_immediate(loop, say, "immediate (check phase)");
    tide_promise_t *p, *first;
    tide_promise_resolved(loop, NULL, &p); /* Promise.resolve().then().then() */
    tide_promise_then(p, say_then, NULL, "promise 1 (microtask)", &first);
    tide_promise_then(first, say_then, NULL, "promise 2 (chained microtask)", NULL);
    tide_promise_release(p);
    tide_promise_release(first);
    tide_next_tick(loop, say, "nextTick (drained before microtasks)");
    printf("  end (sync)\n");
}

/* ---- part 4: async functions ---------------------------------------------- */

typedef struct {
    const char *name;
    uint64_t ms;
} job_t;

static tide_result_t job(tide_loop_t *loop, void *arg)
{
    job_t *j = arg;
    tide_sleep_await(loop, j->ms, NULL); /* suspends this task only */
    printf("  %s done after %llu ms\n", j->name, (unsigned long long)j->ms);
    return tide_ok((void *)j->name);
}

static tide_result_t async_tour(tide_loop_t *loop, void *unused)
{
    static job_t slow = {"slow", 400}, fast = {"fast", 200};
    tide_promise_t *jobs[2], *both;
    void **names;
    tide_async(loop, job, &slow, &jobs[0]); /* both start now ... */
    tide_async(loop, job, &fast, &jobs[1]);
    tide_promise_all(loop, jobs, 2, &both);
    if (tide_await(both, (void **)&names, NULL) == 0) /* ... and overlap */
        printf("  awaited both: %s, %s (input order)\n", (char *)names[0], (char *)names[1]);
    tide_promise_release(both);
    tide_promise_release(jobs[0]);
    tide_promise_release(jobs[1]);

    tide_abort_signal_t *timeout;
    tide_abort_signal_timeout(loop, 100, &timeout);
    tide_await_opts_t opts = {.signal = timeout};
    int rc = tide_sleep_await(loop, 10000, &opts); /* a 10 s wait, cut short */
    printf("  10 s sleep with a 100 ms timeout signal: %s\n", tide_err_name(rc));
    tide_abort_signal_release(timeout);
    return tide_ok(NULL);
}

/* ---- part 5: events -------------------------------------------------------- */

typedef struct {
    tide_emitter_t events; /* embedded: emit needs no allocation */
    const char *name;
} shop_t;

static tide_event_t ORDER, CLOSED;

static int on_order(tide_emitter_t *em, tide_event_t ev, void *item, void *who)
{
    printf("  %s hears of an order for %s\n", (const char *)who, (const char *)item);
    return 0; /* a negative code would be a throw: emit stops and returns it */
}

static void close_shop(tide_loop_t *loop, void *shop)
{
    tide_emit(&((shop_t *)shop)->events, CLOSED, "closing time");
}

static tide_result_t wait_for_closing(tide_loop_t *loop, void *arg)
{
    shop_t *shop = arg;
    tide_promise_t *closed;
    void *why;
    if (tide_event_once(&shop->events, CLOSED, NULL, &closed) != 0) return tide_ok(NULL);
    if (tide_await(closed, &why, NULL) == 0)
        printf("  an async function awaited 'closed' on %s: %s\n", shop->name, (char *)why);
    tide_promise_release(closed);
    return tide_ok(NULL);
}

/* ---- part 2: a small service -------------------------------------------- */

static void *worker_main(void *arg)
{
    service_t *s = arg;
    /* Some blocking work off the loop thread, then a wakeup per result. */
    for (int i = 0; i < 3; i++) {
        usleep(400 * 1000);
        tide_wakeup_send(s->wakeup);
    }
    return NULL;
}

static void on_worker_result(tide_wakeup_t *w, void *data)
{
    service_t *s = data;
    s->worker_results++;
    printf("  [%5llu ms] worker thread woke the loop (result %d)\n",
           (unsigned long long)(tide_now(s->loop) - s->started), s->worker_results);
}

static void shutdown_service(service_t *s, const char *why)
{
    printf("  shutting down: %s\n", why);
    tide_clear_interval(s->loop, s->heartbeat);
    tide_close(TIDE_HANDLE(s->idle_timeout), NULL);
    tide_close(TIDE_HANDLE(s->deadline), NULL);
    tide_close(TIDE_HANDLE(s->sigint), NULL);
    tide_close(TIDE_HANDLE(s->wakeup), NULL);
}

static void on_heartbeat(tide_loop_t *loop, void *data)
{
    service_t *s = data;
    s->beats++;
    /* Activity: push the idle timeout back. O(1), as a server does per request. */
    tide_timer_refresh(s->idle_timeout);
    printf("  [%5llu ms] heartbeat %d (idle timeout pushed back)\n",
           (unsigned long long)(tide_now(loop) - s->started), s->beats);
}

static void on_idle_timeout(tide_timer_t *t, void *data)
{
    shutdown_service(data, "idle timeout fired");
}

static void on_deadline(tide_timer_t *t, void *data) { shutdown_service(data, "3 s tour is over"); }

static void on_sigint(tide_signal_t *h, int signum, void *data)
{
    shutdown_service(data, "Ctrl-C (SIGINT arrived as a loop callback)");
}

int main(void)
{
    tide_loop_t *loop;
    int err = tide_loop_new(&loop);
    if (err) {
        fprintf(stderr, "tide_loop_new: %s\n", tide_strerror(err));
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("tide %s, %s backend\n\n", tide_version_string(), tide_loop_backend(loop));

    tide_set_timeout(loop, puzzle, NULL, 0);
    tide_run(loop, TIDE_RUN_DEFAULT);

    printf("\n2. a small service for 3 s (press Ctrl-C to stop it early)\n");
    service_t s = {.loop = loop, .started = tide_now(loop)};
    if ((err = tide_timer_new(loop, &s.idle_timeout)) ||
        (err = tide_timer_start(s.idle_timeout, on_idle_timeout, 1000, 0, &s)) ||
        (err = tide_timer_new(loop, &s.deadline)) ||
        (err = tide_timer_start(s.deadline, on_deadline, 3000, 0, &s)) ||
        (err = tide_signal_new(loop, &s.sigint)) ||
        (err = tide_signal_start(s.sigint, on_sigint, SIGINT, &s)) ||
        (err = tide_wakeup_new(loop, on_worker_result, &s, &s.wakeup))) {
        fprintf(stderr, "setup: %s\n", tide_strerror(err));
        return 1;
    }
    s.heartbeat = tide_set_interval(loop, on_heartbeat, &s, 500);
    pthread_create(&s.worker, NULL, worker_main, &s);

    tide_run(loop, TIDE_RUN_DEFAULT);
    pthread_join(s.worker, NULL);

    tide_loop_metrics_t m;
    tide_loop_metrics(loop, &m);
    printf("\n3. loop accounting\n");
    printf("  iterations %llu, callbacks %llu, I/O events %llu\n", (unsigned long long)m.iterations,
           (unsigned long long)m.callbacks, (unsigned long long)m.events);
    printf("  busy %.3f ms, waiting %.1f ms (utilisation %.3f%%)\n", m.busy_ns / 1e6,
           m.idle_ns / 1e6, 100.0 * (double)m.busy_ns / (double)(m.busy_ns + m.idle_ns + 1));

    printf("\n4. async functions (tide_async / tide_await)\n");
    tide_async(loop, async_tour, NULL, NULL); /* runs until its first await */
    tide_run(loop, TIDE_RUN_DEFAULT);

    printf("\n5. events (tide_emitter_t)\n");
    shop_t shop = {.name = "the corner shop"};
    tide_emitter_init(&shop.events, loop);
    ORDER = tide_event("order");
    CLOSED = tide_event("closed");
    tide_on(&shop.events, ORDER, on_order, "the kitchen");
    tide_on(&shop.events, ORDER, on_order, "the till");
    tide_async(loop, wait_for_closing, &shop, NULL); /* waits for 'closed' */
    printf("  emitting 'order' (listeners run inside emit, in order):\n");
    tide_emit(&shop.events, ORDER, "tea");
    printf("  emit returned\n");
    tide_set_timeout(loop, close_shop, &shop, 50);
    tide_run(loop, TIDE_RUN_DEFAULT);
    tide_emitter_destroy(&shop.events);

    err = tide_loop_close(loop);
    if (err) fprintf(stderr, "tide_loop_close: %s\n", tide_strerror(err));
    return err ? 1 : 0;
}
