/* pipe with {end: false} leaves the destination writable after the source
 * ends; unpipe(dst) emits 'unpipe' and pauses a source left without
 * destinations; one source may feed two destinations, and the slower one
 * holds both back; an error on the destination unpipes it. */
#include "../stream_case.h"

typedef struct {
    const char *name;
    int later;
    char texts[4][24];
} sink_t;

static void sink_write(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    sink_t *k = data;
    if (chunk->len) printf("%s got " CHUNK_FMT "\n", k->name, CHUNK_ARG(chunk));
    else printf("%s got %ld\n", k->name, (long)(intptr_t)chunk->base);
    if (k->later) write_later(s, chunk, data);
    else MUST(tide_stream_write_done(s, NULL));
}

static tide_stream_t *sink(tide_loop_t *loop, sink_t *k)
{
    tide_stream_opts_t o = {0};
    tide_stream_t *w;
    const tide_event_t evs[] = {TIDE_EVENT_PIPE, TIDE_EVENT_UNPIPE, TIDE_EVENT_FINISH, TIDE_EVENT_CLOSE};
    o.write = sink_write;
    o.data = k;
    o.hwm = 1;
    o.flags = TIDE_STREAM_OBJECT_MODE;
    MUST(tide_writable_new(loop, &o, &w));
    for (int i = 0; i < 4; i++) {
        snprintf(k->texts[i], sizeof k->texts[i], "%s %s", k->name, tide_event_name(evs[i]));
        on(w, evs[i], say, k->texts[i]);
    }
    return w;
}

typedef struct {
    intptr_t i, n;
} count_t;

static void count_read(tide_stream_t *s, size_t size, void *data)
{
    count_t *c = data;
    c->i++;
    if (c->i <= c->n) MUST(tide_stream_push(s, (void *)c->i, 0, NULL, NULL));
    else MUST(tide_stream_push_end(s));
}

static tide_stream_t *source(tide_loop_t *loop, count_t *c)
{
    tide_stream_opts_t o = {0};
    tide_stream_t *r;
    o.read = count_read;
    o.data = c;
    o.hwm = 1;
    o.flags = TIDE_STREAM_OBJECT_MODE;
    MUST(tide_readable_new(loop, &o, &r));
    return r;
}

static const char *flowing(int f) { return f < 0 ? "null" : f ? "true" : "false"; }

static sink_t keep_k = {.name = "keep"}, one_k = {.name = "one"}, two_k = {.name = "two", .later = 1};
static count_t a_count = {0, 3}, c_count = {0, 5};
static tide_stream_t *keep, *b, *one, *two, *c;

static int a_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    const tide_chunk_t *last;
    printf("a end, keep writable %s\n", tide_stream_writable(keep) ? "true" : "false");
    MUST(tide_chunk_new(tide_emitter_loop(em), "by hand", 7, NULL, NULL, &last));
    MUST(tide_stream_end(keep, last, NULL, NULL));
    tide_chunk_release(last);
    tide_stream_release(keep);
    return 0;
}

static void bad_write(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    MUST(tide_stream_write_done(s, tide_error_new(-EIO, "no")));
}

static int bad_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("bad error %s\n", ((tide_error_t *)arg)->message);
    return 0;
}

static int bad_close(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("bad close, c flowing %s\n", flowing(tide_stream_readable_flowing(c)));
    tide_stream_release(c);
    return 0;
}

static void third(tide_loop_t *loop, void *data)
{
    tide_stream_opts_t o = {0};
    tide_stream_t *bad;
    MUST(tide_stream_unpipe(b, two));
    printf("after unpipe(two) flowing %s\n", flowing(tide_stream_readable_flowing(b)));
    MUST(tide_stream_unpipe(b, NULL));
    printf("after unpipe() flowing %s\n", flowing(tide_stream_readable_flowing(b)));
    MUST(tide_stream_write(b, (void *)4, 0, NULL, NULL));
    printf("buffered %zu\n", tide_stream_readable_length(b));
    tide_stream_release(b);
    tide_stream_release(one);
    tide_stream_release(two);

    c = source(loop, &c_count);
    o.write = bad_write;
    o.flags = TIDE_STREAM_OBJECT_MODE;
    MUST(tide_writable_new(loop, &o, &bad));
    on(bad, TIDE_EVENT_UNPIPE, say, "bad unpipe");
    on(bad, TIDE_EVENT_ERROR, bad_error, NULL);
    on(bad, TIDE_EVENT_CLOSE, bad_close, NULL);
    MUST(tide_stream_pipe(c, bad, 0));
    tide_stream_release(bad);
}

static void second(tide_loop_t *loop, void *data)
{
    tide_stream_opts_t o = {0};
    o.flags = TIDE_STREAM_OBJECT_MODE;
    MUST(tide_transform_new(loop, &o, &b)); /* a PassThrough */
    one = sink(loop, &one_k);
    two = sink(loop, &two_k);
    MUST(tide_stream_pipe(b, one, 0));
    MUST(tide_stream_pipe(b, two, 0));
    for (intptr_t i = 1; i <= 3; i++) MUST(tide_stream_write(b, (void *)i, 0, NULL, NULL));
    MUST(tide_set_immediate(loop, third, NULL));
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    tide_stream_t *a = source(loop, &a_count);
    keep = sink(loop, &keep_k);
    on(a, TIDE_EVENT_END, a_end, NULL);
    MUST(tide_stream_pipe(a, keep, TIDE_PIPE_NO_END));
    tide_stream_release(a);
    MUST(tide_set_immediate(loop, second, NULL));
    return case_finish(loop);
}
