/* S3: one _write at a time; when an asynchronous write completes, the next
 * buffered chunk goes to _write at once, 'drain' (length 0 after a false
 * return) comes before that write's callback. A synchronous completion
 * defers drain and callback to one nextTick queued during write(); writes
 * with the same callback share it. */
#include "../stream_case.h"

static void sync_writes(tide_loop_t *loop);

/* The chunk in flight, for complete() to print (a string). */
static char inflight[16];
/* One callback for two writes: the same function and data. */
static char shared[] = "shared cb";

static void complete(tide_loop_t *loop, void *data)
{
    tide_stream_t *s = data;
    char chunk[16];
    memcpy(chunk, inflight, sizeof chunk);
    printf("complete %s\n", chunk);
    MUST(tide_stream_write_done(s, NULL));
    printf("after cb %s\n", chunk);
}

static void slow_write(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    (void)data;
    snprintf(inflight, sizeof inflight, CHUNK_FMT, CHUNK_ARG(chunk));
    printf("_write %s\n", inflight);
    MUST(tide_set_immediate(tide_stream_loop(s), complete, s));
}

static void sync_write(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    (void)data;
    printf("_write " CHUNK_FMT "\n", CHUNK_ARG(chunk));
    MUST(tide_stream_write_done(s, NULL));
}

static void microtask_print(tide_loop_t *loop, void *text) { print(loop, text); }

static int drained(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("drain\n");
    MUST(tide_queue_microtask(tide_emitter_loop(em), microtask_print, "microtask after drain"));
    return 0;
}

static void cb_e(tide_stream_t *s, tide_error_t *err, void *data)
{
    printf("cb e\n");
    sync_writes(tide_stream_loop(s));
}

static void write_str(tide_stream_t *s, const char *name, const char *text, tide_stream_cb cb,
                      void *data)
{
    printf("write %s %s\n", name,
           MUST(tide_stream_write(s, text, strlen(text), cb, data)) ? "true" : "false");
}

static void sync_writes(tide_loop_t *loop)
{
    tide_stream_opts_t o = {0};
    tide_stream_t *w;
    printf("-- sync writes\n");
    o.write = sync_write;
    o.hwm = 2;
    MUST(tide_writable_new(loop, &o, &w));
    on(w, TIDE_EVENT_DRAIN, say, "sync drain");
    write_str(w, "x", "x", say_cb, "cb x");
    MUST(tide_next_tick(loop, print, "user tick 1"));
    write_str(w, "y", "y", say_cb, "cb y");
    MUST(tide_queue_microtask(loop, print, "promise"));
    write_str(w, "s1", "s1", say_cb, shared);
    write_str(w, "s2", "s2", say_cb, shared);
    MUST(tide_next_tick(loop, print, "user tick 2"));
    write_str(w, "big", "big chunk", NULL, NULL);
    tide_stream_release(w);
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    tide_stream_opts_t o = {0};
    tide_stream_t *slow;
    o.write = slow_write;
    o.hwm = 3;
    o.data = NULL;
    MUST(tide_writable_new(loop, &o, &slow));
    on(slow, TIDE_EVENT_DRAIN, drained, NULL);
    write_str(slow, "ab", "ab", say_cb, "cb ab");
    write_str(slow, "cd", "cd", say_cb, "cb cd");
    write_str(slow, "e", "e", cb_e, NULL);
    tide_stream_release(slow);
    return case_finish(loop);
}
