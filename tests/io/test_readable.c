/* tests/io/test_readable.c - the readable side: push's return value and
 * the mark (S6), _read only when someone reads, read(n) with slices and
 * gathering, object mode, unshift, EOF once, push after EOF, flowing and
 * paused modes, once('data'), destroy from a 'data' listener, bad
 * arguments. */
#include "stream_test.h"

static void push_str(tide_stream_t *s, const char *text, int expect)
{
    ASSERT_EQ(tide_stream_push(s, (void *)text, strlen(text), NULL, NULL), expect);
}

static void expect_read(tide_stream_t *s, size_t n, const char *want)
{
    const tide_chunk_t *c;
    int rc = tide_stream_read(s, n, &c);
    if (!want) {
        ASSERT_EQ(rc, 0);
        ASSERT(c == NULL);
        return;
    }
    ASSERT_EQ(rc, 1);
    ASSERT_EQ(c->len, strlen(want));
    ASSERT(memcmp(c->base, want, c->len) == 0);
    tide_chunk_release(c);
}

/* S6: push returns length < mark; nobody reading: _read never runs; a
 * read(0) fills the buffer to the mark and stops. */
static void test_mark_and_lazy_read(void)
{
    tide_loop_t *loop = stream_loop();
    static const char *const items[] = {"aa", "bb", "cc", "dd", "ee", NULL};
    source_t src = {items, 0, 0, 0};
    tide_stream_t *s = source_new(loop, &src, 5);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(src.reads, 0);
    expect_read(s, 0, NULL);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    /* aa (2), bb (4), cc (6 >= 5): three _reads, then it stops. */
    ASSERT_EQ(src.reads, 3);
    ASSERT_EQ(tide_stream_readable_length(s), 6);
    ASSERT_EQ(tide_stream_readable_flowing(s), -1);

    tide_stream_t *m = manual_new(loop, 4, 0);
    push_str(m, "ab", 1);
    push_str(m, "c", 1);
    push_str(m, "d", 0);  /* 4: at the mark */
    push_str(m, "ef", 0); /* still taken */
    ASSERT_EQ(tide_stream_readable_length(m), 6);
    ASSERT_EQ(tide_stream_push(m, "", 0, NULL, NULL), 0); /* empty: nothing added */
    ASSERT_EQ(tide_stream_readable_length(m), 6);
    tide_stream_release(s);
    tide_stream_release(m);
    check_clean(loop);
}

static void test_read_sizes(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_t *s = manual_new(loop, 64, 0);
    push_str(s, "hello", 1);
    push_str(s, "world", 1);
    expect_read(s, 3, "hel");     /* a slice of the first chunk */
    expect_read(s, 2, "lo");      /* the rest of it, exactly */
    expect_read(s, 7, NULL);      /* more than there is, not ended: nothing */
    push_str(s, "!", 1);
    expect_read(s, 6, "world!");  /* gathered from two chunks */
    push_str(s, "abc", 1);
    push_str(s, "def", 1);
    push_str(s, "ghi", 1);
    expect_read(s, 4, "abcd");    /* a chunk and part of the next */
    expect_read(s, TIDE_READ_ALL, "efghi");
    push_str(s, "tail", 1);
    ASSERT_OK(tide_stream_push_end(s));
    expect_read(s, 100, "tail");  /* ended: what there is */
    expect_read(s, TIDE_READ_ALL, NULL);
    ASSERT_EQ(tide_stream_readable_hwm(s), 128); /* read(100) raised the mark */
    on_log(s, TIDE_EVENT_END, "end");
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "end");
    ASSERT(tide_stream_readable_ended(s));
    tide_stream_release(s);
    check_clean(loop);
}

static void test_object_mode(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_t *s = manual_new(loop, 2, TIDE_STREAM_OBJECT_MODE);
    const tide_chunk_t *c;
    ASSERT_EQ(tide_stream_push(s, (void *)1, 0, NULL, NULL), 1);
    ASSERT_EQ(tide_stream_push(s, NULL, 0, NULL, NULL), 0); /* a NULL object is an object */
    ASSERT_EQ(tide_stream_push(s, (void *)3, 0, NULL, NULL), 0);
    ASSERT_EQ(tide_stream_readable_length(s), 3);
    ASSERT_EQ(tide_stream_read(s, 5, &c), 1); /* one object whatever n */
    ASSERT(c->base == (void *)1);
    tide_chunk_release(c);
    ASSERT_EQ(tide_stream_read(s, TIDE_READ_ALL, &c), 1);
    ASSERT(c->base == NULL);
    tide_chunk_release(c);
    ASSERT_EQ(tide_stream_readable_length(s), 1);
    ASSERT_EQ(tide_stream_push_copy(s, "x", 1), -EINVAL); /* copies are bytes */
    tide_stream_release(s);
    check_clean(loop);
}

static void test_unshift_and_eof(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_t *s = manual_new(loop, 16, 0);
    const tide_chunk_t *a;
    push_str(s, "b", 1);
    ASSERT_OK(tide_chunk_new(loop, "a", 1, NULL, NULL, &a));
    ASSERT_EQ(tide_stream_unshift(s, a), 1);
    expect_read(s, TIDE_READ_ALL, "ab");
    on_log(s, TIDE_EVENT_END, "end");
    on_log(s, TIDE_EVENT_ERROR, "error");
    on_log(s, TIDE_EVENT_CLOSE, "close");
    ASSERT_OK(tide_stream_push_end(s));
    ASSERT_OK(tide_stream_push_end(s)); /* EOF once */
    expect_read(s, 0, NULL);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "end close");
    /* After 'end', unshift is an error (and autoDestroy already closed it:
     * destroyed streams ignore it). */
    ASSERT_EQ(tide_stream_unshift(s, a), 0);
    tide_chunk_release(a);
    tide_stream_release(s);

    log_reset();
    s = manual_new(loop, 16, 0);
    on_log(s, TIDE_EVENT_ERROR, "error");
    on_log(s, TIDE_EVENT_CLOSE, "close");
    ASSERT_OK(tide_stream_push_end(s));
    push_str(s, "late", 0);
    ASSERT(tide_stream_destroyed(s));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "error:ERR_STREAM_PUSH_AFTER_EOF close");
    tide_stream_release(s);
    check_clean(loop);
}

/* once('data') removes itself the way off() does: the stream keeps
 * flowing and, with nobody listening, what it reads is lost, as in Node. */
static void test_once_and_off_data(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_t *s = manual_new(loop, 16, 0);
    ASSERT_OK(tide_stream_once(s, TIDE_EVENT_DATA, log_data, "once "));
    push_str(s, "a", 1);
    push_str(s, "b", 1);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "once a");
    ASSERT_EQ(tide_stream_readable_length(s), 0);
    ASSERT_EQ(tide_stream_readable_flowing(s), 1);
    ASSERT_EQ(tide_listener_count(tide_stream_emitter(s), TIDE_EVENT_DATA), 0);

    /* once then off before it fires */
    ASSERT_OK(tide_stream_once(s, TIDE_EVENT_DATA, log_data, "never "));
    ASSERT_OK(tide_stream_off(s, TIDE_EVENT_DATA, log_data, "never "));
    ASSERT_EQ(tide_stream_off(s, TIDE_EVENT_DATA, log_data, "never "), -ENOENT);
    push_str(s, "c", 1);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "once a");
    tide_stream_release(s);
    check_clean(loop);
}

static tide_stream_t *flowing;
static int data_then_pause(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    log_data(em, ev, arg, "data ");
    ASSERT_OK(tide_stream_pause(flowing));
    return 0;
}

static void test_pause_resume(void)
{
    tide_loop_t *loop = stream_loop();
    flowing = manual_new(loop, 16, 0);
    ASSERT_EQ(tide_stream_readable_flowing(flowing), -1);
    ASSERT(!tide_stream_is_paused(flowing));
    on_log(flowing, TIDE_EVENT_PAUSE, "pause");
    on_log(flowing, TIDE_EVENT_RESUME, "resume");
    ASSERT_OK(tide_stream_on(flowing, TIDE_EVENT_DATA, data_then_pause, NULL));
    ASSERT_EQ(tide_stream_readable_flowing(flowing), 1);
    push_str(flowing, "a", 1);
    push_str(flowing, "b", 1);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "resume data a pause");
    ASSERT(tide_stream_is_paused(flowing));
    ASSERT_EQ(tide_stream_readable_flowing(flowing), 0);
    ASSERT_EQ(tide_stream_readable_length(flowing), 1);
    ASSERT_OK(tide_stream_resume(flowing));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "resume data a pause resume data b pause");
    ASSERT_OK(tide_stream_destroy(flowing, NULL));
    tide_stream_release(flowing);
    check_clean(loop);
}

static tide_stream_t *paused;
static int read_all(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    const tide_chunk_t *c;
    test_log(&log_, "readable");
    while (tide_stream_read(paused, TIDE_READ_ALL, &c) == 1) {
        log_data(em, ev, (void *)c, "read ");
        tide_chunk_release(c);
    }
    return 0;
}

static void test_readable_event(void)
{
    tide_loop_t *loop = stream_loop();
    paused = manual_new(loop, 16, 0);
    ASSERT_OK(tide_stream_on(paused, TIDE_EVENT_READABLE, read_all, NULL));
    ASSERT_EQ(tide_stream_readable_flowing(paused), 0);
    push_str(paused, "x", 1);
    push_str(paused, "y", 1);
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "readable read xy");
    ASSERT_OK(tide_stream_off(paused, TIDE_EVENT_READABLE, read_all, NULL));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_EQ(tide_stream_readable_flowing(paused), -1); /* updated on a tick */
    ASSERT_OK(tide_stream_remove_all(paused, TIDE_EVENT_NONE));
    tide_stream_release(paused);
    check_clean(loop);
}

static int destroy_in_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    log_data(em, ev, arg, "data ");
    ASSERT_OK(tide_stream_destroy(tide_stream_of(em), NULL));
    return 0;
}

static void test_destroy_in_data_listener(void)
{
    tide_loop_t *loop = stream_loop();
    static const char *const items[] = {"1", "2", "3", NULL};
    source_t src = {items, 0, 0, 1};
    tide_stream_t *s = source_new(loop, &src, 16);
    ASSERT_OK(tide_stream_on(s, TIDE_EVENT_DATA, destroy_in_data, NULL));
    on_log(s, TIDE_EVENT_END, "end");
    on_log(s, TIDE_EVENT_CLOSE, "close");
    tide_stream_release(s); /* the stream lives on while it has work */
    check_clean(loop);
    /* As in Node: what was already buffered still flows out until 'close'
     * is emitted; nothing is read any more. */
    ASSERT_STR_EQ(log_.buf, "data 1 data 2 data 3 close");
}

static void test_bad_arguments(void)
{
    tide_loop_t *loop = stream_loop();
    sink_t k = {0};
    tide_stream_t *w = sink_new(loop, &k, 0, 0);
    const tide_chunk_t *c;
    tide_stream_opts_t o = {0};
    tide_stream_t *s;
    ASSERT_EQ(tide_readable_new(loop, &o, &s), -EINVAL);
    ASSERT_EQ(tide_readable_new(loop, NULL, &s), -EINVAL);
    ASSERT_EQ(tide_readable_new(NULL, &o, &s), -EINVAL);
    ASSERT_EQ(tide_stream_push(w, "x", 1, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_push(NULL, "x", 1, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_read(w, 1, &c), -EINVAL);
    ASSERT_EQ(tide_stream_read(NULL, 1, &c), -EINVAL);
    ASSERT_EQ(tide_stream_pause(w), -EINVAL);
    ASSERT_EQ(tide_stream_resume(NULL), -EINVAL);
    ASSERT_EQ(tide_stream_push_chunk(w, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_on(w, TIDE_EVENT_DATA, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_on(NULL, TIDE_EVENT_DATA, log_event, NULL), -EINVAL);
    s = manual_new(loop, 0, 0);
    ASSERT_EQ(tide_stream_push(s, NULL, 3, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_read(s, ((size_t)1 << 30) + 1, &c), -ERANGE);
    ASSERT_EQ(tide_stream_readable_hwm(s), 16384);
    tide_stream_release(s);
    tide_stream_release(w);
    check_clean(loop);
}

int main(void)
{
    test_mark_and_lazy_read();
    test_read_sizes();
    test_object_mode();
    test_unshift_and_eof();
    test_once_and_off_data();
    test_pause_resume();
    test_readable_event();
    test_destroy_in_data_listener();
    test_bad_arguments();
    printf("test_readable: ok\n");
    return 0;
}
