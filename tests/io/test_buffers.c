/* tests/io/test_buffers.c - buffers as streams: from_buffer pushes views of
 * the caller's bytes (no copy) in chunk_size pieces and releases the buffer
 * once the stream and every view are gone; to_buffer collects everything,
 * refuses past its limit; a buffer travels through a pipeline intact. */
#include "stream_test.h"

static int released;
static void count_release(void *base, void *data)
{
    ASSERT(base == data);
    released++;
}

static char text[1000];

static void test_round_trip(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_t *st[3];
    for (size_t i = 0; i < sizeof text; i++) text[i] = (char)('a' + i % 26);
    released = 0;
    ASSERT_OK(tide_stream_from_buffer(loop, text, sizeof text, 64, count_release, text, &st[0]));
    ASSERT_OK(tide_transform_new(loop, NULL, &st[1]));
    ASSERT_OK(tide_stream_to_buffer(loop, 0, NULL, &st[2]));
    ASSERT_OK(tide_stream_pipeline(st, 3, log_cb, "done"));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "done");
    const void *base;
    size_t len;
    ASSERT_OK(tide_stream_buffer(st[2], &base, &len));
    ASSERT_EQ(len, sizeof text);
    ASSERT(memcmp(base, text, len) == 0);
    ASSERT_EQ(tide_stream_buffer(st[0], &base, &len), -EINVAL);
    for (int i = 0; i < 3; i++) tide_stream_release(st[i]);
    ASSERT_EQ(released, 1);
    check_clean(loop);
}

static const void *first_base;
static size_t first_len;
static int views(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    const tide_chunk_t *c = arg;
    if (!first_base) {
        first_base = c->base;
        first_len = c->len;
    }
    return 0;
}

static void test_views_not_copies(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_t *s;
    first_base = NULL;
    ASSERT_OK(tide_stream_from_buffer(loop, text, sizeof text, 0, NULL, NULL, &s));
    ASSERT_OK(tide_stream_on(s, TIDE_EVENT_DATA, views, NULL));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT(first_base == text);
    ASSERT_EQ(first_len, sizeof text); /* one chunk: the default size is 16 KiB */
    tide_stream_release(s);
    check_clean(loop);
}

static void test_limit(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_t *w;
    tide_stream_opts_t o = {0};
    o.hwm = 4;
    ASSERT_OK(tide_stream_to_buffer(loop, 5, &o, &w));
    on_log(w, TIDE_EVENT_ERROR, "error");
    ASSERT_EQ(tide_stream_write(w, "abc", 3, log_cb, "abc"), 1);
    ASSERT_EQ(tide_stream_write(w, "def", 3, log_cb, "def"), 0);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "abc def:ENOBUFS error:ENOBUFS");
    const void *base;
    size_t len;
    ASSERT_OK(tide_stream_buffer(w, &base, &len));
    ASSERT_EQ(len, 3);
    tide_stream_release(w);
    o.flags = TIDE_STREAM_OBJECT_MODE;
    ASSERT_EQ(tide_stream_to_buffer(loop, 0, &o, &w), -EINVAL);
    ASSERT_EQ(tide_stream_from_buffer(loop, NULL, 3, 0, NULL, NULL, &w), -EINVAL);
    ASSERT_OK(tide_stream_from_buffer(loop, NULL, 0, 0, NULL, NULL, &w)); /* empty: just EOF */
    on_log(w, TIDE_EVENT_END, "end");
    ASSERT_OK(tide_stream_resume(w));
    tide_stream_release(w);
    check_clean(loop);
    ASSERT_STR_EQ(log_.buf, "abc def:ENOBUFS error:ENOBUFS end");
}

int main(void)
{
    test_round_trip();
    test_views_not_copies();
    test_limit();
    printf("test_buffers: ok\n");
    return 0;
}
