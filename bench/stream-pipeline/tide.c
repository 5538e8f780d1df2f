/* stream-pipeline, tide: 1 GiB in 64 KiB chunks through a pipeline of a
 * source readable, a transform and a sink writable, as node.js does with
 * stream.pipeline. The source pushes views of one buffer (no copies), the
 * transform passes each chunk on, the sink reads one byte of each. Marks of
 * 1 MiB on every side, as the Node side uses. A pipeline takes about a
 * millisecond and this shared machine's speed drifts over tenths of a
 * second, so after two warm-up pipelines it runs them for three seconds
 * (BENCH_STREAM_SECONDS) and reports the median, in MiB/s, as node.js
 * does. */
#include <tide.h>


#include "../common/bench.h"

enum { CHUNK = 64 * 1024, HWM = 1024 * 1024 };

static char block[CHUNK];
static uint64_t total, produced, consumed, sum;
static double rate;

static void src_read(tide_stream_t *s, size_t size, void *data)
{
    (void)size, (void)data;
    while (produced < total) {
        produced += CHUNK;
        if (tide_stream_push(s, block, CHUNK, NULL, NULL) <= 0) return;
    }
    tide_stream_push_end(s);
}

static void mid_transform(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    (void)data;
    tide_stream_push_chunk(s, chunk);
    tide_stream_transform_done(s, NULL);
}

static void sink_write(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    (void)data;
    consumed += chunk->len;
    sum += ((const unsigned char *)chunk->base)[0];
    tide_stream_write_done(s, NULL);
}

static uint64_t t0;

static void done(tide_stream_t *last, tide_error_t *err, void *data)
{
    (void)last, (void)data;
    double t = (double)(bench_wall_ns() - t0) / 1e9;
    bench_check(!err && consumed == total && sum == 7 * (total / CHUNK), "bytes lost");
    rate = (double)total / 1048576.0 / t;
}

static double once(tide_loop_t *loop)
{
    tide_stream_opts_t o = {0};
    tide_stream_t *st[3];
    produced = consumed = sum = 0;
    o.hwm = HWM;
    o.read = src_read;
    tide_readable_new(loop, &o, &st[0]);
    o.read = NULL;
    o.transform = mid_transform;
    tide_transform_new(loop, &o, &st[1]);
    o.transform = NULL;
    o.write = sink_write;
    tide_writable_new(loop, &o, &st[2]);
    t0 = bench_wall_ns();
    bench_check(tide_stream_pipeline(st, 3, done, NULL) == 0, "pipeline");
    for (int i = 0; i < 3; i++) tide_stream_release(st[i]);
    tide_run(loop, TIDE_RUN_DEFAULT);
    return rate;
}

static int by_rate(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    tide_loop_t *loop;
    memset(block, 7, sizeof block);
    total = bench_env("BENCH_STREAM_MIB", 1024) * 1024 * 1024;
    if (tide_loop_new(&loop) != 0) return 2;
    uint64_t seconds = bench_env("BENCH_STREAM_SECONDS", 3);
    size_t n = 0, cap = 1024;
    double *rates = malloc(cap * sizeof *rates);
    bench_check(rates != NULL, "malloc");
    once(loop);
    once(loop);
    uint64_t end = bench_wall_ns() + seconds * 1000000000u;
    while (n < 9 || bench_wall_ns() < end) {
        if (n == cap) {
            cap *= 2;
            rates = realloc(rates, cap * sizeof *rates);
            bench_check(rates != NULL, "realloc");
        }
        rates[n++] = once(loop);
    }
    qsort(rates, n, sizeof *rates, by_rate);
    bench_result("stream-pipeline", "tide", rates[n / 2], "MiB/s");
    free(rates);
    return tide_loop_close(loop) == 0 ? 0 : 1;
}
