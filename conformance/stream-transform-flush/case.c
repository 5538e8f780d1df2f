/* S10: a transform's callback pushes zero or more outputs per input, in
 * order; flush runs after the last transform and its outputs come last;
 * the readable side's 'end' comes before the writable side's 'finish'. */
#include <ctype.h>

#include "../stream_case.h"

static void push_str(tide_stream_t *s, const char *text)
{
    MUST(tide_stream_push_copy(s, text, strlen(text)));
}

static void transform(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    char text[32];
    snprintf(text, sizeof text, CHUNK_FMT, CHUNK_ARG(chunk));
    printf("transform %s\n", text);
    if (strcmp(text, "skip") == 0) {
        MUST(tide_stream_transform_done(s, NULL));
        return;
    }
    if (strcmp(text, "twice") == 0) {
        push_str(s, "twice-1");
        push_str(s, "twice-2");
        MUST(tide_stream_transform_done(s, NULL));
        return;
    }
    for (char *p = text; *p; p++) *p = (char)toupper((unsigned char)*p);
    push_str(s, text);
    MUST(tide_stream_transform_done(s, NULL));
}

static void flush_later(tide_loop_t *loop, void *stream)
{
    push_str(stream, "flushed-2");
    MUST(tide_stream_flush_done(stream, NULL));
}

static void flush(tide_stream_t *s, void *data)
{
    printf("flush\n");
    push_str(s, "flushed-1");
    MUST(tide_set_immediate(tide_stream_loop(s), flush_later, s));
}

static int on_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *prefix)
{
    const tide_chunk_t *c = arg;
    printf("%s " CHUNK_FMT "\n", (const char *)prefix, CHUNK_ARG(c));
    return 0;
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    tide_stream_opts_t o = {0};
    tide_stream_t *t, *pass;
    const tide_chunk_t *z, *through;

    o.transform = transform;
    o.flush = flush;
    MUST(tide_transform_new(loop, &o, &t));
    on(t, TIDE_EVENT_DATA, on_data, "data");
    on(t, TIDE_EVENT_END, say, "end");
    on(t, TIDE_EVENT_PREFINISH, say, "prefinish");
    on(t, TIDE_EVENT_FINISH, say, "finish");
    on(t, TIDE_EVENT_CLOSE, say, "close");
    MUST(tide_stream_write(t, "a", 1, NULL, NULL));
    MUST(tide_stream_write(t, "skip", 4, NULL, NULL));
    MUST(tide_stream_write(t, "twice", 5, NULL, NULL));
    MUST(tide_chunk_new(loop, "z", 1, NULL, NULL, &z));
    MUST(tide_stream_end(t, z, say_cb, "end cb"));
    tide_chunk_release(z);
    MUST(tide_next_tick(loop, print, "tick after end"));

    MUST(tide_transform_new(loop, NULL, &pass)); /* a PassThrough */
    on(pass, TIDE_EVENT_DATA, on_data, "pass data");
    on(pass, TIDE_EVENT_END, say, "pass end");
    on(pass, TIDE_EVENT_FINISH, say, "pass finish");
    MUST(tide_chunk_new(loop, "through", 7, NULL, NULL, &through));
    MUST(tide_stream_end(pass, through, NULL, NULL));
    tide_chunk_release(through);

    tide_stream_release(t);
    tide_stream_release(pass);
    return case_finish(loop);
}
