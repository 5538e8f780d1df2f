/* cork() buffers every write; uncork() (here from a nextTick, Node's idiom)
 * hands them all to _writev at once, whose callback calls each write's
 * callback in order; end() uncorks. Lengths count the corked bytes. */
#include "../stream_case.h"

static tide_stream_t *w;

static void w_writev(tide_stream_t *s, const tide_chunk_t *const *chunks, size_t n, void *data)
{
    printf("writev");
    for (size_t i = 0; i < n; i++) printf("%s" CHUNK_FMT, i ? "," : " ", CHUNK_ARG(chunks[i]));
    printf("\n");
    MUST(tide_stream_write_done(s, NULL));
}

static void w_write(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    printf("write " CHUNK_FMT "\n", CHUNK_ARG(chunk));
    MUST(tide_stream_write_done(s, NULL));
}

static const char *tf(int v) { return v ? "true" : "false"; }

static void uncork(tide_loop_t *loop, void *data)
{
    MUST(tide_stream_uncork(w));
    printf("uncorked length %zu\n", tide_stream_writable_length(w));
}

static void later(tide_loop_t *loop, void *data)
{
    const tide_chunk_t *z;
    printf("single %s\n", tf(MUST(tide_stream_write(w, "one", 3, say_cb, "cb one"))));
    MUST(tide_stream_cork(w));
    MUST(tide_stream_write(w, "x", 1, say_cb, "cb x"));
    MUST(tide_stream_write(w, "y", 1, say_cb, "cb y"));
    MUST(tide_chunk_new(loop, "z", 1, NULL, NULL, &z));
    MUST(tide_stream_end(w, z, say_cb, "end cb"));
    tide_chunk_release(z);
    on(w, TIDE_EVENT_FINISH, say, "finish");
    on(w, TIDE_EVENT_CLOSE, say, "close");
    tide_stream_release(w);
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    tide_stream_opts_t o = {0};
    o.hwm = 3;
    o.writev = w_writev;
    o.write = w_write;
    MUST(tide_writable_new(loop, &o, &w));
    on(w, TIDE_EVENT_DRAIN, say, "drain");
    MUST(tide_stream_cork(w));
    int a = MUST(tide_stream_write(w, "a", 1, say_cb, "cb a"));
    int b = MUST(tide_stream_write(w, "bb", 2, say_cb, "cb b"));
    int c = MUST(tide_stream_write(w, "c", 1, NULL, NULL));
    printf("%s %s %s\n", tf(a), tf(b), tf(c));
    printf("corked %u length %zu\n", tide_stream_writable_corked(w), tide_stream_writable_length(w));
    MUST(tide_next_tick(loop, uncork, NULL));
    MUST(tide_next_tick(loop, print, "user tick"));
    MUST(tide_set_immediate(loop, later, NULL));
    return case_finish(loop);
}
