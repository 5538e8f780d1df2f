/* tests/core/test_poll.c - the public fd watcher (tide/poll.h) on pipes and
 * sockets: readiness as asked for and nothing else, level-triggered reports,
 * mask changes, stop and close (from inside callbacks too), no stale event
 * for a closed watcher or for a reused fd number, and errors in status. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test_fd.h"

static void close_quietly(tide_poll_t *w) { ASSERT_OK(tide_close(TIDE_HANDLE(w), NULL)); }

/* Most checks run the loop with NOWAIT: the fd is made ready before the run,
 * so a missing event fails an assertion instead of hanging the test. */
static void test_readable(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int p[2];
    make_pipe(p);
    tide_poll_t *w;
    ASSERT_OK(tide_poll_new(loop, p[0], &w));
    ASSERT_EQ(tide_poll_fd(w), p[0]);
    ASSERT_EQ(tide_handle_get_type(TIDE_HANDLE(w)), TIDE_HANDLE_POLL);
    rec_t r = {0};
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_record, &r));
    ASSERT(tide_is_active(TIDE_HANDLE(w)));
    ASSERT_EQ(tide_loop_alive(loop), 1);

    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 0); /* an empty pipe is not readable */

    put(p[1], "x");
    ASSERT_EQ(r.calls, 0); /* never called from inside the call that asked */
    /* ONCE blocks in poll: the ready fd must end the wait by itself. */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(r.calls, 1);
    ASSERT_EQ(r.status, 0);
    ASSERT_EQ(r.events, TIDE_READABLE);
    ASSERT(r.watcher == w);

    drain(p[0]);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 1);

    close_quietly(w);
    TEST_CLOSE_LOOP(loop);
    close(p[0]);
    close(p[1]);
}

static void test_writable(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int p[2];
    make_pipe(p);
    tide_poll_t *w;
    ASSERT_OK(tide_poll_new(loop, p[1], &w));
    rec_t r = {0};
    ASSERT_OK(tide_poll_start(w, TIDE_WRITABLE, on_record, &r));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 1);
    ASSERT_EQ(r.status, 0);
    ASSERT_EQ(r.events, TIDE_WRITABLE);

    /* A full pipe is not writable, and becomes so again once drained. */
    char buf[4096];
    memset(buf, 'x', sizeof buf);
    while (write(p[1], buf, sizeof buf) > 0) {
    }
    ASSERT_EQ(errno, EAGAIN);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 1);
    drain(p[0]);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 2);
    ASSERT_EQ(r.events, TIDE_WRITABLE);

    close_quietly(w);
    TEST_CLOSE_LOOP(loop);
    close(p[0]);
    close(p[1]);
}

/* The peer going away is TIDE_DISCONNECT (when asked for) together with the
 * readability that lets read() return the end of file. */
static void test_disconnect(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));

    /* Peer closed a socket: hang-up on both directions. */
    int s[2];
    make_pair(s);
    tide_poll_t *w;
    ASSERT_OK(tide_poll_new(loop, s[0], &w));
    rec_t r = {0};
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE | TIDE_DISCONNECT, on_record, &r));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 0);
    close(s[1]);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 1);
    ASSERT_EQ(r.status, 0);
    ASSERT_EQ(r.events, TIDE_READABLE | TIDE_DISCONNECT);
    char c;
    ASSERT_EQ(read(s[0], &c, 1), 0);
    close_quietly(w);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 0);
    close(s[0]);

    /* Half-close: the peer shut down writing only. A watcher that asked
     * for DISCONNECT alone hears about it and about nothing else, even
     * though the socket is also readable (EOF) and writable. */
    make_pair(s);
    ASSERT_OK(tide_poll_new(loop, s[0], &w));
    memset(&r, 0, sizeof r);
    ASSERT_OK(tide_poll_start(w, TIDE_DISCONNECT, on_record, &r));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 0);
    ASSERT_OK(shutdown(s[1], SHUT_WR));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 1);
    ASSERT_EQ(r.events, TIDE_DISCONNECT);
    put(s[0], "still writable"); /* our direction is open */
    close_quietly(w);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 0);
    close(s[0]);
    close(s[1]);

    /* A pipe whose writer closed reports hang-up as DISCONNECT too. */
    int p[2];
    make_pipe(p);
    ASSERT_OK(tide_poll_new(loop, p[0], &w));
    memset(&r, 0, sizeof r);
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE | TIDE_DISCONNECT, on_record, &r));
    close(p[1]);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 1);
    ASSERT_EQ(r.status, 0);
    ASSERT_EQ(r.events, TIDE_READABLE | TIDE_DISCONNECT);
    ASSERT_EQ(read(p[0], &c, 1), 0);
    close_quietly(w);
    TEST_CLOSE_LOOP(loop);
    close(p[0]);
}

/* One watcher, one fd: each start replaces the mask, the callback and the
 * data; only asked-for events are reported although the fd has more. */
static void test_mask_change(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int s[2];
    make_pair(s);
    put(s[1], "x"); /* s[0] is now readable and writable */
    tide_poll_t *w;
    ASSERT_OK(tide_poll_new(loop, s[0], &w));
    rec_t ra = {0}, rb = {0};

    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_record, &ra));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(ra.calls, 1);
    ASSERT_EQ(ra.events, TIDE_READABLE);

    ASSERT_OK(tide_poll_start(w, TIDE_WRITABLE, on_record, &rb));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(ra.calls, 1); /* the old data pointer is gone */
    ASSERT_EQ(rb.calls, 1);
    ASSERT_EQ(rb.events, TIDE_WRITABLE);

    ASSERT_OK(tide_poll_start(w, TIDE_READABLE | TIDE_WRITABLE, on_record, &rb));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(rb.calls, 2);
    ASSERT_EQ(rb.events, TIDE_READABLE | TIDE_WRITABLE);

    /* Back to a readable-only mask once the data is gone: silence. */
    drain(s[0]);
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_record, &rb));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(rb.calls, 2);

    /* Starting with the same mask again changes nothing. */
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_record, &rb));
    put(s[1], "y");
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(rb.calls, 3);
    ASSERT_EQ(rb.events, TIDE_READABLE);

    /* A second watcher cannot take the fd while the first owns it. */
    tide_poll_t *w2;
    ASSERT_EQ(tide_poll_new(loop, s[0], &w2), -EEXIST);

    close_quietly(w);
    TEST_CLOSE_LOOP(loop);
    close(s[0]);
    close(s[1]);
}

/* The same fd watched first for reading, then (by a second watcher, after
 * the first is stopped) for writing. A watcher created while another owns
 * the fd cannot start until the owner lets go. */
static void test_read_then_write(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int s[2];
    make_pair(s);
    put(s[1], "x");
    tide_poll_t *reader, *writer;
    ASSERT_OK(tide_poll_new(loop, s[0], &reader));
    ASSERT_OK(tide_poll_new(loop, s[0], &writer)); /* nobody owns it yet */
    rec_t rr = {0}, rw = {0};
    ASSERT_OK(tide_poll_start(reader, TIDE_READABLE, on_record, &rr));
    ASSERT_EQ(tide_poll_start(writer, TIDE_WRITABLE, on_record, &rw), -EEXIST);
    ASSERT(!tide_is_active(TIDE_HANDLE(writer)));

    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(rr.calls, 1);
    ASSERT_EQ(rr.events, TIDE_READABLE);
    ASSERT_EQ(rw.calls, 0);

    ASSERT_OK(tide_poll_stop(reader));
    ASSERT_OK(tide_poll_start(writer, TIDE_WRITABLE, on_record, &rw));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(rr.calls, 1);
    ASSERT_EQ(rw.calls, 1);
    ASSERT_EQ(rw.events, TIDE_WRITABLE);

    /* Closing the owner (not just stopping) frees the fd too. */
    close_quietly(writer);
    ASSERT_OK(tide_poll_start(reader, TIDE_READABLE | TIDE_WRITABLE, on_record, &rr));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(rr.calls, 2);
    ASSERT_EQ(rr.events, TIDE_READABLE | TIDE_WRITABLE);

    close_quietly(reader);
    TEST_CLOSE_LOOP(loop);
    close(s[0]);
    close(s[1]);
}

static void on_stop_self(tide_poll_t *w, int status, int events, void *data)
{
    ((rec_t *)data)->calls++;
    ASSERT_OK(tide_poll_stop(w));
}

static void test_stop(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int p[2];
    make_pipe(p);
    put(p[1], "x"); /* stays unread throughout: always readable */
    tide_poll_t *w;
    ASSERT_OK(tide_poll_new(loop, p[0], &w));
    rec_t r = {0};
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_record, &r));
    ASSERT_OK(tide_poll_stop(w));
    ASSERT(!tide_is_active(TIDE_HANDLE(w)));
    ASSERT_EQ(tide_loop_alive(loop), 0); /* a stopped watcher holds nothing */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(r.calls, 0);
    ASSERT_OK(tide_poll_stop(w)); /* idempotent */

    /* Restart after a stop: registered afresh. */
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_record, &r));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 1);

    /* A zero mask is a stop, and needs no callback. */
    ASSERT_OK(tide_poll_start(w, 0, NULL, NULL));
    ASSERT(!tide_is_active(TIDE_HANDLE(w)));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 0);
    ASSERT_EQ(r.calls, 1);

    /* Stopped from its own callback: no further call although the fd is
     * still readable. */
    memset(&r, 0, sizeof r);
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_stop_self, &r));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(r.calls, 1);

    /* An unreferenced watcher does not keep the loop alive. */
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_record, &r));
    tide_unref(TIDE_HANDLE(w));
    ASSERT_EQ(tide_loop_alive(loop), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    tide_ref(TIDE_HANDLE(w));
    ASSERT_EQ(tide_loop_alive(loop), 1);

    close_quietly(w);
    TEST_CLOSE_LOOP(loop);
    close(p[0]);
    close(p[1]);
}

typedef struct {
    int calls;
    int close_calls;
    tide_poll_t *self;
    void *close_data;
} self_close_t;

static void on_closed(tide_handle_t *h, void *data)
{
    self_close_t *s = data;
    ASSERT(h == TIDE_HANDLE(s->self));
    s->close_calls++;
    s->close_data = data;
}

static void on_close_self(tide_poll_t *w, int status, int events, void *data)
{
    self_close_t *s = data;
    s->calls++;
    ASSERT_OK(tide_close(TIDE_HANDLE(w), on_closed));
    ASSERT(tide_is_closing(TIDE_HANDLE(w)));
    ASSERT(!tide_is_active(TIDE_HANDLE(w)));
    ASSERT_EQ(tide_close(TIDE_HANDLE(w), on_closed), -EALREADY);
    ASSERT_EQ(tide_poll_start(w, TIDE_READABLE, on_close_self, s), -EALREADY);
    ASSERT_EQ(s->close_calls, 0); /* the close callback waits for its phase */
}

static void test_close_in_callback(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int p[2];
    make_pipe(p);
    put(p[1], "x"); /* left unread: a live watcher would be called again */
    self_close_t s = {0};
    ASSERT_OK(tide_poll_new(loop, p[0], &s.self));
    ASSERT_OK(tide_poll_start(s.self, TIDE_READABLE, on_close_self, &s));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(s.calls, 1);
    ASSERT_EQ(s.close_calls, 1);
    ASSERT(s.close_data == &s);
    ASSERT_EQ(tide_loop_close(loop), 0);
    close(p[0]);
    close(p[1]);
}

/* Two read ends ready in the same poll. Whichever callback runs first gets
 * rid of the other watcher (mode decides how); the other must then not be
 * called with the event already harvested for it. */
enum { KILL_CLOSE, KILL_STOP, KILL_REMASK, KILL_REUSE, KILL_REUSE_FD_FIRST };

typedef struct {
    tide_loop_t *loop;
    int mode;
    int rfd[2], wfd[2];
    tide_poll_t *w[2];
    int calls[2];
    int first; /* index of the callback that ran first, -1 before */
    int spare[2]; /* a pipe made ahead, so the reused number is exact */
    tide_poll_t *fresh;
    int fresh_calls;
} pairwise_t;

static void on_fresh(tide_poll_t *w, int status, int events, void *data)
{
    pairwise_t *t = data;
    t->fresh_calls++;
    ASSERT_EQ(status, 0);
    ASSERT_EQ(events, TIDE_READABLE);
    /* An event meant for the old fd would find this pipe empty. */
    char c;
    ASSERT_EQ(read(tide_poll_fd(w), &c, 1), 1);
}

static void on_pairwise(tide_poll_t *w, int status, int events, void *data)
{
    pairwise_t *t = data;
    int me = w == t->w[0] ? 0 : 1;
    ASSERT(w == t->w[me]);
    t->calls[me]++;
    if (t->first >= 0) {
        /* A later call (the other watcher restarted): just settle down. */
        ASSERT_OK(tide_poll_stop(w));
        return;
    }
    t->first = me;
    int other = 1 - me;
    int num = t->rfd[other];
    switch (t->mode) {
    case KILL_CLOSE: ASSERT_OK(tide_close(TIDE_HANDLE(t->w[other]), NULL)); break;
    case KILL_STOP: ASSERT_OK(tide_poll_stop(t->w[other])); break;
    case KILL_REMASK:
        /* Now it wants only what a read end never is: the readable event
         * already harvested for it is no longer wanted. */
        ASSERT_OK(tide_poll_start(t->w[other], TIDE_WRITABLE, on_pairwise, t));
        break;
    case KILL_REUSE:
    case KILL_REUSE_FD_FIRST:
        /* The documented order is watcher first, then fd; the other order
         * (fd closed an instant before the watcher) must be as safe. */
        if (t->mode == KILL_REUSE) {
            ASSERT_OK(tide_close(TIDE_HANDLE(t->w[other]), NULL));
            ASSERT_OK(close(num));
        } else {
            ASSERT_OK(close(num));
            ASSERT_OK(tide_close(TIDE_HANDLE(t->w[other]), NULL));
        }
        ASSERT_EQ(dup3(t->spare[0], num, O_CLOEXEC), num);
        ASSERT_OK(close(t->spare[0]));
        t->spare[0] = -1;
        ASSERT_OK(tide_poll_new(t->loop, num, &t->fresh));
        ASSERT_OK(tide_poll_start(t->fresh, TIDE_READABLE, on_fresh, t));
        break;
    }
    /* Keep this iteration the only one: drop our own readiness too. */
    ASSERT_OK(tide_poll_stop(w));
}

static void run_pairwise(int mode)
{
    pairwise_t t;
    memset(&t, 0, sizeof t);
    t.mode = mode;
    t.first = -1;
    ASSERT_OK(tide_loop_new(&t.loop));
    for (int i = 0; i < 2; i++) {
        int p[2];
        make_pipe(p);
        t.rfd[i] = p[0];
        t.wfd[i] = p[1];
        put(p[1], "x");
        ASSERT_OK(tide_poll_new(t.loop, p[0], &t.w[i]));
        ASSERT_OK(tide_poll_start(t.w[i], TIDE_READABLE, on_pairwise, &t));
    }
    make_pipe(t.spare);
    int reuse = mode == KILL_REUSE || mode == KILL_REUSE_FD_FIRST;

    /* Alive afterwards only through the fresh or the re-masked watcher. */
    ASSERT_EQ(tide_run(t.loop, TIDE_RUN_NOWAIT), reuse || mode == KILL_REMASK);
    ASSERT(t.first == 0 || t.first == 1);
    int other = 1 - t.first;
    ASSERT_EQ(t.calls[t.first], 1);
    ASSERT_EQ(t.calls[other], 0);
    ASSERT_EQ(t.fresh_calls, 0);

    if (mode == KILL_REMASK) {
        ASSERT_EQ(tide_run(t.loop, TIDE_RUN_NOWAIT), 1);
        ASSERT_EQ(t.calls[other], 0);
        ASSERT_OK(tide_close(TIDE_HANDLE(t.w[other]), NULL));
    }
    if (mode == KILL_STOP) {
        /* Stopped is not lost: started again, it reports the same data. */
        ASSERT_OK(tide_poll_start(t.w[other], TIDE_READABLE, on_pairwise, &t));
        ASSERT_EQ(tide_run(t.loop, TIDE_RUN_NOWAIT), 0); /* it stops itself */
        ASSERT_EQ(t.calls[other], 1);
        ASSERT_OK(tide_close(TIDE_HANDLE(t.w[other]), NULL));
    }
    if (reuse) {
        /* The new watcher is properly registered: real data reaches it. */
        ASSERT_EQ(tide_run(t.loop, TIDE_RUN_NOWAIT), 1);
        ASSERT_EQ(t.fresh_calls, 0);
        put(t.spare[1], "y");
        ASSERT_EQ(tide_run(t.loop, TIDE_RUN_NOWAIT), 1);
        ASSERT_EQ(t.fresh_calls, 1);
        ASSERT_OK(tide_close(TIDE_HANDLE(t.fresh), NULL));
    }
    ASSERT_OK(tide_close(TIDE_HANDLE(t.w[t.first]), NULL));
    TEST_CLOSE_LOOP(t.loop);
    for (int i = 0; i < 2; i++) {
        close(t.rfd[i]); /* the fresh pipe's read end, in the reuse modes */
        close(t.wfd[i]);
    }
    if (t.spare[0] >= 0) close(t.spare[0]);
    close(t.spare[1]);
}

static void test_two_ready_first_closes_second(void)
{
    run_pairwise(KILL_CLOSE);
    run_pairwise(KILL_STOP);
    run_pairwise(KILL_REMASK);
}

static void test_fd_reuse_in_one_iteration(void)
{
    run_pairwise(KILL_REUSE);
    run_pairwise(KILL_REUSE_FD_FIRST);
}

/* An fd closed behind its watcher's back (no stop first) drops out of the
 * kernel's set, so the watcher hears nothing more; stopping it afterwards
 * is harmless, and the number is then free for a new watcher. */
static void test_closed_behind_back(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int p[2], q[2];
    make_pipe(p);
    make_pipe(q); /* made ahead, so the dup3 lands on the exact number */
    put(p[1], "x");
    tide_poll_t *w;
    ASSERT_OK(tide_poll_new(loop, p[0], &w));
    rec_t r = {0};
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_record, &r));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 1);

    int num = p[0];
    ASSERT_OK(close(num)); /* the data is still unread: level-triggered */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 1);

    /* The number now names another pipe, with data of its own. */
    ASSERT_EQ(dup3(q[0], num, O_CLOEXEC), num);
    close(q[0]);
    put(q[1], "y");
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 1); /* not registered for the new file */

    ASSERT_OK(tide_poll_stop(w));
    close_quietly(w);
    tide_poll_t *w2;
    rec_t r2 = {0};
    ASSERT_OK(tide_poll_new(loop, num, &w2));
    ASSERT_OK(tide_poll_start(w2, TIDE_READABLE, on_record, &r2));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r2.calls, 1);
    ASSERT_EQ(r.calls, 1);

    close_quietly(w2);
    TEST_CLOSE_LOOP(loop);
    close(num);
    close(p[1]);
    close(q[1]);
}

static void on_read_one(tide_poll_t *w, int status, int events, void *data)
{
    rec_t *r = data;
    r->calls++;
    r->events = events;
    char c;
    ASSERT_EQ(read(tide_poll_fd(w), &c, 1), 1);
}

/* Level-triggered: readiness is reported again every iteration until the
 * program consumes it, not once per change. */
static void test_level_triggered(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int p[2];
    make_pipe(p);
    put(p[1], "x");
    tide_poll_t *w;
    ASSERT_OK(tide_poll_new(loop, p[0], &w));
    rec_t r = {0};
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_record, &r));
    for (int i = 1; i <= 3; i++) {
        ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
        ASSERT_EQ(r.calls, i);
        ASSERT_EQ(r.events, TIDE_READABLE);
    }

    /* Reading one byte per call: one call per byte, then silence. */
    memset(&r, 0, sizeof r);
    put(p[1], "yz"); /* three bytes in the pipe now */
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_read_one, &r));
    for (int i = 0; i < 5; i++) ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 3);

    close_quietly(w);
    TEST_CLOSE_LOOP(loop);
    close(p[0]);
    close(p[1]);
}

static void on_close_on_call(tide_poll_t *w, int status, int events, void *data)
{
    on_record(w, status, events, data);
    ASSERT_OK(tide_close(TIDE_HANDLE(w), NULL));
}

/* Errors: bad arguments and unwatchable fds come back from the calls; an fd
 * in error comes back as status, with every asked-for event set so the
 * program's own read or write runs into the error. */
static void test_errors(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_poll_t *w;
    rec_t r = {0};

    ASSERT_EQ(tide_poll_new(loop, -1, &w), -EBADF);
    ASSERT_EQ(tide_poll_new(NULL, 0, &w), -EINVAL);

    /* An fd number that is not open. */
    int p[2];
    make_pipe(p);
    close(p[0]);
    close(p[1]);
    ASSERT_OK(tide_poll_new(loop, p[0], &w));
    ASSERT_EQ(tide_poll_start(w, TIDE_READABLE, on_record, &r), -EBADF);
    ASSERT(!tide_is_active(TIDE_HANDLE(w)));
    ASSERT_EQ(tide_loop_alive(loop), 0);
    close_quietly(w);

    /* A regular file: epoll cannot watch it. */
    FILE *f = tmpfile();
    ASSERT(f != NULL);
    ASSERT_OK(tide_poll_new(loop, fileno(f), &w));
    ASSERT_EQ(tide_poll_start(w, TIDE_READABLE, on_record, &r), -EPERM);
    ASSERT(!tide_is_active(TIDE_HANDLE(w)));
    close_quietly(w);
    fclose(f);

    /* Bad masks and a missing callback. */
    make_pipe(p);
    ASSERT_OK(tide_poll_new(loop, p[0], &w));
    ASSERT_EQ(tide_poll_start(w, 64, on_record, &r), -EINVAL);
    ASSERT_EQ(tide_poll_start(w, TIDE_READABLE, NULL, &r), -EINVAL);
    ASSERT(!tide_is_active(TIDE_HANDLE(w)));
    /* The failed start left the fd free for another watcher. */
    close_quietly(w);
    ASSERT_OK(tide_poll_new(loop, p[0], &w));
    close_quietly(w);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    close(p[0]);
    close(p[1]);

    /* A refused connection: a bound socket that does not listen answers a
     * SYN with a reset, so the connecting socket goes into error. */
    int srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT(srv >= 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_OK(bind(srv, (struct sockaddr *)&addr, sizeof addr));
    socklen_t len = sizeof addr;
    ASSERT_OK(getsockname(srv, (struct sockaddr *)&addr, &len));
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ASSERT(c >= 0);
    ASSERT_EQ(connect(c, (struct sockaddr *)&addr, sizeof addr), -1);
    ASSERT_EQ(errno, EINPROGRESS);
    ASSERT_OK(tide_poll_new(loop, c, &w));
    memset(&r, 0, sizeof r);
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE | TIDE_WRITABLE, on_close_on_call, &r));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0); /* blocks until the reset */
    ASSERT_EQ(r.calls, 1);
    ASSERT_EQ(r.status, -ECONNREFUSED);
    ASSERT_EQ(r.events & (TIDE_READABLE | TIDE_WRITABLE), TIDE_READABLE | TIDE_WRITABLE);
    close(c);
    close(srv);

    /* A pipe's write end after the reader went away is in error too: no
     * socket error to name, but status is negative and the write says why. */
    make_pipe(p);
    close(p[0]);
    ASSERT_OK(tide_poll_new(loop, p[1], &w));
    memset(&r, 0, sizeof r);
    ASSERT_OK(tide_poll_start(w, TIDE_WRITABLE, on_close_on_call, &r));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(r.calls, 1);
    ASSERT_LT(r.status, 0);
    ASSERT_EQ(r.events, TIDE_WRITABLE);
    ASSERT_EQ(write(p[1], "x", 1), -1); /* EPIPE, not a signal: see test_signal */
    ASSERT_EQ(errno, EPIPE);
    close(p[1]);

    ASSERT_EQ(tide_loop_close(loop), 0);
}

/* Out-of-band TCP data is TIDE_PRIORITIZED, reported alone when asked
 * alone, and gone once read. */
static void test_prioritized(void)
{
    int srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT(srv >= 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_OK(bind(srv, (struct sockaddr *)&addr, sizeof addr));
    ASSERT_OK(listen(srv, 1));
    socklen_t len = sizeof addr;
    ASSERT_OK(getsockname(srv, (struct sockaddr *)&addr, &len));
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_OK(connect(c, (struct sockaddr *)&addr, sizeof addr));
    int s = accept4(srv, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    ASSERT(s >= 0);

    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    tide_poll_t *w;
    ASSERT_OK(tide_poll_new(loop, s, &w));
    rec_t r = {0};
    ASSERT_OK(tide_poll_start(w, TIDE_PRIORITIZED, on_record, &r));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 0);
    ASSERT_EQ(send(c, "!", 1, MSG_OOB), 1);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(r.calls, 1);
    ASSERT_EQ(r.events, TIDE_PRIORITIZED);
    char b;
    ASSERT_EQ(recv(s, &b, 1, MSG_OOB), 1);
    ASSERT_EQ(b, '!');
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 1);

    close_quietly(w);
    TEST_CLOSE_LOOP(loop);
    close(s);
    close(c);
    close(srv);
}

/* A callback that starts a watcher on a high fd number makes the loop's fd
 * table grow in the middle of a dispatch: the events still to dispatch in
 * that poll must reach their watchers all the same. */
enum { HIGH_FD = 1000 };

typedef struct {
    tide_loop_t *loop;
    tide_poll_t *w[2];
    int calls[2];
    int high_read, high_write;
    tide_poll_t *high;
    int high_calls;
} growth_t;

static void on_high(tide_poll_t *w, int status, int events, void *data)
{
    growth_t *g = data;
    g->high_calls++;
    ASSERT_EQ(events, TIDE_READABLE);
    ASSERT_OK(tide_poll_stop(w));
}

static void on_grow(tide_poll_t *w, int status, int events, void *data)
{
    growth_t *g = data;
    int me = w == g->w[0] ? 0 : 1;
    g->calls[me]++;
    ASSERT_OK(tide_poll_stop(w));
    if (g->high) return;
    int p[2];
    make_pipe(p);
    ASSERT_EQ(dup3(p[0], HIGH_FD, O_CLOEXEC), HIGH_FD);
    close(p[0]);
    g->high_read = HIGH_FD;
    g->high_write = p[1];
    put(p[1], "x");
    ASSERT_OK(tide_poll_new(g->loop, HIGH_FD, &g->high));
    ASSERT_OK(tide_poll_start(g->high, TIDE_READABLE, on_high, g));
}

static void test_fd_table_growth_in_dispatch(void)
{
    struct rlimit rl;
    ASSERT_OK(getrlimit(RLIMIT_NOFILE, &rl));
    if (rl.rlim_cur <= HIGH_FD) return; /* cannot open such an fd here */
    ASSERT_EQ(fcntl(HIGH_FD, F_GETFD), -1); /* the number is free */

    growth_t g;
    memset(&g, 0, sizeof g);
    ASSERT_OK(tide_loop_new(&g.loop));
    int p[2][2];
    for (int i = 0; i < 2; i++) {
        make_pipe(p[i]);
        put(p[i][1], "x");
        ASSERT_OK(tide_poll_new(g.loop, p[i][0], &g.w[i]));
        ASSERT_OK(tide_poll_start(g.w[i], TIDE_READABLE, on_grow, &g));
    }
    ASSERT_EQ(tide_run(g.loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(g.calls[0], 1);
    ASSERT_EQ(g.calls[1], 1);
    ASSERT_EQ(g.high_calls, 0); /* started during this poll: next one */
    ASSERT_EQ(tide_run(g.loop, TIDE_RUN_NOWAIT), 0);
    ASSERT_EQ(g.high_calls, 1);

    close_quietly(g.w[0]);
    close_quietly(g.w[1]);
    close_quietly(g.high);
    TEST_CLOSE_LOOP(g.loop);
    for (int i = 0; i < 2; i++) {
        close(p[i][0]);
        close(p[i][1]);
    }
    close(g.high_read);
    close(g.high_write);
}

/* The watcher captures the async context current at start and runs its
 * callback in it (DESIGN.md section 8). */
static int ctx_a;
static void on_context(tide_poll_t *w, int status, int events, void *data)
{
    ASSERT(tide_context_get(tide_handle_loop(TIDE_HANDLE(w))) == &ctx_a);
    ((rec_t *)data)->calls++;
}

static void test_context(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int p[2];
    make_pipe(p);
    put(p[1], "x");
    tide_poll_t *w;
    ASSERT_OK(tide_poll_new(loop, p[0], &w));
    rec_t r = {0};
    tide_context_set(loop, &ctx_a);
    ASSERT_OK(tide_poll_start(w, TIDE_READABLE, on_context, &r));
    tide_context_set(loop, NULL);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_NOWAIT), 1);
    ASSERT_EQ(r.calls, 1);
    ASSERT(tide_context_get(loop) == NULL); /* put back after the callback */
    close_quietly(w);
    TEST_CLOSE_LOOP(loop);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    test_readable();
    test_writable();
    test_disconnect();
    test_mask_change();
    test_read_then_write();
    test_stop();
    test_close_in_callback();
    test_two_ready_first_closes_second();
    test_fd_reuse_in_one_iteration();
    test_closed_behind_back();
    test_level_triggered();
    test_errors();
    test_prioritized();
    test_fd_table_growth_in_dispatch();
    test_context();
    return 0;
}
