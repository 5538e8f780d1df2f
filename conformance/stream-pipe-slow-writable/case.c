/* S8: src.pipe(dst) writes every chunk; a false write() pauses src until
 * dst's 'drain', while src keeps reading ahead to its own mark. With object
 * mode, a synchronous one-item _read and asynchronous writes, the chunks
 * produced before the first 'drain' are src.hwm + dst.hwm. Each pair of
 * marks runs after the one before has finished ('pipe', 'end', 'finish'). */
#include "../stream_case.h"

static const size_t pairs[][2] = {{2, 2}, {3, 2}, {2, 3}, {1, 1}, {4, 1}, {1, 4}, {5, 5}};
enum { NPAIRS = sizeof pairs / sizeof pairs[0], TOTAL = 12 };

static int current;
static intptr_t produced;
static int drains;

static void run(tide_loop_t *loop, int i);

static void read_one(tide_stream_t *s, size_t size, void *data)
{
    produced++;
    if (produced <= TOTAL) MUST(tide_stream_push(s, (void *)produced, 0, NULL, NULL));
    else MUST(tide_stream_push_end(s));
}

static int piped(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("pipe (%zu,%zu)\n", pairs[current][0], pairs[current][1]);
    return 0;
}

static int drained(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    if (drains++ == 0) printf("produced %ld before the first drain\n", (long)produced);
    return 0;
}

static int finished(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("dst finish after %d drains\n", drains);
    return 0;
}

static int closed(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("dst close\n");
    run(tide_emitter_loop(em), current + 1);
    return 0;
}

static void run(tide_loop_t *loop, int i)
{
    tide_stream_opts_t ro = {0}, wo = {0};
    tide_stream_t *src, *dst;
    current = i;
    if (i == NPAIRS) return;
    produced = 0;
    drains = 0;
    ro.read = read_one;
    ro.hwm = pairs[i][0];
    ro.flags = TIDE_STREAM_OBJECT_MODE;
    wo.write = write_later;
    wo.hwm = pairs[i][1];
    wo.flags = TIDE_STREAM_OBJECT_MODE;
    MUST(tide_readable_new(loop, &ro, &src));
    MUST(tide_writable_new(loop, &wo, &dst));
    on(dst, TIDE_EVENT_PIPE, piped, NULL);
    on(dst, TIDE_EVENT_DRAIN, drained, NULL);
    on(src, TIDE_EVENT_END, say, "src end");
    on(dst, TIDE_EVENT_FINISH, finished, NULL);
    on(dst, TIDE_EVENT_CLOSE, closed, NULL);
    MUST(tide_stream_pipe(src, dst, 0));
    tide_stream_release(src);
    tide_stream_release(dst);
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    run(loop, 0);
    return case_finish(loop);
}
