/* S9: pipeline(a, b, c, cb). When a stage fails, every stage is destroyed
 * with that error: the failing stage emits 'error' then 'close', then the
 * others, from the source on; the callback runs once, last. On success the
 * callback runs after every stream closed. */
#include "../stream_case.h"

typedef struct {
    char label;
    intptr_t fail_at;
    intptr_t n;
    tide_stream_t *s[3];
    char names[3][16];
} run_t;

static run_t runs[2] = {{.label = 'A', .fail_at = 3}, {.label = 'B'}};

static void src_read(tide_stream_t *s, size_t size, void *data)
{
    run_t *r = data;
    r->n++;
    if (r->n <= 5) MUST(tide_stream_push(s, (void *)r->n, 0, NULL, NULL));
    else MUST(tide_stream_push_end(s));
}

static void mid_transform(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    run_t *r = data;
    intptr_t v = (intptr_t)chunk->base;
    if (v == r->fail_at) {
        MUST(tide_stream_transform_done(s, tide_error_new(-EIO, "boom at %ld", (long)v)));
        return;
    }
    MUST(tide_stream_push(s, (void *)(v * 10), 0, NULL, NULL));
    MUST(tide_stream_transform_done(s, NULL));
}

static void sink_write(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    run_t *r = data;
    printf("%c sink got %ld\n", r->label, (long)(intptr_t)chunk->base);
    write_later(s, chunk, data);
}

static int on_error(tide_emitter_t *em, tide_event_t ev, void *arg, void *name)
{
    printf("%s error %s\n", (const char *)name, ((tide_error_t *)arg)->message);
    return 0;
}

static int on_event(tide_emitter_t *em, tide_event_t ev, void *arg, void *name)
{
    printf("%s %s\n", (const char *)name, tide_event_name(ev));
    return 0;
}

static void watch(tide_stream_t *s, const char *name)
{
    on(s, TIDE_EVENT_ERROR, on_error, name);
    on(s, TIDE_EVENT_CLOSE, on_event, name);
    on(s, TIDE_EVENT_END, on_event, name);
    on(s, TIDE_EVENT_FINISH, on_event, name);
}

static void done(tide_stream_t *last, tide_error_t *err, void *data);

static void stages(tide_loop_t *loop, run_t *r)
{
    tide_stream_opts_t o = {0};
    const char *kinds[] = {"src", "mid", "sink"};
    o.flags = TIDE_STREAM_OBJECT_MODE;
    o.data = r;
    o.read = src_read;
    MUST(tide_readable_new(loop, &o, &r->s[0]));
    o.read = NULL;
    o.transform = mid_transform;
    MUST(tide_transform_new(loop, &o, &r->s[1]));
    o.transform = NULL;
    o.write = sink_write;
    MUST(tide_writable_new(loop, &o, &r->s[2]));
    for (int i = 0; i < 3; i++) {
        snprintf(r->names[i], sizeof r->names[i], "%c %s", r->label, kinds[i]);
        watch(r->s[i], r->names[i]);
    }
    MUST(tide_stream_pipeline(r->s, 3, done, r));
}

static void done(tide_stream_t *last, tide_error_t *err, void *data)
{
    run_t *r = data;
    printf("%c callback %s\n", r->label, err ? err->message : "ok");
    printf("%c destroyed", r->label);
    for (int i = 0; i < 3; i++) {
        printf(" %s", tide_stream_destroyed(r->s[i]) ? "true" : "false");
        tide_stream_release(r->s[i]);
    }
    printf("\n");
    if (r == &runs[0]) stages(tide_stream_loop(last), &runs[1]);
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    stages(loop, &runs[0]);
    return case_finish(loop);
}
