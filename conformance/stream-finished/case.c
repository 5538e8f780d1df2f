/* stream.finished(stream, cb): once, when the stream ended and/or
 * finished, or with its error, or with ERR_STREAM_PREMATURE_CLOSE when it
 * closed first; for a stream already closed, on the next tick. A duplex
 * waits for both sides unless told which one to watch. */
#include "../stream_case.h"

static void report(tide_stream_t *s, tide_error_t *err, void *name)
{
    if (!err) printf("%s: ok\n", (const char *)name);
    else if (err->code == TIDE_ERR_STREAM_PREMATURE_CLOSE) printf("%s: %s\n", (const char *)name, tide_err_name(err->code));
    else printf("%s: %s\n", (const char *)name, err->message);
}

static void fail_write(tide_stream_t *s, const tide_chunk_t *c, void *data)
{
    MUST(tide_stream_write_done(s, tide_error_new(-ENOSPC, "disk full")));
}

static tide_stream_t *w, *d;

static void end_d(tide_loop_t *loop, void *data)
{
    MUST(tide_stream_end(d, NULL, NULL, NULL));
    tide_stream_release(d);
}

static int d_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("d end\n");
    MUST(tide_set_immediate(tide_emitter_loop(em), end_d, NULL));
    return 0;
}

static void again(tide_loop_t *loop, void *data)
{
    printf("w closed %s\n", tide_stream_closed(w) ? "true" : "false");
    MUST(tide_stream_finished(w, 0, report, "writable again", NULL));
    MUST(tide_next_tick(loop, print, "tick after finished()"));
    tide_stream_release(w);
}

static void later(tide_loop_t *loop, void *data) { MUST(tide_set_immediate(loop, again, NULL)); }

int main(void)
{
    tide_loop_t *loop = case_loop();
    tide_stream_opts_t o = {0};
    tide_stream_t *r, *early, *failing;
    const tide_chunk_t *x;

    o.write = write_later;
    MUST(tide_writable_new(loop, &o, &w));
    MUST(tide_stream_finished(w, 0, report, "writable", NULL));
    on(w, TIDE_EVENT_FINISH, say, "w finish");
    on(w, TIDE_EVENT_CLOSE, say, "w close");
    MUST(tide_chunk_new(loop, "x", 1, NULL, NULL, &x));
    MUST(tide_stream_end(w, x, NULL, NULL));
    tide_chunk_release(x);

    memset(&o, 0, sizeof o);
    o.read = read_nothing;
    MUST(tide_readable_new(loop, &o, &r));
    MUST(tide_stream_finished(r, 0, report, "readable", NULL));
    on(r, TIDE_EVENT_END, say, "r end");
    MUST(tide_stream_push(r, "data", 4, NULL, NULL));
    MUST(tide_stream_push_end(r));
    MUST(tide_stream_resume(r));
    tide_stream_release(r);

    MUST(tide_readable_new(loop, &o, &early));
    MUST(tide_stream_finished(early, 0, report, "early", NULL));
    MUST(tide_stream_destroy(early, NULL));
    tide_stream_release(early);

    memset(&o, 0, sizeof o);
    o.write = fail_write;
    MUST(tide_writable_new(loop, &o, &failing));
    on(failing, TIDE_EVENT_ERROR, say, "failing error");
    MUST(tide_stream_finished(failing, 0, report, "failing", NULL));
    MUST(tide_stream_write(failing, "y", 1, NULL, NULL));
    tide_stream_release(failing);

    memset(&o, 0, sizeof o);
    o.read = read_nothing;
    o.write = write_now;
    MUST(tide_duplex_new(loop, &o, &d));
    MUST(tide_stream_finished(d, 0, report, "duplex", NULL));
    MUST(tide_stream_finished(d, TIDE_FINISHED_READABLE, report, "duplex readable side", NULL));
    on(d, TIDE_EVENT_END, d_end, NULL);
    MUST(tide_stream_push_end(d));
    MUST(tide_stream_resume(d));

    MUST(tide_set_immediate(loop, later, NULL));
    return case_finish(loop);
}
