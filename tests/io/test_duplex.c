/* tests/io/test_duplex.c - duplex and transform streams: a transform holds
 * its write back while its readable side is full (backpressure through
 * it), allowHalfOpen: false ends the writable side at 'end', a half-open
 * duplex stays writable, a transform error reaches the write callback and
 * destroys the stream, flush pushing after a destroy is ignored, a
 * transform let go of while its call waits is freed by its completion. The
 * values and orders were read off Node v20 running the same program. */
#include "stream_test.h"

static int transformed;
static void twice(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    transformed++;
    ASSERT_GE(tide_stream_push_chunk(s, chunk), 0);
    ASSERT_GE(tide_stream_push_chunk(s, chunk), 0);
    ASSERT_OK(tide_stream_transform_done(s, NULL));
}

static tide_stream_t *t;
static char writes[64];

static void after_reads(tide_loop_t *loop, void *data)
{
    char buf[96];
    snprintf(buf, sizeof buf, "after-reads transformed %d rlen %zu wlen %zu", transformed,
             tide_stream_readable_length(t), tide_stream_writable_length(t));
    test_log(&log_, buf);
    ASSERT_OK(tide_stream_destroy(t, NULL));
    tide_stream_release(t);
}

static void look(tide_loop_t *loop, void *data)
{
    char buf[128];
    const tide_chunk_t *c;
    snprintf(buf, sizeof buf, "writes %s transformed %d rlen %zu wlen %zu", writes, transformed,
             tide_stream_readable_length(t), tide_stream_writable_length(t));
    test_log(&log_, buf);
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(tide_stream_read(t, TIDE_READ_ALL, &c), 1);
        tide_chunk_release(c);
    }
    ASSERT(tide_set_immediate(loop, after_reads, NULL) > 0);
}

static void test_transform_backpressure(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_opts_t o = {0};
    o.transform = twice;
    o.hwm = 2;
    o.flags = TIDE_STREAM_OBJECT_MODE;
    ASSERT_OK(tide_transform_new(loop, &o, &t));
    transformed = 0;
    writes[0] = 0;
    for (intptr_t i = 0; i < 6; i++) {
        int r = tide_stream_write(t, (void *)i, 0, NULL, NULL);
        ASSERT_GE(r, 0);
        strcat(writes, i ? (r ? ",true" : ",false") : (r ? "true" : "false"));
    }
    ASSERT(tide_set_immediate(loop, look, NULL) > 0);
    check_clean(loop);
    ASSERT_STR_EQ(log_.buf, "writes true,false,false,false,false,false transformed 1 rlen 2 wlen 6 "
                            "after-reads transformed 3 rlen 3 wlen 4");
}

static int log_writable(tide_emitter_t *em, tide_event_t ev, void *arg, void *text)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s %s", (const char *)text,
             tide_stream_writable(tide_stream_of(em)) ? "true" : "false");
    test_log(&log_, buf);
    return 0;
}

static void fail_transform(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    ASSERT_OK(tide_stream_transform_done(s, tide_error_new(-EIO, "bad")));
}

static void test_half_open_and_errors(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_opts_t o = {0};
    tide_stream_t *d, *h, *bad;

    o.transform = fail_transform;
    ASSERT_OK(tide_transform_new(loop, &o, &bad));
    on_log(bad, TIDE_EVENT_ERROR, "bad-error");
    on_log(bad, TIDE_EVENT_CLOSE, "bad-close");

    memset(&o, 0, sizeof o);
    o.read = read_nothing;
    o.write = sink_write;
    sink_t k = {0};
    o.data = &k;
    o.flags = TIDE_STREAM_NO_HALF_OPEN;
    ASSERT_OK(tide_duplex_new(loop, &o, &d));
    on_log(d, TIDE_EVENT_FINISH, "d-finish");
    on_log(d, TIDE_EVENT_END, "d-end");
    on_log(d, TIDE_EVENT_CLOSE, "d-close");
    ASSERT_OK(tide_stream_push_end(d));
    ASSERT_OK(tide_stream_resume(d));

    o.flags = 0;
    ASSERT_OK(tide_duplex_new(loop, &o, &h));
    ASSERT_OK(tide_stream_on(h, TIDE_EVENT_END, log_writable, "h-end-writable"));
    on_log(h, TIDE_EVENT_CLOSE, "h-close");
    ASSERT_OK(tide_stream_push_end(h));
    ASSERT_OK(tide_stream_resume(h));

    ASSERT_EQ(tide_stream_write(bad, "x", 1, log_cb, "bad-write-cb"), 0); /* errored */
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "bad-write-cb:EIO d-end h-end-writable true bad-error:EIO bad-close "
                            "d-finish d-close");
    /* The half-open side finishes when it is ended by hand. */
    ASSERT_OK(tide_stream_end(h, NULL, NULL, NULL));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf + strlen(log_.buf) - 7, "h-close");
    tide_stream_release(d);
    tide_stream_release(h);
    tide_stream_release(bad);
    check_clean(loop);
}

/* A flush that completes after the stream was destroyed: its pushes and
 * EOF are ignored, nothing is emitted twice, nothing leaks. */
static tide_stream_t *late;
static void flush_later_fn(tide_loop_t *loop, void *data)
{
    ASSERT_EQ(tide_stream_push_copy(late, "late", 4), 0);
    ASSERT_OK(tide_stream_flush_done(late, NULL));
    ASSERT_EQ(tide_stream_flush_done(late, NULL), TIDE_ERR_MULTIPLE_CALLBACK);
    tide_stream_release(late);
}

static void slow_flush(tide_stream_t *s, void *data)
{
    ASSERT(tide_set_immediate(tide_stream_loop(s), flush_later_fn, NULL) > 0);
    ASSERT_OK(tide_stream_destroy(s, NULL));
}

static void test_flush_after_destroy(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_opts_t o = {0};
    o.flush = slow_flush;
    ASSERT_OK(tide_transform_new(loop, &o, &late));
    on_log(late, TIDE_EVENT_CLOSE, "close");
    on_log(late, TIDE_EVENT_END, "end");
    on_log(late, TIDE_EVENT_FINISH, "finish");
    ASSERT_OK(tide_stream_end(late, NULL, log_cb, "end-cb"));
    check_clean(loop);
    /* As in Node: the end() callback, added after the destroy inside
     * _final, is never called (and here goes with the stream). */
    ASSERT_STR_EQ(log_.buf, "close");
}

static void final_nothing(tide_stream_t *s, void *data) {}

static void test_bad_arguments(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_opts_t o = {0};
    tide_stream_t *s;
    o.read = read_nothing;
    ASSERT_EQ(tide_duplex_new(loop, &o, &s), -EINVAL); /* no write */
    ASSERT_EQ(tide_transform_new(loop, &o, &s), -EINVAL); /* a transform has its own read */
    memset(&o, 0, sizeof o);
    o.final = final_nothing;
    ASSERT_EQ(tide_transform_new(loop, &o, &s), -EINVAL);
    ASSERT_OK(tide_transform_new(loop, NULL, &s));
    ASSERT_EQ(tide_stream_write_done(s, NULL), -EINVAL); /* transforms complete with transform_done */
    ASSERT_EQ(tide_stream_final_done(s, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_transform_done(NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_flush_done(NULL, tide_error_new(-EIO, NULL)), -EINVAL);
    tide_stream_release(s);
    check_clean(loop);
}

/* The program lets go of a transform while its transform call waits: the
 * write's own hold keeps it, and transform_done, which lets that hold go,
 * frees it (ASan checks nothing is read after). A second call on a stream
 * the program still holds is refused. */
static tide_stream_t *waiting_transform;
static const tide_chunk_t *waiting_chunk;
static void transform_later(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    waiting_transform = s;
    waiting_chunk = chunk;
}

static void test_released_while_transforming(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_opts_t o = {0};
    tide_stream_t *t;
    o.transform = transform_later;
    ASSERT_OK(tide_transform_new(loop, &o, &t));
    ASSERT_EQ(tide_stream_write(t, "abc", 3, NULL, NULL), 1);
    ASSERT(waiting_transform == t);
    ASSERT_EQ(tide_stream_push_chunk(t, waiting_chunk), 1);
    tide_stream_release(t);
    ASSERT_EQ(tide__streams(loop)->live_streams, 1); /* the write holds it */
    ASSERT_OK(tide_stream_transform_done(waiting_transform, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    check_clean(loop);

    loop = stream_loop();
    ASSERT_OK(tide_transform_new(loop, &o, &t));
    ASSERT_EQ(tide_stream_write(t, "abc", 3, NULL, NULL), 1);
    ASSERT_OK(tide_stream_transform_done(t, NULL));
    ASSERT_EQ(tide_stream_transform_done(t, NULL), TIDE_ERR_MULTIPLE_CALLBACK);
    tide_stream_release(t);
    check_clean(loop);
}

int main(void)
{
    test_transform_backpressure();
    test_half_open_and_errors();
    test_flush_after_destroy();
    test_bad_arguments();
    test_released_while_transforming();
    printf("test_duplex: ok\n");
    return 0;
}
