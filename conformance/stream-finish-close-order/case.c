/* S4: end() marks the stream ending; once every write completed, _final
 * runs; its callback emits 'prefinish', calls the end() callbacks, emits
 * 'finish'; autoDestroy then emits 'close' on a later tick. Without
 * _final and with synchronous writes, 'finish' comes from a nextTick
 * queued during end(); with autoDestroy off there is no 'close'. */
#include "../stream_case.h"

static tide_stream_t *a, *b, *c;

static void watch(tide_stream_t *w, const char *name)
{
    static char texts[3][3][32];
    static int n;
    const tide_event_t evs[] = {TIDE_EVENT_PREFINISH, TIDE_EVENT_FINISH, TIDE_EVENT_CLOSE};
    const char *names[] = {"prefinish", "finish", "close"};
    for (int i = 0; i < 3; i++) {
        snprintf(texts[n][i], sizeof texts[n][i], "%s %s", name, names[i]);
        on(w, evs[i], say, texts[n][i]);
    }
    n++;
}

static void a_write(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    printf("a _write\n");
    MUST(tide_stream_write_done(s, NULL));
}

static void a_final_done(tide_loop_t *loop, void *data)
{
    printf("a final done\n");
    MUST(tide_stream_final_done(a, NULL));
}

static void a_final(tide_stream_t *s, void *data)
{
    printf("a _final\n");
    MUST(tide_set_immediate(tide_stream_loop(s), a_final_done, NULL));
}

static void later(tide_loop_t *loop, void *data)
{
    printf("later immediate\n");
    MUST(tide_stream_end(b, NULL, say_cb, "b end after finish cb"));
    MUST(tide_stream_end(c, NULL, say_cb, "c end after finish cb"));
    tide_stream_release(b);
    tide_stream_release(c);
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    tide_stream_opts_t o = {0};
    const tide_chunk_t *last;

    o.write = a_write;
    o.final = a_final;
    MUST(tide_writable_new(loop, &o, &a));
    watch(a, "a");
    MUST(tide_stream_write(a, "x", 1, NULL, NULL));
    MUST(tide_stream_end(a, NULL, say_cb, "a end cb"));
    MUST(tide_next_tick(loop, print, "tick after a.end"));
    MUST(tide_queue_microtask(loop, print, "microtask after a.end"));

    memset(&o, 0, sizeof o);
    o.write = write_now;
    MUST(tide_writable_new(loop, &o, &b));
    watch(b, "b");
    MUST(tide_chunk_new(loop, "last", 4, NULL, NULL, &last));
    MUST(tide_stream_end(b, last, say_cb, "b end cb"));
    tide_chunk_release(last);
    MUST(tide_next_tick(loop, print, "tick after b.end"));
    MUST(tide_stream_end(b, NULL, say_cb, "b second end cb"));

    memset(&o, 0, sizeof o);
    o.write = write_later;
    o.flags = TIDE_STREAM_NO_AUTO_DESTROY;
    MUST(tide_writable_new(loop, &o, &c));
    watch(c, "c");
    MUST(tide_stream_write(c, "y", 1, say_cb, "c write cb"));
    MUST(tide_stream_end(c, NULL, say_cb, "c end cb"));

    MUST(tide_set_immediate(loop, later, NULL));
    tide_stream_release(a);
    return case_finish(loop);
}
