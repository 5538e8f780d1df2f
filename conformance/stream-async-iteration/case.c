/* S11: for await (const chunk of readable) yields the chunks in order;
 * break destroys the stream (_destroy gets an AbortError, 'close' is
 * emitted, destroyed is true); running to the end leaves an ended,
 * auto-destroyed stream; a stream error is thrown into the loop. */
#include "../stream_case.h"

typedef struct {
    const char *name;
    const char *const *items; /* NULL-terminated */
    const char *fail;
    int i;
    char texts[2][16];
} source_t;

static void src_read(tide_stream_t *s, size_t size, void *data)
{
    source_t *src = data;
    if (src->items[src->i]) MUST(tide_stream_push(s, (void *)src->items[src->i++], 0, NULL, NULL));
    else if (src->fail) MUST(tide_stream_destroy(s, tide_error_new(-EIO, "%s", src->fail)));
    else MUST(tide_stream_push_end(s));
}

static void src_destroy(tide_stream_t *s, tide_error_t *err, void *data)
{
    source_t *src = data;
    printf("%s _destroy %s\n", src->name,
           !err ? "null" : err->code == -ECANCELED ? "AbortError" : "Error");
    MUST(tide_stream_destroy_done(s, tide_error_ref(err)));
}

static tide_stream_t *source(tide_loop_t *loop, source_t *src)
{
    tide_stream_opts_t o = {0};
    tide_stream_t *r;
    o.read = src_read;
    o.destroy = src_destroy;
    o.data = src;
    o.flags = TIDE_STREAM_OBJECT_MODE;
    MUST(tide_readable_new(loop, &o, &r));
    snprintf(src->texts[0], 16, "%s close", src->name);
    snprintf(src->texts[1], 16, "%s end", src->name);
    on(r, TIDE_EVENT_CLOSE, say, src->texts[0]);
    on(r, TIDE_EVENT_END, say, src->texts[1]);
    return r;
}

static const char *const a_items[] = {"a1", "a2", "a3", NULL};
static const char *const b_items[] = {"b1", "b2", NULL};
static const char *const e_items[] = {"e1", NULL};
static source_t a_src = {.name = "a", .items = a_items};
static source_t b_src = {.name = "b", .items = b_items};
static source_t e_src = {.name = "e", .items = e_items, .fail = "it broke"};

static const char *tf(int v) { return v ? "true" : "false"; }

static tide_result_t body(tide_loop_t *loop, void *arg)
{
    tide_stream_iter_t *it;
    const tide_chunk_t *c;
    int rc;

    tide_stream_t *a = source(loop, &a_src);
    MUST(tide_stream_iterate(a, &it));
    while ((rc = tide_stream_iter_next(it, &c, NULL)) == 1) {
        const char *item = c->base;
        tide_chunk_release(c);
        printf("got %s\n", item);
        if (strcmp(item, "a2") == 0) break;
    }
    tide_stream_iter_free(it);
    printf("after break, destroyed %s\n", tf(tide_stream_destroyed(a)));
    tide_stream_release(a);

    tide_stream_t *b = source(loop, &b_src);
    MUST(tide_stream_iterate(b, &it));
    while ((rc = tide_stream_iter_next(it, &c, NULL)) == 1) {
        printf("got %s\n", (const char *)c->base);
        tide_chunk_release(c);
    }
    MUST(rc);
    tide_stream_iter_free(it);
    printf("after the end, destroyed %s\n", tf(tide_stream_destroyed(b)));
    tide_stream_release(b);

    tide_stream_t *e = source(loop, &e_src);
    MUST(tide_stream_iterate(e, &it));
    while ((rc = tide_stream_iter_next(it, &c, NULL)) == 1) {
        printf("got %s\n", (const char *)c->base);
        tide_chunk_release(c);
    }
    if (rc < 0) printf("caught %s\n", tide_stream_errored(e)->message);
    tide_stream_iter_free(it);
    printf("after the error, destroyed %s\n", tf(tide_stream_destroyed(e)));
    tide_stream_release(e);
    return tide_ok(NULL);
}

static void done_later(tide_loop_t *loop, void *data) { printf("done\n"); }

static tide_result_t after(tide_loop_t *loop, void *data, void *value)
{
    MUST(tide_set_immediate(loop, done_later, NULL));
    return tide_ok(NULL);
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    tide_promise_t *p;
    MUST(tide_async(loop, body, NULL, &p));
    MUST(tide_promise_then(p, after, NULL, NULL, NULL));
    tide_promise_release(p);
    return case_finish(loop);
}
