/* tests/io/test_await.c - the awaiting forms inside async functions: read
 * some, read exactly n, read lines, write waiting for 'drain', end waiting
 * for 'finish', iteration; errors come back as codes, an abort or a
 * deadline ends the wait and leaves no listener behind; outside an async
 * function they refuse with -EPERM. */
#include "stream_test.h"

static const char *const pieces[] = {"he", "llo\nwo", "rld\n", "l", "ast", NULL};

static tide_stream_t *pieces_source(tide_loop_t *loop, source_t *src)
{
    memset(src, 0, sizeof *src);
    src->items = pieces;
    return source_new(loop, src, 4);
}

static tide_result_t read_lines(tide_loop_t *loop, void *arg)
{
    source_t src;
    tide_stream_t *s = pieces_source(loop, &src);
    char line[64];
    size_t len;
    ASSERT_EQ(tide_stream_read_line_await(s, line, sizeof line, &len, NULL), 1);
    ASSERT_STR_EQ(line, "hello\n");
    ASSERT_EQ(len, 6);
    ASSERT_EQ(tide_stream_read_line_await(s, line, 4, &len, NULL), 1); /* fgets: a piece */
    ASSERT_STR_EQ(line, "wor");
    ASSERT_EQ(tide_stream_read_line_await(s, line, sizeof line, &len, NULL), 1);
    ASSERT_STR_EQ(line, "ld\n");
    ASSERT_EQ(tide_stream_read_line_await(s, line, sizeof line, &len, NULL), 1);
    ASSERT_STR_EQ(line, "last"); /* the last line has no newline */
    ASSERT_EQ(tide_stream_read_line_await(s, line, sizeof line, &len, NULL), 0);
    ASSERT_EQ(len, 0);
    tide_stream_release(s);
    return tide_ok(NULL);
}

static tide_result_t read_exact(tide_loop_t *loop, void *arg)
{
    source_t src;
    tide_stream_t *s = pieces_source(loop, &src);
    char buf[32];
    size_t got;
    ASSERT_EQ(tide_stream_read_exact_await(s, buf, 7, &got, NULL), 1);
    ASSERT_EQ(got, 7);
    ASSERT(memcmp(buf, "hello\nw", 7) == 0);
    ASSERT_EQ(tide_stream_read_exact_await(s, buf, 0, &got, NULL), 1);
    ASSERT_EQ(tide_stream_read_exact_await(s, buf, 30, &got, NULL), 0); /* ended first */
    ASSERT_EQ(got, 9);
    ASSERT(memcmp(buf, "orld\nlast", 9) == 0);
    tide_stream_release(s);
    return tide_ok(NULL);
}

static tide_result_t read_some(tide_loop_t *loop, void *arg)
{
    source_t src;
    tide_stream_t *s = pieces_source(loop, &src);
    const tide_chunk_t *c;
    char all[64] = "";
    int rc;
    while ((rc = tide_stream_read_await(s, &c, NULL)) == 1) {
        strncat(all, c->base, c->len);
        tide_chunk_release(c);
    }
    ASSERT_EQ(rc, 0);
    ASSERT_STR_EQ(all, "hello\nworld\nlast");
    ASSERT_EQ(tide_stream_read_await(s, &c, NULL), 0); /* still the end */
    tide_stream_release(s);
    return tide_ok(NULL);
}

static size_t peak;
static void watch_write(tide_stream_t *s, const tide_chunk_t *c, void *data)
{
    if (tide_stream_writable_length(s) > peak) peak = tide_stream_writable_length(s);
    sink_write(s, c, data);
}

static tide_result_t write_all(tide_loop_t *loop, void *arg)
{
    sink_t k = {.later = 1};
    tide_stream_opts_t o = {0};
    tide_stream_t *w;
    char buf[10];
    o.write = watch_write;
    o.data = &k;
    o.hwm = 30;
    ASSERT_OK(tide_writable_new(loop, &o, &w));
    peak = 0;
    for (int i = 0; i < 50; i++) {
        memset(buf, 'a' + i % 26, sizeof buf);
        ASSERT_EQ(tide_stream_write_await(w, buf, sizeof buf, NULL), 1);
        memset(buf, '?', sizeof buf); /* reusable at once: it was copied */
    }
    ASSERT_LE(peak, 30); /* waiting for 'drain' kept it at the mark */
    ASSERT_EQ(tide_stream_end_await(w, NULL), 1);
    ASSERT(tide_stream_writable_finished(w));
    ASSERT_EQ(k.bytes, 500);
    ASSERT_EQ(k.seen[0], 'a');
    ASSERT_EQ(k.seen[249], 'a' + 24); /* the first 250 bytes are kept */
    ASSERT_EQ(tide_stream_write_await(w, "x", 1, NULL), TIDE_ERR_STREAM_WRITE_AFTER_END);
    tide_stream_release(w);
    return tide_ok(NULL);
}

static tide_result_t errors_and_aborts(tide_loop_t *loop, void *arg)
{
    tide_stream_opts_t o = {0};
    tide_stream_t *r;
    const tide_chunk_t *c;
    o.read = read_nothing;
    ASSERT_OK(tide_readable_new(loop, &o, &r));

    /* a deadline passes: the wait ends, its listeners go */
    tide_await_opts_t opts = {NULL, tide_now_ns(loop) + 1000000};
    ASSERT_EQ(tide_stream_read_await(r, &c, &opts), -ETIMEDOUT);
    ASSERT_EQ(tide_listener_count(tide_stream_emitter(r), TIDE_EVENT_READABLE), 0);
    ASSERT_EQ(tide_listener_count(tide_stream_emitter(r), TIDE_EVENT_ERROR), 0);

    /* an abort */
    tide_abort_controller_t *ctl;
    ASSERT_OK(tide_abort_controller_new(loop, &ctl));
    ASSERT_OK(tide_abort(ctl, NULL));
    opts.signal = tide_abort_controller_signal(ctl);
    opts.deadline_ns = 0;
    ASSERT_EQ(tide_stream_read_await(r, &c, &opts), -ECANCELED);
    tide_abort_controller_free(ctl);

    /* the stream fails: its error comes back (and, as in Node, its 'error'
     * event needs a listener of its own) */
    on_log(r, TIDE_EVENT_ERROR, "error");
    ASSERT_EQ(tide_stream_push(r, "x", 1, NULL, NULL), 1);
    ASSERT_EQ(tide_stream_read_await(r, &c, NULL), 1);
    tide_chunk_release(c);
    ASSERT_OK(tide_stream_destroy(r, tide_error_new(-ECONNRESET, "reset")));
    ASSERT_EQ(tide_stream_read_await(r, &c, NULL), -ECONNRESET);
    tide_stream_release(r);

    /* destroyed without an error: a premature close */
    ASSERT_OK(tide_readable_new(loop, &o, &r));
    ASSERT_OK(tide_stream_destroy(r, NULL));
    ASSERT_EQ(tide_stream_read_await(r, &c, NULL), TIDE_ERR_STREAM_PREMATURE_CLOSE);
    tide_stream_release(r);
    return tide_ok(NULL);
}

static tide_result_t iterate_bytes(tide_loop_t *loop, void *arg)
{
    source_t src;
    tide_stream_t *s = pieces_source(loop, &src);
    tide_stream_iter_t *it;
    const tide_chunk_t *c;
    int n = 0;
    ASSERT_OK(tide_stream_iterate(s, &it));
    while (tide_stream_iter_next(it, &c, NULL) == 1) {
        n++;
        tide_chunk_release(c);
    }
    ASSERT_GE(n, 1);
    tide_stream_iter_free(it);
    tide_stream_iter_free(it); /* a second free does nothing */
    ASSERT(tide_stream_readable_ended(s));
    tide_stream_release(s);
    return tide_ok(NULL);
}

static void run_task(tide_async_fn fn)
{
    tide_loop_t *loop = stream_loop();
    tide_promise_t *p;
    ASSERT_OK(tide_async(loop, fn, NULL, &p));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(tide_promise_state_of(p), TIDE_PROMISE_FULFILLED);
    tide_promise_release(p);
    ASSERT_EQ(uncaught_count, 0);
    check_clean(loop);
}

static void test_outside_async(void)
{
    tide_loop_t *loop = stream_loop();
    source_t src;
    tide_stream_t *s = pieces_source(loop, &src);
    const tide_chunk_t *c;
    char buf[8];
    tide_stream_iter_t *it;
    ASSERT_EQ(tide_stream_read_await(s, &c, NULL), -EPERM);
    ASSERT_EQ(tide_stream_read_exact_await(s, buf, 2, NULL, NULL), -EPERM);
    ASSERT_EQ(tide_stream_read_line_await(s, buf, 1, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_write_await(s, "x", 1, NULL), -EINVAL); /* not writable */
    ASSERT_EQ(tide_stream_end_await(s, NULL), -EINVAL);
    ASSERT_OK(tide_stream_iterate(s, &it));
    ASSERT_EQ(tide_stream_iter_next(it, &c, NULL), -EPERM);
    tide_stream_iter_free(it); /* `break` before the end: destroys */
    ASSERT(tide_stream_destroyed(s));
    tide_stream_release(s);
    check_clean(loop);
}

int main(void)
{
    run_task(read_lines);
    run_task(read_exact);
    run_task(read_some);
    run_task(write_all);
    run_task(errors_and_aborts);
    run_task(iterate_bytes);
    test_outside_async();
    printf("test_await: ok\n");
    return 0;
}
