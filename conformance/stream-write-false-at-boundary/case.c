/* S1, S2: write() returns false once the buffered length reaches the
 * high-water mark, computed after a synchronous _write; chunks are still
 * accepted above the mark; object mode counts one per chunk. */
#include "../stream_case.h"

static char bytes[16];

static void show(tide_stream_t *w, const char *what, int r)
{
    printf("%s -> %s length %zu\n", what, r ? "true" : "false", tide_stream_writable_length(w));
}

static int drained(tide_emitter_t *em, tide_event_t ev, void *arg, void *what)
{
    printf("%s, length %zu\n", (const char *)what,
           tide_stream_writable_length(tide_stream_of(em)));
    return 0;
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    static int obj;

    tide_stream_t *slow = writable_new(loop, write_later, 4, 0);
    show(slow, "write 1 byte", MUST(tide_stream_write(slow, bytes, 1, NULL, NULL)));
    show(slow, "write 2 bytes", MUST(tide_stream_write(slow, bytes, 2, NULL, NULL)));
    show(slow, "write 1 byte", MUST(tide_stream_write(slow, bytes, 1, NULL, NULL)));
    show(slow, "write 1 byte", MUST(tide_stream_write(slow, bytes, 1, NULL, NULL)));
    on(slow, TIDE_EVENT_DRAIN, drained, "drain");

    tide_stream_t *objects = writable_new(loop, write_later, 2, TIDE_STREAM_OBJECT_MODE);
    show(objects, "write object", MUST(tide_stream_write(objects, &obj, 0, NULL, NULL)));
    show(objects, "write object", MUST(tide_stream_write(objects, &obj, 0, NULL, NULL)));
    show(objects, "write object", MUST(tide_stream_write(objects, &obj, 0, NULL, NULL)));
    on(objects, TIDE_EVENT_DRAIN, drained, "objects drain");

    tide_stream_t *sync = writable_new(loop, write_now, 4, 0);
    show(sync, "sync write 10 bytes", MUST(tide_stream_write(sync, bytes, 10, NULL, NULL)));
    show(sync, "sync write 4 bytes", MUST(tide_stream_write(sync, bytes, 4, NULL, NULL)));
    on(sync, TIDE_EVENT_DRAIN, say, "sync drain (never)");

    tide_stream_t *zero = writable_new(loop, write_later, TIDE_HWM_ZERO, 0);
    show(zero, "zero-mark write", MUST(tide_stream_write(zero, bytes, 1, NULL, NULL)));
    on(zero, TIDE_EVENT_DRAIN, drained, "zero-mark drain");

    tide_stream_release(slow);
    tide_stream_release(objects);
    tide_stream_release(sync);
    tide_stream_release(zero);
    return case_finish(loop);
}
