/* tests/io/test_process_pipe.c - a child's stdio as streams: Node's order
 * of 'exit' and 'close', a child that exits before its output is read,
 * tens of MiB through stdout with a reader that pauses (backpressure),
 * stdin written to a child, a duplex extra fd, many children at once, and
 * freeing a process whose pipes are open. */
#include "process_test.h"

static char log_buf[256];

static void logf_(const char *s)
{
    size_t n = strlen(log_buf);
    snprintf(log_buf + n, sizeof log_buf - n, "%s%s", n ? " " : "", s);
}

static int on_data_log(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    const tide_chunk_t *c = arg;
    char s[64];
    snprintf(s, sizeof s, "data(%.*s)", (int)(c->len < 20 ? c->len : 20), (const char *)c->base);
    logf_(s);
    return 0;
}

static int on_event_log(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    logf_(data);
    return 0;
}

static void exit_log(tide_process_t *p, int status, int sig, void *data)
{
    char s[32];
    snprintf(s, sizeof s, "exit(%d,%d)", status, sig);
    logf_(s);
}

static void close_log(tide_process_t *p, int status, int sig, void *data)
{
    char s[32];
    snprintf(s, sizeof s, "close(%d,%d)", status, sig);
    logf_(s);
}

/* Node: data, stdout's end, exit, then close - before the 'close'
 * listeners the program added to the streams itself (the process's own
 * listener came first). */
static void test_exit_then_close(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    char *argv[] = {"sh", "-c", "echo hi; exit 3", NULL};
    tide_process_opts_t o;
    memset(&o, 0, sizeof o);
    o.file = "sh";
    o.args = argv;
    o.on_exit = exit_log;
    o.on_close = close_log;
    tide_process_t *p;
    ASSERT_OK(tide_spawn(loop, &o, &p));
    tide_stream_t *out = tide_process_stdio(p, 1);
    ASSERT(out != NULL);
    ASSERT(tide_process_stdio(p, 0) != NULL);
    ASSERT(tide_process_stdio(p, 2) != NULL);
    ASSERT(tide_process_stdio(p, 3) == NULL);
    ASSERT(tide_process_stdio(p, -1) == NULL);
    ASSERT_OK(tide_stream_on(out, TIDE_EVENT_DATA, on_data_log, NULL));
    ASSERT_OK(tide_stream_on(out, TIDE_EVENT_END, on_event_log, "end"));
    ASSERT_OK(tide_stream_on(out, TIDE_EVENT_CLOSE, on_event_log, "stdout-close"));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    /* The exit may be seen before, between or after the output's events
     * (as in Node, whose SIGCHLD races the pipes too), and stderr may close
     * after stdout; close always comes after the exit and every byte. */
    const char *data = strstr(log_buf, "data(hi\n)"), *end = strstr(log_buf, "end");
    const char *ex = strstr(log_buf, "exit(3,0)"), *cl = strstr(log_buf, "close(3,0)");
    if (!data || !end || !ex || !cl || !strstr(log_buf, "stdout-close") || data > end ||
        end > cl || ex > cl || strlen(log_buf) != strlen("data(hi\n) end exit(3,0) close(3,0) stdout-close"))
        TEST_FAIL("unexpected order: %s", log_buf);
    ASSERT_OK(tide_process_free(p));
    TEST_CLOSE_LOOP(loop);
}

/* A child whose output nobody has read when it exits: close waits for the
 * output; output nobody ever reads is drained so close still comes. */
typedef struct {
    proc_rec_t rec;
    size_t got;
    int got_at_exit, closes_at_exit;
} late_t;

static int count_bytes(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    late_t *l = data;
    l->got += ((const tide_chunk_t *)arg)->len;
    return 0;
}

static void late_exit(tide_process_t *p, int status, int sig, void *data)
{
    late_t *l = data;
    rec_exit(p, status, sig, &l->rec);
    l->got_at_exit = (int)l->got;
    l->closes_at_exit = l->rec.closes;
    /* Now read it. */
    ASSERT_OK(tide_stream_resume(tide_process_stdio(p, 1)));
}

static void late_close(tide_process_t *p, int status, int sig, void *data)
{
    late_t *l = data;
    rec_close(p, status, sig, &l->rec);
}

static void test_exit_before_read(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    late_t l;
    memset(&l, 0, sizeof l);
    char *argv[] = {"sh", "-c", "printf 'written before exit'", NULL};
    tide_process_opts_t o = proc_opts(argv, NULL, 0, &l.rec);
    o.on_exit = late_exit;
    o.on_close = late_close;
    o.data = &l;
    tide_process_t *p;
    ASSERT_OK(tide_spawn(loop, &o, &p));
    tide_stream_t *out = tide_process_stdio(p, 1);
    ASSERT_OK(tide_stream_on(out, TIDE_EVENT_DATA, count_bytes, &l));
    ASSERT_OK(tide_stream_pause(out));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(l.rec.exits, 1);
    ASSERT_EQ(l.got_at_exit, 0);
    ASSERT_EQ(l.closes_at_exit, 0);
    ASSERT_EQ(l.got, strlen("written before exit"));
    ASSERT_EQ(l.rec.closes, 1);
    ASSERT_OK(tide_process_free(p));

    /* Nobody listens to stdout or stderr at all: close still comes. */
    proc_rec_t r;
    memset(&r, 0, sizeof r);
    char *argv2[] = {"sh", "-c", "echo out; echo err >&2", NULL};
    o = proc_opts(argv2, NULL, 0, &r);
    ASSERT_OK(tide_spawn(loop, &o, &r.proc));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(r.exits, 1);
    ASSERT_EQ(r.closes, 1);
    ASSERT(r.exited_before_close);
    ASSERT_OK(tide_process_free(r.proc));
    TEST_CLOSE_LOOP(loop);
}

/* ---- large output with a reader that pauses ----------------------------- */

static const char pattern[] = "0123456789abcde\n"; /* what `yes 0123456789abcde` prints */

typedef struct {
    tide_loop_t *loop;
    tide_stream_t *out;
    size_t total, chunks, max_buffered;
    int pauses, paused, bad;
} big_t;

static void resume_later(tide_loop_t *loop, void *data)
{
    big_t *b = data;
    b->paused = 0;
    ASSERT_OK(tide_stream_resume(b->out));
}

static int big_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    big_t *b = data;
    const tide_chunk_t *c = arg;
    ASSERT(!b->paused); /* no data while paused */
    const char *s = c->base;
    for (size_t i = 0; i < c->len; i++)
        if (s[i] != pattern[(b->total + i) % 16]) b->bad++;
    b->total += c->len;
    size_t buffered = tide_stream_readable_length(b->out);
    if (buffered > b->max_buffered) b->max_buffered = buffered;
    /* Every 64th chunk, stop reading for a turn of the loop. */
    if (++b->chunks % 64 == 0) {
        b->pauses++;
        b->paused = 1;
        ASSERT_OK(tide_stream_pause(b->out));
        ASSERT(tide_set_immediate(b->loop, resume_later, b) > 0);
    }
    return 0;
}

static void test_large_output(void)
{
    const char *env = getenv("TIDE_PROCESS_BYTES");
    size_t bytes = env ? (size_t)strtoull(env, NULL, 10) : (size_t)48 << 20;
    char count[32];
    snprintf(count, sizeof count, "%zu", bytes);
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    char *argv[] = {"sh", "-c", "yes 0123456789abcde | head -c \"$0\"", count, NULL};
    proc_rec_t r;
    memset(&r, 0, sizeof r);
    tide_process_opts_t o = proc_opts(argv, NULL, 0, &r);
    ASSERT_OK(tide_spawn(loop, &o, &r.proc));
    big_t b;
    memset(&b, 0, sizeof b);
    b.loop = loop;
    b.out = tide_process_stdio(r.proc, 1);
    ASSERT_OK(tide_stream_on(b.out, TIDE_EVENT_DATA, big_data, &b));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(r.status, 0);
    ASSERT_EQ(r.closes, 1);
    ASSERT_EQ(b.total, bytes);
    ASSERT_EQ(b.bad, 0);
    ASSERT_GT(b.pauses, 0);
    /* Backpressure held: never more than the mark and one read buffered. */
    ASSERT_LE(b.max_buffered, tide_stream_readable_hwm(b.out) + 65536);
    ASSERT_OK(tide_process_free(r.proc));
    TEST_CLOSE_LOOP(loop);
}

/* ---- writing to a child ------------------------------------------------- */

typedef struct {
    char buf[256];
    size_t len;
} text_t;

static int collect(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    text_t *t = data;
    const tide_chunk_t *c = arg;
    ASSERT(t->len + c->len < sizeof t->buf);
    memcpy(t->buf + t->len, c->base, c->len);
    t->len += c->len;
    t->buf[t->len] = 0;
    return 0;
}

static void test_stdin(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    proc_rec_t r;
    memset(&r, 0, sizeof r);
    char *argv[] = {"wc", "-c", NULL};
    tide_process_opts_t o = proc_opts(argv, NULL, 0, &r);
    ASSERT_OK(tide_spawn(loop, &o, &r.proc));
    text_t t = {{0}, 0};
    ASSERT_OK(tide_stream_on(tide_process_stdio(r.proc, 1), TIDE_EVENT_DATA, collect, &t));
    static char block[1 << 20];
    memset(block, 'x', sizeof block);
    tide_stream_t *in = tide_process_stdio(r.proc, 0);
    for (int i = 0; i < 3; i++) ASSERT_GE(tide_stream_write(in, block, sizeof block, NULL, NULL), 0);
    ASSERT_OK(tide_stream_end(in, NULL, NULL, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(r.status, 0);
    ASSERT_STR_EQ(t.buf, "3145728\n");
    ASSERT_OK(tide_process_free(r.proc));
    TEST_CLOSE_LOOP(loop);
}

/* An extra fd 3 that is a pipe both ways (a socketpair). */
static void test_duplex_fd(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    proc_rec_t r;
    memset(&r, 0, sizeof r);
    char *argv[] = {"sh", "-c", "read line <&3; echo \"got $line\" >&3", NULL};
    tide_stdio_t stdio[4] = {{TIDE_STDIO_IGNORE, -1}, {TIDE_STDIO_IGNORE, -1},
                             {TIDE_STDIO_INHERIT, -1}, {TIDE_STDIO_PIPE, -1}};
    tide_process_opts_t o = proc_opts(argv, stdio, 4, &r);
    ASSERT_OK(tide_spawn(loop, &o, &r.proc));
    ASSERT(tide_process_stdio(r.proc, 1) == NULL);
    tide_stream_t *s = tide_process_stdio(r.proc, 3);
    text_t t = {{0}, 0};
    ASSERT_OK(tide_stream_on(s, TIDE_EVENT_DATA, collect, &t));
    ASSERT_GE(tide_stream_write(s, "ping\n", 5, NULL, NULL), 0);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_STR_EQ(t.buf, "got ping\n");
    ASSERT_EQ(r.closes, 1);
    ASSERT_OK(tide_process_free(r.proc));
    TEST_CLOSE_LOOP(loop);
}

/* ---- many at once --------------------------------------------------------- */

#define MANY 40

typedef struct {
    proc_rec_t rec;
    text_t out;
} kid_t;

static void test_many(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    static kid_t kids[MANY];
    memset(kids, 0, sizeof kids);
    char names[MANY][16];
    for (int i = 0; i < MANY; i++) {
        snprintf(names[i], sizeof names[i], "%d", i);
        char *argv[] = {"sh", "-c", "echo child $0; exit $(($0 % 7))", names[i], NULL};
        tide_process_opts_t o = proc_opts(argv, NULL, 0, &kids[i].rec);
        ASSERT_OK(tide_spawn(loop, &o, &kids[i].rec.proc));
        ASSERT_OK(tide_stream_on(tide_process_stdio(kids[i].rec.proc, 1), TIDE_EVENT_DATA, collect,
                                 &kids[i].out));
    }
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    for (int i = 0; i < MANY; i++) {
        char want[32];
        snprintf(want, sizeof want, "child %d\n", i);
        ASSERT_STR_EQ(kids[i].out.buf, want);
        ASSERT_EQ(kids[i].rec.status, i % 7);
        ASSERT_EQ(kids[i].rec.closes, 1);
        ASSERT(kids[i].rec.exited_before_close);
        ASSERT_OK(tide_process_free(kids[i].rec.proc));
    }
    assert_no_children();
    TEST_CLOSE_LOOP(loop);
}

/* Freed at once: its pipes close, so `cat` sees the end of its input and
 * exits, and is reaped; nothing stays open. */
static void test_free_with_pipes(void)
{
    int fds = count_fds();
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    proc_rec_t r;
    memset(&r, 0, sizeof r);
    char *argv[] = {"cat", NULL};
    tide_process_opts_t o = proc_opts(argv, NULL, 0, &r);
    ASSERT_OK(tide_spawn(loop, &o, &r.proc));
    pid_t pid = tide_process_pid(r.proc);
    ASSERT_OK(tide_process_free(r.proc));
    siginfo_t si;
    ASSERT_OK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
    /* The freed process does not keep the loop: an immediate runs it once. */
    ASSERT(tide_set_immediate(loop, say, "") > 0);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(r.exits, 0);
    ASSERT_EQ(tide_loop_close(loop), 0);
    errno = 0;
    ASSERT_EQ(waitpid(pid, NULL, WNOHANG), -1);
    ASSERT_EQ(count_fds(), fds);
}

int main(void)
{
    test_exit_then_close();
    test_exit_before_read();
    test_large_output();
    test_stdin();
    test_duplex_fd();
    test_many();
    test_free_with_pipes();
    assert_no_children();
    printf("ok\n");
    return 0;
}
