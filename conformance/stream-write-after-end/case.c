/* S5: write() after end() returns false; then, on later ticks, the write
 * callback gets ERR_STREAM_WRITE_AFTER_END, 'error' is emitted, then
 * 'close'. With autoDestroy off the stream is not destroyed: 'error' only. */
#include "../stream_case.h"

static int on_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *name)
{
    tide_error_t *err = arg;
    printf("%s error %s %s\n", (const char *)name, tide_err_name(err->code), err->message);
    return 0;
}

static void cb(tide_stream_t *s, tide_error_t *err, void *text)
{
    if (err) printf("%s %s\n", (const char *)text, tide_err_name(err->code));
    else printf("%s ok\n", (const char *)text);
}

static tide_stream_t *make(tide_loop_t *loop, const char *name, unsigned flags)
{
    static char texts[2][2][16];
    static int n;
    tide_stream_opts_t o = {0};
    tide_stream_t *w;
    o.write = write_later;
    o.flags = flags;
    MUST(tide_writable_new(loop, &o, &w));
    snprintf(texts[n][0], sizeof texts[n][0], "%s finish", name);
    snprintf(texts[n][1], sizeof texts[n][1], "%s close", name);
    on(w, TIDE_EVENT_FINISH, say, texts[n][0]);
    on(w, TIDE_EVENT_CLOSE, say, texts[n][1]);
    on(w, TIDE_EVENT_ERROR, on_error, name);
    n++;
    return w;
}

static const char *tf(int v) { return v ? "true" : "false"; }

static void show_destroyed(tide_loop_t *loop, void *stream)
{
    printf("b destroyed %s\n", tf(tide_stream_destroyed(stream)));
    tide_stream_release(stream);
}

static void second(tide_loop_t *loop, void *data)
{
    tide_stream_t *b = make(loop, "b", TIDE_STREAM_NO_AUTO_DESTROY);
    MUST(tide_stream_end(b, NULL, NULL, NULL));
    printf("b write after end %s\n", tf(MUST(tide_stream_write(b, "late", 4, cb, "b late cb"))));
    MUST(tide_next_tick(loop, show_destroyed, b));
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    tide_stream_t *a = make(loop, "a", 0);
    MUST(tide_stream_write(a, "one", 3, cb, "a one cb"));
    MUST(tide_stream_end(a, NULL, cb, "a end cb"));
    printf("a write after end %s\n", tf(MUST(tide_stream_write(a, "two", 3, cb, "a two cb"))));
    printf("a writable %s ended %s destroyed %s\n", tf(tide_stream_writable(a)),
           tf(tide_stream_writable_ended(a)), tf(tide_stream_destroyed(a)));
    MUST(tide_next_tick(loop, print, "tick"));
    MUST(tide_queue_microtask(loop, print, "microtask"));
    MUST(tide_set_immediate(loop, second, NULL));
    tide_stream_release(a);
    return case_finish(loop);
}
