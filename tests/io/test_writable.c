/* tests/io/test_writable.c - the writable side beyond the orders the
 * conformance cases check: no copy on the way to _write (a socket's writev
 * sees the caller's bytes), writev-only implementations, destroy from a
 * write callback and from 'drain', release from 'close', emitClose and
 * autoDestroy off, a corked stream dropped with writes buffered, bad
 * arguments, an end() callback with no memory to wait in, and writes that
 * complete after their _write call has returned, mixed with ones that
 * complete during it, and a writable let go of while its write waits.
 */
#include "stream_test.h"
#include "test_alloc.h"

static const void *seen_base;
static const tide_chunk_t *seen_chunk;
static void remember(tide_stream_t *s, const tide_chunk_t *c, void *data)
{
    seen_base = c->base;
    seen_chunk = c;
    ASSERT_OK(tide_stream_write_done(s, NULL));
}

static void test_no_copies(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_opts_t o = {0};
    tide_stream_t *w;
    static char buf[100];
    const tide_chunk_t *c;
    o.write = remember;
    ASSERT_OK(tide_writable_new(loop, &o, &w));
    ASSERT_EQ(tide_stream_write(w, buf, sizeof buf, NULL, NULL), 1);
    ASSERT(seen_base == buf);
    ASSERT_OK(tide_chunk_new(loop, buf, 10, NULL, NULL, &c));
    ASSERT_EQ(tide_stream_write_chunk(w, c, NULL, NULL), 1);
    ASSERT(seen_chunk == c); /* the same chunk, one more reference */
    tide_chunk_release(c);
    tide_stream_release(w);
    check_clean(loop);
}

static size_t batches[8];
static int nbatches;
static void count_writev(tide_stream_t *s, const tide_chunk_t *const *chunks, size_t n, void *data)
{
    batches[nbatches++] = n;
    ASSERT_OK(tide_stream_write_done(s, NULL));
}

static void test_writev_only(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_opts_t o = {0};
    tide_stream_t *w;
    o.writev = count_writev;
    ASSERT_OK(tide_writable_new(loop, &o, &w));
    nbatches = 0;
    ASSERT_EQ(tide_stream_write(w, "a", 1, log_cb, "a"), 1); /* a writev of one */
    ASSERT_OK(tide_stream_cork(w));
    ASSERT_OK(tide_stream_cork(w));
    for (int i = 0; i < 5; i++) ASSERT_EQ(tide_stream_write(w, "b", 1, log_cb, "b"), 1);
    ASSERT_OK(tide_stream_uncork(w));
    ASSERT_EQ(tide_stream_writable_corked(w), 1);
    ASSERT_EQ(nbatches, 1);
    ASSERT_OK(tide_stream_uncork(w));
    ASSERT_EQ(nbatches, 2);
    ASSERT_EQ(batches[0], 1);
    ASSERT_EQ(batches[1], 5);
    ASSERT_EQ(tide_stream_writable_length(w), 0);
    ASSERT_OK(tide_stream_uncork(w)); /* not corked: nothing */
    tide_stream_release(w);
    check_clean(loop);
    ASSERT_STR_EQ(log_.buf, "a b b b b b");
}

static void destroy_in_cb(tide_stream_t *s, tide_error_t *err, void *data)
{
    log_cb(s, err, data);
    ASSERT_OK(tide_stream_destroy(s, NULL));
}

static int destroy_in_drain(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    test_log(&log_, "drain");
    ASSERT_OK(tide_stream_destroy(tide_stream_of(em), tide_error_new(-EIO, "from drain")));
    return 0;
}

static int release_in_close(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    test_log(&log_, "close");
    tide_stream_release(tide_stream_of(em));
    return 0;
}

static void test_destroy_in_callbacks(void)
{
    tide_loop_t *loop = stream_loop();
    sink_t k = {.later = 1};
    tide_stream_t *w = sink_new(loop, &k, 2, 0);
    ASSERT_OK(tide_stream_on(w, TIDE_EVENT_CLOSE, release_in_close, NULL));
    ASSERT_EQ(tide_stream_write(w, "a", 1, destroy_in_cb, "cb-a"), 1);
    ASSERT_EQ(tide_stream_write(w, "b", 1, log_cb, "cb-b"), 0);
    ASSERT_EQ(tide_stream_write(w, "c", 1, log_cb, "cb-c"), 0);
    check_clean(loop); /* the close listener let the stream go */
    /* b was in _write already (it starts before a's callback): it still
     * completes; c was buffered and fails. Node prints the same. */
    ASSERT_STR_EQ(log_.buf, "cb-a close cb-b cb-c:ERR_STREAM_DESTROYED");

    loop = stream_loop();
    memset(&k, 0, sizeof k);
    k.later = 1;
    w = sink_new(loop, &k, 1, 0);
    ASSERT_OK(tide_stream_on(w, TIDE_EVENT_DRAIN, destroy_in_drain, NULL));
    on_log(w, TIDE_EVENT_ERROR, "error");
    ASSERT_OK(tide_stream_on(w, TIDE_EVENT_CLOSE, release_in_close, NULL));
    ASSERT_EQ(tide_stream_write(w, "a", 1, log_cb, "cb-a"), 0);
    check_clean(loop);
    ASSERT_STR_EQ(log_.buf, "drain cb-a error:EIO close");
}

static void test_no_close_no_destroy(void)
{
    tide_loop_t *loop = stream_loop();
    sink_t k = {0};
    tide_stream_t *quiet = sink_new(loop, &k, 0, TIDE_STREAM_NO_EMIT_CLOSE);
    tide_stream_t *kept = sink_new(loop, &k, 0, TIDE_STREAM_NO_AUTO_DESTROY);
    on_log(quiet, TIDE_EVENT_FINISH, "quiet-finish");
    on_log(quiet, TIDE_EVENT_CLOSE, "quiet-close");
    on_log(kept, TIDE_EVENT_FINISH, "kept-finish");
    on_log(kept, TIDE_EVENT_CLOSE, "kept-close");
    ASSERT_OK(tide_stream_end(quiet, NULL, NULL, NULL));
    ASSERT_OK(tide_stream_end(kept, NULL, NULL, NULL));
    ASSERT_EQ(tide_run(loop, TIDE_RUN_DEFAULT), 0);
    ASSERT_STR_EQ(log_.buf, "quiet-finish kept-finish");
    ASSERT(tide_stream_destroyed(quiet) && tide_stream_closed(quiet));
    ASSERT(!tide_stream_destroyed(kept) && tide_stream_writable_finished(kept));
    tide_stream_release(quiet);
    tide_stream_release(kept);
    check_clean(loop);
}

static int released;
static void count_release(void *base, void *data) { released++; }

/* Dropped while corked: the buffered chunks are released, their callbacks
 * dropped unrun (nothing can complete them any more). */
static void test_dropped_while_corked(void)
{
    tide_loop_t *loop = stream_loop();
    sink_t k = {0};
    tide_stream_t *w = sink_new(loop, &k, 0, 0);
    const tide_chunk_t *c;
    released = 0;
    ASSERT_OK(tide_stream_cork(w));
    ASSERT_OK(tide_chunk_new(loop, "x", 1, count_release, NULL, &c));
    ASSERT_EQ(tide_stream_write_chunk(w, c, log_cb, "never"), 1);
    tide_chunk_release(c);
    ASSERT_EQ(released, 0);
    tide_stream_release(w);
    ASSERT_EQ(released, 1);
    check_clean(loop);
    ASSERT_STR_EQ(log_.buf, "");
}

static void test_bad_arguments(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_opts_t o = {0};
    tide_stream_t *w;
    ASSERT_EQ(tide_writable_new(loop, &o, &w), -EINVAL);
    sink_t k = {0};
    w = sink_new(loop, &k, 0, 0);
    ASSERT_EQ(tide_stream_write(NULL, "x", 1, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_write(w, NULL, 1, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_write_chunk(w, NULL, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_end(NULL, NULL, NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_cork(NULL), -EINVAL);
    ASSERT_EQ(tide_stream_uncork(NULL), -EINVAL);
    ASSERT_EQ(tide_stream_write_done(NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_write(w, "x", 0, NULL, NULL), 1); /* an empty write is a write */
    /* A completion with nothing in flight is ERR_MULTIPLE_CALLBACK, and
     * destroys the stream as Node's does. */
    on_log(w, TIDE_EVENT_ERROR, "error");
    ASSERT_EQ(tide_stream_write_done(w, NULL), TIDE_ERR_MULTIPLE_CALLBACK);
    ASSERT(tide_stream_destroyed(w));
    ASSERT_EQ(tide_stream_final_done(w, NULL), TIDE_ERR_MULTIPLE_CALLBACK);
    ASSERT_EQ(tide_stream_destroy(NULL, NULL), -EINVAL);
    ASSERT_EQ(tide_stream_destroy_done(w, NULL), TIDE_ERR_MULTIPLE_CALLBACK);
    ASSERT_EQ(tide_stream_writable_hwm(w), 16384);
    tide_stream_release(w);
    check_clean(loop);
    ASSERT_STR_EQ(log_.buf, "error:ERR_MULTIPLE_CALLBACK");
}

/* end(cb) must wait for 'finish' in a record of the stream's extension;
 * with no memory for it the call says -ENOMEM and changes nothing, rather
 * than dropping the callback unannounced. */
static tide_stream_t *held_writer;
static void hold_write(tide_stream_t *s, const tide_chunk_t *c, void *data) { held_writer = s; }
static int ended_calls;
static void on_ended(tide_stream_t *s, tide_error_t *err, void *data) { ended_calls += err == NULL; }

static void test_end_without_memory(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_opts_t o = {0};
    o.write = hold_write;
    tide_stream_t *w;
    ASSERT_OK(tide_writable_new(loop, &o, &w));
    ASSERT_EQ(tide_stream_write(w, "x", 1, NULL, NULL), 1); /* in flight until we say */
    counting_alloc_install();
    alloc_budget = 0;
    ASSERT_EQ(tide_stream_end(w, NULL, on_ended, NULL), -ENOMEM);
    alloc_budget = -1;
    ASSERT_EQ(tide_stream_writable_ended(w), 0); /* nothing changed */
    ASSERT_OK(tide_stream_end(w, NULL, on_ended, NULL));
    ASSERT_OK(tide_stream_write_done(held_writer, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_EQ(ended_calls, 1);
    counting_alloc_uninstall();
    tide_stream_release(w);
    check_clean(loop);
}

/* A write's record starts on the stack of the call that makes it and
 * moves when the write outlasts its _write: writes completed later (with
 * the stack reused in between), during the call, and from inside another
 * write's callback must all keep their chunk and callback. */
static const tide_chunk_t *later_chunk;
static int later_mode; /* 1: every other write completes at once */
static int later_calls;
static void later_write(tide_stream_t *s, const tide_chunk_t *c, void *data)
{
    later_calls++;
    if (later_mode && later_calls % 2 == 0) {
        ASSERT_OK(tide_stream_write_done(s, NULL));
        return;
    }
    later_chunk = c;
}

static __attribute__((noinline)) void scribble_stack(void)
{
    volatile char junk[512];
    for (size_t i = 0; i < sizeof junk; i++) junk[i] = (char)0xa5;
}

static void test_write_outlasts_call(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_opts_t o = {0};
    tide_stream_t *w;
    static const char *const words[] = {"w0", "w1", "w2", "w3", "w4", "w5"};
    o.write = later_write;
    o.hwm = 4;
    ASSERT_OK(tide_writable_new(loop, &o, &w));
    later_mode = 1;
    later_calls = 0;
    log_reset();
    /* w0 waits; w1..w5 are buffered behind it. */
    for (int i = 0; i < 6; i++) tide_stream_write(w, words[i], 2, log_cb, (void *)words[i]);
    for (int round = 0; later_chunk; round++) {
        ASSERT(round < 6);
        scribble_stack();
        const tide_chunk_t *c = later_chunk;
        later_chunk = NULL;
        ASSERT_EQ(c->len, 2);
        ASSERT(memcmp(c->base, words[later_calls - 1], 2) == 0);
        /* Completing it starts the next buffered write, which completes
         * during its call or waits in turn. */
        ASSERT_OK(tide_stream_write_done(w, NULL));
        ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    }
    ASSERT_EQ(later_calls, 6);
    ASSERT_STR_EQ(log_.buf, "w0 w1 w2 w3 w4 w5");
    tide_stream_release(w);
    check_clean(loop);
}

/* The program lets go of a writable while its write waits: the write's
 * hold keeps it, and write_done, which lets that hold go, frees it (ASan
 * checks nothing is read after). A second completion is refused. */
static void test_released_while_writing(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_opts_t o = {0};
    tide_stream_t *w;
    o.write = hold_write;
    ASSERT_OK(tide_writable_new(loop, &o, &w));
    ASSERT_EQ(tide_stream_write(w, "x", 1, log_cb, "cb"), 1);
    tide_stream_release(w);
    log_reset();
    ASSERT_OK(tide_stream_write_done(held_writer, NULL));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    ASSERT_STR_EQ(log_.buf, "cb");
    check_clean(loop);

    loop = stream_loop();
    ASSERT_OK(tide_writable_new(loop, &o, &w));
    ASSERT_EQ(tide_stream_write(w, "x", 1, NULL, NULL), 1);
    ASSERT_OK(tide_stream_write_done(w, NULL));
    ASSERT_EQ(tide_stream_write_done(w, NULL), TIDE_ERR_MULTIPLE_CALLBACK);
    tide_stream_release(w);
    check_clean(loop);
}

int main(void)
{
    test_no_copies();
    test_writev_only();
    test_destroy_in_callbacks();
    test_no_close_no_destroy();
    test_dropped_while_corked();
    test_bad_arguments();
    test_end_without_memory();
    test_write_outlasts_call();
    test_released_while_writing();
    printf("test_writable: ok\n");
    return 0;
}
