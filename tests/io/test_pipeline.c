/* tests/io/test_pipeline.c - pipeline of N stages: success after every
 * stage closed; the first error from any stage (source, middle, sink)
 * destroys all of them and reaches the callback exactly once, last; a
 * stage closed early is ERR_STREAM_PREMATURE_CLOSE; finished() watches
 * that are cancelled never call back; bad arguments. */
#include "stream_test.h"

enum { STAGES = 5 };

typedef struct {
    int fail_stage;   /* -1: none */
    int fail_after;   /* chunks the failing stage lets through first */
    int seen[STAGES];
    int closes;
    int calls;
    int last_code;
    int closes_at_callback;
    tide_stream_t *st[STAGES];
} run_t;

static run_t run;

static int fails_now(int stage)
{
    return run.fail_stage == stage && run.seen[stage]++ >= run.fail_after;
}

static void src_read(tide_stream_t *s, size_t size, void *data)
{
    static const char *const items[] = {"a", "b", "c", "d", "e", "f"};
    int i = run.seen[0];
    if (fails_now(0)) {
        ASSERT_OK(tide_stream_destroy(s, tide_error_new(-EIO, "source failed")));
        return;
    }
    if (run.fail_stage != 0) run.seen[0]++;
    if (i < 6) ASSERT_GE(tide_stream_push(s, (void *)items[i], 1, NULL, NULL), 0);
    else ASSERT_OK(tide_stream_push_end(s));
}

static void mid_transform(tide_stream_t *s, const tide_chunk_t *c, void *data)
{
    int stage = (int)(intptr_t)data;
    if (fails_now(stage)) {
        ASSERT_OK(tide_stream_transform_done(s, tide_error_new(-EPROTO, "stage failed")));
        return;
    }
    if (run.fail_stage != stage) run.seen[stage]++;
    ASSERT_GE(tide_stream_push_chunk(s, c), 0);
    ASSERT_OK(tide_stream_transform_done(s, NULL));
}

static void sink_later(tide_loop_t *loop, void *stream) { ASSERT_OK(tide_stream_write_done(stream, NULL)); }

static void sink_write_fn(tide_stream_t *s, const tide_chunk_t *c, void *data)
{
    if (fails_now(STAGES - 1)) {
        ASSERT_OK(tide_stream_write_done(s, tide_error_new(-ENOSPC, "sink failed")));
        return;
    }
    if (run.fail_stage != STAGES - 1) run.seen[STAGES - 1]++;
    ASSERT(tide_set_immediate(tide_stream_loop(s), sink_later, s) > 0);
}

static int count_close(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    run.closes++;
    return 0;
}

static int ignore_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data) { return 0; }

static void done(tide_stream_t *last, tide_error_t *err, void *data)
{
    run.calls++;
    run.last_code = err ? err->code : 0;
    run.closes_at_callback = run.closes;
    ASSERT(last == run.st[STAGES - 1]);
    for (int i = 0; i < STAGES; i++) ASSERT(tide_stream_destroyed(run.st[i]));
}

static void build(tide_loop_t *loop, int fail_stage, int fail_after)
{
    tide_stream_opts_t o = {0};
    memset(&run, 0, sizeof run);
    run.fail_stage = fail_stage;
    run.fail_after = fail_after;
    o.read = src_read;
    o.hwm = 2;
    ASSERT_OK(tide_readable_new(loop, &o, &run.st[0]));
    for (int i = 1; i < STAGES - 1; i++) {
        memset(&o, 0, sizeof o);
        o.transform = mid_transform;
        o.data = (void *)(intptr_t)i;
        o.hwm = 2;
        ASSERT_OK(tide_transform_new(loop, &o, &run.st[i]));
    }
    memset(&o, 0, sizeof o);
    o.write = sink_write_fn;
    o.hwm = 2;
    ASSERT_OK(tide_writable_new(loop, &o, &run.st[STAGES - 1]));
    for (int i = 0; i < STAGES; i++) {
        ASSERT_OK(tide_stream_on(run.st[i], TIDE_EVENT_CLOSE, count_close, NULL));
        /* the stages' errors reach the callback; these only keep 'error'
         * events from counting as uncaught */
        ASSERT_OK(tide_stream_on(run.st[i], TIDE_EVENT_ERROR, ignore_error, NULL));
    }
    ASSERT_OK(tide_stream_pipeline(run.st, STAGES, done, NULL));
}

static void finish_run(tide_loop_t *loop)
{
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    for (int i = 0; i < STAGES; i++) tide_stream_release(run.st[i]);
}

static void test_success(void)
{
    tide_loop_t *loop = stream_loop();
    build(loop, -1, 0);
    finish_run(loop);
    ASSERT_EQ(run.calls, 1);
    ASSERT_EQ(run.last_code, 0);
    ASSERT_EQ(run.closes_at_callback, STAGES); /* after every 'close' */
    ASSERT_EQ(run.seen[STAGES - 1], 6);
    ASSERT_EQ(uncaught_count, 0);
    check_clean(loop);
}

static void test_each_stage_failing(void)
{
    const int codes[STAGES] = {-EIO, -EPROTO, -EPROTO, -EPROTO, -ENOSPC};
    for (int stage = 0; stage < STAGES; stage++) {
        for (int after = 0; after < 3; after++) {
            tide_loop_t *loop = stream_loop();
            build(loop, stage, after);
            finish_run(loop);
            ASSERT_EQ(run.calls, 1);
            ASSERT_EQ(run.last_code, codes[stage]);
            ASSERT_EQ(run.closes, STAGES);
            ASSERT_EQ(uncaught_count, 0);
            check_clean(loop);
        }
    }
}

static void destroy_sink(tide_loop_t *loop, void *data)
{
    ASSERT_OK(tide_stream_destroy(run.st[STAGES - 1], NULL));
}

static void test_premature_close(void)
{
    tide_loop_t *loop = stream_loop();
    build(loop, -1, 0);
    ASSERT(tide_set_immediate(loop, destroy_sink, NULL) > 0);
    finish_run(loop);
    ASSERT_EQ(run.calls, 1);
    ASSERT_EQ(run.last_code, TIDE_ERR_STREAM_PREMATURE_CLOSE);
    check_clean(loop);
}

static void test_finished_cancel(void)
{
    tide_loop_t *loop = stream_loop();
    sink_t k = {0};
    tide_stream_t *w = sink_new(loop, &k, 0, 0);
    tide_finished_t *watch;
    ASSERT_OK(tide_stream_finished(w, 0, log_cb, "cancelled", &watch));
    ASSERT_OK(tide_stream_finished(w, TIDE_FINISHED_WRITABLE, log_cb, "kept", NULL));
    tide_stream_finished_cancel(watch);
    ASSERT_OK(tide_stream_end(w, NULL, NULL, NULL));
    tide_stream_release(w);
    check_clean(loop);
    ASSERT_STR_EQ(log_.buf, "kept");
}

static void test_bad_arguments(void)
{
    tide_loop_t *loop = stream_loop();
    sink_t k = {0};
    tide_stream_t *w = sink_new(loop, &k, 0, 0), *w2 = sink_new(loop, &k, 0, 0);
    tide_stream_t *pair[2] = {w, w2};
    ASSERT_EQ(tide_stream_pipeline(pair, 2, done, NULL), -EINVAL); /* a writable cannot feed */
    ASSERT_EQ(tide_stream_pipeline(pair, 1, done, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_pipeline(NULL, 2, done, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_finished(NULL, 0, log_cb, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_finished(w, 8, log_cb, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_finished(w, 0, NULL, NULL, NULL), -EINVAL);
    tide_stream_finished_cancel(NULL);
    tide_stream_release(w);
    tide_stream_release(w2);
    check_clean(loop);
}

int main(void)
{
    test_success();
    test_each_stage_failing();
    test_premature_close();
    test_finished_cancel();
    test_bad_arguments();
    printf("test_pipeline: ok\n");
    return 0;
}
