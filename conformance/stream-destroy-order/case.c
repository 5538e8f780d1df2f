/* S5: destroy(err) sets destroyed at once, calls _destroy now, and emits
 * 'error' and then 'close' on later ticks without waiting for the write in
 * flight, whose callback still runs later (with null); buffered writes and
 * writes after destroy fail with ERR_STREAM_DESTROYED. destroy() without an
 * error emits only 'close'; a second destroy does nothing. */
#include "../stream_case.h"

static void cb(tide_stream_t *s, tide_error_t *err, void *text)
{
    if (!err) printf("%s ok\n", (const char *)text);
    else if (err->code == TIDE_ERR_STREAM_DESTROYED) printf("%s %s\n", (const char *)text, tide_err_name(err->code));
    else printf("%s %s\n", (const char *)text, err->message);
}

static void w_write(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    printf("_write " CHUNK_FMT "\n", CHUNK_ARG(chunk));
}

static void w_destroy(tide_stream_t *s, tide_error_t *err, void *data)
{
    printf("_destroy %s\n", err ? err->message : "null");
    MUST(tide_stream_destroy_done(s, tide_error_ref(err)));
}

static int on_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("error %s\n", ((tide_error_t *)arg)->message);
    return 0;
}

static void complete(tide_loop_t *loop, void *stream)
{
    printf("complete the write\n");
    MUST(tide_stream_write_done(stream, NULL));
    tide_stream_release(stream);
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    tide_stream_opts_t o = {0};
    tide_stream_t *w, *r;

    o.hwm = 100;
    o.write = w_write;
    o.destroy = w_destroy;
    MUST(tide_writable_new(loop, &o, &w));
    on(w, TIDE_EVENT_ERROR, on_error, NULL);
    on(w, TIDE_EVENT_CLOSE, say, "close");
    MUST(tide_stream_write(w, "in flight", 9, cb, "in flight cb"));
    MUST(tide_stream_write(w, "buffered", 8, cb, "buffered cb"));
    MUST(tide_next_tick(loop, print, "tick before destroy"));
    MUST(tide_stream_destroy(w, tide_error_new(-EIO, "broken")));
    printf("destroyed %s\n", tide_stream_destroyed(w) ? "true" : "false");
    printf("write after destroy %s\n",
           MUST(tide_stream_write(w, "late", 4, cb, "late cb")) ? "true" : "false");
    MUST(tide_stream_destroy(w, tide_error_new(-EIO, "second")));
    MUST(tide_next_tick(loop, print, "tick after destroy"));
    MUST(tide_set_immediate(loop, complete, w)); /* keeps our reference */

    memset(&o, 0, sizeof o);
    o.read = read_nothing;
    MUST(tide_readable_new(loop, &o, &r));
    on(r, TIDE_EVENT_CLOSE, say, "r close");
    on(r, TIDE_EVENT_ERROR, say, "r error (never)");
    MUST(tide_stream_push(r, "data", 4, NULL, NULL));
    MUST(tide_stream_destroy(r, NULL));
    printf("r destroyed %s\n", tide_stream_destroyed(r) ? "true" : "false");
    tide_stream_release(r);
    return case_finish(loop);
}
