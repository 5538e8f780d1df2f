/* S6, S7: _read runs only when someone reads and only below the mark; a
 * 'data' listener makes the stream flow from the tick the first push
 * queued, before the user's ticks; pause() stops 'data' at once, even in a
 * 'data' listener, and resume() restarts it; 'readable' with read() is the
 * paused mode; 'end' comes after all data, then 'close'. */
#include "../stream_case.h"

typedef struct {
    const char *name;
    const char *const *items;
    int n;
    int i;
} source_t;

static void source_read(tide_stream_t *s, size_t size, void *data)
{
    source_t *src = data;
    printf("%s _read\n", src->name);
    if (src->i < src->n) {
        const char *item = src->items[src->i++];
        MUST(tide_stream_push(s, (void *)item, strlen(item), NULL, NULL));
    } else {
        MUST(tide_stream_push_end(s));
    }
}

static tide_stream_t *source(tide_loop_t *loop, source_t *src, size_t hwm)
{
    tide_stream_opts_t o = {0};
    tide_stream_t *s;
    o.read = source_read;
    o.data = src;
    o.hwm = hwm;
    MUST(tide_readable_new(loop, &o, &s));
    return s;
}

static const char *flowing_s(int f) { return f < 0 ? "null" : f ? "true" : "false"; }

static const char *const idle_items[] = {"1", "2", "3", "4", "5", "6"};
static source_t idle_src = {"idle", idle_items, 6, 0};
static const char *const flow_items[] = {"a", "b", "c", "d"};
static source_t flow_src = {"flow", flow_items, 4, 0};
static const char *const paused_items[] = {"x", "y"};
static source_t paused_src = {"paused", paused_items, 2, 0};

static tide_stream_t *flowing, *paused;

static void resume_later(tide_loop_t *loop, void *data)
{
    printf("resume\n");
    MUST(tide_stream_resume(flowing));
}

static int flow_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    const tide_chunk_t *c = arg;
    printf("data " CHUNK_FMT "\n", CHUNK_ARG(c));
    if (c->len == 1 && *(const char *)c->base == 'b') {
        MUST(tide_stream_pause(flowing));
        printf("paused %s\n", tide_stream_is_paused(flowing) ? "true" : "false");
        MUST(tide_set_immediate(tide_emitter_loop(em), resume_later, NULL));
    }
    return 0;
}

static int on_readable(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    const tide_chunk_t *c;
    printf("readable\n");
    while (MUST(tide_stream_read(paused, TIDE_READ_ALL, &c)) == 1) {
        printf("read " CHUNK_FMT "\n", CHUNK_ARG(c));
        tide_chunk_release(c);
    }
    return 0;
}

/* The immediate above still uses the stream: it is let go at 'close'. */
static int flow_closed(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("flow close\n");
    tide_stream_release(flowing);
    return 0;
}

static int on_object(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("object %ld\n", (long)(intptr_t)((const tide_chunk_t *)arg)->base);
    return 0;
}

int main(void)
{
    tide_loop_t *loop = case_loop();

    tide_stream_t *idle = source(loop, &idle_src, 3);
    MUST(tide_stream_push(idle, "0", 1, NULL, NULL));
    printf("idle flowing %s length %zu\n", flowing_s(tide_stream_readable_flowing(idle)),
           tide_stream_readable_length(idle));

    flowing = source(loop, &flow_src, 16);
    on(flowing, TIDE_EVENT_DATA, flow_data, NULL);
    on(flowing, TIDE_EVENT_END, say, "flow end");
    on(flowing, TIDE_EVENT_CLOSE, flow_closed, NULL);
    printf("flowing %s\n", flowing_s(tide_stream_readable_flowing(flowing)));
    MUST(tide_next_tick(loop, print, "user tick"));
    MUST(tide_queue_microtask(loop, print, "user microtask"));

    paused = source(loop, &paused_src, 16);
    on(paused, TIDE_EVENT_READABLE, on_readable, NULL);
    on(paused, TIDE_EVENT_END, say, "paused end");
    on(paused, TIDE_EVENT_CLOSE, say, "paused close");

    tide_stream_opts_t o = {0};
    tide_stream_t *objs;
    const tide_chunk_t *first;
    o.read = read_nothing;
    o.hwm = 2;
    o.flags = TIDE_STREAM_OBJECT_MODE;
    MUST(tide_readable_new(loop, &o, &objs));
    int p1 = MUST(tide_stream_push(objs, (void *)1, 0, NULL, NULL));
    int p2 = MUST(tide_stream_push(objs, (void *)2, 0, NULL, NULL));
    int p3 = MUST(tide_stream_push(objs, (void *)3, 0, NULL, NULL));
    printf("push %s %s %s\n", p1 ? "true" : "false", p2 ? "true" : "false", p3 ? "true" : "false");
    MUST(tide_stream_read(objs, TIDE_READ_ALL, &first));
    printf("read %ld length %zu\n", (long)(intptr_t)first->base, tide_stream_readable_length(objs));
    tide_chunk_release(first);
    MUST(tide_stream_push_end(objs));
    on(objs, TIDE_EVENT_DATA, on_object, NULL);
    on(objs, TIDE_EVENT_END, say, "objects end");

    tide_stream_release(idle);
    tide_stream_release(paused);
    tide_stream_release(objs);
    return case_finish(loop);
}
