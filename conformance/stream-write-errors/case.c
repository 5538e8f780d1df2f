/* Errors of the writable side: a failing _final (end() callback, 'error',
 * 'close'), an asynchronous _write error (its callback, then every buffered
 * write's, then 'error'), a synchronous one (deferred to a tick), and a
 * _write that completes twice (ERR_MULTIPLE_CALLBACK). */
#include "../stream_case.h"

static void log_cb(tide_stream_t *s, tide_error_t *e, void *text)
{
    if (!e) printf("%s\n", (const char *)text);
    else if (e->code == TIDE_ERR_MULTIPLE_CALLBACK) printf("%s %s\n", (const char *)text, tide_err_name(e->code));
    else printf("%s %s\n", (const char *)text, e->message);
}

static int log_ev(tide_emitter_t *em, tide_event_t ev, void *arg, void *text)
{
    log_cb(tide_stream_of(em), arg, text);
    return 0;
}

static void watch(tide_stream_t *s, const char *name, int finish)
{
    static char texts[4][3][16];
    static int n;
    snprintf(texts[n][0], 16, "%s error", name);
    snprintf(texts[n][1], 16, "%s finish", name);
    snprintf(texts[n][2], 16, "%s close", name);
    on(s, TIDE_EVENT_ERROR, log_ev, texts[n][0]);
    if (finish) on(s, TIDE_EVENT_FINISH, log_ev, texts[n][1]);
    on(s, TIDE_EVENT_CLOSE, log_ev, texts[n][2]);
    n++;
}

static void f_final(tide_stream_t *s, void *data)
{
    MUST(tide_stream_final_done(s, tide_error_new(-EIO, "final failed")));
}

static char g_chunk[8];
static void g_fail(tide_loop_t *loop, void *stream)
{
    MUST(tide_stream_write_done(stream, tide_error_new(-EIO, "bad %s", g_chunk)));
}

static void g_write(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    snprintf(g_chunk, sizeof g_chunk, CHUNK_FMT, CHUNK_ARG(chunk));
    MUST(tide_set_immediate(tide_stream_loop(s), g_fail, s));
}

static void h_write(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    MUST(tide_stream_write_done(s, tide_error_new(-EIO, "sync bad")));
}

static void m_write(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    MUST(tide_stream_write_done(s, NULL));
    if (tide_stream_write_done(s, NULL) != TIDE_ERR_MULTIPLE_CALLBACK) exit(2);
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    const tide_chunk_t *q;

    tide_stream_opts_t o = {0};
    tide_stream_t *f;
    o.write = write_now;
    o.final = f_final;
    MUST(tide_writable_new(loop, &o, &f));
    watch(f, "f", 1);
    MUST(tide_chunk_new(loop, "q", 1, NULL, NULL, &q));
    MUST(tide_stream_end(f, q, log_cb, "f end cb"));
    tide_chunk_release(q);

    tide_stream_t *g = writable_new(loop, g_write, 0, 0);
    watch(g, "g", 0);
    MUST(tide_stream_write(g, "1", 1, log_cb, "g cb 1"));
    MUST(tide_stream_write(g, "2", 1, log_cb, "g cb 2"));

    tide_stream_t *h = writable_new(loop, h_write, 0, 0);
    watch(h, "h", 0);
    printf("h write %s\n", MUST(tide_stream_write(h, "1", 1, log_cb, "h cb 1")) ? "true" : "false");
    MUST(tide_next_tick(loop, print, "user tick"));

    tide_stream_t *m = writable_new(loop, m_write, 0, 0);
    watch(m, "m", 0);
    MUST(tide_stream_write(m, "1", 1, log_cb, "m cb 1"));

    tide_stream_release(f);
    tide_stream_release(g);
    tide_stream_release(h);
    tide_stream_release(m);
    return case_finish(loop);
}
