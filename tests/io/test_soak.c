/* tests/io/test_soak.c - a fast producer piped through a transform into a
 * slow consumer for 10 million chunks (1 million under sanitizers, or
 * TIDE_SOAK_CHUNKS): what is buffered anywhere along the way never exceeds
 * the high-water marks (plus the one chunk each side may hold on its way
 * through), and the steady state allocates nothing. */
#include "stream_test.h"
#include "test_alloc.h"

#if defined(__SANITIZE_ADDRESS__)
#define SOAK_DEFAULT 1000000
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOAK_DEFAULT 1000000
#endif
#endif
#ifndef SOAK_DEFAULT
#define SOAK_DEFAULT 10000000
#endif

enum { CH = 64, SRC_HWM = 1024, T_HWM = 512, SINK_HWM = 256 };

static char block[CH];
static long total, produced, consumed;
static size_t peak;
static long calls_early, calls_late;
static tide_stream_t *st[3];

static void produce(tide_stream_t *s, size_t size, void *data)
{
    for (;;) {
        if (produced == total) {
            ASSERT_OK(tide_stream_push_end(s));
            return;
        }
        produced++;
        int r = tide_stream_push(s, block, CH, NULL, NULL);
        ASSERT_GE(r, 0);
        if (!r) return;
    }
}

static void pass(tide_stream_t *s, const tide_chunk_t *c, void *data)
{
    ASSERT_GE(tide_stream_push_chunk(s, c), 0);
    ASSERT_OK(tide_stream_transform_done(s, NULL));
}

static void complete(tide_loop_t *loop, void *stream) { ASSERT_OK(tide_stream_write_done(stream, NULL)); }

static void consume(tide_stream_t *s, const tide_chunk_t *c, void *data)
{
    size_t buffered = tide_stream_readable_length(st[0]) + tide_stream_writable_length(st[1]) +
                      tide_stream_readable_length(st[1]) + tide_stream_writable_length(st[2]);
    if (buffered > peak) peak = buffered;
    consumed++;
    if (consumed == 100000) calls_early = alloc_calls;
    if (consumed == total - 1000) calls_late = alloc_calls;
    /* Slow: every write completes on a later turn of the loop. */
    ASSERT(tide_set_immediate(tide_stream_loop(s), complete, s) > 0);
}

static void done(tide_stream_t *last, tide_error_t *err, void *data)
{
    ASSERT(err == NULL);
    test_log(&log_, "done");
}

int main(void)
{
    const char *env = getenv("TIDE_SOAK_CHUNKS");
    total = env && *env ? atol(env) : SOAK_DEFAULT;
    ASSERT_GT(total, 101000);
    counting_alloc_install();
    tide_loop_t *loop = stream_loop();
    tide_stream_opts_t o = {0};
    o.read = produce;
    o.hwm = SRC_HWM;
    ASSERT_OK(tide_readable_new(loop, &o, &st[0]));
    memset(&o, 0, sizeof o);
    o.transform = pass;
    o.hwm = T_HWM;
    ASSERT_OK(tide_transform_new(loop, &o, &st[1]));
    memset(&o, 0, sizeof o);
    o.write = consume;
    o.hwm = SINK_HWM;
    ASSERT_OK(tide_writable_new(loop, &o, &st[2]));
    ASSERT_OK(tide_stream_pipeline(st, 3, done, NULL));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "done");
    ASSERT_EQ(consumed, total);
    /* Each side at most its mark; a readable side may hold one chunk more
     * (the one _read refilled behind the chunk on its way out). */
    size_t bound = SRC_HWM + CH + T_HWM + T_HWM + CH + SINK_HWM;
    printf("test_soak: %ld chunks, peak buffered %zu bytes (bound %zu), %ld allocations "
           "in the steady state\n", total, peak, bound, calls_late - calls_early);
    ASSERT_LE(peak, bound);
    ASSERT_GE(peak, SINK_HWM); /* the consumer really was the slow one */
    ASSERT_EQ(calls_late - calls_early, 0);
    for (int i = 0; i < 3; i++) tide_stream_release(st[i]);
    check_clean(loop);
    return 0;
}
