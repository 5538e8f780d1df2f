/* tests/io/test_pipe.c - pipe: backpressure keeps both buffers within
 * their marks while a fast source feeds a slow sink; a destination that
 * fails is unpiped and the source stops but survives; piping a source that
 * has already ended ends the destination; after warm-up a pipe allocates
 * nothing per chunk; bad arguments. */
#include "stream_test.h"
#include "test_alloc.h"

enum { CHUNK = 1000 };
static char block[CHUNK];

typedef struct {
    long left;
    size_t max_rlen;
} fast_t;

static fast_t fast;
static tide_stream_t *src_s, *dst_s;
static size_t max_wlen;

static void fast_read(tide_stream_t *s, size_t size, void *data)
{
    while (fast.left > 0) {
        fast.left--;
        int r = tide_stream_push(s, block, CHUNK, NULL, NULL);
        ASSERT_GE(r, 0);
        if (tide_stream_readable_length(s) > fast.max_rlen) fast.max_rlen = tide_stream_readable_length(s);
        if (!r) return;
    }
    ASSERT_OK(tide_stream_push_end(s));
}

static void slow_done(tide_loop_t *loop, void *stream) { ASSERT_OK(tide_stream_write_done(stream, NULL)); }

static void slow_write(tide_stream_t *s, const tide_chunk_t *c, void *data)
{
    if (tide_stream_writable_length(s) > max_wlen) max_wlen = tide_stream_writable_length(s);
    ASSERT(tide_set_immediate(tide_stream_loop(s), slow_done, s) > 0);
}

static void test_backpressure_bounds(void)
{
    tide_loop_t *loop = stream_loop();
    fast.left = 2000;
    fast.max_rlen = 0;
    max_wlen = 0;
    pair_new(loop, fast_read, 4 * CHUNK, slow_write, 3 * CHUNK, &src_s, &dst_s);
    on_log(dst_s, TIDE_EVENT_FINISH, "finish");
    ASSERT_OK(tide_stream_pipe(src_s, dst_s, 0));
    tide_stream_release(src_s);
    tide_stream_release(dst_s);
    check_clean(loop);
    ASSERT_STR_EQ(log_.buf, "finish");
    /* A read takes a chunk only after _read refilled behind it, so the
     * source holds its mark plus the chunk on its way out, as Node's does;
     * the sink never holds more than its mark. */
    ASSERT_LE(fast.max_rlen, 4 * CHUNK + CHUNK);
    ASSERT_LE(max_wlen, 3 * CHUNK);
}

static void fail_write(tide_stream_t *s, const tide_chunk_t *c, void *data)
{
    ASSERT_OK(tide_stream_write_done(s, tide_error_new(-EPIPE, NULL)));
}

static int log_flowing(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    char buf[64];
    snprintf(buf, sizeof buf, "dst-close src-flowing %d src-destroyed %d",
             tide_stream_readable_flowing(src_s), tide_stream_destroyed(src_s));
    test_log(&log_, buf);
    return 0;
}

static void test_failing_destination(void)
{
    tide_loop_t *loop = stream_loop();
    fast.left = 10;
    pair_new(loop, fast_read, 0, fail_write, 0, &src_s, &dst_s);
    on_log(dst_s, TIDE_EVENT_UNPIPE, "unpipe");
    on_log(dst_s, TIDE_EVENT_ERROR, "error");
    ASSERT_OK(tide_stream_on(dst_s, TIDE_EVENT_CLOSE, log_flowing, NULL));
    ASSERT_OK(tide_stream_pipe(src_s, dst_s, 0));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "unpipe error:EPIPE dst-close src-flowing 0 src-destroyed 0");
    ASSERT_OK(tide_stream_destroy(src_s, NULL));
    tide_stream_release(src_s);
    tide_stream_release(dst_s);
    check_clean(loop);
}

static void test_pipe_after_end(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_opts_t o = {0};
    sink_t k = {0};
    fast.left = 0;
    o.read = fast_read;
    o.flags = TIDE_STREAM_NO_AUTO_DESTROY;
    ASSERT_OK(tide_readable_new(loop, &o, &src_s));
    on_log(src_s, TIDE_EVENT_END, "end");
    ASSERT_OK(tide_stream_resume(src_s));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT(tide_stream_readable_ended(src_s));
    dst_s = sink_new(loop, &k, 0, 0);
    on_log(dst_s, TIDE_EVENT_FINISH, "finish");
    ASSERT_OK(tide_stream_pipe(src_s, dst_s, 0));
    tide_stream_release(src_s);
    tide_stream_release(dst_s);
    check_clean(loop);
    ASSERT_STR_EQ(log_.buf, "end finish");
}

/* After warm-up, a pipe moves chunks without calling the allocator. */
static long steady_calls, late_calls;
static long chunks_seen;
static void counting_write(tide_stream_t *s, const tide_chunk_t *c, void *data)
{
    if (++chunks_seen == 1000) steady_calls = alloc_calls;
    if (chunks_seen == 19000) late_calls = alloc_calls;
    ASSERT(tide_set_immediate(tide_stream_loop(s), slow_done, s) > 0);
}

static void test_no_allocation_per_chunk(void)
{
    tide_loop_t *loop = stream_loop();
    fast.left = 20000;
    chunks_seen = 0;
    pair_new(loop, fast_read, 8 * CHUNK, counting_write, 8 * CHUNK, &src_s, &dst_s);
    ASSERT_OK(tide_stream_pipe(src_s, dst_s, 0));
    tide_stream_release(src_s);
    tide_stream_release(dst_s);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(chunks_seen, 20000);
    /* The 18,000 chunks between made no allocation (the end of the pipe
     * may: the emitter copies its listeners for the once-listeners). */
    ASSERT_EQ(late_calls - steady_calls, 0);
    check_clean(loop);
}

static void test_bad_arguments(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_opts_t o = {0};
    sink_t k = {0};
    tide_stream_t *r, *w = sink_new(loop, &k, 0, 0);
    o.read = fast_read;
    ASSERT_OK(tide_readable_new(loop, &o, &r));
    ASSERT_EQ(tide_stream_pipe(r, r, 0), -EINVAL);
    ASSERT_EQ(tide_stream_pipe(w, r, 0), -EINVAL);
    ASSERT_EQ(tide_stream_pipe(r, w, 4), -EINVAL);
    ASSERT_EQ(tide_stream_pipe(NULL, w, 0), -EINVAL);
    ASSERT_EQ(tide_stream_unpipe(w, r), -EINVAL);
    ASSERT_OK(tide_stream_unpipe(r, w)); /* not piped: nothing */
    tide_stream_release(r);
    tide_stream_release(w);
    check_clean(loop);
}

int main(void)
{
    counting_alloc_install();
    test_backpressure_bounds();
    test_failing_destination();
    test_pipe_after_end();
    test_no_allocation_per_chunk();
    test_bad_arguments();
    printf("test_pipe: ok\n");
    return 0;
}
